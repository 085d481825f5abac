"""`ledger.advanced_cap` through the handler: every committee from base to city-managed,
per year with carry-over, exceptions approved by the parent's own decision
(`ApproveCapException`, one committee and one year), units judged on their end state.

A tier carries into the later years and counts again there, so a rise above the cap in 2017
needs an approval for each year from 2017 through the policy's last year unless a later-year
tier brings the committee back within its limit (`approvals`, `approve_through`)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guoying.application import commands as cmd
from guoying.application.errors import NotAuthorized, NotFound, Refused
from guoying.application.service import Handler
from guoying.domain.advanced_cap import ApprovedException, CapExceptionApproved, cap_key
from guoying.domain.branch import branch_key
from guoying.domain.policy import TAIAN_2017
from guoying.domain.values import Tier
from tests.unit.builders import (
    APPROVER,
    BASE_A1,
    BASE_A2,
    BASE_B1,
    CAPPED_CHAIN,
    CITY,
    CM_A,
    CM_B,
    INT_A,
    OD,
    actor,
    adjust_tier,
    approvals,
    approvals_for_year_only,
    approve,
    approve_through,
    fixed_clock,
    middle_branches,
    register_branch,
    setup_commands,
)
from tests.unit.fakes import FakeEventStore
from tests.unit.recount import assert_counts_equal_a_recount, by_year, counts

ADVANCED = Tier.ADVANCED
# The years a rise in 2017 carries into: 2017 through the policy's last year.
POLICY_YEARS = tuple(range(2017, TAIAN_2017.last_year + 1))


def refused_by_cap(store: FakeEventStore, error: Refused, committee_id: str, before: int) -> None:
    assert error.rule_id == "ledger.advanced_cap"
    assert not isinstance(error, NotAuthorized)
    assert error.details["committee_id"] == committee_id
    assert store.event_count == before
    assert store.refusals[-1].rule_id == "ledger.advanced_cap"
    assert store.refusals[-1].message == error.message


def refused_as_not_the_parent(store: FakeEventStore, error: NotAuthorized, before: int) -> None:
    assert error.rule_id == "org.jurisdiction"
    assert store.event_count == before
    assert store.refusals[-1].rule_id == "org.jurisdiction"
    assert store.refusals[-1].message == error.message


def approved(events: tuple[object, ...]) -> list[CapExceptionApproved]:
    return [e for e in events if isinstance(e, CapExceptionApproved)]


def test_ledger_advanced_cap_a_committee_with_fewer_than_ten_branches_has_no_advanced_branch(
    store, handler
):
    handler.execute_unit(middle_branches(BASE_A1, 8))
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(register_branch("adv", tier=ADVANCED))
    refused_by_cap(store, caught.value, BASE_A1, before)
    assert caught.value.details == {
        "committee_id": BASE_A1,
        "year": 2017,
        "advanced": 1,
        "active": 9,
        "limit": 0,
    }
    assert store.get(branch_key("adv")) is None


def test_ledger_advanced_cap_the_first_branch_cannot_start_advanced_without_an_approval(
    store, handler
):
    with pytest.raises(Refused) as caught:
        handler.execute(register_branch("adv", tier=ADVANCED))
    assert caught.value.rule_id == "ledger.advanced_cap"


def test_ledger_advanced_cap_one_advanced_branch_among_ten_is_accepted(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 9))
    handler.execute(register_branch("adv", tier=ADVANCED))
    assert counts(store, BASE_A1, 2017) == (1, 10)
    assert counts(store, CM_A, 2017) == (1, 10)
    assert_counts_equal_a_recount(store)


def test_ledger_advanced_cap_refuses_a_second_advanced_branch_among_ten(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 9))
    handler.execute(register_branch("adv", tier=ADVANCED))
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(adjust_tier(f"{BASE_A1}-m0", 2017, ADVANCED, by=BASE_A1))
    refused_by_cap(store, caught.value, BASE_A1, before)
    assert counts(store, BASE_A1, 2017) == (1, 10)


def test_ledger_advanced_cap_thirty_branches_allow_exactly_three_advanced(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 30))
    for index in range(3):
        handler.execute(adjust_tier(f"{BASE_A1}-m{index}", 2017, ADVANCED, by=BASE_A1))
    with pytest.raises(Refused) as caught:
        handler.execute(adjust_tier(f"{BASE_A1}-m3", 2017, ADVANCED, by=BASE_A1))
    assert caught.value.details["limit"] == 3
    assert counts(store, BASE_A1, 2017) == (3, 30)


def test_ledger_advanced_cap_dissolving_a_branch_lowers_the_limit_and_needs_an_approval(
    store, handler
):
    """`ledger.advanced_cap`: one advanced of ten is within the cap; dissolving a middle
    branch leaves one of nine, above floor(0.1 x 9) = 0, unless the parents approve."""
    handler.execute_unit([*middle_branches(BASE_A1, 9), register_branch("adv", tier=ADVANCED)])
    dissolve = cmd.DissolveBranch(
        actor=actor(BASE_A1),
        reason="单位撤销",
        effective_on=date(2018, 3, 1),
        branch_id=f"{BASE_A1}-m0",
    )
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(dissolve)
    refused_by_cap(store, caught.value, caught.value.details["committee_id"], before)
    assert caught.value.details["year"] == 2018
    handler.execute_unit([dissolve, *approvals(BASE_A1, 2018)])
    assert counts(store, BASE_A1, 2018) == (1, 9)
    assert_counts_equal_a_recount(store)


# A unit is judged on its end state


def one_advanced_then_nine_middle() -> list[cmd.Command]:
    return [register_branch("adv", tier=ADVANCED), *middle_branches(BASE_A1, 9)]


def test_ledger_advanced_cap_one_advanced_then_nine_middle_in_one_unit_is_accepted(store, handler):
    outcome = handler.execute_unit(one_advanced_then_nine_middle())
    assert counts(store, BASE_A1, 2017) == (1, 10)
    assert approved(outcome.events) == []


def test_ledger_advanced_cap_the_same_commands_one_by_one_refuse_the_first(store, handler):
    commands = one_advanced_then_nine_middle()
    with pytest.raises(Refused) as caught:
        handler.execute(commands[0])
    assert caught.value.rule_id == "ledger.advanced_cap"
    for command in commands[1:]:
        handler.execute(command)
    assert store.get(branch_key("adv")) is None
    assert counts(store, BASE_A1, 2017) == (0, 9)


@settings(max_examples=25, deadline=None)
@given(order=st.permutations(range(10)), advanced_count=st.integers(1, 2))
def test_ledger_advanced_cap_a_units_verdict_does_not_depend_on_its_order(order, advanced_count):
    """`ledger.advanced_cap`: a unit is judged on its end state, so any order of the same
    rows gives the same verdict: one advanced among ten passes, two are refused."""
    store = FakeEventStore()
    handler = Handler(store, clock=fixed_clock)
    handler.execute_unit(setup_commands())
    rows = [
        register_branch(f"b{index}", tier=ADVANCED if index < advanced_count else Tier.MIDDLE)
        for index in range(10)
    ]
    unit = [rows[index] for index in order]
    if advanced_count == 1:
        handler.execute_unit(unit)
        assert counts(store, BASE_A1, 2017) == (1, 10)
    else:
        before = store.event_count
        with pytest.raises(Refused) as caught:
            handler.execute_unit(unit)
        refused_by_cap(store, caught.value, caught.value.details["committee_id"], before)
        assert caught.value.details["committee_id"] in (BASE_A1, CM_A)


def test_ledger_advanced_cap_a_refused_unit_saves_none_of_its_rows(store, handler):
    before = store.event_count
    with pytest.raises(Refused):
        handler.execute_unit(
            [
                register_branch("a1", tier=ADVANCED),
                register_branch("a2", tier=ADVANCED),
                *middle_branches(BASE_A1, 8),
            ]
        )
    assert store.event_count == before
    assert store.get(cap_key(BASE_A1)) is None


def test_ledger_advanced_cap_approvals_after_the_request_in_one_unit_are_accepted(store, handler):
    """`ledger.advanced_cap`: the parents' approvals travel in one unit with the request."""
    outcome = handler.execute_unit(
        [register_branch("m"), register_branch("adv", tier=ADVANCED), *approvals(BASE_A1)]
    )
    assert counts(store, BASE_A1, 2017) == (1, 2)
    assert [(e.committee_id, e.year) for e in approved(outcome.events)] == [
        (committee_id, year) for committee_id in (BASE_A1, CM_A) for year in POLICY_YEARS
    ]
    assert_counts_equal_a_recount(store)


