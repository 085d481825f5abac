"""`ledger.advanced_cap` through the handler: every committee from base to city-managed,
per year with carry-over, exceptions approved by the parent, units judged on their end state."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guoying.application.errors import Refused
from guoying.application.service import Handler
from guoying.domain.branch import branch_aggregate_id
from guoying.domain.committee_ledger import AdvancedCapExceptionRecorded, ledger_aggregate_id
from guoying.domain.values import Tier
from tests.unit.builders import (
    BASE_A1,
    BASE_A2,
    BASE_B1,
    CITY,
    CM_A,
    INT_A,
    OD,
    adjust_tier,
    exception,
    fixed_clock,
    middle_branches,
    register_branch,
    setup_commands,
)
from tests.unit.fakes import FakeEventStore

ADVANCED = Tier.ADVANCED


def refused_by_cap(store: FakeEventStore, error: Refused, committee_id: str, before: int) -> None:
    assert error.rule_id == "ledger.advanced_cap"
    assert error.details["committee_id"] == committee_id
    assert store.event_count == before
    assert store.refusals[-1].rule_id == "ledger.advanced_cap"


def advanced_at(store: FakeEventStore, committee_id: str, year: int) -> tuple[int, int]:
    return store.get(ledger_aggregate_id(committee_id)).counts().at(year)


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
    assert store.get(branch_aggregate_id("adv")) is None


def test_ledger_advanced_cap_the_first_branch_cannot_start_advanced(store, handler):
    with pytest.raises(Refused) as caught:
        handler.execute(register_branch("adv", tier=ADVANCED))
    assert caught.value.rule_id == "ledger.advanced_cap"


def test_ledger_advanced_cap_one_advanced_branch_among_ten_is_accepted(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 9))
    handler.execute(register_branch("adv", tier=ADVANCED))
    assert advanced_at(store, BASE_A1, 2017) == (1, 10)
    assert advanced_at(store, CM_A, 2017) == (1, 10)


def test_ledger_advanced_cap_refuses_a_second_advanced_branch_among_ten(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 9))
    handler.execute(register_branch("adv", tier=ADVANCED))
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(adjust_tier(f"{BASE_A1}-m0", 2017, ADVANCED, by=BASE_A1))
    refused_by_cap(store, caught.value, BASE_A1, before)
    assert advanced_at(store, BASE_A1, 2017) == (1, 10)


def test_ledger_advanced_cap_thirty_branches_allow_exactly_three_advanced(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 30))
    for index in range(3):
        handler.execute(adjust_tier(f"{BASE_A1}-m{index}", 2017, ADVANCED, by=BASE_A1))
    with pytest.raises(Refused) as caught:
        handler.execute(adjust_tier(f"{BASE_A1}-m3", 2017, ADVANCED, by=BASE_A1))
    assert caught.value.details["limit"] == 3
    assert advanced_at(store, BASE_A1, 2017) == (3, 30)


# A unit is judged on its end state


def one_advanced_then_nine_middle() -> list:
    return [register_branch("adv", tier=ADVANCED), *middle_branches(BASE_A1, 9)]


def test_ledger_advanced_cap_one_advanced_then_nine_middle_in_one_unit_is_accepted(store, handler):
    outcome = handler.execute_unit(one_advanced_then_nine_middle())
    assert advanced_at(store, BASE_A1, 2017) == (1, 10)
    assert not any(isinstance(e, AdvancedCapExceptionRecorded) for e in outcome.events)


def test_ledger_advanced_cap_the_same_commands_one_by_one_refuse_the_first(store, handler):
    commands = one_advanced_then_nine_middle()
    with pytest.raises(Refused) as caught:
        handler.execute(commands[0])
    assert caught.value.rule_id == "ledger.advanced_cap"
    for command in commands[1:]:
        handler.execute(command)
    assert store.get(branch_aggregate_id("adv")) is None
    assert advanced_at(store, BASE_A1, 2017) == (0, 9)


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
        assert advanced_at(store, BASE_A1, 2017) == (1, 10)
    else:
        before = store.event_count
        with pytest.raises(Refused) as caught:
            handler.execute_unit(unit)
        refused_by_cap(store, caught.value, BASE_A1, before)


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
    assert store.get(ledger_aggregate_id(BASE_A1)) is None


def test_ledger_advanced_cap_a_unit_with_an_exception_on_its_last_row_is_accepted(store, handler):
    """`ledger.advanced_cap`: the end state of a unit, with the exception it carries."""
    granted = (exception(BASE_A1, CM_A), exception(CM_A, OD))
    handler.execute_unit(
        [
            register_branch("m"),
            register_branch("adv", tier=ADVANCED, exceptions=granted),
        ]
    )
    assert advanced_at(store, BASE_A1, 2017) == (1, 2)


def test_ledger_advanced_cap_a_unit_with_an_exception_on_an_earlier_row_is_accepted(store, handler):
    """`ledger.advanced_cap`: a unit is judged on its end state, so its row order does not
    matter: the same two rows in the other order must be accepted as well."""
    granted = (exception(BASE_A1, CM_A), exception(CM_A, OD))
    handler.execute_unit(
        [
            register_branch("adv", tier=ADVANCED, exceptions=granted),
            register_branch("m"),
        ]
    )
    assert advanced_at(store, BASE_A1, 2017) == (1, 2)


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
    assert advanced_at(store, BASE_A1, 2017) == (1, 10)
    assert advanced_at(store, BASE_A1, 2018) == (1, 10)
    assert advanced_at(store, BASE_A1, 2019) == (1, 10)


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
    assert advanced_at(store, BASE_A1, 2017) == (0, 5)
    assert advanced_at(store, BASE_A1, 2018) == (0, 10)
    with pytest.raises(Refused) as caught:
        handler.execute(adjust_tier("early0", 2017, ADVANCED, by=BASE_A1))
    assert caught.value.details["year"] == 2017
    handler.execute(adjust_tier("early0", 2018, ADVANCED, by=BASE_A1))
    assert advanced_at(store, BASE_A1, 2018) == (1, 10)


# Every committee from the base committee up to the city-managed one


def test_ledger_advanced_cap_is_judged_at_every_committee_from_base_to_city_managed(store, handler):
    """`ledger.advanced_cap`: base-a2's own exception is not enough; the intermediate
    committee above it and the city-managed committee each need theirs."""
    own = exception(BASE_A2, INT_A)
    middle = exception(INT_A, CM_A)
    top = exception(CM_A, OD)
    for granted, refused_at in (((own,), INT_A), ((own, middle), CM_A), ((middle, top), BASE_A2)):
        before = store.event_count
        with pytest.raises(Refused) as caught:
            handler.execute(register_branch("adv", BASE_A2, tier=ADVANCED, exceptions=granted))
        refused_by_cap(store, caught.value, refused_at, before)
    outcome = handler.execute(
        register_branch("adv", BASE_A2, tier=ADVANCED, exceptions=(own, middle, top))
    )
    recorded = [e for e in outcome.events if isinstance(e, AdvancedCapExceptionRecorded)]
    assert {e.committee_id: e.exception for e in recorded} == {
        BASE_A2: own,
        INT_A: middle,
        CM_A: top,
    }
    assert all(e.years == (2017,) for e in recorded)
    assert store.get(ledger_aggregate_id(INT_A)).excepted_years() == {2017}


def test_ledger_advanced_cap_the_city_committee_is_not_capped(store, handler):
    """`ledger.advanced_cap`: the chain stops at the city-managed committee."""
    handler.execute(
        register_branch(
            "adv",
            BASE_B1,
            tier=ADVANCED,
            exceptions=(exception(BASE_B1, "cm-b"), exception("cm-b", OD)),
        )
    )
    assert store.stream(ledger_aggregate_id(CITY)) == []


def test_ledger_advanced_cap_a_city_managed_committee_breaches_when_a_base_one_holds_an_exception(
    store, handler
):
    """`ledger.advanced_cap`: base-a1 ten branches (one advanced) is within its cap; base-a2
    with an exception from its parents adds one more: cm-a's 2 of 11 breaches its own cap."""
    handler.execute_unit([*middle_branches(BASE_A1, 9), register_branch("a1-adv", tier=ADVANCED)])
    lower = (exception(BASE_A2, INT_A), exception(INT_A, CM_A))
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(register_branch("a2-adv", BASE_A2, tier=ADVANCED, exceptions=lower))
    refused_by_cap(store, caught.value, CM_A, before)
    assert caught.value.details["advanced"] == 2
    assert caught.value.details["active"] == 11
    handler.execute(
        register_branch(
            "a2-adv",
            BASE_A2,
            tier=ADVANCED,
            exceptions=(*lower, exception(CM_A, OD)),
        )
    )
    assert advanced_at(store, CM_A, 2017) == (2, 11)


