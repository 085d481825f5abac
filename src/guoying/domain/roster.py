"""Leadership rosters: who sits on a committee's leadership over time, so that
`ledger.liaison_coverage` (every leader liaises with at least one branch) can be reported.
One `Roster` aggregate per committee."""

from __future__ import annotations

from datetime import date

from attrs import define, field, frozen

from guoying.domain.events import DomainEvent, Streams, continued, next_version, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.values import Decision


@frozen
class Tenure:
    """A seat on the committee's leadership, from one date to another (open: serving)."""

    person_id: str
    position: str
    since: date
    until: date | None = None


@define
class Roster:
    id: str
    version: int
    committee_id: str
    tenures: tuple[Tenure, ...] = field(default=())

    def serving(self, person_id: str) -> Tenure | None:
        return next((t for t in self.tenures if t.person_id == person_id and t.until is None), None)


roster_key = Streams("roster", Roster).key


@frozen(kw_only=True)
class LeaderAppointed(DomainEvent[Roster]):
    committee_id: str
    person_id: str
    position: str

    def mutate(self, aggregate: Roster | None) -> Roster:
        roster = continued(aggregate, self, Roster, committee_id=self.committee_id)
        roster.tenures = (*roster.tenures, Tenure(self.person_id, self.position, self.effective_on))
        return roster


@frozen(kw_only=True)
class LeadershipEnded(DomainEvent[Roster]):
    committee_id: str
    person_id: str

    def mutate(self, aggregate: Roster | None) -> Roster:
        roster = continued(aggregate, self, Roster, committee_id=self.committee_id)
        roster.tenures = tuple(
            Tenure(t.person_id, t.position, t.since, self.effective_on)
            if t.person_id == self.person_id and t.until is None
            else t
            for t in roster.tenures
        )
        return roster


def appoint_leader(
    roster: Roster | None,
    decision: Decision,
    *,
    committee_id: str,
    person_id: str,
    position: str,
) -> LeaderAppointed:
    if roster is not None and roster.serving(person_id) is not None:
        raise RuleViolation(
            "ledger.liaison_coverage",
            f"person {person_id!r} already sits on the leadership of {committee_id!r}",
        )
    if not position.strip():
        raise RuleViolation("ledger.liaison_coverage", "a leader's position is required")
    return LeaderAppointed(
        **stamp(decision, roster_key(committee_id).id, next_version(roster)),
        committee_id=committee_id,
        person_id=person_id,
        position=position.strip(),
    )


def end_leadership(
    roster: Roster | None, decision: Decision, *, committee_id: str, person_id: str
) -> LeadershipEnded:
    tenure = roster.serving(person_id) if roster is not None else None
    if tenure is None or roster is None:
        raise RuleViolation(
            "ledger.liaison_coverage",
            f"person {person_id!r} does not sit on the leadership of {committee_id!r}",
        )
    if decision.effective_on < tenure.since:
        raise RuleViolation("ledger.liaison_coverage", "a tenure cannot end before it began")
    return LeadershipEnded(
        **stamp(decision, roster.id, next_version(roster)),
        committee_id=committee_id,
        person_id=person_id,
    )
