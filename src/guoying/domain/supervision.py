"""Supervision (§4, §8): visits to branches, observation exchanges and special meetings.

A visit is recorded by the committee that made it, on a branch of its jurisdiction, with the
method its level uses (`supervision.methods`), the findings and the follow-up measures; its
date is the decision's `effective_on`. Exchanges (`supervision.exchange`) and special
meetings (`supervision.special_meeting`) are recorded as they are held and reported as
compliance per committee and period; nothing about them is refused but authority, unknown
ids and an id used twice (docs/adr/009-supervision-and-accountability.md).

Each record is a stream of its own (`visit:ID`, `exchange:ID`, `meeting:ID`): records are
never counted against a limit, so no aggregate owns a count here.
"""

from __future__ import annotations

import enum
from datetime import date

from attrs import define, frozen

from guoying.domain.events import DomainEvent, Streams, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.rules import RuleId
from guoying.domain.values import CommitteeLevel, Decision


class SupervisionMethod(enum.StrEnum):
    """How a committee supervises (`supervision.methods`), by the level that uses it."""

    # Base committees (各基层党委): 定期调度、专项调研、随机抽查
    SCHEDULED_DISPATCH = "SCHEDULED_DISPATCH"
    SPECIAL_RESEARCH = "SPECIAL_RESEARCH"
    RANDOM_SPOT_CHECK = "RANDOM_SPOT_CHECK"
    # City-managed committees (各市管党委): "抽支部、点问题" and "实地到、线上看"
    PICK_BRANCH_POINT_PROBLEM = "PICK_BRANCH_POINT_PROBLEM"
    ON_SITE_AND_ONLINE = "ON_SITE_AND_ONLINE"
    # The city Organization Department (市委组织部): 不定期抽查暗访, online and offline
    UNANNOUNCED_CHECK = "UNANNOUNCED_CHECK"


_BASE_METHODS = frozenset(
    {
        SupervisionMethod.SCHEDULED_DISPATCH,
        SupervisionMethod.SPECIAL_RESEARCH,
        SupervisionMethod.RANDOM_SPOT_CHECK,
    }
)
# The methods each level of committee uses. An intermediate committee stands below its
# city-managed committee and leads base committees, so it supervises as the grassroots
# level does (ADR 009); the city committee itself supervises through its Organization
# Department and records no visit of its own.
METHODS_BY_LEVEL: dict[CommitteeLevel, frozenset[SupervisionMethod]] = {
    CommitteeLevel.BASE: _BASE_METHODS,
    CommitteeLevel.INTERMEDIATE: _BASE_METHODS,
    CommitteeLevel.CITY_MANAGED: frozenset(
        {SupervisionMethod.PICK_BRANCH_POINT_PROBLEM, SupervisionMethod.ON_SITE_AND_ONLINE}
    ),
    CommitteeLevel.ORGANIZATION_DEPARTMENT: frozenset({SupervisionMethod.UNANNOUNCED_CHECK}),
    CommitteeLevel.CITY: frozenset(),
}


@define
class SupervisionVisit:
    id: str
    version: int
    visit_id: str
    committee_id: str
    branch_id: str
    method: SupervisionMethod
    findings: str
    follow_up: str
    visited_on: date


visit_key = Streams("visit", SupervisionVisit).key


@frozen(kw_only=True)
class SupervisionVisitRecorded(DomainEvent[SupervisionVisit]):
    """A committee supervised a branch (督导): the method, what it found and the follow-up
    measures, on `effective_on`. `branch_committee_id` is the branch's base committee then."""

    visit_id: str
    committee_id: str
    branch_id: str
    branch_committee_id: str
    method: SupervisionMethod
    findings: str
    follow_up: str

    def mutate(self, _: SupervisionVisit | None) -> SupervisionVisit:
        return SupervisionVisit(
            id=self.originator_id,
            version=self.originator_version,
            visit_id=self.visit_id,
            committee_id=self.committee_id,
            branch_id=self.branch_id,
            method=self.method,
            findings=self.findings,
            follow_up=self.follow_up,
            visited_on=self.effective_on,
        )


def _require_new(existing: object, rule_id: RuleId, what: str, record_id: str) -> None:
    if existing is not None:
        raise RuleViolation(rule_id, f"{what} {record_id!r} is already recorded", {"id": record_id})


