"""Commands of supervision, accountability, the linkage of standing to rewards and funding
(§4, §7, §8, §9)."""

from __future__ import annotations

from attrs import field, frozen

from guoying.application.commands.base import Command
from guoying.domain.accountability import FindingKind, FundingKind, LinkageKind
from guoying.domain.supervision import SupervisionMethod
from guoying.domain.values import non_blank

__all__ = [
    "DecideRewardLinkage",
    "HoldObservationExchange",
    "HoldSpecialMeeting",
    "IssueAccountabilityFinding",
    "RecordFalsification",
    "RecordFunding",
    "RecordSupervisionVisit",
]


@frozen(kw_only=True)
class RecordSupervisionVisit(Command):
    """The actor's committee supervised a branch of its jurisdiction on `effective_on`, by a
    method of its level (`supervision.methods`)."""

    visit_id: str = field(validator=non_blank)
    branch_id: str
    method: SupervisionMethod
    findings: str
    follow_up: str


@frozen(kw_only=True)
class HoldObservationExchange(Command):
    """A committee held an observation exchange (观摩交流) for its branch secretaries on
    `effective_on` (`supervision.exchange`)."""

    exchange_id: str = field(validator=non_blank)
    committee_id: str
    topic: str
    participants: int = 0


@frozen(kw_only=True)
class HoldSpecialMeeting(Command):
    """A committee's secretary held a special meeting (专题会议) on the work on
    `effective_on` (`supervision.special_meeting`)."""

    meeting_id: str = field(validator=non_blank)
    committee_id: str
    chaired_by: str
    topic: str


@frozen(kw_only=True)
class RecordFalsification(Command):
    """Falsification found in a committee's report for a year; the branches concerned are
    flagged for re-evaluation (`accountability.falsification`)."""

    finding_id: str = field(validator=non_blank)
    committee_id: str
    year: int
    report: str
    branch_ids: tuple[str, ...] = ()


@frozen(kw_only=True)
class IssueAccountabilityFinding(Command):
    """Hold a committee and the people responsible to account (`accountability.findings`)."""

    finding_id: str = field(validator=non_blank)
    committee_id: str
    held_for: FindingKind
    person_ids: tuple[str, ...] = ()
    decision: str


@frozen(kw_only=True)
class DecideRewardLinkage(Command):
    """Link a branch's standing for a year (or that of a person of it) to a reward; the tier
    is read from the ledger (`reward.linkage`)."""

    decision_id: str = field(validator=non_blank)
    linked_to: LinkageKind
    branch_id: str
    person_id: str | None = None
    year: int
    measure: str


@frozen(kw_only=True)
class RecordFunding(Command):
    """Funds for a committee's branches in a year, by kind, in yuan (`resources.funding`)."""

    funding_id: str = field(validator=non_blank)
    committee_id: str
    year: int
    fund: FundingKind
    amount_yuan: int
