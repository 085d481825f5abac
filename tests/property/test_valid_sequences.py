"""`guoying.testing.sequences.valid_command_sequences`: most of what it draws is applied.

The issue that asked for it: a property built from `register_branch_commands` and
`adjust_tier_commands` over `small_city()`'s ids applied no command in half of its
examples. A valid sequence is drawn from a model of what exists, so the share of its
decisions the library applies must stay high, on `small_city()` and on generated cities.
"""

from __future__ import annotations

import os
from datetime import date

from hypothesis import given, settings

from guoying import Guoying, GuoyingError
from guoying.application.commands import ApproveCapException
from guoying.domain.values import CommitteeLevel, Tier
from guoying.testing import CommandSequence, small_city, valid_command_sequences
from guoying.testing.recount import BranchTimeline, CityTimeline, CommitteeState

# Examples of each property; the share is averaged over the examples of one run.
EXAMPLES = 12 if os.environ.get("CI") == "true" else 25
SHARES: dict[str, list[float]] = {"small": [], "generated": []}


def _applied_share(sequence: CommandSequence) -> float:
    with Guoying("memory://") as app:
        for command in sequence.setup:
            app.execute(command)  # the city's own set-up never fails
        applied = 0
        for command in sequence.decisions:
            try:
                app.execute(command)
            except GuoyingError:
                continue
            applied += 1
    return applied / len(sequence.decisions) if sequence.decisions else 1.0


@settings(max_examples=EXAMPLES, deadline=None)
@given(valid_command_sequences(city=small_city(), max_decisions=12))
def test_most_decisions_of_a_valid_sequence_on_the_small_city_apply(
    sequence: CommandSequence,
) -> None:
    SHARES["small"].append(_applied_share(sequence))


@settings(max_examples=EXAMPLES, deadline=None)
@given(valid_command_sequences(max_decisions=12))
def test_most_decisions_of_a_valid_sequence_on_a_generated_city_apply(
    sequence: CommandSequence,
) -> None:
    SHARES["generated"].append(_applied_share(sequence))


def test_the_applied_share_stays_high() -> None:
    """Averaged over the examples of the two properties above (run first, in file order)."""
    for name, shares in SHARES.items():
        assert shares, f"the {name} property ran no example"
        assert sum(shares) / len(shares) > 0.6, (name, shares)


@settings(max_examples=15, deadline=None)
@given(valid_command_sequences(city=small_city(), max_decisions=12))
def test_a_sequence_is_dated_in_order_and_asks_approvals_before_it_needs_them(
    sequence: CommandSequence,
) -> None:
    """Decisions come in date order after the city's founding, each approval before the
    decision that needs it and for a year the policy covers."""
    founded = sequence.setup[0].effective_on
    dates = [c.effective_on for c in sequence.decisions]
    assert founded is not None
    assert all(d is not None and d >= founded for d in dates)
    assert dates == sorted(dates)  # type: ignore[type-var]
    approvals = [c for c in sequence.decisions if isinstance(c, ApproveCapException)]
    assert all(2017 <= a.year <= 2019 for a in approvals)
    assert not approvals or not isinstance(sequence.decisions[-1], ApproveCapException)


def test_the_recount_follows_a_committee_moved_later_with_an_earlier_date() -> None:
    """The model's recount (rules.md `ledger.advanced_cap`) sees a back-dated move."""
    timeline = CityTimeline()
    on = date(2017, 1, 1)
    for state in (
        CommitteeState("county", CommitteeLevel.CITY_MANAGED, None),
        CommitteeState("town-1", CommitteeLevel.INTERMEDIATE, "county"),
        CommitteeState("town-2", CommitteeLevel.INTERMEDIATE, "county"),
        CommitteeState("base", CommitteeLevel.BASE, "town-1"),
    ):
        timeline.found(state, on)
    timeline.branches["b1"] = BranchTimeline(
        "b1", on, 2017, [(on, "base")], {2017: Tier.ADVANCED}, "b1"
    )
    assert timeline.counts("town-1", 2018) == (1, 1)
    timeline.move("base", "town-2", date(2018, 6, 1))
    assert timeline.counts("town-1", 2017) == (1, 1)
    assert timeline.counts("town-1", 2018) == (0, 0)
    assert timeline.counts("town-2", 2018) == (1, 1)
    assert timeline.counts("county", 2018) == (1, 1)
