"""Implementation plans (§1, `plan.filing`): each committee's plan for a plan window,
submitted to the body one level above it, then accepted or returned with reasons.

A city-managed committee submits to the city Organization Department, a base committee (and
any intermediate one) to its parent in the tree. The source asks for one plan per committee
(制定……实施方案), not one a year: a plan covers the policy's plan window (2017-2019), and is
kept under `implementation-plan:<committee>:<first year of the window>`. A returned plan is
submitted again as a new revision; an accepted one is closed. A submission after the due
date is recorded as late, with the date, never refused.
"""

from __future__ import annotations

import enum
from datetime import date

from attrs import define, frozen

from guoying.domain.events import DomainEvent, Key, next_version, stamp
from guoying.domain.exceptions import JurisdictionViolation, RuleViolation
from guoying.domain.organization import Committee, CommitteeMap
from guoying.domain.policy import Policy
from guoying.domain.rules import RuleId
from guoying.domain.values import CommitteeLevel, Decision


class PlanStatus(enum.StrEnum):
    """Where an implementation plan stands with the body it was submitted to."""

    NOT_SUBMITTED = "NOT_SUBMITTED"
    SUBMITTED = "SUBMITTED"
    RETURNED = "RETURNED"
    ACCEPTED = "ACCEPTED"


# The committees that file an implementation plan; the two fixed ends of the tree do not.
FILING_LEVELS = frozenset(
    {CommitteeLevel.CITY_MANAGED, CommitteeLevel.INTERMEDIATE, CommitteeLevel.BASE}
)


@define
class ImplementationPlan:
    id: str
    version: int
    committee_id: str
    window_start: int
    window_end: int
    submitted_to: str
    status: PlanStatus
    revision: int
    first_submitted_on: date
    submitted_on: date
    due_on: date
    late: bool


def implementation_plan_key(committee_id: str, window_start: int) -> Key[ImplementationPlan]:
    return Key(f"implementation-plan:{committee_id}:{window_start}", ImplementationPlan)


@frozen(kw_only=True)
class ImplementationPlanSubmitted(DomainEvent[ImplementationPlan]):
    """A committee's plan (or a revision of a returned one) submitted to the body above it,
    with its creation indicators, measures and responsibilities (细化创建指标，明确推进措施，
    落实工作责任). `late` is this submission's own lateness against `due_on`."""

    committee_id: str
    window_start: int
    window_end: int
    submitted_to: str
    revision: int
    indicators: tuple[str, ...]
    measures: tuple[str, ...]
    responsibilities: tuple[str, ...]
    due_on: date
    late: bool

    def mutate(self, aggregate: ImplementationPlan | None) -> ImplementationPlan:
        if aggregate is None:
            return ImplementationPlan(
                id=self.originator_id,
                version=self.originator_version,
                committee_id=self.committee_id,
                window_start=self.window_start,
                window_end=self.window_end,
                submitted_to=self.submitted_to,
                status=PlanStatus.SUBMITTED,
                revision=self.revision,
                first_submitted_on=self.effective_on,
                submitted_on=self.effective_on,
                due_on=self.due_on,
                late=self.late,
            )
        aggregate.version = self.originator_version
        aggregate.status = PlanStatus.SUBMITTED
        aggregate.revision = self.revision
        aggregate.submitted_on = self.effective_on
        aggregate.submitted_to = self.submitted_to
        return aggregate


@frozen(kw_only=True)
class ImplementationPlanAccepted(DomainEvent[ImplementationPlan]):
    """The body the plan was submitted to reviewed it and keeps it on file (审核备案)."""

    committee_id: str
    revision: int

    def mutate(self, aggregate: ImplementationPlan | None) -> ImplementationPlan:
        assert aggregate is not None
        aggregate.version = self.originator_version
        aggregate.status = PlanStatus.ACCEPTED
        return aggregate


@frozen(kw_only=True)
class ImplementationPlanReturned(DomainEvent[ImplementationPlan]):
    """The body sent the plan back; `reasons` say what to change before it is submitted
    again."""

    committee_id: str
    revision: int
    reasons: tuple[str, ...]

    def mutate(self, aggregate: ImplementationPlan | None) -> ImplementationPlan:
        assert aggregate is not None
        aggregate.version = self.originator_version
        aggregate.status = PlanStatus.RETURNED
        return aggregate


def filing_body(view: CommitteeMap, committee: Committee) -> Committee | None:
    """Who reviews and files a committee's plan (`plan.filing`): the city Organization
    Department for a city-managed committee, its parent in the tree for any other."""
    if committee.level is CommitteeLevel.CITY_MANAGED:
        return view.organization_department()
    return view.get_active(committee.parent_id) if committee.parent_id else None


def window_of(policy: Policy, year: int, rule_id: RuleId = "plan.filing") -> range:
    """The plan window a year belongs to; the window must lie in the policy's years."""
    if not policy.covers_year(year):
        raise RuleViolation(
            rule_id,
            f"year {year} is outside policy {policy.version} "
            f"({policy.first_year}-{policy.last_year})",
            {"year": year},
        )
    return policy.plan_window(year)