def test_ledger_advanced_cap_approvals_before_the_request_in_one_unit_are_accepted(store, handler):
    """`ledger.advanced_cap`: a unit is judged on its end state, so the approvals may come
    first as well."""
    handler.execute_unit(
        [*approvals(BASE_A1), register_branch("adv", tier=ADVANCED), register_branch("m")]
    )
    assert counts(store, BASE_A1, 2017) == (1, 2)
    assert store.get(cap_key(BASE_A1)).approvals.keys() == set(POLICY_YEARS)
    assert_counts_equal_a_recount(store)


ROWS = [register_branch("m"), register_branch("adv", tier=ADVANCED), *approvals(BASE_A1)]


@settings(max_examples=20, deadline=None)
@given(order=st.permutations(range(len(ROWS))))
def test_ledger_advanced_cap_approvals_and_requests_pass_in_any_order_within_one_unit(order):
    store = FakeEventStore()
    handler = Handler(store, clock=fixed_clock)
    handler.execute_unit(setup_commands())
    handler.execute_unit([ROWS[index] for index in order])
    assert by_year(store, BASE_A1) == [(1, 2)] * len(POLICY_YEARS)
    assert by_year(store, CM_A) == [(1, 2)] * len(POLICY_YEARS)


def test_ledger_advanced_cap_an_approval_given_earlier_covers_a_later_request_of_its_year(
    store, handler
):
    handler.execute_unit(approvals(BASE_A1))
    handler.execute(register_branch("adv", tier=ADVANCED))
    assert counts(store, BASE_A1, 2017) == (1, 1)
    assert store.refusals == []


