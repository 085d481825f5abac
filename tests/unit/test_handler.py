"""The handler's flow on an in-process store: authority, decisions, refusals, atomic writes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from guoying.application import commands as cmd
from guoying.application.errors import (
    AlreadyExists,
    Conflict,
    NotAuthorized,
    NotFound,
    Refused,
    StoreUnavailable,
)
from guoying.application.ports import ConcurrencyConflict, WriteLost
from guoying.application.service import Handler
from guoying.domain.advanced_cap import BranchCounted, cap_key
from guoying.domain.branch import BranchRegistered, TierAdjusted, branch_key
from guoying.domain.branch_names import BranchNamed, names_key
from guoying.domain.common_problems import problems_key
from guoying.domain.legacy import BranchTallied, layout_migrated
from guoying.domain.organization import TREE_KEY, unit_key
from guoying.domain.person import PersonRegistered, person_key
from guoying.domain.values import CommitteeLevel, Sector, Tier, UnitKind
from tests.unit.builders import (
    BASE_A1,
    BASE_A2,
    BASE_B1,
    CITY,
    CM_A,
    CM_B,
    INT_A,
    LIAISON,
    OD,
    ON,
    OWNER,
    TREE,
    actor,
    adjust_tier,
    decision,
    fixed_clock,
    register_branch,
    setup_commands,
    unit_id,
)
from tests.unit.fakes import AlwaysConflictingStore, FakeEventStore


def assert_refused_and_logged(
    store: FakeEventStore, error: Refused, rule_id: str, events_before: int
) -> None:
    """A refusal changes no aggregate and is appended, with its rule id, to the refusal log."""
    assert error.rule_id == rule_id
    assert store.event_count == events_before
    assert store.refusals[-1].rule_id == rule_id
    assert store.refusals[-1].message == error.message


# The flow of a command


def test_the_tree_units_and_people_are_set_up_in_one_atomic_write(store, handler):
    assert store.saves == 1
    tree = store.get(TREE_KEY)
    assert tree.version == len(TREE)
    assert tree.get(CM_A).county_level is True
    assert store.get(unit_key(unit_id(BASE_A1))).committee_id == BASE_A1
    assert store.refusals == []


def test_registering_a_person_keeps_the_name_and_phone_out_of_the_event(store, handler):
    event = store.stream(person_key(LIAISON))[0]
    assert isinstance(event, PersonRegistered)
    assert "Name of" not in repr(event)
    assert store.people[LIAISON].name == f"Name of {LIAISON}"
    assert store.people[LIAISON].phone == "0538-0000000"


def test_ledger_tiers_a_registered_branch_is_counted_up_to_its_city_managed_committee(
    store, handler
):
    """`ledger.tiers`, `ledger.row` and `ledger.advanced_cap`: one write holds the branch,
    its name at its base committee and its placement on every committee from its base
    committee to its city-managed committee."""
    outcome = handler.execute(register_branch("b1", BASE_A2))
    kinds = [type(event) for event in outcome.events]
    assert kinds == [BranchRegistered, BranchNamed, BranchCounted, BranchCounted, BranchCounted]
    assert outcome.events[1].originator_id == names_key(BASE_A2).id
    counted = outcome.events[2:]
    assert {e.originator_id for e in counted} == {cap_key(c).id for c in (BASE_A2, INT_A, CM_A)}
    assert {e.placement for e in counted} == {((2017, Tier.MIDDLE),)}
    assert store.stream(cap_key(CITY)) == []
    assert outcome.event_ids[0] == "branch:b1@1"
    assert len(outcome.positions) == 5
    assert store.get(branch_key("b1")).current_tier is Tier.MIDDLE


def test_events_carry_the_actor_reason_rules_policy_version_and_effective_date(store, handler):
    """Every tier change has an actor, a time and a reason in the audit trail (§10.5)."""
    handler.execute(register_branch("b1"))
    outcome = handler.execute(adjust_tier("b1", 2018, Tier.LAGGING, by=BASE_A1, reason="lax"))
    event = outcome.events[0]
    assert isinstance(event, TierAdjusted)
    assert event.actor == actor(BASE_A1)
    assert event.reason == "lax"
    assert event.effective_on == date(2018, 12, 20)
    assert event.authority.policy_version == "taian-2017"
    assert "ledger.annual_adjustment" in event.authority.rule_ids
    assert "ledger.advanced_cap" in event.authority.rule_ids


def test_a_command_without_an_effective_date_takes_effect_today_in_china():
    store = FakeEventStore()
    late_evening_utc = datetime(2017, 6, 1, 20, 0, tzinfo=UTC)  # 2017-06-02 04:00 in China
    handler = Handler(store, clock=lambda: late_evening_utc)
    handler.execute(
        cmd.RegisterCommittee(
            actor=actor(CITY),
            reason="founded",
            committee_id=CITY,
            name="Tai'an",
            level=CommitteeLevel.CITY,
        )
    )
    assert store.stream(TREE_KEY)[0].effective_on == date(2017, 6, 2)


def test_ledger_annual_adjustment_through_the_handler_records_previous_and_new_tier(store, handler):
    handler.execute(register_branch("b1", tier=Tier.WEAK))
    handler.execute(adjust_tier("b1", 2018, Tier.LAGGING, by=BASE_A1))
    event = store.stream(branch_key("b1"))[-1]
    assert (event.year, event.previous_tier, event.new_tier) == (2018, Tier.WEAK, Tier.LAGGING)


def test_ledger_annual_adjustment_refusal_for_an_earlier_year_is_logged_and_saves_nothing(
    store, handler
):
    handler.execute(register_branch("b1"))
    handler.execute(adjust_tier("b1", 2019, Tier.LAGGING, by=BASE_A1))
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(adjust_tier("b1", 2018, Tier.WEAK, by=BASE_A1))
    assert_refused_and_logged(store, caught.value, "ledger.annual_adjustment", before)
    assert store.refusals[-1].subject_committee_id == BASE_A1
    assert store.get(branch_key("b1")).current_tier is Tier.LAGGING


# ledger.tiers, org.hierarchy, org.unit


def test_ledger_tiers_a_city_managed_committee_cannot_set_a_new_branchs_first_tier(store, handler):
    """`ledger.tiers`: within jurisdiction, yet not the branch's own base committee."""
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(register_branch("b1", BASE_A1, by=CM_A))
    assert not isinstance(caught.value, NotAuthorized)
    assert_refused_and_logged(store, caught.value, "ledger.tiers", before)


