"""guoying's testing kit: Hypothesis strategies and a state machine, for your own tests.

It needs Hypothesis (`pip install guoying[testing]`). Run the ledger state machine in
your test suite with::

    from hypothesis import settings
    from guoying.testing import LedgerMachine

    TestLedgerMachine = LedgerMachine.TestCase
    TestLedgerMachine.settings = settings(max_examples=30, stateful_step_count=25,
                                          deadline=None)

and against a SQLite file (a fresh one per example) with::

    class SqliteLedgerMachine(LedgerMachine):
        store_url = "sqlite:///{tmpdir}/store.db"

    TestSqliteLedgerMachine = SqliteLedgerMachine.TestCase

The strategies live in `guoying.testing.strategies` (also re-exported here); the test city
the machine builds is `small_city()`, a `CityLayout` you can reuse or replace.
"""

from guoying.testing.city import CityLayout, CommitteeSpec, PersonSpec, UnitSpec, small_city
from guoying.testing.machines import LedgerMachine, LedgerModel
from guoying.testing.strategies import (
    RULE_IDS,
    CommandSequence,
    IdSource,
    actors,
    adjust_tier_commands,
    appoint_leader_commands,
    approve_cap_exception_commands,
    approved_cap_exceptions,
    assign_liaison_commands,
    authorities,
    branch_ids,
    cap_exception_sets,
    cap_exceptions,
    case_ids,
    cities,
    command_strategy_for,
    commands,
    committee_ids,
    committee_levels,
    correct_record_commands,
    dates_in_policy,
    dates_in_year,
    dissolve_branch_commands,
    dissolve_committee_commands,
    end_leadership_commands,
    event_strategy_for,
    events,
    identifiers,
    merge_branches_commands,
    merge_committees_commands,
    move_branch_commands,
    move_committee_commands,
    names,
    new_branches,
    person_ids,
    policies,
    policy_years,
    publish_policy_commands,
    reasons,
    record_common_problem_commands,
    record_problem_commands,
    register_branch_commands,
    register_committee_commands,
    register_person_commands,
    register_unit_commands,
    rename_branch_commands,
    rename_committee_commands,
    sectors,
    set_creation_target_commands,
    sign_off_rectification_commands,
    split_branch_commands,
    texts,
    tiers,
    unit_ids,
    unit_kinds,
    valid_command_sequences,
)

__all__ = [
    "RULE_IDS",
    "CityLayout",
    "CommandSequence",
    "CommitteeSpec",
    "IdSource",
    "LedgerMachine",
    "LedgerModel",
    "PersonSpec",
    "UnitSpec",
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
    "set_creation_target_commands",
    "sign_off_rectification_commands",
    "small_city",
    "split_branch_commands",
    "texts",
    "tiers",
    "unit_ids",
    "unit_kinds",
    "valid_command_sequences",
]
