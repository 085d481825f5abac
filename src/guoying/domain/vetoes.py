"""One-vote-veto findings and rehabilitation (`selection.veto`, `selection.rehabilitation`).

A finding is recorded against a unit or a branch by the committee or department that
received it, naming the issuing agency, the subject area, the date and its period of effect.
Each subject keeps its own record (`veto:branch:ID`, `veto:unit:ID`), so a branch's
eligibility is read from its own record and those of the units it serves (a finding against
any unit of a joint branch bars the branch).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date

from attrs import define, field, frozen

from guoying.domain.events import DomainEvent, Key, continued, next_version, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.values import Decision, VetoPeriod


class VetoSubject(enum.StrEnum):
    BRANCH = "BRANCH"
    UNIT = "UNIT"


@frozen
class Finding:
    finding_id: str
    subject: VetoSubject
    subject_id: str
    area: str
    issuing_agency: str
    found_on: date
    effective_from: date
    effective_to: date
    received_by: str

    def in_effect(self, on: date) -> bool:
        return self.effective_from <= on <= self.effective_to

    def describe(self) -> str:
        return (
            f"finding {self.finding_id!r} of {self.issuing_agency} against "
            f"{self.subject.lower()} {self.subject_id!r} ({self.area}), in effect "
            f"{self.effective_from} to {self.effective_to}"
        )


@define
class VetoRecord:
    id: str
    version: int
    findings: dict[str, Finding] = field(factory=dict)
    # Each recorded comprehensive assessment (综合分析研判) of the branch: its date and the
    # findings it considered.
    assessments: tuple[tuple[date, tuple[str, ...]], ...] = ()


def veto_key(subject: VetoSubject, subject_id: str) -> Key[VetoRecord]:
    return Key(f"veto:{subject.lower()}:{subject_id}", VetoRecord)


def effect_of(period: VetoPeriod, found_on: date, stated_to: date | None) -> tuple[date, date]:
    """The first and last day a finding is in effect."""
    if period is VetoPeriod.CALENDAR_YEAR:
        return date(found_on.year, 1, 1), date(found_on.year, 12, 31)
    if period is VetoPeriod.YEAR_AND_NEXT:
        return date(found_on.year, 1, 1), date(found_on.year + 1, 12, 31)
    if stated_to is None or stated_to < found_on:
        raise RuleViolation(
            "selection.veto",
            "a finding with a stated span needs effective_to on or after found_on",
            {"effective_to": stated_to.isoformat() if stated_to else None},
        )
    return found_on, stated_to


@frozen(kw_only=True)
class VetoFindingRecorded(DomainEvent[VetoRecord]):
    """A one-vote-veto finding, as received by `received_by` from `issuing_agency`."""

    finding_id: str
    subject: VetoSubject
    subject_id: str
    area: str
    issuing_agency: str
    found_on: date
    effective_from: date
    effective_to: date
    received_by: str

    def mutate(self, aggregate: VetoRecord | None) -> VetoRecord:
        record = continued(aggregate, self, VetoRecord)
        record.findings = {
            **record.findings,
            self.finding_id: Finding(
                self.finding_id,
                self.subject,
                self.subject_id,
                self.area,
                self.issuing_agency,
                self.found_on,
                self.effective_from,
                self.effective_to,
                self.received_by,
            ),
        }
        return record


@frozen(kw_only=True)
class RehabilitationAssessed(DomainEvent[VetoRecord]):
    """A comprehensive assessment: the branch's past problems are resolved and it may take
    part again (`selection.rehabilitation`)."""

    branch_id: str
    findings_considered: tuple[str, ...]

    def mutate(self, aggregate: VetoRecord | None) -> VetoRecord:
        record = continued(aggregate, self, VetoRecord)
        record.assessments = (
            *record.assessments,
            (self.effective_on, self.findings_considered),
        )
        return record


def record_finding(
    record: VetoRecord | None,
    decision: Decision,
    *,
    finding_id: str,
    subject: VetoSubject,
    subject_id: str,
    area: str,
    issuing_agency: str,
    found_on: date,
    period: VetoPeriod,
    effective_to: date | None,
) -> VetoFindingRecorded:
    if record is not None and finding_id in record.findings:
        raise RuleViolation(
            "selection.veto",
            f"finding {finding_id!r} is already recorded against {subject_id!r}",
            {"finding_id": finding_id},
        )
    if found_on > decision.effective_on:
        raise RuleViolation(
            "selection.veto",
            f"a finding cannot be recorded on {decision.effective_on} as found later, on "
            f"{found_on}",
            {"found_on": found_on.isoformat()},
        )
    start, end = effect_of(period, found_on, effective_to)
    return VetoFindingRecorded(
        **stamp(decision, veto_key(subject, subject_id).id, next_version(record)),
        finding_id=finding_id,
        subject=subject,
        subject_id=subject_id,
        area=area,
        issuing_agency=issuing_agency,
        found_on=found_on,
        effective_from=start,
        effective_to=end,
        received_by=decision.actor.committee_id,
    )


def findings_of(records: Iterable[VetoRecord | None]) -> list[Finding]:
    return sorted(
        (f for r in records if r is not None for f in r.findings.values()),
        key=lambda f: (f.found_on, f.finding_id),
    )


def in_effect(records: Iterable[VetoRecord | None], on: date) -> list[Finding]:
    return [f for f in findings_of(records) if f.in_effect(on)]


def assess_rehabilitation(
    branch_record: VetoRecord | None,
    unit_records: Iterable[VetoRecord | None],
    decision: Decision,
    *,
    branch_id: str,
) -> RehabilitationAssessed:
    """`selection.rehabilitation`: an assessment is of a branch with findings on record, and
    never lifts a finding still in effect."""
    records = [branch_record, *unit_records]
    on = decision.effective_on
    current = in_effect(records, on)
    if current:
        raise RuleViolation(
            "selection.rehabilitation",
            f"branch {branch_id!r} cannot be assessed for rehabilitation while "
            f"{current[0].describe()}; an assessment never lifts a finding in effect",
            {"branch_id": branch_id, "finding_id": current[0].finding_id},
        )
    past = findings_of(records)
    if not past:
        raise RuleViolation(
            "selection.rehabilitation",
            f"branch {branch_id!r} has no finding on record to be assessed against",
            {"branch_id": branch_id},
        )
    return RehabilitationAssessed(
        **stamp(decision, veto_key(VetoSubject.BRANCH, branch_id).id, next_version(branch_record)),
        branch_id=branch_id,
        findings_considered=tuple(f.finding_id for f in past),
    )


def require_eligible(
    branch_record: VetoRecord | None,
    unit_records: Iterable[VetoRecord | None],
    *,
    branch_id: str,
    on: date,
) -> None:
    """A branch takes part only with no finding in effect against it or any of its units
    (`selection.veto`) and, with an older finding on record, after an assessment dated
    after that finding (`selection.rehabilitation`)."""
    records = [branch_record, *unit_records]
    current = in_effect(records, on)
    if current:
        raise RuleViolation(
            "selection.veto",
            f"branch {branch_id!r} is barred by {current[0].describe()}",
            {"branch_id": branch_id, "finding_id": current[0].finding_id},
        )
    past = findings_of(records)
    assessed = branch_record.assessments if branch_record else ()
    considered = {i for when, ids in assessed if when <= on for i in ids}
    unassessed = [f for f in past if f.finding_id not in considered]
    if unassessed:
        raise RuleViolation(
            "selection.rehabilitation",
            f"branch {branch_id!r} has {unassessed[-1].describe()} on record and takes part "
            "again only after a recorded comprehensive assessment",
            {"branch_id": branch_id, "finding_id": unassessed[-1].finding_id},
        )