@pytest.mark.parametrize("year", [2016, 2020])
def test_ledger_tiers_a_first_tier_for_a_year_outside_the_policy_is_refused(store, handler, year):
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(register_branch("b1", year=year))
    assert_refused_and_logged(store, caught.value, "ledger.tiers", before)


def test_org_hierarchy_a_branch_belongs_to_a_base_committee_not_a_higher_one(store, handler):
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(register_branch("b1", CM_A, unit_ids=(unit_id(BASE_A1),)))
    assert_refused_and_logged(store, caught.value, "org.hierarchy", before)


def test_org_hierarchy_through_the_handler_a_committee_cannot_sit_under_a_base_committee(
    store, handler
):
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(
            cmd.RegisterCommittee(
                actor=actor(CM_A),
                reason="r",
                effective_on=ON,
                committee_id="under-base",
                name="n",
                level=CommitteeLevel.BASE,
                parent_id=BASE_A1,
            )
        )
    assert_refused_and_logged(store, caught.value, "org.hierarchy", before)


def test_org_hierarchy_county_level_on_a_base_committee_is_refused_through_the_handler(
    store, handler
):
    with pytest.raises(Refused) as caught:
        handler.execute(
            cmd.RegisterCommittee(
                actor=actor(CM_A),
                reason="r",
                effective_on=ON,
                committee_id="b-x",
                name="n",
                level=CommitteeLevel.BASE,
                parent_id=CM_A,
                county_level=True,
            )
        )
    assert caught.value.rule_id == "org.hierarchy"


def test_org_unit_a_joint_branch_serves_several_registered_units(store, handler):
    handler.execute(
        cmd.RegisterUnit(
            actor=actor(BASE_A1),
            reason="r",
            effective_on=ON,
            unit_id="enterprise-1",
            name="Mill",
            kind=UnitKind.ENTERPRISE,
            committee_id=BASE_A1,
        )
    )
    handler.execute(register_branch("joint", unit_ids=(unit_id(BASE_A1), "enterprise-1")))
    assert store.get(branch_key("joint")).unit_ids == (unit_id(BASE_A1), "enterprise-1")