@pytest.mark.parametrize("approver", [OD, CITY, BASE_A1])
def test_ledger_advanced_cap_an_exception_must_be_approved_by_the_committees_parent(
    store, handler, approver
):
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(
            register_branch(
                "adv",
                tier=ADVANCED,
                exceptions=(exception(BASE_A1, approver), exception(CM_A, OD)),
            )
        )
    assert caught.value.rule_id == "ledger.advanced_cap"
    assert f"must be approved by {CM_A!r}" in caught.value.message
    assert store.event_count == before


@pytest.mark.parametrize("approver", [CITY, CM_A, "cm-b"])
def test_ledger_advanced_cap_a_city_managed_committees_exception_is_approved_by_the_department(
    store, handler, approver
):
    with pytest.raises(Refused) as caught:
        handler.execute(
            register_branch(
                "adv",
                tier=ADVANCED,
                exceptions=(exception(BASE_A1, CM_A), exception(CM_A, approver)),
            )
        )
    assert f"must be approved by {OD!r}" in caught.value.message


def test_ledger_advanced_cap_an_exception_is_recorded_with_its_justification_and_approver(
    store, handler
):
    granted = exception(BASE_A1, CM_A)
    handler.execute(
        register_branch(
            "adv",
            tier=ADVANCED,
            exceptions=(granted, exception(CM_A, OD)),
        )
    )
    event = store.stream(ledger_aggregate_id(BASE_A1))[-1]
    assert isinstance(event, AdvancedCapExceptionRecorded)
    assert event.exception.justification == granted.justification
    assert event.exception.approved_by.committee_id == CM_A
    assert event.authority.cap_exceptions == (granted, exception(CM_A, OD))
    assert event.actor.committee_id == BASE_A1


