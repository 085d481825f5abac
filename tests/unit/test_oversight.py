"""Supervision, accountability, linkage and funding through the handler (§4, §7, §8, §9):
who may record what, what each record holds, and refusals that change nothing but the
refusal log."""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from guoying.application import commands as cmd
from guoying.application.errors import NotAuthorized, NotFound, Refused
from guoying.application.service import Handler
from guoying.domain import accountability as acc
from guoying.domain import supervision as sup
from guoying.domain.accountability import FindingKind, FundingKind, LinkageKind
from guoying.domain.exceptions import RuleViolation
from guoying.domain.policy import DEFAULT_POLICY_BOOK, TAIAN_2017
from guoying.domain.policy_registry import publish_policy
from guoying.domain.supervision import SupervisionMethod as M
from guoying.domain.values import Tier
from guoying.projections.oversight.queries import ComplianceStatus, judge_period
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
    OWNER,
    actor,
    adjust_tier,
    decision,
    org_tree,
    register_branch,
)
from tests.unit.fakes import FakeEventStore

ON = date(2018, 3, 15)
A1_BRANCH, A2_BRANCH, B1_BRANCH = "a1-x", "a2-x", "b1-x"
BASE_OF = {A1_BRANCH: BASE_A1, A2_BRANCH: BASE_A2, B1_BRANCH: BASE_B1}


def command(command_type: type[cmd.C], by: str, on: date = ON, **fields: object) -> cmd.C:
    return command_type(
        actor=actor(by), reason=f"{command_type.__name__} by {by}", effective_on=on, **fields
    )


def visit(by: str, branch_id: str, method: M, visit_id: str = "v1") -> cmd.RecordSupervisionVisit:
    return command(
        cmd.RecordSupervisionVisit,
        by,
        visit_id=visit_id,
        branch_id=branch_id,
        method=method,
        findings="the ledger is a year behind",
        follow_up="bring the ledger up to date by May",
    )


def refused(store: FakeEventStore, handler: Handler, command: cmd.Command, rule_id: str) -> Refused:
    """Refused with `rule_id`, nothing written, the refusal logged."""
    before, logged = store.event_count, len(store.refusals)
    with pytest.raises(Refused) as raised:
        handler.execute(command)
    assert raised.value.rule_id == rule_id
    assert store.event_count == before
    assert len(store.refusals) == logged + 1
    assert store.refusals[-1].rule_id == rule_id
    return raised.value


@pytest.fixture
def city(handler: Handler) -> Handler:
    handler.execute(register_branch(A1_BRANCH, BASE_A1))
    handler.execute(register_branch(A2_BRANCH, BASE_A2))
    handler.execute(register_branch(B1_BRANCH, BASE_B1))
    return handler


# supervision.methods


@pytest.mark.parametrize(
    ("by", "branch_id", "method"),
    [
        (BASE_A1, A1_BRANCH, M.RANDOM_SPOT_CHECK),
        (BASE_A1, A1_BRANCH, M.SCHEDULED_DISPATCH),
        (INT_A, A2_BRANCH, M.SPECIAL_RESEARCH),
        (CM_A, A2_BRANCH, M.PICK_BRANCH_POINT_PROBLEM),
        (CM_A, A1_BRANCH, M.ON_SITE_AND_ONLINE),
        (OD, B1_BRANCH, M.UNANNOUNCED_CHECK),
    ],
)
def test_supervision_methods_a_visit_by_a_method_of_the_visitors_level_is_recorded(
    store, city, by, branch_id, method
):
    city.execute(visit(by, branch_id, method))
    found = store.get(sup.visit_key("v1"))
    assert found is not None
    assert (found.committee_id, found.branch_id, found.method) == (by, branch_id, method)
    assert found.visited_on == ON
    assert found.follow_up == "bring the ledger up to date by May"
    event = store.stream(sup.visit_key("v1"))[0]
    assert isinstance(event, sup.SupervisionVisitRecorded)
    assert event.branch_committee_id == BASE_OF[branch_id]


@pytest.mark.parametrize(
    ("by", "branch_id", "method"),
    [
        (BASE_A1, A1_BRANCH, M.PICK_BRANCH_POINT_PROBLEM),
        (BASE_A1, A1_BRANCH, M.UNANNOUNCED_CHECK),
        (CM_A, A1_BRANCH, M.RANDOM_SPOT_CHECK),
        (OD, A1_BRANCH, M.ON_SITE_AND_ONLINE),
        (CITY, A1_BRANCH, M.UNANNOUNCED_CHECK),
    ],
)
def test_supervision_methods_a_method_of_another_level_is_refused(
    store, city, by, branch_id, method
):
    refused(store, city, visit(by, branch_id, method), "supervision.methods")