def test_org_unit_a_branch_serving_an_unregistered_unit_names_the_unit_in_the_error(store, handler):
    before = store.event_count
    with pytest.raises(NotFound) as caught:
        handler.execute(register_branch("b1", unit_ids=(unit_id(BASE_A1), "ghost-unit")))
    assert caught.value.field == "unit_ids[1]"
    assert caught.value.value == "ghost-unit"
    assert str(caught.value).startswith("unit_ids[1]:")
    assert store.event_count == before


def test_org_unit_a_unit_under_a_committee_above_base_level_is_refused(store, handler):
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(
            cmd.RegisterUnit(
                actor=actor(CM_A),
                reason="r",
                effective_on=ON,
                unit_id="u-x",
                name="n",
                kind=UnitKind.ORGAN,
                committee_id=CM_A,
            )
        )
    assert_refused_and_logged(store, caught.value, "org.unit", before)


def test_org_unit_a_branch_listing_a_unit_twice_is_refused(store, handler):
    with pytest.raises(Refused) as caught:
        handler.execute(register_branch("b1", unit_ids=(unit_id(BASE_A1), unit_id(BASE_A1))))
    assert caught.value.rule_id == "org.unit"


# org.jurisdiction


def branch_commands(by: str) -> list[cmd.Command]:
    """One command of each kind that acts on branch b1, issued by `by`."""
    common = {"actor": actor(by), "reason": "r", "effective_on": ON, "branch_id": "b1"}
    return [
        cmd.AdjustTier(**common, year=2017, tier=Tier.LAGGING),
        cmd.SetCreationTarget(**common, year=2018, target=Tier.ADVANCED),
        cmd.AssignLiaison(**common, person_id=LIAISON, position="deputy"),
        cmd.RecordProblem(
            **common,
            case_id="k1",
            problem="p",
            measure="m",
            owner_id=OWNER,
            deadline=date(2017, 9, 1),
        ),
        cmd.SignOffRectification(**common, case_id="k1", outcome="done"),
    ]


@pytest.mark.parametrize("index", range(5))
@pytest.mark.parametrize("outsider", [BASE_A2, INT_A, CM_B, BASE_B1])
def test_org_jurisdiction_a_committee_outside_the_branchs_subtree_is_refused_and_logged(
    store, handler, outsider, index
):
    handler.execute(register_branch("b1", BASE_A1))
    handler.execute(branch_commands(BASE_A1)[3])  # so that a sign-off has its case
    before = store.event_count
    command = branch_commands(outsider)[index]
    with pytest.raises(NotAuthorized) as caught:
        handler.execute(command)
    assert_refused_and_logged(store, caught.value, "org.jurisdiction", before)
    refusal = store.refusals[-1]
    assert refusal.command == command
    assert refusal.subject_committee_id == BASE_A1
    assert refusal.command.actor.committee_id == outsider


@pytest.mark.parametrize("by", [BASE_A1, CM_A, OD, CITY])
def test_org_jurisdiction_the_base_committee_those_above_it_and_the_department_act_on_a_branch(
    store, handler, by
):
    handler.execute(register_branch("b1", BASE_A1))
    for command in branch_commands(by):
        handler.execute(command)
    branch = store.get(branch_key("b1"))
    assert branch.current_tier is Tier.LAGGING
    assert branch.cases["k1"].closed_on == ON
    assert store.refusals == []


def test_org_jurisdiction_the_organization_department_acts_city_wide_through_the_handler(
    store, handler
):
    handler.execute(register_branch("b1", BASE_B1))
    handler.execute(adjust_tier("b1", 2018, Tier.LAGGING, by=OD))
    handler.execute(
        cmd.RecordCommonProblem(
            actor=actor(OD),
            reason="r",
            effective_on=ON,
            committee_id=CM_B,
            problem_id="cp",
            year=2017,
            problem="p",
            measure="m",
        )
    )
    assert store.get(branch_key("b1")).current_tier is Tier.LAGGING
    assert store.refusals == []


def test_org_jurisdiction_a_branch_is_registered_only_within_the_actors_subtree(store, handler):
    before = store.event_count
    with pytest.raises(NotAuthorized) as caught:
        handler.execute(register_branch("b1", BASE_A1, by=BASE_B1))
    assert_refused_and_logged(store, caught.value, "org.jurisdiction", before)


