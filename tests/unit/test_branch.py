"""The Branch aggregate: its ledger row decided by the pure domain functions."""

from __future__ import annotations

from datetime import date

import pytest

from guoying.domain.branch import (
    Branch,
    BranchRegistered,
    RectificationCase,
    adjust_tier,
    assign_liaison,
    branch_aggregate_id,
    record_problem,
    register_branch,
    set_creation_target,
    sign_off_rectification,
)
from guoying.domain.exceptions import RuleViolation
from guoying.domain.policy import TAIAN_2017
from guoying.domain.values import Sector, Tier
from tests.unit.builders import BASE_A1, CM_A, OD, decision

POLICY = TAIAN_2017


def refused(rule_id: str):
    return pytest.raises(RuleViolation, match=rf"^{rule_id}:")


def registered(
    *,
    by: str = BASE_A1,
    branch_id: str = "b1",
    name: str = "Xiagang village branch",
    unit_ids: tuple[str, ...] = ("village-1",),
    year: int = 2017,
    tier: Tier = Tier.MIDDLE,
) -> BranchRegistered:
    return register_branch(
        decision(by),
        POLICY,
        branch_id=branch_id,
        name=name,
        sector=Sector.RURAL,
        base_committee_id=BASE_A1,
        unit_ids=unit_ids,
        is_financial_institution=False,
        year=year,
        tier=tier,
    )


def a_branch(*, year: int = 2017, tier: Tier = Tier.MIDDLE) -> Branch:
    return registered(year=year, tier=tier).mutate(None)


def adjusted(branch: Branch, year: int, tier: Tier, *, by: str = BASE_A1) -> Branch:
    event = adjust_tier(
        branch, decision(by, reason=f"evaluation of {year}"), POLICY, year=year, tier=tier
    )
    return event.mutate(branch)


# ledger.tiers


def test_ledger_tiers_a_new_branch_takes_its_first_tier_from_its_base_committee():
    event = registered(tier=Tier.LAGGING, name="  Xiagang village branch  ")
    branch = event.mutate(None)
    assert event.originator_id == branch_aggregate_id("b1")
    assert event.originator_version == 1
    assert branch.current_tier is Tier.LAGGING
    assert branch.tiers == [(2017, Tier.LAGGING)]
    assert branch.registered_year == 2017
    assert branch.name == "Xiagang village branch"
    assert branch.base_committee_id == BASE_A1
    assert branch.version == 1


@pytest.mark.parametrize("by", [CM_A, OD, "base-elsewhere"])
def test_ledger_tiers_no_committee_but_the_base_committee_sets_a_new_branchs_first_tier(by):
    with refused("ledger.tiers"):
        registered(by=by)


@pytest.mark.parametrize("year", [2016, 2020])
def test_ledger_tiers_a_first_tier_for_a_year_outside_the_policy_is_refused(year):
    with refused("ledger.tiers") as caught:
        registered(year=year)
    assert caught.value.details == {"year": year, "policy_version": POLICY.version}


@pytest.mark.parametrize("tier", list(Tier))
def test_ledger_tiers_a_branch_may_start_in_any_of_the_four_tiers(tier):
    assert a_branch(tier=tier).current_tier is tier


# org.unit and ledger.row at registration


def test_org_unit_a_branch_serves_at_least_one_unit():
    with refused("org.unit"):
        registered(unit_ids=())


def test_org_unit_a_branch_does_not_list_the_same_unit_twice():
    with refused("org.unit"):
        registered(unit_ids=("village-1", "village-1"))


def test_org_unit_a_joint_branch_records_every_unit_it_serves():
    branch = registered(unit_ids=("village-1", "village-2", "enterprise-3")).mutate(None)
    assert branch.unit_ids == ("village-1", "village-2", "enterprise-3")


@pytest.mark.parametrize("name", ["", "  \t "])
def test_ledger_row_a_branch_needs_a_name(name):
    with refused("ledger.row"):
        registered(name=name)


# ledger.annual_adjustment


def test_ledger_annual_adjustment_records_year_previous_and_new_tier_reason_and_decider():
    branch = a_branch(tier=Tier.LAGGING)
    event = adjust_tier(
        branch,
        decision(BASE_A1, reason="rectified its problems"),
        POLICY,
        year=2018,
        tier=Tier.MIDDLE,
    )
    assert (event.year, event.previous_tier, event.new_tier) == (2018, Tier.LAGGING, Tier.MIDDLE)
    assert event.reason == "rectified its problems"
    assert event.actor.committee_id == BASE_A1
    assert event.actor.person_id == f"secretary-{BASE_A1}"
    assert event.originator_id == branch.id
    assert event.originator_version == branch.version + 1