def test_supervision_methods_a_visit_records_its_findings_and_follow_up(store, city):
    blank = attrs.evolve(visit(BASE_A1, A1_BRANCH, M.RANDOM_SPOT_CHECK), follow_up=" ")
    refused(store, city, blank, "supervision.methods")


def test_supervision_methods_a_visit_id_is_used_once(store, city):
    city.execute(visit(BASE_A1, A1_BRANCH, M.RANDOM_SPOT_CHECK))
    refused(store, city, visit(CM_A, A1_BRANCH, M.ON_SITE_AND_ONLINE), "supervision.methods")


@pytest.mark.parametrize(
    ("by", "branch_id"),
    [(CM_B, A1_BRANCH), (BASE_A1, A2_BRANCH), (BASE_B1, A1_BRANCH), (INT_A, A1_BRANCH)],
)
def test_org_jurisdiction_a_supervision_visit_by_a_committee_outside_its_jurisdiction_is_refused(
    store, city, by, branch_id
):
    """The issue's bad input: refused with `org.jurisdiction`, nothing else written, the
    refusal logged (the method would be right for the visitor's level)."""
    method = M.ON_SITE_AND_ONLINE if by == CM_B else M.RANDOM_SPOT_CHECK
    error = refused(store, city, visit(by, branch_id, method), "org.jurisdiction")
    assert isinstance(error, NotAuthorized)
    assert store.get(sup.visit_key("v1")) is None


def test_an_unknown_branch_is_not_found_for_a_visit(store, city):
    with pytest.raises(NotFound) as raised:
        city.execute(visit(BASE_A1, "nowhere", M.RANDOM_SPOT_CHECK))
    assert raised.value.field == "branch_id"


# supervision.exchange and supervision.special_meeting: recorded, never judged


def exchange(by: str, committee_id: str, exchange_id: str = "x1") -> cmd.HoldObservationExchange:
    return command(
        cmd.HoldObservationExchange,
        by,
        exchange_id=exchange_id,
        committee_id=committee_id,
        topic="observing the exemplars of the county",
        participants=40,
    )


def meeting(by: str, committee_id: str, chaired_by: str = OWNER) -> cmd.HoldSpecialMeeting:
    return command(
        cmd.HoldSpecialMeeting,
        by,
        meeting_id="m1",
        committee_id=committee_id,
        chaired_by=chaired_by,
        topic="the year's tasks for solid branches",
    )


def test_supervision_exchange_an_exchange_is_recorded_by_the_committee_or_above(store, city):
    city.execute(exchange(CM_A, CM_A))
    city.execute(exchange(OD, CM_B, "x2"))
    event = store.stream(sup.exchange_key("x1"))[0]
    assert isinstance(event, sup.ObservationExchangeHeld)
    assert (event.committee_id, event.participants, event.effective_on) == (CM_A, 40, ON)


def test_supervision_exchange_only_authority_and_ids_refuse_an_exchange(store, city):
    error = refused(store, city, exchange(BASE_A1, CM_A), "org.jurisdiction")
    assert isinstance(error, NotAuthorized)
    with pytest.raises(NotFound):
        city.execute(exchange(CM_A, "nobody"))
    city.execute(exchange(CM_A, CM_A))
    refused(store, city, exchange(CM_A, CM_A), "supervision.exchange")


def test_supervision_special_meeting_a_meeting_names_the_secretary_who_held_it(store, city):
    city.execute(meeting(BASE_A1, BASE_A1))
    event = store.stream(sup.meeting_key("m1"))[0]
    assert isinstance(event, sup.SpecialMeetingHeld)
    assert (event.committee_id, event.chaired_by) == (BASE_A1, OWNER)
    refused(store, city, meeting(BASE_B1, BASE_A1), "org.jurisdiction")
    with pytest.raises(NotFound) as raised:
        city.execute(meeting(CM_A, CM_A, chaired_by="nobody"))
    assert raised.value.field == "chaired_by"