def test_org_jurisdiction_a_unit_is_registered_only_within_the_actors_subtree(store, handler):
    before = store.event_count
    with pytest.raises(NotAuthorized) as caught:
        handler.execute(
            cmd.RegisterUnit(
                actor=actor(CM_B),
                reason="r",
                effective_on=ON,
                unit_id="u-x",
                name="n",
                kind=UnitKind.VILLAGE,
                committee_id=BASE_A1,
            )
        )
    assert_refused_and_logged(store, caught.value, "org.jurisdiction", before)
    assert store.refusals[-1].subject_committee_id == BASE_A1


def test_org_jurisdiction_a_common_problem_is_recorded_only_within_the_actors_subtree(
    store, handler
):
    before = store.event_count
    with pytest.raises(NotAuthorized) as caught:
        handler.execute(
            cmd.RecordCommonProblem(
                actor=actor(BASE_A1),
                reason="r",
                effective_on=ON,
                committee_id=CM_A,
                problem_id="cp",
                year=2017,
                problem="p",
                measure="m",
            )
        )
    assert_refused_and_logged(store, caught.value, "org.jurisdiction", before)


def test_org_jurisdiction_a_committee_is_registered_only_under_the_actors_subtree(store, handler):
    before = store.event_count
    command = cmd.RegisterCommittee(
        actor=actor(CM_A),
        reason="r",
        effective_on=ON,
        committee_id="base-x",
        name="n",
        level=CommitteeLevel.BASE,
        parent_id=CM_B,
    )
    with pytest.raises(NotAuthorized) as caught:
        handler.execute(command)
    assert_refused_and_logged(store, caught.value, "org.jurisdiction", before)
    assert store.refusals[-1].command == command


def test_org_jurisdiction_a_refused_committee_registration_is_filed_under_its_parent(
    store, handler
):
    with pytest.raises(NotAuthorized):
        handler.execute(
            cmd.RegisterCommittee(
                actor=actor(CM_A),
                reason="r",
                effective_on=ON,
                committee_id="base-x",
                name="n",
                level=CommitteeLevel.BASE,
                parent_id=CM_B,
            )
        )
    assert store.refusals[-1].subject_committee_id == CM_B


def test_org_jurisdiction_only_the_city_committee_itself_founds_the_tree_through_the_handler():
    store = FakeEventStore()
    handler = Handler(store, clock=fixed_clock)
    with pytest.raises(NotAuthorized) as caught:
        handler.execute(
            cmd.RegisterCommittee(
                actor=actor(OD),
                reason="r",
                effective_on=ON,
                committee_id=CITY,
                name="n",
                level=CommitteeLevel.CITY,
            )
        )
    assert_refused_and_logged(store, caught.value, "org.jurisdiction", 0)


# ledger.row, ledger.liaison_coverage, ledger.rectification through the handler


def test_ledger_row_a_creation_target_and_a_common_problem_are_recorded(store, handler):
    handler.execute(register_branch("b1"))
    handler.execute(
        cmd.SetCreationTarget(
            actor=actor(BASE_A1),
            reason="r",
            effective_on=ON,
            branch_id="b1",
            year=2019,
            target=Tier.ADVANCED,
        )
    )
    handler.execute(
        cmd.RecordCommonProblem(
            actor=actor(CM_A),
            reason="r",
            effective_on=ON,
            committee_id=CM_A,
            problem_id="cp",
            year=2017,
            problem="thin records",
            measure="monthly ledger",
        )
    )
    assert store.get(branch_key("b1")).targets == {2019: Tier.ADVANCED}
    assert store.get(problems_key(CM_A)).problems["cp"].measure == "monthly ledger"


def test_ledger_row_a_duplicate_common_problem_is_refused_and_logged(store, handler):
    command = cmd.RecordCommonProblem(
        actor=actor(CM_A),
        reason="r",
        effective_on=ON,
        committee_id=CM_A,
        problem_id="cp",
        year=2017,
        problem="p",
        measure="m",
    )
    handler.execute(command)
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(command)
    assert_refused_and_logged(store, caught.value, "ledger.row", before)


