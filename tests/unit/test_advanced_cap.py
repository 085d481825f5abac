"""The AdvancedCount aggregate: per committee, each branch's placement (the years it counts
there and with which tier), the per-year counts folded from them, the judgement of
`ledger.advanced_cap` on a unit's end state in every year through the policy's last (a tier
carries over and counts again), and the parent's approvals, each for one year."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guoying.domain.advanced_cap import (
    AdvancedCount,
    ApprovedException,
    BranchCounted,
    CapExceptionApproved,
    Placement,
    YearCounts,
    approve_exception,
    cap_key,
    count_branch,
    tightens,
)
from guoying.domain.counts import CountOwner
from guoying.domain.exceptions import JurisdictionViolation, RuleViolation
from guoying.domain.organization import CommitteeLevel, OrgTree, register_committee
from guoying.domain.policy import TAIAN_2017, Policy
from guoying.domain.values import Tier
from tests.unit.builders import (
    BASE_A1,
    BASE_A2,
    CITY,
    CM_A,
    CM_B,
    INT_A,
    OD,
    decision,
    org_tree,
)

POLICY = TAIAN_2017
ADVANCED, MIDDLE = Tier.ADVANCED, Tier.MIDDLE


def refused(rule_id: str):
    return pytest.raises(RuleViolation, match=rf"^{rule_id}:")


def placed(
    entries: list[tuple[str, Placement]],
    count: AdvancedCount | None = None,
    committee_id: str = BASE_A1,
) -> AdvancedCount:
    """The count after a BranchCounted event per entry, each decided on its own."""
    for branch_id, placement in entries:
        event = count_branch(
            count,
            decision(committee_id),
            committee_id=committee_id,
            branch_id=branch_id,
            placement=placement,
        )
        count = event.mutate(count)
    assert count is not None
    return count


def since(year: int, tier: Tier = MIDDLE) -> Placement:
    return ((year, tier),)


def middle(n: int, year: int = 2017, prefix: str = "m") -> list[tuple[str, Placement]]:
    return [(f"{prefix}{index}", since(year)) for index in range(n)]


def judged(
    entries: list[tuple[str, Placement]],
    count: AdvancedCount | None = None,
    policy: Policy = POLICY,
) -> AdvancedCount:
    """A unit that starts from `count` (as loaded) and places `entries`, then is judged."""
    if count is not None:
        count.start_unit()
    after = placed(entries, count)
    after.judge(policy)
    return after


# The fold: placements and counts


def test_ledger_advanced_cap_a_placement_counts_a_branch_as_active_from_its_first_year():
    count = placed([("b1", since(2017)), ("b2", since(2018, ADVANCED))])
    assert count.counts().at(2017) == (0, 1)
    assert count.counts().at(2018) == (1, 2)
    assert count.id == cap_key(BASE_A1).id
    assert (count.committee_id, count.version) == (BASE_A1, 2)
    assert count.placements == {"b1": since(2017), "b2": since(2018, ADVANCED)}


def test_ledger_advanced_cap_the_last_known_year_carries_over_into_later_years():
    counts = placed([("b1", since(2017, ADVANCED))]).counts()
    assert counts.at(2019) == (1, 1)
    assert counts.at(2030) == (1, 1)
    assert counts.at(2016) == (0, 0)


def test_ledger_advanced_cap_a_lowered_tier_stops_counting_as_advanced_from_its_year():
    counts = placed([("b1", ((2017, ADVANCED), (2019, MIDDLE)))]).counts()
    assert [counts.at(year) for year in (2017, 2018, 2019, 2020)] == [
        (1, 1),
        (1, 1),
        (0, 1),
        (0, 1),
    ]


def test_ledger_advanced_cap_a_placement_ending_in_none_stops_counting_the_branch_there():
    """A branch that moved away or ended counts no more from that year on."""
    count = placed([("b1", ((2017, ADVANCED), (2018, None))), ("b2", since(2017))])
    assert [count.counts().at(year) for year in (2017, 2018, 2019)] == [(1, 2), (0, 1), (0, 1)]
    assert count.counted_from(2017) == ["b1", "b2"]
    assert count.counted_from(2018) == ["b2"]


def test_ledger_advanced_cap_a_new_placement_of_a_branch_replaces_its_earlier_one():
    count = placed([("b1", since(2017)), ("b1", ((2017, MIDDLE), (2018, ADVANCED)))])
    assert [count.counts().at(year) for year in (2017, 2018)] == [(0, 1), (1, 1)]
    assert count.placements["b1"] == ((2017, MIDDLE), (2018, ADVANCED))


def test_ledger_advanced_cap_an_empty_placement_takes_the_branch_off_the_committee():
    count = placed([("b1", since(2017, ADVANCED)), ("b1", ())])
    assert count.placements == {}
    assert count.counts().at(2017) == (0, 0)
    assert count.counted_from(2017) == []


def test_ledger_advanced_cap_a_branch_from_before_the_first_known_year_extends_the_counts():
    counts = placed([("b1", since(2018, ADVANCED)), ("b2", since(2017))]).counts()
    assert counts.at(2017) == (0, 1)
    assert counts.at(2018) == (1, 2)


def test_ledger_advanced_cap_empty_counts_are_zero_for_every_year():
    assert YearCounts().at(2017) == (0, 0)
    assert placed([("b1", ())]).counts() == YearCounts()


def test_an_advanced_count_owns_a_count_the_unit_of_work_judges():
    assert isinstance(placed(middle(1)), CountOwner)


tiers = st.sampled_from([*Tier, None])


@st.composite
def placements(draw: st.DrawFn) -> Placement:
    """A placement as the domain writes one: years ascending, no two neighbours alike,
    and not one that never counts."""
    steps: list[tuple[int, Tier | None]] = []
    for year in sorted(draw(st.sets(st.integers(2016, 2021), min_size=1, max_size=4))):
        tier = draw(tiers if steps else st.sampled_from(list(Tier)))
        if steps[-1][1] != tier if steps else True:
            steps.append((year, tier))
    return tuple(steps)


@settings(max_examples=150)
@given(
    entries=st.lists(
        st.tuples(st.sampled_from(["b0", "b1", "b2", "b3"]), placements() | st.just(())),
        max_size=12,
    )
)
def test_ledger_advanced_cap_counts_equal_a_recount_of_each_branchs_last_placement(entries):
    """`ledger.advanced_cap`: whatever order placements were written in, each year's count
    is the number of branches whose last placement counts them that year (and as
    advanced)."""
    count = placed(entries) if entries else None
    last: dict[str, Placement] = {}
    for branch_id, placement in entries:
        last[branch_id] = placement
    for year in range(2015, 2024):
        advanced = active = 0
        for placement in last.values():
            tier = None
            for start, value in placement:
                if start <= year:
                    tier = value
            active += tier is not None
            advanced += tier is ADVANCED
        assert (count.counts().at(year) if count else (0, 0)) == (advanced, active), year


# judge: `ledger.advanced_cap` on a unit's end state


def test_ledger_advanced_cap_one_advanced_among_ten_is_within_the_limit():
    judged([*middle(9), ("a", since(2017, ADVANCED))])


def test_ledger_advanced_cap_a_second_advanced_among_ten_is_refused():
    ten = placed([*middle(9), ("a", since(2017, ADVANCED))])
    with refused("ledger.advanced_cap") as caught:
        judged([("m0", since(2017, ADVANCED))], ten)
    assert caught.value.details == {
        "committee_id": BASE_A1,
        "year": 2017,
        "advanced": 2,
        "active": 10,
        "limit": 1,
    }


def test_ledger_advanced_cap_fewer_than_ten_branches_allow_no_advanced_branch():
    with refused("ledger.advanced_cap") as caught:
        judged([*middle(8), ("a", since(2017, ADVANCED))])
    assert caught.value.details["limit"] == 0


def test_ledger_advanced_cap_a_breach_is_found_in_the_year_it_occurs():
    """`ledger.advanced_cap` is judged per year, an unchanged tier carrying over."""
    ten = placed([*middle(9), ("a", since(2017, ADVANCED))])
    with refused("ledger.advanced_cap") as caught:
        judged([("m1", ((2017, MIDDLE), (2018, ADVANCED), (2019, MIDDLE)))], ten)
    assert caught.value.details["year"] == 2018


def test_ledger_advanced_cap_a_count_already_above_the_limit_that_does_not_rise_passes():
    """`ledger.advanced_cap`: a committee above its limit may keep or lower its count."""
    over = placed([("a", since(2017, ADVANCED)), ("b", since(2017, ADVANCED))])
    judged([("b", ((2017, ADVANCED), (2018, MIDDLE))), ("c", since(2018, Tier.LAGGING))], over)


def test_ledger_advanced_cap_fewer_branches_lower_the_limit_too():
    """One advanced of ten is within the limit; one branch fewer from 2018 is not."""
    ten = placed([*middle(9), ("a", since(2017, ADVANCED))])
    with refused("ledger.advanced_cap") as caught:
        judged([("m0", ((2017, MIDDLE), (2018, None)))], ten)
    assert (caught.value.details["year"], caught.value.details["limit"]) == (2018, 0)


def test_ledger_advanced_cap_share_comes_from_the_policy():
    generous = Policy(
        version="generous", effective_on=POLICY.effective_on, advanced_share=Decimal("0.5")
    )
    entries = [("m", since(2017)), ("a", since(2017, ADVANCED))]
    judged(entries, policy=generous)
    with refused("ledger.advanced_cap"):
        judged(entries)


POLICY_YEARS = tuple(range(2017, POLICY.last_year + 1))


def test_ledger_advanced_cap_an_approval_for_the_year_lets_the_count_rise_above_the_limit():
    """The rise carries into every later year, so each of them needs its approval too."""
    count = approved_for(BASE_A1, *POLICY_YEARS)
    after = judged([("a", since(2017, ADVANCED))], count)
    assert [after.counts().at(year) for year in POLICY_YEARS] == [(1, 1)] * len(POLICY_YEARS)


def test_ledger_advanced_cap_a_later_tier_within_the_limit_needs_no_approval_for_its_years():
    count = approved_for(BASE_A1, 2017)
    after = judged([("a", ((2017, ADVANCED), (2018, MIDDLE)))], count)
    assert after.counts().at(2018) == (0, 1)


def test_ledger_advanced_cap_an_approval_for_another_year_does_not():
    count = approved_for(BASE_A1, 2018)
    with refused("ledger.advanced_cap") as caught:
        judged([("a", since(2017, ADVANCED))], count)
    assert caught.value.details["year"] == 2017


def test_ledger_advanced_cap_an_approval_covers_its_year_only_not_the_next():
    """A tier carries into the next year and counts again there (rules.md)."""
    count = approved_for(BASE_A1, 2017)
    with refused("ledger.advanced_cap") as caught:
        judged([("a", since(2017, ADVANCED))], count)
    assert caught.value.details["year"] == 2018


def test_ledger_advanced_cap_is_judged_through_the_policys_last_year():
    count = approved_for(BASE_A1, 2017, 2018)
    with refused("ledger.advanced_cap") as caught:
        judged([("a", since(2017, ADVANCED))], count)
    assert caught.value.details["year"] == POLICY.last_year


# approve_exception: the parent's own decision, for one committee and one year


def approval(
    committee_id: str,
    by: str,
    *,
    year: int = 2017,
    count: AdvancedCount | None = None,
    tree: OrgTree | None = None,
) -> CapExceptionApproved:
    tree = tree or org_tree()
    return approve_exception(
        count,
        tree.at(decision(by).effective_on),
        decision(by, reason=f"{committee_id} has an outstanding record"),
        POLICY,
        committee_id=committee_id,
        year=year,
    )


def approved_for(committee_id: str, *years: int) -> AdvancedCount:
    """The count after the parent's approval for each of `years`, one event per year."""
    by = {BASE_A1: CM_A, CM_A: OD}[committee_id]
    count: AdvancedCount | None = None
    for year in years:
        count = approval(committee_id, by, year=year, count=count).mutate(count)
    assert count is not None
    return count