@pytest.mark.parametrize(
    ("held", "on", "status"),
    [
        ((date(2018, 3, 1),), date(2018, 5, 1), ComplianceStatus.MET),
        ((), date(2018, 5, 1), ComplianceStatus.NOT_MET),
        ((), date(2018, 6, 30), ComplianceStatus.NOT_MET),
        ((), date(2018, 7, 1), ComplianceStatus.OVERDUE),
        ((date(2018, 7, 2),), date(2018, 8, 1), ComplianceStatus.OVERDUE),
        ((date(2018, 6, 20),), date(2018, 6, 1), ComplianceStatus.NOT_MET),
    ],
)
def test_supervision_exchange_a_period_is_met_not_met_while_it_runs_or_overdue_once_ended(
    held, on, status
):
    """Met with one held in the period by the reading date; overdue once the period ended
    before it without one; not met while it runs."""
    found = judge_period("supervision.exchange", held, date(2018, 1, 1), date(2018, 6, 30), on)
    assert found.status is status
    assert found.count == (1 if status is ComplianceStatus.MET else 0)


def test_supervision_exchange_the_periods_are_policy_half_years_by_default():
    assert TAIAN_2017.exchange_periods(2018) == [
        (date(2018, 1, 1), date(2018, 6, 30)),
        (date(2018, 7, 1), date(2018, 12, 31)),
    ]
    quarters = attrs.evolve(TAIAN_2017, exchange_periods_end=((3, 31), (6, 30), (9, 30), (12, 31)))
    assert quarters.exchange_periods(2018)[1] == (date(2018, 4, 1), date(2018, 6, 30))


@pytest.mark.parametrize(
    ("changes", "rule_id"),
    [
        ({"exchange_periods_end": ((12, 31), (6, 30))}, "supervision.exchange"),
        ({"exchange_periods_end": ((6, 30),)}, "supervision.exchange"),
        ({"exchange_periods_end": ((2, 30), (12, 31))}, "supervision.exchange"),
        ({"special_meeting_due": (13, 1)}, "supervision.special_meeting"),
    ],
)
def test_supervision_periods_of_a_published_policy_cover_the_year_in_order(changes, rule_id):
    policy = attrs.evolve(TAIAN_2017, version="v2", effective_on=date(2019, 1, 1), **changes)
    with pytest.raises(RuleViolation) as raised:
        publish_policy(None, DEFAULT_POLICY_BOOK, org_tree(), decision(OD), policy)
    assert raised.value.rule_id == rule_id


# accountability.falsification


def falsification(
    by: str, committee_id: str, branch_ids: tuple[str, ...], finding_id: str = "f1"
) -> cmd.RecordFalsification:
    return command(
        cmd.RecordFalsification,
        by,
        finding_id=finding_id,
        committee_id=committee_id,
        year=2017,
        report="the 2017 ledger reported evaluations that were never held",
        branch_ids=branch_ids,
    )


def test_accountability_falsification_is_recorded_against_the_reporting_committee(store, city):
    city.execute(falsification(CM_A, BASE_A1, (A1_BRANCH,)))
    city.execute(falsification(OD, CM_A, (A1_BRANCH, A2_BRANCH), "f2"))
    event = store.stream(acc.falsification_key("f2"))[0]
    assert isinstance(event, acc.FalsificationFound)
    assert (event.committee_id, event.year, event.branch_ids) == (
        CM_A,
        2017,
        (A1_BRANCH, A2_BRANCH),
    )
    assert event.actor.committee_id == OD


@pytest.mark.parametrize("by", [BASE_A1, CM_B, BASE_B1])
def test_accountability_falsification_only_a_body_above_the_committee_records_it(store, city, by):
    error = refused(store, city, falsification(by, BASE_A1, (A1_BRANCH,)), "org.jurisdiction")
    assert isinstance(error, NotAuthorized)


def test_accountability_falsification_names_branches_of_the_reporting_committee_only(store, city):
    refused(store, city, falsification(CM_A, BASE_A1, (A2_BRANCH,)), "accountability.falsification")
    refused(
        store,
        city,
        falsification(CM_A, BASE_A1, (A1_BRANCH, A1_BRANCH)),
        "accountability.falsification",
    )
    with pytest.raises(NotFound) as raised:
        city.execute(falsification(CM_A, BASE_A1, (A1_BRANCH, "nowhere")))
    assert raised.value.field == "branch_ids[1]"


# accountability.findings


def finding(
    by: str, committee_id: str, person_ids: tuple[str, ...] = (OWNER,)
) -> cmd.IssueAccountabilityFinding:
    return command(
        cmd.IssueAccountabilityFinding,
        by,
        finding_id="k1",
        committee_id=committee_id,
        held_for=FindingKind.POOR_EXECUTION,
        person_ids=person_ids,
        decision="a written self-criticism and a talk with the secretary",
    )