def test_ledger_annual_adjustment_sets_the_tier_from_its_year_and_records_the_result():
    branch = adjusted(a_branch(tier=Tier.LAGGING), 2018, Tier.MIDDLE)
    assert branch.current_tier is Tier.MIDDLE
    assert branch.results == {2018: Tier.MIDDLE}
    assert branch.tier_for(2017) is Tier.LAGGING
    assert branch.tier_for(2018) is Tier.MIDDLE
    assert branch.tier_for(2019) is Tier.MIDDLE
    assert branch.tier_for(2016) is None
    assert branch.version == 2


def test_ledger_annual_adjustment_previous_tier_is_the_one_carried_over_into_the_year():
    branch = adjusted(a_branch(tier=Tier.WEAK), 2018, Tier.LAGGING)
    event = adjust_tier(branch, decision(BASE_A1), POLICY, year=2019, tier=Tier.MIDDLE)
    assert event.previous_tier is Tier.LAGGING


def test_ledger_annual_adjustment_may_revise_the_latest_years_result():
    branch = adjusted(a_branch(), 2018, Tier.LAGGING)
    event = adjust_tier(branch, decision(BASE_A1), POLICY, year=2018, tier=Tier.WEAK)
    assert event.previous_tier is Tier.LAGGING
    branch = event.mutate(branch)
    assert branch.tiers == [(2017, Tier.MIDDLE), (2018, Tier.WEAK)]
    assert branch.results == {2018: Tier.WEAK}


def test_ledger_annual_adjustment_may_evaluate_the_registration_year():
    branch = adjusted(a_branch(tier=Tier.MIDDLE), 2017, Tier.ADVANCED)
    assert branch.tiers == [(2017, Tier.ADVANCED)]
    assert branch.results == {2017: Tier.ADVANCED}


def test_ledger_annual_adjustment_cannot_go_back_before_the_latest_tier_year():
    branch = adjusted(a_branch(), 2019, Tier.ADVANCED)
    with refused("ledger.annual_adjustment") as caught:
        adjust_tier(branch, decision(BASE_A1), POLICY, year=2018, tier=Tier.WEAK)
    assert caught.value.details == {"year": 2018, "last_tier_year": 2019}


def test_ledger_annual_adjustment_cannot_go_back_before_registration():
    branch = a_branch(year=2018)
    with refused("ledger.annual_adjustment"):
        adjust_tier(branch, decision(BASE_A1), POLICY, year=2017, tier=Tier.WEAK)


@pytest.mark.parametrize("year", [2016, 2020])
def test_ledger_annual_adjustment_for_a_year_outside_the_policy_is_refused(year):
    with refused("ledger.annual_adjustment"):
        adjust_tier(a_branch(), decision(BASE_A1), POLICY, year=year, tier=Tier.WEAK)


def test_ledger_annual_adjustment_keeps_the_tier_history_in_year_order():
    branch = a_branch(tier=Tier.WEAK)
    for year, tier in ((2017, Tier.LAGGING), (2018, Tier.MIDDLE), (2019, Tier.ADVANCED)):
        branch = adjusted(branch, year, tier)
    assert branch.tiers == [(2017, Tier.LAGGING), (2018, Tier.MIDDLE), (2019, Tier.ADVANCED)]
    assert branch.last_tier_year == 2019
    assert branch.version == 4


# ledger.row: creation targets


def test_ledger_row_a_creation_target_is_recorded_per_year():
    branch = a_branch()
    for year, target in ((2017, Tier.MIDDLE), (2018, Tier.ADVANCED), (2017, Tier.ADVANCED)):
        event = set_creation_target(branch, decision(BASE_A1), POLICY, year=year, target=target)
        branch = event.mutate(branch)
    assert branch.targets == {2017: Tier.ADVANCED, 2018: Tier.ADVANCED}
    assert branch.version == 4


@pytest.mark.parametrize("year", [2016, 2020])
def test_ledger_row_a_creation_target_outside_the_policy_years_is_refused(year):
    with refused("ledger.row"):
        set_creation_target(a_branch(), decision(BASE_A1), POLICY, year=year, target=Tier.MIDDLE)


def test_ledger_row_a_creation_target_before_the_branch_was_registered_is_refused():
    with refused("ledger.row"):
        set_creation_target(
            a_branch(year=2018), decision(BASE_A1), POLICY, year=2017, target=Tier.MIDDLE
        )


# ledger.liaison_coverage


def test_ledger_liaison_coverage_a_committee_leader_is_contracted_to_the_branch():
    branch = a_branch()
    event = assign_liaison(branch, decision(BASE_A1), person_id="leader-1", position=" deputy ")
    assert event.previous_person_id is None
    branch = event.mutate(branch)
    assert (branch.liaison.person_id, branch.liaison.position) == ("leader-1", "deputy")