def test_ledger_advanced_cap_an_approval_by_the_parent_is_recorded_with_its_justification():
    count = placed(middle(1))
    event = approval(BASE_A1, CM_A, count=count)
    assert (event.committee_id, event.year) == (BASE_A1, 2017)
    assert event.originator_id == count.id
    assert event.originator_version == count.version + 1
    count = event.mutate(count)
    assert count.approvals == {
        2017: ApprovedException(2017, f"{BASE_A1} has an outstanding record", CM_A)
    }
    assert count.placements == dict(middle(1))


@pytest.mark.parametrize(
    ("committee_id", "parent"),
    [(BASE_A1, CM_A), (BASE_A2, INT_A), (INT_A, CM_A), (CM_A, OD), (CM_B, OD)],
)
def test_ledger_advanced_cap_each_committees_parent_approves_its_exception(committee_id, parent):
    """The parent approves; for a city-managed committee, the Organization Department."""
    assert approval(committee_id, parent).actor.committee_id == parent


@pytest.mark.parametrize(
    ("committee_id", "approver"),
    [
        (BASE_A1, OD),  # the department acts city-wide, yet only approves city-managed ones
        (BASE_A1, CITY),  # an ancestor, not the parent
        (BASE_A1, BASE_A1),  # the committee itself
        (BASE_A1, CM_B),
        (BASE_A2, CM_A),  # the grandparent
        (INT_A, OD),
        (CM_A, CITY),  # the city committee's department approves, not the city committee
        (CM_A, CM_A),
    ],
)
def test_org_jurisdiction_an_approval_by_a_committee_other_than_the_parent_is_refused(
    committee_id, approver
):
    with pytest.raises(JurisdictionViolation, match=r"^org\.jurisdiction:") as caught:
        approval(committee_id, approver)
    parent = {BASE_A1: CM_A, BASE_A2: INT_A, INT_A: CM_A, CM_A: OD}[committee_id]
    assert caught.value.details == {"committee_id": committee_id, "approver": parent}