def test_ledger_liaison_coverage_a_liaison_must_be_a_registered_person(store, handler):
    """`ledger.liaison_coverage`: the liaison is referred to by the id of a known person."""
    handler.execute(register_branch("b1"))
    before = store.event_count
    with pytest.raises(NotFound) as caught:
        handler.execute(
            cmd.AssignLiaison(
                actor=actor(BASE_A1),
                reason="r",
                effective_on=ON,
                branch_id="b1",
                person_id="stranger",
                position="deputy",
            )
        )
    assert caught.value.field == "person_id"
    assert str(caught.value).startswith("person_id:")
    assert store.event_count == before


def test_ledger_liaison_coverage_a_registered_person_is_assigned_as_liaison(store, handler):
    handler.execute(register_branch("b1"))
    handler.execute(
        cmd.AssignLiaison(
            actor=actor(BASE_A1),
            reason="r",
            effective_on=ON,
            branch_id="b1",
            person_id=LIAISON,
            position="deputy secretary",
        )
    )
    liaison = store.get(branch_key("b1")).liaison
    assert (liaison.person_id, liaison.position) == (LIAISON, "deputy secretary")


def test_ledger_liaison_coverage_a_blank_position_is_refused_and_logged(store, handler):
    handler.execute(register_branch("b1"))
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(
            cmd.AssignLiaison(
                actor=actor(BASE_A1),
                reason="r",
                effective_on=ON,
                branch_id="b1",
                person_id=LIAISON,
                position=" ",
            )
        )
    assert_refused_and_logged(store, caught.value, "ledger.liaison_coverage", before)


def test_ledger_rectification_a_case_owner_must_be_a_registered_person(store, handler):
    handler.execute(register_branch("b1"))
    with pytest.raises(NotFound) as caught:
        handler.execute(
            cmd.RecordProblem(
                actor=actor(BASE_A1),
                reason="r",
                effective_on=ON,
                branch_id="b1",
                case_id="k",
                problem="p",
                measure="m",
                owner_id="stranger",
                deadline=date(2017, 9, 1),
            )
        )
    assert caught.value.field == "owner_id"


def test_ledger_rectification_a_deadline_before_the_finding_is_refused_and_logged(store, handler):
    handler.execute(register_branch("b1"))
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(
            cmd.RecordProblem(
                actor=actor(BASE_A1),
                reason="r",
                effective_on=ON,
                branch_id="b1",
                case_id="k",
                problem="p",
                measure="m",
                owner_id=OWNER,
                deadline=date(2017, 5, 1),
            )
        )
    assert_refused_and_logged(store, caught.value, "ledger.rectification", before)


# Duplicates and unknown ids


def duplicates() -> list[tuple[cmd.Command, str]]:
    first = setup_commands()
    committee = next(
        c for c in first if isinstance(c, cmd.RegisterCommittee) and c.committee_id == CM_B
    )
    unit = next(c for c in first if isinstance(c, cmd.RegisterUnit))
    person = next(c for c in first if isinstance(c, cmd.RegisterPerson))
    return [(committee, "committee_id"), (unit, "unit_id"), (person, "person_id")]


@pytest.mark.parametrize("index", range(3))
def test_registering_an_id_twice_raises_already_exists_naming_the_field(store, handler, index):
    command, field = duplicates()[index]
    before = store.event_count
    with pytest.raises(AlreadyExists) as caught:
        handler.execute(command)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}:")
    assert store.event_count == before


def test_registering_a_branch_twice_raises_already_exists(store, handler):
    handler.execute(register_branch("b1"))
    with pytest.raises(AlreadyExists) as caught:
        handler.execute(register_branch("b1", tier=Tier.LAGGING))
    assert caught.value.field == "branch_id"
    assert caught.value.value == "b1"


def test_registering_a_branch_twice_within_one_unit_raises_already_exists_and_saves_nothing(
    store, handler
):
    before = store.event_count
    with pytest.raises(AlreadyExists):
        handler.execute_unit([register_branch("b1"), register_branch("b1")])
    assert store.event_count == before