# Approvals: by the parent, for one committee and one year


@pytest.mark.parametrize("approver", [OD, CITY, BASE_A1, CM_B])
def test_ledger_advanced_cap_an_approval_by_a_committee_other_than_the_parent_is_refused_org_jurisdiction(  # noqa: E501
    store, handler, approver
):
    before = store.event_count
    command = approve(BASE_A1, by=approver)
    with pytest.raises(NotAuthorized) as caught:
        handler.execute(command)
    refused_as_not_the_parent(store, caught.value, before)
    assert f"parent {CM_A!r}" in caught.value.message
    assert store.refusals[-1].command == command
    assert store.refusals[-1].subject_committee_id == BASE_A1


@pytest.mark.parametrize("approver", [CITY, CM_A, CM_B])
def test_org_jurisdiction_a_city_managed_committees_exception_is_approved_by_the_department(
    store, handler, approver
):
    before = store.event_count
    with pytest.raises(NotAuthorized) as caught:
        handler.execute(approve(CM_A, by=approver))
    refused_as_not_the_parent(store, caught.value, before)
    assert f"parent {OD!r}" in caught.value.message
    handler.execute(approve(CM_A, by=OD))


def test_org_jurisdiction_an_intermediate_committees_exception_is_approved_by_its_parent(
    store, handler
):
    with pytest.raises(NotAuthorized):
        handler.execute(approve(INT_A, by=OD))
    with pytest.raises(NotAuthorized):
        handler.execute(approve(BASE_A2, by=CM_A))
    handler.execute(approve(INT_A, by=CM_A))
    handler.execute(approve(BASE_A2, by=INT_A))