def test_accountability_findings_name_the_committee_the_people_the_issuer_and_the_decision(
    store, city
):
    city.execute(finding(INT_A, BASE_A2, (OWNER, LIAISON)))
    event = store.stream(acc.accountability_key("k1"))[0]
    assert isinstance(event, acc.AccountabilityFindingIssued)
    assert (event.committee_id, event.kind, event.person_ids, event.issued_by) == (
        BASE_A2,
        FindingKind.POOR_EXECUTION,
        (OWNER, LIAISON),
        INT_A,
    )
    assert event.decision == "a written self-criticism and a talk with the secretary"
    assert event.effective_on == ON


@pytest.mark.parametrize(("by", "committee_id"), [(BASE_A1, BASE_A1), (CM_B, CM_A), (INT_A, CM_A)])
def test_accountability_findings_are_issued_only_from_above_or_by_the_organization_department(
    store, city, by, committee_id
):
    error = refused(store, city, finding(by, committee_id), "org.jurisdiction")
    assert isinstance(error, NotAuthorized)
    city.execute(finding(OD, committee_id))


def test_accountability_findings_name_known_people_only(store, city):
    with pytest.raises(NotFound) as raised:
        city.execute(finding(CM_A, BASE_A1, (OWNER, "nobody")))
    assert raised.value.field == "person_ids[1]"


# reward.linkage


def linkage(
    year: int, *, by: str = BASE_A1, kind: LinkageKind = LinkageKind.ALLOWANCE, **extra: object
) -> cmd.DecideRewardLinkage:
    return command(
        cmd.DecideRewardLinkage,
        by,
        date(2019, 1, 10),
        decision_id=f"l{year}",
        linked_to=kind,
        branch_id=A1_BRANCH,
        year=year,
        measure="the secretary's allowance follows the tier",
        **extra,
    )


def test_reward_linkage_records_the_tier_of_the_ledger_for_the_year_not_the_command_s(store, city):
    """The command carries no tier: the handler reads the branch's tier for the year, its
    evaluation result when there is one, else the tier carried over."""
    assert "tier" not in {f.name for f in attrs.fields(cmd.DecideRewardLinkage)}
    city.execute(adjust_tier(A1_BRANCH, 2017, Tier.LAGGING, by=BASE_A1))
    city.execute(linkage(2017))
    city.execute(linkage(2018, kind=LinkageKind.CADRE_PREFERENCE, person_id=OWNER))
    evaluated = store.stream(acc.linkage_key("l2017"))[0]
    carried = store.stream(acc.linkage_key("l2018"))[0]
    assert isinstance(evaluated, acc.RewardLinkageDecided)
    assert isinstance(carried, acc.RewardLinkageDecided)
    assert (evaluated.tier, evaluated.evaluated, evaluated.committee_id) == (
        Tier.LAGGING,
        True,
        BASE_A1,
    )
    assert (carried.tier, carried.evaluated, carried.person_id) == (Tier.LAGGING, False, OWNER)


def test_reward_linkage_refuses_nothing_but_authority_and_unknown_ids(store, city):
    error = refused(store, city, linkage(2017, by=BASE_B1), "org.jurisdiction")
    assert isinstance(error, NotAuthorized)
    with pytest.raises(NotFound):
        city.execute(linkage(2017, person_id="nobody"))
    city.execute(linkage(2017, by=CM_A, kind=LinkageKind.DUES_TILT))


def test_reward_linkage_a_year_before_the_branch_has_no_standing_to_link(store, city):
    refused(store, city, linkage(2016), "reward.linkage")


# resources.funding


def funding(by: str, amount: int, funding_id: str = "fund1") -> cmd.RecordFunding:
    return command(
        cmd.RecordFunding,
        by,
        funding_id=funding_id,
        committee_id=BASE_A1,
        year=2018,
        fund=FundingKind.VILLAGE_OPERATING,
        amount_yuan=amount,
    )


def test_resources_funding_is_recorded_per_committee_year_and_kind(store, city):
    city.execute(funding(CM_A, 200_000))
    found = store.get(acc.funding_key("fund1"))
    assert found is not None
    assert (found.committee_id, found.year, found.kind, found.amount_yuan) == (
        BASE_A1,
        2018,
        FundingKind.VILLAGE_OPERATING,
        200_000,
    )


def test_resources_funding_an_amount_is_more_than_nothing_and_recorded_from_above(store, city):
    refused(store, city, funding(CM_A, 0), "resources.funding")
    refused(store, city, funding(CM_B, 1_000), "org.jurisdiction")
