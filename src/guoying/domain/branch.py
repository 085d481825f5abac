"""The Branch aggregate: its ledger row (Annex 1) as a sequence of decisions.

Rules: `ledger.tiers`, `ledger.annual_adjustment`, `ledger.row`, `ledger.rectification`,
`ledger.liaison_coverage` (the branch side: every branch has a liaison).
"""

from __future__ import annotations

from bisect import insort
from datetime import date

from attrs import define, field, frozen

from guoying.domain.events import DomainEvent, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.policy import Policy
from guoying.domain.values import Decision, Sector, Tier


def branch_aggregate_id(branch_id: str) -> str:
    return f"branch:{branch_id}"


@frozen
class Liaison:
    person_id: str
    position: str


@frozen
class RectificationCase:
    case_id: str
    problem: str
    measure: str
    owner_id: str
    deadline: date
    found_on: date
    closed_on: date | None = None
    outcome: str | None = None
    signed_off_by: str | None = None

    def is_overdue(self, on: date) -> bool:
        return self.closed_on is None and self.deadline < on


@define
class Branch:
    id: str
    version: int
    branch_id: str
    name: str
    sector: Sector
    base_committee_id: str
    unit_ids: tuple[str, ...]
    is_financial_institution: bool
    registered_year: int
    tiers: list[tuple[int, Tier]] = field(factory=list)
    targets: dict[int, Tier] = field(factory=dict)
    results: dict[int, Tier] = field(factory=dict)
    liaison: Liaison | None = None
    cases: dict[str, RectificationCase] = field(factory=dict)

    @property
    def current_tier(self) -> Tier:
        return self.tiers[-1][1]

    @property
    def last_tier_year(self) -> int:
        return self.tiers[-1][0]

    def tier_for(self, year: int) -> Tier | None:
        """The tier in effect for a year: set that year, or carried over (`ledger.advanced_cap`)."""
        found: Tier | None = None
        for tier_year, tier in self.tiers:
            if tier_year > year:
                break
            found = tier
        return found


@frozen(kw_only=True)
class BranchRegistered(DomainEvent):
    """A branch enters the ledger with its base committee's first assessment (`ledger.tiers`)."""

    branch_id: str
    name: str
    sector: Sector
    base_committee_id: str
    unit_ids: tuple[str, ...]
    is_financial_institution: bool
    year: int
    tier: Tier

    def mutate(self, _: Branch | None) -> Branch:
        return Branch(
            id=self.originator_id,
            version=self.originator_version,
            branch_id=self.branch_id,
            name=self.name,
            sector=self.sector,
            base_committee_id=self.base_committee_id,
            unit_ids=self.unit_ids,
            is_financial_institution=self.is_financial_institution,
            registered_year=self.year,
            tiers=[(self.year, self.tier)],
        )


@frozen(kw_only=True)
class TierAdjusted(DomainEvent):
    """A year's evaluation result and the tier it sets (`ledger.annual_adjustment`)."""

    year: int
    previous_tier: Tier
    new_tier: Tier

    def mutate(self, branch: Branch | None) -> Branch:
        assert branch is not None
        branch.tiers = [(y, t) for y, t in branch.tiers if y != self.year]
        insort(branch.tiers, (self.year, self.new_tier))
        branch.results[self.year] = self.new_tier
        branch.version = self.originator_version
        return branch


@frozen(kw_only=True)
class CreationTargetSet(DomainEvent):
    year: int
    target: Tier

    def mutate(self, branch: Branch | None) -> Branch:
        assert branch is not None
        branch.targets[self.year] = self.target
        branch.version = self.originator_version
        return branch


@frozen(kw_only=True)
class LiaisonAssigned(DomainEvent):
    """A committee leader is contracted to the branch (包保联系人); replaces any earlier one."""

    person_id: str
    position: str
    previous_person_id: str | None

    def mutate(self, branch: Branch | None) -> Branch:
        assert branch is not None
        branch.liaison = Liaison(self.person_id, self.position)
        branch.version = self.originator_version
        return branch


@frozen(kw_only=True)
class ProblemFound(DomainEvent):
    """A problem opens a rectification case (`ledger.rectification`)."""

    case_id: str
    problem: str
    measure: str
    owner_id: str
    deadline: date

    def mutate(self, branch: Branch | None) -> Branch:
        assert branch is not None
        branch.cases[self.case_id] = RectificationCase(
            self.case_id,
            self.problem,
            self.measure,
            self.owner_id,
            self.deadline,
            self.effective_on,
        )
        branch.version = self.originator_version
        return branch


@frozen(kw_only=True)
class RectificationSignedOff(DomainEvent):
    case_id: str
    outcome: str

    def mutate(self, branch: Branch | None) -> Branch:
        assert branch is not None
        case = branch.cases[self.case_id]
        branch.cases[self.case_id] = RectificationCase(
            case.case_id,
            case.problem,
            case.measure,
            case.owner_id,
            case.deadline,
            case.found_on,
            self.effective_on,
            self.outcome,
            self.actor.person_id,
        )
        branch.version = self.originator_version
        return branch