def test_ledger_advanced_cap_an_unneeded_exception_records_nothing(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 9))
    outcome = handler.execute(
        register_branch(
            "adv",
            tier=ADVANCED,
            exceptions=(exception(BASE_A1, CM_A),),
        )
    )
    assert not any(isinstance(e, AdvancedCapExceptionRecorded) for e in outcome.events)


def test_ledger_advanced_cap_each_further_rise_above_the_cap_needs_its_own_exception(
    store, handler
):
    granted = (exception(BASE_A1, CM_A), exception(CM_A, OD))
    handler.execute(register_branch("adv1", tier=ADVANCED, exceptions=granted))
    with pytest.raises(Refused):
        handler.execute(register_branch("adv2", tier=ADVANCED))
    handler.execute(register_branch("adv2", tier=ADVANCED, exceptions=granted))
    assert advanced_at(store, BASE_A1, 2017) == (2, 2)


# Lowering a tier is never refused


def over_the_cap(handler: Handler) -> None:
    """base-a1: two advanced of three, above its limit of 0 by an approved exception."""
    granted = (exception(BASE_A1, CM_A), exception(CM_A, OD))
    handler.execute_unit(
        [
            register_branch("adv1", tier=ADVANCED, exceptions=granted),
            register_branch("adv2", tier=ADVANCED, exceptions=granted),
            register_branch("mid", exceptions=granted),
        ]
    )


@pytest.mark.parametrize("year", [2017, 2018, 2019])
@pytest.mark.parametrize("tier", [Tier.MIDDLE, Tier.LAGGING, Tier.WEAK])
def test_ledger_advanced_cap_lowering_an_advanced_branch_is_never_refused(
    store, handler, tier, year
):
    over_the_cap(handler)
    handler.execute(adjust_tier("adv1", year, tier, by=BASE_A1))
    assert advanced_at(store, BASE_A1, year) == (1, 3)


@pytest.mark.parametrize("tier", [Tier.LAGGING, Tier.WEAK, Tier.MIDDLE])
def test_ledger_advanced_cap_a_committee_above_its_cap_may_still_lower_or_keep_other_tiers(
    store, handler, tier
):
    over_the_cap(handler)
    handler.execute(adjust_tier("mid", 2018, tier, by=BASE_A1))
    handler.execute(adjust_tier("adv2", 2018, ADVANCED, by=BASE_A1))  # re-evaluated, unchanged
    handler.execute(register_branch("new", year=2018))
    assert advanced_at(store, BASE_A1, 2018) == (2, 4)
    assert store.refusals == []


def test_ledger_advanced_cap_raising_another_branch_above_the_cap_is_still_refused(store, handler):
    over_the_cap(handler)
    with pytest.raises(Refused) as caught:
        handler.execute(adjust_tier("mid", 2018, ADVANCED, by=BASE_A1))
    assert caught.value.rule_id == "ledger.advanced_cap"


def test_ledger_advanced_cap_a_writer_who_loses_a_race_is_judged_again_against_the_winner(
    store, handler
):
    """`ledger.advanced_cap` is decided on the committee ledger aggregates, never on a
    projection: of two writers each taking the last advanced place, the loser is refused."""
    ten_middle_in_2017(handler)
    rival = Handler(store, clock=fixed_clock)
    store.before_next_save = lambda: rival.execute(adjust_tier("b1", 2018, ADVANCED, by=BASE_A1))
    with pytest.raises(Refused) as caught:
        handler.execute(adjust_tier("b2", 2018, ADVANCED, by=BASE_A1))
    assert caught.value.rule_id == "ledger.advanced_cap"
    assert advanced_at(store, BASE_A1, 2018) == (1, 10)
    assert store.get(branch_aggregate_id("b1")).current_tier is ADVANCED
    assert store.get(branch_aggregate_id("b2")).current_tier is Tier.MIDDLE