def test_org_jurisdiction_a_unit_carrying_an_approval_by_the_wrong_committee_saves_nothing(
    store, handler
):
    before = store.event_count
    with pytest.raises(NotAuthorized) as caught:
        handler.execute_unit(
            [
                register_branch("adv", tier=ADVANCED),
                approve(BASE_A1, by=CITY),
                approve(CM_A),
            ]
        )
    refused_as_not_the_parent(store, caught.value, before)
    assert store.refusals[-1].command == approve(BASE_A1, by=CITY)


def test_ledger_advanced_cap_without_an_approval_for_the_year_a_breach_is_refused(store, handler):
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute_unit([register_branch("adv", tier=ADVANCED), *approve_through(CM_A)])
    refused_by_cap(store, caught.value, BASE_A1, before)
    assert "an exception approved by its parent for 2017 is needed" in caught.value.message


def test_ledger_advanced_cap_a_breach_found_when_a_unit_ends_is_filed_under_the_committee_above_its_cap(  # noqa: E501
    store, handler
):
    """The refusal log is filtered by the committee a refusal is about (rules.md 9a): a
    breach at base-a1 belongs under base-a1, though the unit ends with cm-a's approvals."""
    with pytest.raises(Refused) as caught:
        handler.execute_unit([register_branch("adv", tier=ADVANCED), *approve_through(CM_A)])
    assert caught.value.details["committee_id"] == BASE_A1
    assert store.refusals[-1].subject_committee_id == BASE_A1


def test_ledger_advanced_cap_an_approval_for_another_committee_does_not_count(store, handler):
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute_unit(
            [register_branch("adv", tier=ADVANCED), *approve_through(INT_A), *approve_through(CM_A)]
        )
    refused_by_cap(store, caught.value, BASE_A1, before)


def test_ledger_advanced_cap_an_approval_covers_its_year_only(store, handler):
    """A rise in 2017 carries into 2018 and 2019 and counts again there: the parents'
    approvals for 2017 alone leave base-a1 and cm-a above their cap in 2018 unapproved, and
    those for 2017 and 2018 in 2019; one for each year through the policy's last lets it in."""
    rise = [register_branch("m"), register_branch("adv", tier=ADVANCED)]
    only_2017 = approvals_for_year_only(BASE_A1, 2017)
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute_unit([*rise, *only_2017])
    refused_by_cap(store, caught.value, caught.value.details["committee_id"], before)
    assert caught.value.details["committee_id"] in CAPPED_CHAIN[BASE_A1]
    assert caught.value.details["year"] == 2018
    with pytest.raises(Refused) as caught:
        handler.execute_unit([*rise, *only_2017, *approvals_for_year_only(BASE_A1, 2018)])
    assert caught.value.rule_id == "ledger.advanced_cap"
    assert caught.value.details["year"] == 2019
    assert store.event_count == before
    handler.execute_unit([*rise, *approvals(BASE_A1)])
    assert by_year(store, BASE_A1) == [(1, 2)] * len(POLICY_YEARS)
    assert store.get(cap_key(BASE_A1)).approvals.keys() == set(POLICY_YEARS)


def test_ledger_advanced_cap_a_rise_carried_into_later_years_needs_an_approval_for_each_of_them(
    store, handler
):
    """`ledger.advanced_cap`: an advanced branch registered for 2017 at base-a1, which has
    one branch, takes base-a1 and cm-a above their cap in 2017 and, carried over, in 2018
    and 2019; approvals for 2017 alone are refused for 2018. With approvals for 2017-2019 it
    is applied, and each committee stands above its limit in 2018 and 2019 only where an
    approval for that year is recorded."""
    handler.execute(register_branch("m"))
    request = register_branch("adv", tier=ADVANCED)
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute_unit([request, *approvals_for_year_only(BASE_A1, 2017)])
    refused_by_cap(store, caught.value, caught.value.details["committee_id"], before)
    assert caught.value.details["year"] == 2018
    assert store.get(branch_key("adv")) is None

    handler.execute_unit([request, *approvals(BASE_A1, 2017)])

    assert store.get(branch_key("adv")).current_tier is ADVANCED
    above = set()
    for committee_id in APPROVER:
        count = store.get(cap_key(committee_id))
        approved_years = count.approvals.keys() if count else set()
        for year in (2018, 2019):
            advanced, active = counts(store, committee_id, year)
            if advanced > TAIAN_2017.advanced_limit(active):
                above.add((committee_id, year))
                assert year in approved_years
    assert above == {(BASE_A1, 2018), (BASE_A1, 2019), (CM_A, 2018), (CM_A, 2019)}
    assert_counts_equal_a_recount(store)