def _require_text(rule_id: RuleId, **texts: str) -> None:
    for name, text in texts.items():
        if not text.strip():
            raise RuleViolation(rule_id, f"{name} must not be blank", {"field": name})


def record_visit(
    existing: SupervisionVisit | None,
    decision: Decision,
    *,
    visit_id: str,
    level: CommitteeLevel,
    branch_id: str,
    branch_committee_id: str,
    method: SupervisionMethod,
    findings: str,
    follow_up: str,
) -> SupervisionVisitRecorded:
    """`supervision.methods`: the visiting committee (the actor's) uses a method of its level."""
    _require_new(existing, "supervision.methods", "visit", visit_id)
    committee_id = decision.actor.committee_id
    allowed = METHODS_BY_LEVEL[level]
    if method not in allowed:
        uses = ", ".join(sorted(allowed)) or "no method of its own"
        raise RuleViolation(
            "supervision.methods",
            f"{method.value} is not a method of a {level.value} committee such as "
            f"{committee_id!r}; it uses {uses}",
            {"committee_id": committee_id, "method": method.value, "level": level.value},
        )
    _require_text("supervision.methods", findings=findings, follow_up=follow_up)
    return SupervisionVisitRecorded(
        **stamp(decision, visit_key(visit_id).id, 1),
        visit_id=visit_id,
        committee_id=committee_id,
        branch_id=branch_id,
        branch_committee_id=branch_committee_id,
        method=method,
        findings=findings.strip(),
        follow_up=follow_up.strip(),
    )


@define
class ObservationExchange:
    id: str
    version: int
    exchange_id: str
    committee_id: str
    held_on: date


exchange_key = Streams("exchange", ObservationExchange).key


@frozen(kw_only=True)
class ObservationExchangeHeld(DomainEvent[ObservationExchange]):
    """A committee held an observation exchange (观摩交流) for its branch secretaries on
    `effective_on` (`supervision.exchange`); `participants` is how many took part (0 if not
    counted)."""

    exchange_id: str
    committee_id: str
    topic: str
    participants: int

    def mutate(self, _: ObservationExchange | None) -> ObservationExchange:
        return ObservationExchange(
            id=self.originator_id,
            version=self.originator_version,
            exchange_id=self.exchange_id,
            committee_id=self.committee_id,
            held_on=self.effective_on,
        )


def hold_exchange(
    existing: ObservationExchange | None,
    decision: Decision,
    *,
    exchange_id: str,
    committee_id: str,
    topic: str,
    participants: int,
) -> ObservationExchangeHeld:
    _require_new(existing, "supervision.exchange", "exchange", exchange_id)
    _require_text("supervision.exchange", topic=topic)
    if participants < 0:
        raise RuleViolation(
            "supervision.exchange",
            "participants is a count, not negative",
            {"field": "participants"},
        )
    return ObservationExchangeHeld(
        **stamp(decision, exchange_key(exchange_id).id, 1),
        exchange_id=exchange_id,
        committee_id=committee_id,
        topic=topic.strip(),
        participants=participants,
    )


@define
class SpecialMeeting:
    id: str
    version: int
    meeting_id: str
    committee_id: str
    held_on: date


meeting_key = Streams("meeting", SpecialMeeting).key


@frozen(kw_only=True)
class SpecialMeetingHeld(DomainEvent[SpecialMeeting]):
    """A committee's secretary held a special meeting (专题会议) on building solid branches
    on `effective_on` (`supervision.special_meeting`)."""

    meeting_id: str
    committee_id: str
    chaired_by: str
    topic: str

    def mutate(self, _: SpecialMeeting | None) -> SpecialMeeting:
        return SpecialMeeting(
            id=self.originator_id,
            version=self.originator_version,
            meeting_id=self.meeting_id,
            committee_id=self.committee_id,
            held_on=self.effective_on,
        )


def hold_special_meeting(
    existing: SpecialMeeting | None,
    decision: Decision,
    *,
    meeting_id: str,
    committee_id: str,
    chaired_by: str,
    topic: str,
) -> SpecialMeetingHeld:
    _require_new(existing, "supervision.special_meeting", "meeting", meeting_id)
    _require_text("supervision.special_meeting", topic=topic)
    return SpecialMeetingHeld(
        **stamp(decision, meeting_key(meeting_id).id, 1),
        meeting_id=meeting_id,
        committee_id=committee_id,
        chaired_by=chaired_by,
        topic=topic.strip(),
    )
