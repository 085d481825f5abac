"""Leadership rosters: who sits on a committee's leadership over time, so that
`ledger.liaison_coverage` (every leader liaises with at least one branch) can be reported.

The roster is kept on the committee's CommitteeLedger aggregate, one stream per committee.
"""

from __future__ import annotations

from attrs import frozen

from guoying.domain.committee_ledger import (
    CommitteeLedger,
    Tenure,
    continued,
    ledger_aggregate_id,
)
from guoying.domain.events import DomainEvent, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.values import Decision


@frozen(kw_only=True)
class LeaderAppointed(DomainEvent):
    committee_id: str
    person_id: str
    position: str

    def mutate(self, ledger: CommitteeLedger | None) -> CommitteeLedger:
        ledger = continued(ledger, self, self.committee_id)
        ledger.roster.append(Tenure(self.person_id, self.position, self.effective_on))
        return ledger


@frozen(kw_only=True)
class LeadershipEnded(DomainEvent):
    committee_id: str
    person_id: str

    def mutate(self, ledger: CommitteeLedger | None) -> CommitteeLedger:
        ledger = continued(ledger, self, self.committee_id)
        ledger.roster = [
            Tenure(t.person_id, t.position, t.since, self.effective_on)
            if t.person_id == self.person_id and t.until is None
            else t
            for t in ledger.roster
        ]
        return ledger


def _serving(ledger: CommitteeLedger | None, person_id: str) -> Tenure | None:
    roster = ledger.roster if ledger else []
    return next((t for t in roster if t.person_id == person_id and t.until is None), None)


def appoint_leader(
    ledger: CommitteeLedger | None,
    decision: Decision,
    *,
    committee_id: str,
    person_id: str,
    position: str,
) -> LeaderAppointed:
    if _serving(ledger, person_id) is not None:
        raise RuleViolation(
            "ledger.liaison_coverage",
            f"person {person_id!r} already sits on the leadership of {committee_id!r}",
        )
    if not position.strip():
        raise RuleViolation("ledger.liaison_coverage", "a leader's position is required")
    return LeaderAppointed(
        **stamp(decision, ledger_aggregate_id(committee_id), (ledger.version if ledger else 0) + 1),
        committee_id=committee_id,
        person_id=person_id,
        position=position.strip(),
    )


def end_leadership(
    ledger: CommitteeLedger | None, decision: Decision, *, committee_id: str, person_id: str
) -> LeadershipEnded:
    tenure = _serving(ledger, person_id)
    if tenure is None or ledger is None:
        raise RuleViolation(
            "ledger.liaison_coverage",
            f"person {person_id!r} does not sit on the leadership of {committee_id!r}",
        )
    if decision.effective_on < tenure.since:
        raise RuleViolation("ledger.liaison_coverage", "a tenure cannot end before it began")
    return LeadershipEnded(
        **stamp(decision, ledger.id, ledger.version + 1),
        committee_id=committee_id,
        person_id=person_id,
    )