def test_ledger_advanced_cap_an_approval_covers_every_rise_of_its_committee_in_its_year(
    store, handler
):
    """An approval is for one committee and one year, not for one request."""
    handler.execute_unit([register_branch("adv1", tier=ADVANCED), *approvals(BASE_A1)])
    handler.execute(register_branch("adv2", tier=ADVANCED))
    assert counts(store, BASE_A1, 2017) == (2, 2)


def test_ledger_advanced_cap_a_second_approval_for_the_same_committee_and_year_is_refused(
    store, handler
):
    handler.execute(approve(BASE_A1))
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(approve(BASE_A1))
    refused_by_cap(store, caught.value, BASE_A1, before)
    assert "already approved" in caught.value.message


@pytest.mark.parametrize("year", [2016, 2020])
def test_ledger_advanced_cap_an_approval_for_a_year_outside_the_policy_is_refused(
    store, handler, year
):
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(approve(BASE_A1, year, on=date(2017, 6, 1)))
    assert caught.value.rule_id == "ledger.advanced_cap"
    assert caught.value.details == {"year": year}
    assert store.event_count == before


def test_an_approval_for_an_unknown_committee_names_the_field(store, handler):
    before = store.event_count
    with pytest.raises(NotFound) as caught:
        handler.execute(
            cmd.ApproveCapException(
                actor=actor(OD),
                reason="outstanding",
                effective_on=date(2017, 6, 1),
                committee_id="ghost",
                year=2017,
            )
        )
    assert (caught.value.field, caught.value.value) == ("committee_id", "ghost")
    assert store.event_count == before


def test_ledger_advanced_cap_an_approval_is_recorded_with_its_justification_and_approver(
    store, handler
):
    handler.execute_unit([register_branch("adv", tier=ADVANCED), *approvals(BASE_A1)])
    events = approved(tuple(store.stream(cap_key(BASE_A1))))
    assert [(e.committee_id, e.year) for e in events] == [(BASE_A1, y) for y in POLICY_YEARS]
    for event in events:
        assert event.reason == approve(BASE_A1, event.year).reason
        assert event.actor == actor(CM_A)
        assert "ledger.advanced_cap" in event.authority.rule_ids
    assert store.get(cap_key(BASE_A1)).approvals == {
        year: ApprovedException(year, approve(BASE_A1, year).reason, CM_A) for year in POLICY_YEARS
    }


# Per year, with carry-over


def ten_middle_in_2017(handler: Handler) -> None:
    handler.execute_unit(middle_branches(BASE_A1, 10, prefix="b"))


def test_ledger_advanced_cap_an_advanced_tier_carries_over_into_later_years(store, handler):
    ten_middle_in_2017(handler)
    handler.execute(adjust_tier("b0", 2017, ADVANCED, by=BASE_A1))
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(adjust_tier("b1", 2019, ADVANCED, by=BASE_A1))
    refused_by_cap(store, caught.value, BASE_A1, before)
    assert caught.value.details["year"] == 2019


def test_ledger_advanced_cap_a_place_freed_by_lowering_a_tier_can_be_taken_that_year(
    store, handler
):
    ten_middle_in_2017(handler)
    handler.execute(adjust_tier("b0", 2017, ADVANCED, by=BASE_A1))
    handler.execute(adjust_tier("b0", 2018, Tier.MIDDLE, by=BASE_A1))
    handler.execute(adjust_tier("b1", 2018, ADVANCED, by=BASE_A1))
    assert counts(store, BASE_A1, 2017) == (1, 10)
    assert counts(store, BASE_A1, 2018) == (1, 10)
    assert counts(store, BASE_A1, 2019) == (1, 10)
    assert_counts_equal_a_recount(store)