def test_org_jurisdiction_without_a_department_no_city_managed_exception_is_approved():
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
    with pytest.raises(JurisdictionViolation) as caught:
        approval(CM_A, CITY, tree=tree)
    assert "'nobody'" in caught.value.message


@pytest.mark.parametrize("year", [2016, 2020])
def test_ledger_advanced_cap_an_approval_for_a_year_outside_the_policy_is_refused(year):
    with refused("ledger.advanced_cap"):
        approval(BASE_A1, CM_A, year=year)


def test_ledger_advanced_cap_a_committee_and_year_are_approved_only_once():
    count = approved_for(BASE_A1, 2017)
    with refused("ledger.advanced_cap") as caught:
        approval(BASE_A1, CM_A, count=count)
    assert "already approved" in caught.value.message
    approval(BASE_A1, CM_A, year=2018, count=count)


def test_org_hierarchy_an_approval_for_a_committee_not_active_on_its_date_is_refused():
    with refused("org.hierarchy"):
        approval("ghost", CM_A)


def test_a_branch_counted_event_names_its_committee_branch_and_placement():
    event = count_branch(
        None, decision(CM_A), committee_id=CM_A, branch_id="b1", placement=since(2018)
    )
    assert isinstance(event, BranchCounted)
    assert (event.originator_id, event.originator_version) == (cap_key(CM_A).id, 1)
    assert (event.committee_id, event.branch_id, event.placement) == (CM_A, "b1", since(2018))


@pytest.mark.parametrize(
    ("before", "after", "judged"),
    [
        ((), ((2017, Tier.ADVANCED),), True),  # counted advanced
        ((), ((2017, Tier.MIDDLE),), False),  # one more branch: the limit can only rise
        (((2017, Tier.MIDDLE),), ((2017, Tier.MIDDLE), (2018, Tier.ADVANCED)), True),
        (((2017, Tier.ADVANCED),), ((2017, Tier.ADVANCED), (2018, Tier.MIDDLE)), False),
        (((2017, Tier.MIDDLE),), ((2017, Tier.MIDDLE), (2019, None)), True),  # one fewer
        (((2017, Tier.MIDDLE),), ((2017, Tier.MIDDLE),), False),
    ],
)
def test_ledger_advanced_cap_judges_only_a_placement_that_raises_advanced_or_lowers_active(
    before: Placement, after: Placement, judged: bool
) -> None:
    """`ledger.advanced_cap`: the changes `audit --rule` counts as judged by the cap."""
    assert tightens(before, after) is judged
