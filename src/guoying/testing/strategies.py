"""Hypothesis strategies for guoying's values, commands and events, in one namespace.

They live in `guoying.testing.values` (ids, text, dates, enums, actors, policies),
`guoying.testing.commands` (one strategy per command type, derived from its fields),
`guoying.testing.events` (one per event type), `guoying.testing.sequences` (valid
command sequences over a city) and `guoying.testing.selection_sequences` (a whole
selection year that applies); this module gathers them so that
`from guoying.testing import strategies as gs` reaches them all::

    from hypothesis import given
    from guoying.testing import strategies as gs

    @given(gs.adjust_tier_commands(branch_ids=["b1", "b2"], committee_ids=["base-a"]))
    def test_an_adjustment_names_its_rules(command):
        ...
"""

from __future__ import annotations

from guoying.testing import commands as _commands
from guoying.testing.commands import (
    COMMAND_STRATEGIES,
    CommandStrategy,
    adjust_tier_commands,
    appoint_leader_commands,
    approve_cap_exception_commands,
    approved_cap_exceptions,
    assign_liaison_commands,
    cap_exception_sets,
    command_strategy_for,
    commands,
    correct_record_commands,
    dissolve_branch_commands,
    dissolve_committee_commands,
    end_leadership_commands,
    erase_person_commands,
    merge_branches_commands,
    merge_committees_commands,
    move_branch_commands,
    move_committee_commands,
    new_branches,
    publish_policy_commands,
    record_common_problem_commands,
    record_problem_commands,
    register_branch_commands,
    register_committee_commands,
    register_person_commands,
    register_unit_commands,
    rename_branch_commands,
    rename_committee_commands,
    set_creation_target_commands,
    sign_off_rectification_commands,
    split_branch_commands,
)
from guoying.testing.events import event_strategy_for, events, stream_id_of
from guoying.testing.selection_sequences import SelectionYear, selection_years
from guoying.testing.sequences import CommandSequence, cities, valid_command_sequences
from guoying.testing.values import (
    RULE_IDS,
    IdSource,
    actors,
    authorities,
    branch_ids,
    cap_exceptions,
    case_ids,
    committee_ids,
    committee_levels,
    dates_in_policy,
    dates_in_year,
    identifiers,
    names,
    person_ids,
    policies,
    policy_years,
    positions,
    reasons,
    sectors,
    texts,
    tiers,
    unit_ids,
    unit_kinds,
)

__all__ = [
    "COMMAND_STRATEGIES",
    "RULE_IDS",
    "CommandSequence",
    "CommandStrategy",
    "IdSource",
    "SelectionYear",
    "actors",
    "adjust_tier_commands",
    "appoint_leader_commands",
    "approve_cap_exception_commands",
    "approved_cap_exceptions",
    "assign_liaison_commands",
    "authorities",
    "branch_ids",
    "cap_exception_sets",
    "cap_exceptions",
    "case_ids",
    "cities",
    "command_strategy_for",
    "commands",
    "committee_ids",
    "committee_levels",
    "correct_record_commands",
    "dates_in_policy",
    "dates_in_year",
    "dissolve_branch_commands",
    "dissolve_committee_commands",
    "end_leadership_commands",
    "erase_person_commands",
    "event_strategy_for",
    "events",
    "identifiers",
    "merge_branches_commands",
    "merge_committees_commands",
    "move_branch_commands",
    "move_committee_commands",
    "names",
    "new_branches",
    "person_ids",
    "policies",
    "policy_years",
    "positions",
    "publish_policy_commands",
    "reasons",
    "record_common_problem_commands",
    "record_problem_commands",
    "register_branch_commands",
    "register_committee_commands",
    "register_person_commands",
    "register_unit_commands",
    "rename_branch_commands",
    "rename_committee_commands",
    "sectors",
    "selection_years",
    "set_creation_target_commands",
    "sign_off_rectification_commands",
    "split_branch_commands",
    "stream_id_of",
    "texts",
    "tiers",
    "unit_ids",
    "unit_kinds",
    "valid_command_sequences",
]
# A command type added later: its strategy is in this namespace and __all__ too.
__all__ += [name for name in COMMAND_STRATEGIES if name not in __all__]
globals().update({name: getattr(_commands, name) for name in COMMAND_STRATEGIES})