def test_ledger_advanced_cap_a_place_freed_in_a_later_year_is_not_free_in_an_earlier_one(
    store, handler
):
    ten_middle_in_2017(handler)
    handler.execute(adjust_tier("b0", 2017, ADVANCED, by=BASE_A1))
    handler.execute(adjust_tier("b0", 2019, Tier.MIDDLE, by=BASE_A1))
    with pytest.raises(Refused) as caught:
        handler.execute(adjust_tier("b1", 2018, ADVANCED, by=BASE_A1))
    assert caught.value.details["year"] == 2018


def test_ledger_advanced_cap_branches_registered_in_a_later_year_do_not_count_in_an_earlier_one(
    store, handler
):
    handler.execute_unit(middle_branches(BASE_A1, 5, prefix="early"))
    handler.execute_unit([register_branch(f"late{i}", year=2018) for i in range(5)])
    assert counts(store, BASE_A1, 2017) == (0, 5)
    assert counts(store, BASE_A1, 2018) == (0, 10)
    with pytest.raises(Refused) as caught:
        handler.execute(adjust_tier("early0", 2017, ADVANCED, by=BASE_A1))
    assert caught.value.details["year"] == 2017
    handler.execute(adjust_tier("early0", 2018, ADVANCED, by=BASE_A1))
    assert counts(store, BASE_A1, 2018) == (1, 10)
    assert_counts_equal_a_recount(store)


# Every committee from the base committee up to the city-managed one


@pytest.mark.parametrize("missing", [BASE_A2, INT_A, CM_A])
def test_ledger_advanced_cap_is_judged_at_every_committee_from_base_to_city_managed(
    store, handler, missing
):
    """`ledger.advanced_cap`: base-a2's own approval is not enough; the intermediate
    committee above it and the city-managed committee each need theirs."""
    request = register_branch("adv", BASE_A2, tier=ADVANCED)
    others = [a for c in (BASE_A2, INT_A, CM_A) if c != missing for a in approve_through(c)]
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute_unit([request, *others])
    refused_by_cap(store, caught.value, missing, before)
    outcome = handler.execute_unit([request, *others, *approve_through(missing)])
    assert {e.committee_id for e in approved(outcome.events)} == {BASE_A2, INT_A, CM_A}
    assert store.get(cap_key(INT_A)).approvals.keys() == set(POLICY_YEARS)
    assert counts(store, INT_A, 2017) == (1, 1)


def test_ledger_advanced_cap_the_city_committee_is_not_capped(store, handler):
    """`ledger.advanced_cap`: the chain stops at the city-managed committee."""
    handler.execute_unit([register_branch("adv", BASE_B1, tier=ADVANCED), *approvals(BASE_B1)])
    assert store.stream(cap_key(CITY)) == []
    assert counts(store, CM_B, 2017) == (1, 1)


def test_ledger_advanced_cap_a_city_managed_committee_breaches_when_a_base_one_holds_an_approval(
    store, handler
):
    """`ledger.advanced_cap`: base-a1's ten branches (one advanced) are within its cap;
    base-a2, approved by its parents, adds one more: cm-a's 2 of 11 breaches its own cap."""
    handler.execute_unit([*middle_branches(BASE_A1, 9), register_branch("a1-adv", tier=ADVANCED)])
    lower = [*approve_through(BASE_A2), *approve_through(INT_A)]
    request = register_branch("a2-adv", BASE_A2, tier=ADVANCED)
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute_unit([request, *lower])
    refused_by_cap(store, caught.value, CM_A, before)
    assert caught.value.details["advanced"] == 2
    assert caught.value.details["active"] == 11
    handler.execute_unit([request, *lower, *approve_through(CM_A)])
    assert counts(store, CM_A, 2017) == (2, 11)
    assert_counts_equal_a_recount(store)


