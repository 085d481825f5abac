"""The CommitteeLedger aggregate: the per-year counts the advanced cap is decided on."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guoying.domain.committee_ledger import (
    AdvancedCapExceptionRecorded,
    CommitteeLedger,
    YearCounts,
    cap_breaches,
    judge_advanced_cap,
    ledger_aggregate_id,
    record_common_problem,
    tally,
)
from guoying.domain.exceptions import RuleViolation
from guoying.domain.organization import CommitteeLevel, register_committee
from guoying.domain.policy import TAIAN_2017, Policy
from guoying.domain.values import CapException, Tier
from tests.unit.builders import (
    BASE_A1,
    BASE_A2,
    CITY,
    CM_A,
    INT_A,
    OD,
    decision,
    exception,
    org_tree,
)

POLICY = TAIAN_2017


def refused(rule_id: str):
    return pytest.raises(RuleViolation, match=rf"^{rule_id}:")


def tallied(
    entries: list[tuple[str, int, Tier]],
    ledger: CommitteeLedger | None = None,
    committee_id: str = BASE_A1,
) -> CommitteeLedger:
    for branch_id, year, tier in entries:
        event = tally(
            ledger,
            decision(committee_id),
            committee_id=committee_id,
            branch_id=branch_id,
            year=year,
            tier=tier,
        )
        ledger = event.mutate(ledger)
    assert ledger is not None
    return ledger


def middle(count: int, year: int = 2017, prefix: str = "m") -> list[tuple[str, int, Tier]]:
    return [(f"{prefix}{index}", year, Tier.MIDDLE) for index in range(count)]


# The counts


def test_ledger_advanced_cap_a_tally_counts_a_new_branch_as_active_from_its_year():
    ledger = tallied([("b1", 2017, Tier.MIDDLE), ("b2", 2018, Tier.ADVANCED)])
    counts = ledger.counts()
    assert counts.at(2017) == (0, 1)
    assert counts.at(2018) == (1, 2)
    assert ledger.id == ledger_aggregate_id(BASE_A1)
    assert ledger.version == 2


def test_ledger_advanced_cap_an_unchanged_tier_carries_over_into_later_years():
    counts = tallied([("b1", 2017, Tier.ADVANCED)]).counts()
    assert counts.at(2019) == (1, 1)
    assert counts.at(2030) == (1, 1)
    assert counts.at(2016) == (0, 0)


def test_ledger_advanced_cap_a_lowered_tier_stops_counting_from_its_year():
    counts = tallied([("b1", 2017, Tier.ADVANCED), ("b1", 2019, Tier.MIDDLE)]).counts()
    assert [counts.at(year) for year in (2017, 2018, 2019)] == [(1, 1), (1, 1), (0, 1)]


def test_ledger_advanced_cap_a_revised_result_for_the_same_year_replaces_the_earlier_one():
    counts = tallied(
        [("b1", 2017, Tier.MIDDLE), ("b1", 2018, Tier.ADVANCED), ("b1", 2018, Tier.LAGGING)]
    ).counts()
    assert counts.at(2018) == (0, 1)


def test_ledger_advanced_cap_a_branch_from_before_the_first_known_year_extends_the_counts():
    counts = tallied([("b1", 2018, Tier.ADVANCED), ("b2", 2017, Tier.MIDDLE)]).counts()
    assert counts.at(2017) == (0, 1)
    assert counts.at(2018) == (1, 2)


def test_ledger_advanced_cap_empty_counts_are_zero_for_every_year():
    assert YearCounts().at(2017) == (0, 0)


tiers = st.sampled_from(list(Tier))


@st.composite
def tallies(draw: st.DrawFn) -> list[tuple[str, int, Tier]]:
    """Tallies as the domain allows them: each branch first at its registration year, then
    adjusted for that year or a later one; branches interleaved in any order."""
    histories = []
    for index in range(draw(st.integers(1, 6))):
        year = draw(st.integers(2017, 2019))
        history = [(f"b{index}", year, draw(tiers))]
        for _ in range(draw(st.integers(0, 3))):
            year = draw(st.integers(year, 2019))
            history.append((f"b{index}", year, draw(tiers)))
        histories.append(history)
    merged: list[tuple[str, int, Tier]] = []
    while any(histories):
        pending = [h for h in histories if h]
        merged.append(draw(st.sampled_from(pending)).pop(0))
    return merged


@settings(max_examples=150)
@given(entries=tallies())
def test_ledger_advanced_cap_counts_equal_a_recount_of_every_branchs_tier_per_year(entries):
    """`ledger.advanced_cap`: for each year, advanced = branches whose tier in effect that
    year (an unchanged tier carries over) is ADVANCED; active = branches registered by then."""
    counts = tallied(entries).counts()
    for year in range(2016, 2022):
        timelines: dict[str, dict[int, Tier]] = {}
        for branch_id, tier_year, tier in entries:
            timelines.setdefault(branch_id, {})[tier_year] = tier
        advanced = active = 0
        for timeline in timelines.values():
            known = [y for y in timeline if y <= year]
            if known:
                active += 1
                advanced += timeline[max(known)] is Tier.ADVANCED
        assert counts.at(year) == (advanced, active), year


# cap_breaches and judge_advanced_cap


def test_ledger_advanced_cap_one_advanced_among_ten_is_within_the_limit():
    ledger = tallied([*middle(9), ("a", 2017, Tier.ADVANCED)])
    assert cap_breaches(YearCounts(), ledger, POLICY) == ()


def test_ledger_advanced_cap_a_second_advanced_among_ten_is_a_breach():
    ten = [*middle(9), ("a", 2017, Tier.ADVANCED)]
    before = tallied(ten).counts()
    after = tallied([("m0", 2017, Tier.ADVANCED)], ledger=tallied(ten))
    assert cap_breaches(before, after, POLICY) == (2017,)


def test_ledger_advanced_cap_fewer_than_ten_branches_allow_no_advanced_branch():
    ledger = tallied([*middle(8), ("a", 2017, Tier.ADVANCED)])
    assert cap_breaches(YearCounts(), ledger, POLICY) == (2017,)


def test_ledger_advanced_cap_breaches_are_found_in_every_year_they_occur():
    """`ledger.advanced_cap` is judged per year, an unchanged tier carrying over."""
    ledger = tallied(
        [
            *middle(9),
            ("a", 2017, Tier.ADVANCED),
            ("m1", 2018, Tier.ADVANCED),
            ("m2", 2019, Tier.MIDDLE),
        ]
    )
    assert cap_breaches(YearCounts(), ledger, POLICY) == (2018, 2019)


def test_ledger_advanced_cap_a_count_already_above_the_limit_that_does_not_rise_is_no_breach():
    """`ledger.advanced_cap`: only a rise is judged, so lowering is never refused."""
    over = [("a", 2017, Tier.ADVANCED), ("b", 2017, Tier.ADVANCED)]
    before = tallied(over).counts()
    after = tallied([("b", 2018, Tier.MIDDLE), ("c", 2018, Tier.LAGGING)], ledger=tallied(over))
    assert cap_breaches(before, after, POLICY) == ()


def test_ledger_advanced_cap_share_comes_from_the_policy():
    generous = Policy(
        version="generous", effective_on=POLICY.effective_on, advanced_share=Decimal("0.5")
    )
    ledger = tallied([("m", 2017, Tier.MIDDLE), ("a", 2017, Tier.ADVANCED)])
    assert cap_breaches(YearCounts(), ledger, generous) == ()
    assert cap_breaches(YearCounts(), ledger, POLICY) == (2017,)


def test_ledger_advanced_cap_a_rise_above_the_limit_without_an_exception_is_refused():
    ledger = tallied([("a", 2017, Tier.ADVANCED)])
    with refused("ledger.advanced_cap") as caught:
        judge_advanced_cap(org_tree(), ledger, YearCounts(), decision(BASE_A1), POLICY)
    assert caught.value.details == {
        "committee_id": BASE_A1,
        "year": 2017,
        "advanced": 1,
        "active": 1,
        "limit": 0,
    }


def test_ledger_advanced_cap_within_the_limit_nothing_is_recorded():
    ledger = tallied([*middle(9), ("a", 2017, Tier.ADVANCED)])
    assert judge_advanced_cap(org_tree(), ledger, YearCounts(), decision(BASE_A1), POLICY) is None


def test_ledger_advanced_cap_an_exception_approved_by_the_parent_is_recorded_with_its_years():
    ledger = tallied([("a", 2017, Tier.ADVANCED)])
    granted = exception(BASE_A1, CM_A)
    event = judge_advanced_cap(
        org_tree(), ledger, YearCounts(), decision(BASE_A1, exceptions=(granted,)), POLICY
    )
    assert isinstance(event, AdvancedCapExceptionRecorded)
    assert event.committee_id == BASE_A1
    assert event.years == (2017,)
    assert event.exception == granted
    assert event.originator_id == ledger.id
    assert event.originator_version == ledger.version + 1
    ledger = event.mutate(ledger)
    assert ledger.excepted_years() == {2017}
    assert ledger.exceptions[0].exception.approved_by.committee_id == CM_A


def test_ledger_advanced_cap_an_exception_for_an_intermediate_committee_is_approved_by_its_parent():
    ledger = tallied([("a", 2017, Tier.ADVANCED)], committee_id=INT_A)
    ok = decision(BASE_A2, exceptions=(exception(INT_A, CM_A),))
    assert judge_advanced_cap(org_tree(), ledger, YearCounts(), ok, POLICY) is not None
    wrong = decision(BASE_A2, exceptions=(exception(INT_A, OD),))
    with refused("ledger.advanced_cap"):
        judge_advanced_cap(org_tree(), ledger, YearCounts(), wrong, POLICY)


@pytest.mark.parametrize("approver", [OD, CITY, BASE_A1, "cm-b"])
def test_ledger_advanced_cap_an_exception_not_approved_by_the_parent_is_refused(approver):
    ledger = tallied([("a", 2017, Tier.ADVANCED)])
    with refused("ledger.advanced_cap") as caught:
        judge_advanced_cap(
            org_tree(),
            ledger,
            YearCounts(),
            decision(BASE_A1, exceptions=(exception(BASE_A1, approver),)),
            POLICY,
        )
    assert repr(CM_A) in caught.value.message


@pytest.mark.parametrize("approver", [CITY, BASE_A1])
def test_ledger_advanced_cap_only_the_organization_department_excepts_a_city_managed_committee(
    approver,
):
    ledger = tallied([("a", 2017, Tier.ADVANCED)], committee_id=CM_A)
    tree = org_tree()
    ok = decision(BASE_A1, exceptions=(exception(CM_A, OD),))
    assert judge_advanced_cap(tree, ledger, YearCounts(), ok, POLICY) is not None
    with refused("ledger.advanced_cap"):
        judge_advanced_cap(
            tree,
            ledger,
            YearCounts(),
            decision(BASE_A1, exceptions=(exception(CM_A, approver),)),
            POLICY,
        )


def test_ledger_advanced_cap_an_exception_for_another_committee_does_not_count():
    ledger = tallied([("a", 2017, Tier.ADVANCED)])
    with refused("ledger.advanced_cap"):
        judge_advanced_cap(
            org_tree(),
            ledger,
            YearCounts(),
            decision(BASE_A1, exceptions=(exception(INT_A, CM_A),)),
            POLICY,
        )


def test_ledger_advanced_cap_without_an_organization_department_no_exception_can_be_approved():
    tree = None
    for committee_id, level, parent_id in (
        (CITY, CommitteeLevel.CITY, None),
        (CM_A, CommitteeLevel.CITY_MANAGED, CITY),
    ):
        tree = register_committee(
            tree,
            decision(CITY),
            committee_id=committee_id,
            name=committee_id,
            level=level,
            parent_id=parent_id,
            county_level=False,
        ).mutate(tree)
    ledger = tallied([("a", 2017, Tier.ADVANCED)], committee_id=CM_A)
    with refused("ledger.advanced_cap") as caught:
        judge_advanced_cap(
            tree, ledger, YearCounts(), decision(CM_A, exceptions=(exception(CM_A, OD),)), POLICY
        )
    assert "'nobody'" in caught.value.message


def test_a_cap_exception_needs_a_committee_and_a_justification():
    """`ledger.advanced_cap`: an exception is recorded with its justification and approver."""
    with pytest.raises(ValueError, match="justification"):
        CapException(committee_id=BASE_A1, justification=" ", approved_by=decision(CM_A).actor)
    with pytest.raises(ValueError, match="committee_id"):
        CapException(committee_id="", justification="why", approved_by=decision(CM_A).actor)


# ledger.row: common problems


def common(ledger: CommitteeLedger | None, **overrides):
    fields = {
        "problem_id": "cp-1",
        "year": 2017,
        "problem": "  thin records ",
        "measure": " keep the ledger monthly  ",
    }
    fields.update(overrides)
    return record_common_problem(ledger, decision(CM_A), POLICY, committee_id=CM_A, **fields)


def test_ledger_row_a_committee_records_its_common_problems_and_measures():
    event = common(None)
    ledger = event.mutate(None)
    problem = ledger.common_problems["cp-1"]
    assert (problem.year, problem.problem, problem.measure) == (
        2017,
        "thin records",
        "keep the ledger monthly",
    )
    assert ledger.id == ledger_aggregate_id(CM_A)
    assert ledger.version == 1


def test_ledger_row_a_common_problem_is_recorded_only_once():
    with refused("ledger.row"):
        common(common(None).mutate(None))


@pytest.mark.parametrize("year", [2016, 2020])
def test_ledger_row_a_common_problem_outside_the_policy_years_is_refused(year):
    with refused("ledger.row"):
        common(None, year=year)


@pytest.mark.parametrize(("problem", "measure"), [(" ", "m"), ("p", "")])
def test_ledger_row_a_common_problem_needs_the_problem_and_its_measure(problem, measure):
    with refused("ledger.row"):
        common(None, problem=problem, measure=measure)