def _require_year(policy: Policy, year: int, rule_id: str) -> None:
    if not policy.covers_year(year):
        raise RuleViolation(
            rule_id,
            f"year {year} is outside policy {policy.version} "
            f"({policy.first_year}-{policy.last_year})",
            {"year": year, "policy_version": policy.version},
        )


def register_branch(
    decision: Decision,
    policy: Policy,
    *,
    branch_id: str,
    name: str,
    sector: Sector,
    base_committee_id: str,
    unit_ids: tuple[str, ...],
    is_financial_institution: bool,
    year: int,
    tier: Tier,
) -> BranchRegistered:
    _require_year(policy, year, "ledger.tiers")
    if decision.actor.committee_id != base_committee_id:
        raise RuleViolation(
            "ledger.tiers",
            "a new branch's first tier is set by its own base committee's assessment, "
            f"not by {decision.actor.committee_id!r}",
        )
    if not name.strip():
        raise RuleViolation("ledger.row", "a branch needs a name")
    if not unit_ids:
        raise RuleViolation("org.unit", "a branch serves at least one unit")
    if len(set(unit_ids)) != len(unit_ids):
        raise RuleViolation("org.unit", "a unit is listed twice")
    return BranchRegistered(
        **stamp(decision, branch_aggregate_id(branch_id), 1),
        branch_id=branch_id,
        name=name.strip(),
        sector=sector,
        base_committee_id=base_committee_id,
        unit_ids=unit_ids,
        is_financial_institution=is_financial_institution,
        year=year,
        tier=tier,
    )


def adjust_tier(
    branch: Branch, decision: Decision, policy: Policy, *, year: int, tier: Tier
) -> TierAdjusted:
    _require_year(policy, year, "ledger.annual_adjustment")
    if year < branch.last_tier_year:
        raise RuleViolation(
            "ledger.annual_adjustment",
            f"branch {branch.branch_id!r} already has a tier for {branch.last_tier_year}; "
            f"an adjustment for {year} would rewrite history (record a correction instead)",
            {"year": year, "last_tier_year": branch.last_tier_year},
        )
    previous = branch.tier_for(year)
    assert previous is not None  # year >= last tier year >= registration year
    return TierAdjusted(
        **stamp(decision, branch.id, branch.version + 1),
        year=year,
        previous_tier=previous,
        new_tier=tier,
    )


def set_creation_target(
    branch: Branch, decision: Decision, policy: Policy, *, year: int, target: Tier
) -> CreationTargetSet:
    _require_year(policy, year, "ledger.row")
    if year < branch.registered_year:
        raise RuleViolation(
            "ledger.row",
            f"year {year} is before the branch was registered ({branch.registered_year})",
        )
    return CreationTargetSet(
        **stamp(decision, branch.id, branch.version + 1), year=year, target=target
    )


def assign_liaison(
    branch: Branch, decision: Decision, *, person_id: str, position: str
) -> LiaisonAssigned:
    if not position.strip():
        raise RuleViolation("ledger.liaison_coverage", "a liaison's position is required")
    previous = branch.liaison.person_id if branch.liaison else None
    return LiaisonAssigned(
        **stamp(decision, branch.id, branch.version + 1),
        person_id=person_id,
        position=position.strip(),
        previous_person_id=previous,
    )


def record_problem(
    branch: Branch,
    decision: Decision,
    *,
    case_id: str,
    problem: str,
    measure: str,
    owner_id: str,
    deadline: date,
) -> ProblemFound:
    if case_id in branch.cases:
        raise RuleViolation(
            "ledger.rectification", f"case {case_id!r} is already open on this branch"
        )
    if not problem.strip() or not measure.strip():
        raise RuleViolation("ledger.rectification", "a case needs the problem and its measure")
    if deadline < decision.effective_on:
        raise RuleViolation(
            "ledger.rectification", f"deadline {deadline} is before the problem was found"
        )
    return ProblemFound(
        **stamp(decision, branch.id, branch.version + 1),
        case_id=case_id,
        problem=problem.strip(),
        measure=measure.strip(),
        owner_id=owner_id,
        deadline=deadline,
    )


def sign_off_rectification(
    branch: Branch, decision: Decision, *, case_id: str, outcome: str
) -> RectificationSignedOff:
    case = branch.cases.get(case_id)
    if case is None:
        raise RuleViolation("ledger.rectification", f"branch has no case {case_id!r}")
    if case.closed_on is not None:
        raise RuleViolation("ledger.rectification", f"case {case_id!r} is already signed off")
    if decision.effective_on < case.found_on:
        raise RuleViolation("ledger.rectification", "a case cannot close before it was found")
    return RectificationSignedOff(
        **stamp(decision, branch.id, branch.version + 1), case_id=case_id, outcome=outcome
    )