# Lowering a tier is never refused


def over_the_cap(handler: Handler) -> None:
    """base-a1: two advanced of three from 2017, above its limit of 0 by approvals for each
    year through the policy's last."""
    handler.execute_unit(
        [
            register_branch("adv1", tier=ADVANCED),
            register_branch("adv2", tier=ADVANCED),
            register_branch("mid"),
            *approvals(BASE_A1),
        ]
    )


@pytest.mark.parametrize("year", [2017, 2018, 2019])
@pytest.mark.parametrize("tier", [Tier.MIDDLE, Tier.LAGGING, Tier.WEAK])
def test_ledger_advanced_cap_lowering_an_advanced_branch_is_never_refused(
    store, handler, tier, year
):
    over_the_cap(handler)
    handler.execute(adjust_tier("adv1", year, tier, by=BASE_A1))
    assert counts(store, BASE_A1, year) == (1, 3)


@pytest.mark.parametrize("tier", [Tier.LAGGING, Tier.WEAK, Tier.MIDDLE])
def test_ledger_advanced_cap_a_committee_above_its_cap_may_still_lower_or_keep_other_tiers(
    store, handler, tier
):
    over_the_cap(handler)
    handler.execute(adjust_tier("mid", 2018, tier, by=BASE_A1))
    handler.execute(adjust_tier("adv2", 2018, ADVANCED, by=BASE_A1))  # re-evaluated, unchanged
    handler.execute(register_branch("new", year=2018))
    assert counts(store, BASE_A1, 2018) == (2, 4)
    assert store.refusals == []


def above_the_cap_in_2017_only(handler: Handler) -> None:
    """base-a1: two advanced of ten in 2017, above its limit of 1 by the approvals for 2017
    alone, as the same unit lowers one of them from 2018: within the limit from then on."""
    handler.execute_unit(
        [
            register_branch("adv1", tier=ADVANCED),
            register_branch("adv2", tier=ADVANCED),
            *middle_branches(BASE_A1, 8),
            *approvals_for_year_only(BASE_A1, 2017),
            adjust_tier("adv2", 2018, Tier.MIDDLE, by=BASE_A1),
        ]
    )


def test_ledger_advanced_cap_a_later_tier_back_within_the_cap_spares_the_later_years_approvals(
    store, handler
):
    above_the_cap_in_2017_only(handler)
    assert by_year(store, BASE_A1) == [(2, 10), (1, 10), (1, 10)]
    assert store.get(cap_key(BASE_A1)).approvals.keys() == {2017}


def test_ledger_advanced_cap_raising_another_branch_above_the_cap_is_still_refused(store, handler):
    """A committee once above its cap by approvals has no leeway in a year none covers."""
    above_the_cap_in_2017_only(handler)
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(adjust_tier(f"{BASE_A1}-m0", 2018, ADVANCED, by=BASE_A1))
    refused_by_cap(store, caught.value, caught.value.details["committee_id"], before)
    assert caught.value.details["year"] == 2018


def test_ledger_advanced_cap_a_writer_who_loses_a_race_is_judged_again_against_the_winner(
    store, handler
):
    """`ledger.advanced_cap` is decided on the AdvancedCount aggregates, never on a
    projection: of two writers each taking the last advanced place, the loser is refused."""
    ten_middle_in_2017(handler)
    rival = Handler(store, clock=fixed_clock)
    store.before_next_save = lambda: rival.execute(adjust_tier("b1", 2018, ADVANCED, by=BASE_A1))
    with pytest.raises(Refused) as caught:
        handler.execute(adjust_tier("b2", 2018, ADVANCED, by=BASE_A1))
    assert caught.value.rule_id == "ledger.advanced_cap"
    assert counts(store, BASE_A1, 2018) == (1, 10)
    assert store.get(branch_key("b1")).current_tier is ADVANCED
    assert store.get(branch_key("b2")).current_tier is Tier.MIDDLE