def test_an_unknown_branch_raises_not_found_naming_the_field(store, handler):
    with pytest.raises(NotFound) as caught:
        handler.execute(adjust_tier("ghost", 2018, Tier.WEAK, by=BASE_A1))
    assert (caught.value.field, caught.value.value) == ("branch_id", "ghost")
    assert str(caught.value) == "branch_id: no such branch 'ghost'"


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (register_branch("b1", "ghost-base"), "base_committee_id"),
        (
            cmd.RegisterUnit(
                actor=actor(BASE_A1),
                reason="r",
                effective_on=ON,
                unit_id="u",
                name="n",
                kind=UnitKind.VILLAGE,
                committee_id="ghost",
            ),
            "committee_id",
        ),
        (
            cmd.RecordCommonProblem(
                actor=actor(CM_A),
                reason="r",
                effective_on=ON,
                committee_id="ghost",
                problem_id="cp",
                year=2017,
                problem="p",
                measure="m",
            ),
            "committee_id",
        ),
        (
            cmd.RegisterPerson(
                actor=actor("ghost"), reason="r", effective_on=ON, person_id="p", name="n"
            ),
            "actor.committee_id",
        ),
    ],
    ids=["base_committee_id", "unit.committee_id", "common_problem.committee_id", "actor"],
)
def test_an_unknown_committee_raises_not_found_naming_the_field(store, handler, command, field):
    before = store.event_count
    with pytest.raises(NotFound) as caught:
        handler.execute(command)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}:")
    assert store.event_count == before


def test_before_the_city_is_registered_every_other_command_finds_no_committee():
    store = FakeEventStore()
    handler = Handler(store, clock=fixed_clock)
    with pytest.raises(NotFound) as caught:
        handler.execute(register_branch("b1"))
    assert caught.value.field == "committee_id"


# A store written by guoying 0.1


def a_0_1_ledger_event() -> BranchTallied:
    return BranchTallied(
        originator_id=f"ledger:{BASE_A1}",
        originator_version=1,
        actor=actor(BASE_A1),
        authority=decision(BASE_A1).authority,
        reason="first assessment",
        effective_on=ON,
        committee_id=BASE_A1,
        branch_id="old",
        year=2017,
        tier=Tier.MIDDLE,
    )


def test_a_store_written_by_0_1_decides_nothing_until_it_is_migrated(store, handler):
    """Its `ledger:` streams hold four concerns this release keeps apart; deciding on them
    unmigrated would count from nothing (`guoying migrate`)."""
    store.save([a_0_1_ledger_event()])
    fresh = Handler(store, clock=fixed_clock)
    before = store.event_count
    with pytest.raises(StoreUnavailable, match="guoying migrate"):
        fresh.execute(register_branch("b1"))
    assert store.event_count == before
    assert store.refusals == []
    store.save([layout_migrated(None, decision(OD))])
    fresh.execute(register_branch("b1"))
    assert store.get(branch_key("b1")) is not None


def test_a_store_without_0_1_streams_needs_no_migration(store, handler):
    assert store.stream_ids("ledger:") == []
    handler.execute(register_branch("b1"))


# Atomic units and concurrency


def test_a_unit_with_one_refused_command_saves_none_of_its_commands(store, handler):
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute_unit(
            [
                register_branch("b1"),
                register_branch("b2"),
                register_branch("b3", year=2020),
            ]
        )
    assert_refused_and_logged(store, caught.value, "ledger.tiers", before)
    assert store.refusals[-1].command.branch_id == "b3"
    assert store.get(branch_key("b1")) is None


def test_an_empty_unit_writes_nothing(store, handler):
    before = store.event_count
    outcome = handler.execute_unit([])
    assert outcome.events == ()
    assert store.event_count == before


def test_a_writer_that_loses_a_race_on_a_committees_count_is_decided_again_and_saved(
    store, handler
):
    handler.execute(register_branch("b1"))
    handler.execute(register_branch("b2"))
    rival = Handler(store, clock=fixed_clock)
    store.before_next_save = lambda: rival.execute(adjust_tier("b2", 2018, Tier.WEAK, by=BASE_A1))
    saves = store.saves
    handler.execute(adjust_tier("b1", 2018, Tier.LAGGING, by=BASE_A1))
    assert store.saves == saves + 3  # the rival's write, the lost attempt, the retry
    assert store.get(branch_key("b1")).current_tier is Tier.LAGGING
    assert store.get(branch_key("b2")).current_tier is Tier.WEAK
    assert store.get(cap_key(BASE_A1)).counts().at(2018) == (0, 2)


def register_city() -> cmd.RegisterCommittee:
    return cmd.RegisterCommittee(
        actor=actor(CITY),
        reason="r",
        effective_on=ON,
        committee_id=CITY,
        name="n",
        level=CommitteeLevel.CITY,
    )