def test_ledger_liaison_coverage_a_new_liaison_replaces_the_previous_one_on_record():
    branch = a_branch()
    first = assign_liaison(branch, decision(BASE_A1), person_id="leader-1", position="deputy")
    branch = first.mutate(branch)
    event = assign_liaison(branch, decision(BASE_A1), person_id="leader-2", position="member")
    assert event.previous_person_id == "leader-1"
    assert event.mutate(branch).liaison.person_id == "leader-2"


@pytest.mark.parametrize("position", ["", "   "])
def test_ledger_liaison_coverage_a_liaison_needs_a_position(position):
    with refused("ledger.liaison_coverage"):
        assign_liaison(a_branch(), decision(BASE_A1), person_id="leader-1", position=position)


# ledger.rectification


FOUND_ON = date(2017, 6, 1)
DEADLINE = date(2017, 9, 30)


def problem(
    branch: Branch,
    *,
    case_id: str = "case-1",
    problem: str = "meetings are irregular",
    measure: str = "hold the monthly meeting",
    deadline: date = DEADLINE,
    on: date = FOUND_ON,
):
    return record_problem(
        branch,
        decision(BASE_A1, on=on),
        case_id=case_id,
        problem=problem,
        measure=measure,
        owner_id="owner-1",
        deadline=deadline,
    )


def with_case(**kwargs) -> Branch:
    branch = a_branch()
    return problem(branch, **kwargs).mutate(branch)


def test_ledger_rectification_a_problem_opens_a_case_with_its_measure_owner_and_deadline():
    branch = with_case(problem="  meetings are irregular ", measure=" hold the monthly meeting ")
    assert branch.cases["case-1"] == RectificationCase(
        "case-1",
        "meetings are irregular",
        "hold the monthly meeting",
        "owner-1",
        DEADLINE,
        FOUND_ON,
    )


def test_ledger_rectification_a_case_id_is_opened_only_once_per_branch():
    with refused("ledger.rectification"):
        problem(with_case())


@pytest.mark.parametrize(("text", "measure"), [("", "a measure"), ("a problem", "  ")])
def test_ledger_rectification_a_case_needs_the_problem_and_its_measure(text, measure):
    with refused("ledger.rectification"):
        problem(a_branch(), problem=text, measure=measure)


def test_ledger_rectification_a_deadline_before_the_problem_was_found_is_refused():
    with refused("ledger.rectification"):
        problem(a_branch(), deadline=date(2017, 5, 31))


def test_ledger_rectification_a_deadline_on_the_day_the_problem_was_found_is_accepted():
    assert problem(a_branch(), deadline=FOUND_ON).deadline == FOUND_ON


def test_ledger_rectification_sign_off_closes_the_case_with_its_outcome_and_signer():
    branch = with_case()
    event = sign_off_rectification(
        branch, decision(CM_A, on=date(2017, 9, 1)), case_id="case-1", outcome="meets monthly"
    )
    case = event.mutate(branch).cases["case-1"]
    assert case.closed_on == date(2017, 9, 1)
    assert case.outcome == "meets monthly"
    assert case.signed_off_by == f"secretary-{CM_A}"
    assert case.found_on == FOUND_ON


def test_ledger_rectification_an_unknown_case_cannot_be_signed_off():
    with refused("ledger.rectification"):
        sign_off_rectification(a_branch(), decision(BASE_A1), case_id="nope", outcome="done")


def test_ledger_rectification_a_case_is_signed_off_only_once():
    branch = with_case()
    closed = sign_off_rectification(branch, decision(BASE_A1), case_id="case-1", outcome="done")
    branch = closed.mutate(branch)
    with refused("ledger.rectification"):
        sign_off_rectification(branch, decision(BASE_A1), case_id="case-1", outcome="again")


def test_ledger_rectification_a_case_cannot_close_before_it_was_found():
    branch = with_case(on=date(2017, 8, 1), deadline=date(2017, 9, 1))
    with refused("ledger.rectification"):
        sign_off_rectification(
            branch, decision(BASE_A1, on=date(2017, 7, 31)), case_id="case-1", outcome="done"
        )


def test_ledger_rectification_an_open_case_past_its_deadline_is_overdue():
    case = with_case().cases["case-1"]
    assert not case.is_overdue(DEADLINE)
    assert case.is_overdue(date(2017, 10, 1))


def test_ledger_rectification_a_closed_case_is_never_overdue():
    branch = with_case()
    event = sign_off_rectification(
        branch, decision(BASE_A1, on=date(2017, 12, 1)), case_id="case-1", outcome="late but done"
    )
    assert not event.mutate(branch).cases["case-1"].is_overdue(date(2018, 1, 1))