def _numbered(name: str, items: tuple[str, ...]) -> None:
    if not items or any(not item.strip() for item in items):
        raise RuleViolation(
            "plan.filing",
            f"{name}: a plan lists its {name.replace('_', ' ')}, one or more, none blank",
            {"field": name},
        )


def submit_plan(
    existing: ImplementationPlan | None,
    view: CommitteeMap,
    decision: Decision,
    policy: Policy,
    *,
    committee: Committee,
    year: int,
    submitted_to: str,
    indicators: tuple[str, ...],
    measures: tuple[str, ...],
    responsibilities: tuple[str, ...],
) -> ImplementationPlanSubmitted:
    """`plan.filing`: the committee's own plan, to the right body, once pending at a time."""
    if committee.level not in FILING_LEVELS:
        raise RuleViolation(
            "plan.filing",
            f"{committee.committee_id!r} ({committee.level.value}) files no implementation "
            "plan; city-managed, intermediate and base committees do",
            {"committee_id": committee.committee_id},
        )
    if decision.actor.committee_id != committee.committee_id:
        raise JurisdictionViolation(
            f"{committee.committee_id!r} submits its own implementation plan, not "
            f"{decision.actor.committee_id!r}",
            {"committee_id": committee.committee_id},
        )
    body = filing_body(view, committee)
    if body is None or body.committee_id != submitted_to:
        expected = body.committee_id if body else "(none in the tree on that date)"
        raise RuleViolation(
            "plan.filing",
            f"submitted_to: {committee.committee_id!r} files its plan with {expected!r}, not "
            f"{submitted_to!r} (a city-managed committee with the city Organization "
            "Department, any other with its parent)",
            {"submitted_to": submitted_to, "expected": expected},
        )
    window = window_of(policy, year)
    if existing is not None and existing.status is not PlanStatus.RETURNED:
        state = "is awaiting review" if existing.status is PlanStatus.SUBMITTED else "was accepted"
        raise RuleViolation(
            "plan.filing",
            f"{committee.committee_id!r}'s plan for {window[0]}-{window[-1]} {state}; only a "
            "returned plan is submitted again",
            {"committee_id": committee.committee_id, "status": existing.status.value},
        )
    for name, items in (
        ("indicators", indicators),
        ("measures", measures),
        ("responsibilities", responsibilities),
    ):
        _numbered(name, items)
    due = policy.plan_due(window[0], policy.implementation_plan_due)
    return ImplementationPlanSubmitted(
        **stamp(
            decision,
            implementation_plan_key(committee.committee_id, window[0]).id,
            next_version(existing),
        ),
        committee_id=committee.committee_id,
        window_start=window[0],
        window_end=window[-1],
        submitted_to=submitted_to,
        revision=(existing.revision + 1) if existing else 1,
        indicators=tuple(i.strip() for i in indicators),
        measures=tuple(m.strip() for m in measures),
        responsibilities=tuple(r.strip() for r in responsibilities),
        due_on=due,
        late=decision.effective_on > due,
    )


def _pending(
    plan: ImplementationPlan | None, committee_id: str, decision: Decision
) -> ImplementationPlan:
    if plan is None or plan.status is not PlanStatus.SUBMITTED:
        state = "was never submitted" if plan is None else f"is {plan.status.value.lower()}"
        raise RuleViolation(
            "plan.filing",
            f"{committee_id!r}'s plan {state}; only a submitted plan is accepted or returned",
            {"committee_id": committee_id},
        )
    if decision.actor.committee_id != plan.submitted_to:
        raise JurisdictionViolation(
            f"{committee_id!r}'s plan was submitted to {plan.submitted_to!r}; "
            f"{decision.actor.committee_id!r} does not review it",
            {"committee_id": committee_id, "submitted_to": plan.submitted_to},
        )
    if decision.effective_on < plan.submitted_on:
        raise RuleViolation(
            "plan.filing",
            f"{committee_id!r}'s plan was submitted on {plan.submitted_on}; it cannot "
            "be reviewed before",
            {"committee_id": committee_id},
        )
    return plan


def accept_plan(
    plan: ImplementationPlan | None, decision: Decision, *, committee_id: str
) -> ImplementationPlanAccepted:
    found = _pending(plan, committee_id, decision)
    return ImplementationPlanAccepted(
        **stamp(decision, found.id, next_version(found)),
        committee_id=committee_id,
        revision=found.revision,
    )


def return_plan(
    plan: ImplementationPlan | None,
    decision: Decision,
    *,
    committee_id: str,
    reasons: tuple[str, ...],
) -> ImplementationPlanReturned:
    found = _pending(plan, committee_id, decision)
    if not reasons or any(not r.strip() for r in reasons):
        raise RuleViolation(
            "plan.filing",
            "reasons: a returned plan says why, one or more reasons, none blank",
            {"field": "reasons"},
        )
    return ImplementationPlanReturned(
        **stamp(decision, found.id, next_version(found)),
        committee_id=committee_id,
        revision=found.revision,
        reasons=tuple(r.strip() for r in reasons),
    )