def no_pause(_: int) -> None:
    pass


def test_a_writer_that_keeps_losing_races_is_decided_holding_the_head_and_saved():
    """After three lost races the command is decided once more holding the store's head,
    where no other writer can win: it is saved, not given up."""
    store = AlwaysConflictingStore()
    pauses: list[int] = []
    handler = Handler(store, clock=fixed_clock, races=3, pause=pauses.append)
    outcome = handler.execute(register_city())
    assert store.saves == 4, "three lost races, then the save holding the head"
    assert pauses == [1, 2], "a pause before each retry, none before the first attempt"
    assert store.held == 1
    assert store.event_count == len(outcome.events) == 1
    assert store.refusals == []


def test_ledger_advanced_cap_a_writer_that_kept_losing_is_refused_by_the_cap_holding_the_head():
    """`ledger.advanced_cap`: a rival takes the committee's last advanced place while the
    writer keeps losing races; decided again holding the head, the writer is refused by the
    rule (not given up), and the refusal is kept in the log."""
    store = AlwaysConflictingStore()
    Handler(store, clock=fixed_clock, pause=no_pause).execute_unit(
        [*setup_commands(), *(register_branch(f"b{n}") for n in range(10))]
    )
    rival = Handler(store, clock=fixed_clock, pause=no_pause)

    def rival_wins(attempt: int) -> None:
        if attempt == 2:
            rival.execute(adjust_tier("b1", 2018, Tier.ADVANCED, by=BASE_A1))

    handler = Handler(store, clock=fixed_clock, races=3, pause=rival_wins)
    with pytest.raises(Refused) as caught:
        handler.execute(adjust_tier("b2", 2018, Tier.ADVANCED, by=BASE_A1))
    assert caught.value.rule_id == "ledger.advanced_cap"
    assert len(store.stream(branch_key("b2"))) == 1, "registered, never adjusted"
    assert store.refusals[-1].rule_id == "ledger.advanced_cap"
    assert store.refusals[-1].command.branch_id == "b2"
    assert store.get(branch_key("b2")).current_tier is Tier.MIDDLE
    assert store.get(cap_key(BASE_A1)).counts().at(2018) == (1, 10)


class ConflictingEvenHoldingTheHead(FakeEventStore):
    """A store that lets some other write bypass its head: every save conflicts."""

    def save(self, *args: object, **kwargs: object) -> list[int]:
        self.saves += 1
        raise ConcurrencyConflict("written beside the head")


def test_a_conflict_while_holding_the_head_is_reported_as_a_conflict_and_saves_nothing():
    store = ConflictingEvenHoldingTheHead()
    handler = Handler(store, clock=fixed_clock, races=2, pause=no_pause)
    with pytest.raises(Conflict, match="head was held"):
        handler.execute(register_city())
    assert (store.saves, store.held) == (3, 1)
    assert store.event_count == 0
    assert store.refusals == []


def test_sector_is_recorded_on_the_branch(store, handler):
    """`ledger.row`: the row's sector comes from the registration."""
    command = register_branch("b1")
    assert command.sector is Sector.RURAL
    handler.execute(command)
    assert store.get(branch_key("b1")).sector is Sector.RURAL


class LosesItsConnection(FakeEventStore):
    """A store whose connection is lost during the first `times` saves, before the commit."""

    def __init__(self, times: int) -> None:
        super().__init__()
        self.times = times

    def save(self, *args: Any, **kwargs: Any) -> list[int]:
        if self.times:
            self.times -= 1
            self.saves += 1
            raise WriteLost("server closed the connection")
        return super().save(*args, **kwargs)


def test_a_write_that_lost_its_connection_before_its_commit_is_decided_again_and_saved_once():
    store = LosesItsConnection(times=1)
    outcome = Handler(store, clock=fixed_clock, pause=no_pause).execute(register_city())
    assert store.saves == 2
    assert store.event_count == len(outcome.events) == 1


def test_a_store_that_keeps_losing_its_connection_is_reported_unavailable_having_saved_nothing():
    store = LosesItsConnection(times=100)
    with pytest.raises(StoreUnavailable, match="connection to the store was lost"):
        Handler(store, clock=fixed_clock, pause=no_pause).execute(register_city())
    assert store.event_count == 0
