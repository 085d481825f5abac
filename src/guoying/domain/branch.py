"""The Branch aggregate: its ledger row (Annex 1) as a sequence of decisions.

Rules: `ledger.tiers`, `ledger.annual_adjustment`, `ledger.row`, `ledger.rectification`,
`ledger.liaison_coverage` (the branch side: every branch has a liaison).
"""

from __future__ import annotations

from bisect import insort
from datetime import date

from attrs import define, evolve, field, frozen

from guoying.domain.events import DomainEvent, Streams, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.policy import Policy
from guoying.domain.rules import RuleId
from guoying.domain.values import Decision, Sector, Tier


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
    liaison_version: int | None = None
    cases: dict[str, RectificationCase] = field(factory=dict)
    # Which base committee led it from which business date (moves follow each other).
    memberships: list[tuple[date, str]] = field(factory=list)
    ended_on: date | None = None
    merged_into: str | None = None
    absorbed: list[str] = field(factory=list)
    split_from: str | None = None

    @property
    def active(self) -> bool:
        return self.ended_on is None

    def base_on(self, on: date) -> str:
        """The base committee that led the branch on a date (its first one before that)."""
        found = self.memberships[0][1] if self.memberships else self.base_committee_id
        for since, base in self.memberships:
            if since > on:
                break
            found = base
        return found

    def require_registered_by(self, on: date) -> None:
        """`org.hierarchy`: nothing happens to a branch before it was registered."""
        registered = self.memberships[0][0] if self.memberships else None
        if registered is not None and on < registered:
            raise RuleViolation(
                "org.hierarchy",
                f"branch {self.branch_id!r} was registered on {registered}; a decision about "
                f"it cannot be dated {on}",
                {"branch_id": self.branch_id, "registered_on": registered.isoformat()},
            )

    def require_active(self, rule_id: RuleId = "org.hierarchy") -> None:
        if self.ended_on is not None:
            how = f"merged into {self.merged_into!r}" if self.merged_into else "dissolved"
            raise RuleViolation(
                rule_id,
                f"branch {self.branch_id!r} was {how} on {self.ended_on}",
                {"branch_id": self.branch_id, "ended_on": self.ended_on.isoformat()},
            )

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


branch_aggregate_id, branch_key = Streams("branch", Branch).id_and_key()


@frozen(kw_only=True)
class BranchRegistered(DomainEvent[Branch]):
    """A branch enters the ledger with its base committee's first assessment (`ledger.tiers`)."""

    branch_id: str
    name: str
    sector: Sector
    base_committee_id: str
    unit_ids: tuple[str, ...]
    is_financial_institution: bool
    year: int
    tier: Tier
    split_from: str | None = None

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
            memberships=[(self.effective_on, self.base_committee_id)],
            split_from=self.split_from,
        )


@frozen(kw_only=True)
class TierAdjusted(DomainEvent[Branch]):
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
class CreationTargetSet(DomainEvent[Branch]):
    year: int
    target: Tier

    def mutate(self, branch: Branch | None) -> Branch:
        assert branch is not None
        branch.targets[self.year] = self.target
        branch.version = self.originator_version
        return branch


@frozen(kw_only=True)
class LiaisonAssigned(DomainEvent[Branch]):
    """A committee leader is contracted to the branch (包保联系人); replaces any earlier one."""

    person_id: str
    position: str
    previous_person_id: str | None

    def mutate(self, branch: Branch | None) -> Branch:
        assert branch is not None
        branch.liaison = Liaison(self.person_id, self.position)
        branch.liaison_version = self.originator_version
        branch.version = self.originator_version
        return branch


@frozen(kw_only=True)
class ProblemFound(DomainEvent[Branch]):
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
class RectificationSignedOff(DomainEvent[Branch]):
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


@frozen(kw_only=True)
class BranchRenamed(DomainEvent[Branch]):
    previous_name: str
    name: str

    def mutate(self, branch: Branch | None) -> Branch:
        assert branch is not None
        branch.name = self.name
        branch.version = self.originator_version
        return branch


@frozen(kw_only=True)
class BranchMoved(DomainEvent[Branch]):
    """Another base committee leads the branch from `effective_on`; its history goes with it
    and past years stay counted where they were."""

    from_committee_id: str
    to_committee_id: str

    def mutate(self, branch: Branch | None) -> Branch:
        assert branch is not None
        branch.memberships.append((self.effective_on, self.to_committee_id))
        branch.memberships.sort(key=lambda m: m[0])
        branch.base_committee_id = branch.memberships[-1][1]
        branch.version = self.originator_version
        return branch


@frozen(kw_only=True)
class BranchDissolved(DomainEvent[Branch]):
    """The branch ends; merged branches name the branch that took them in."""

    merged_into: str | None = None

    def mutate(self, branch: Branch | None) -> Branch:
        assert branch is not None
        branch.ended_on = self.effective_on
        branch.merged_into = self.merged_into
        branch.version = self.originator_version
        return branch


@frozen(kw_only=True)
class BranchAbsorbed(DomainEvent[Branch]):
    """Another branch merged into this one: its history is linked here and its open
    rectification cases continue here (`ledger.rectification`)."""

    absorbed_branch_id: str
    cases: tuple[RectificationCase, ...]

    def mutate(self, branch: Branch | None) -> Branch:
        assert branch is not None
        branch.absorbed.append(self.absorbed_branch_id)
        for case in self.cases:
            branch.cases[case.case_id] = case
        branch.version = self.originator_version
        return branch


@frozen(kw_only=True)
class BranchSplit(DomainEvent[Branch]):
    """New branches were founded out of this one."""

    new_branch_ids: tuple[str, ...]

    def mutate(self, branch: Branch | None) -> Branch:
        assert branch is not None
        branch.version = self.originator_version
        return branch


def rename_branch(branch: Branch, decision: Decision, *, name: str) -> BranchRenamed:
    branch.require_active()
    branch.require_registered_by(decision.effective_on)
    if not name.strip():
        raise RuleViolation("ledger.row", "a branch needs a name")
    if name.strip() == branch.name:
        raise RuleViolation("ledger.row", f"branch {branch.branch_id!r} is already named {name!r}")
    return BranchRenamed(
        **stamp(decision, branch.id, branch.version + 1),
        previous_name=branch.name,
        name=name.strip(),
    )


def move_branch(branch: Branch, decision: Decision, *, to_committee_id: str) -> BranchMoved:
    branch.require_active()
    current = branch.base_on(decision.effective_on)
    if to_committee_id == current:
        raise RuleViolation(
            "org.hierarchy", f"branch {branch.branch_id!r} is already led by {to_committee_id!r}"
        )
    if branch.memberships and decision.effective_on < branch.memberships[-1][0]:
        raise RuleViolation(
            "org.hierarchy",
            f"branch {branch.branch_id!r} already moved on {branch.memberships[-1][0]}; a move "
            "cannot be dated before it",
        )
    return BranchMoved(
        **stamp(decision, branch.id, branch.version + 1),
        from_committee_id=current,
        to_committee_id=to_committee_id,
    )


def dissolve_branch(
    branch: Branch, decision: Decision, *, merged_into: str | None = None
) -> BranchDissolved:
    branch.require_active()
    branch.require_registered_by(decision.effective_on)
    if merged_into == branch.branch_id:
        raise RuleViolation("org.hierarchy", "a branch cannot merge into itself")
    return BranchDissolved(
        **stamp(decision, branch.id, branch.version + 1), merged_into=merged_into
    )


def absorb_branch(survivor: Branch, absorbed: Branch, decision: Decision) -> BranchAbsorbed:
    """The survivor takes the absorbed branch's open cases, renamed `absorbed/case`."""
    survivor.require_active()
    survivor.require_registered_by(decision.effective_on)
    absorbed.require_registered_by(decision.effective_on)
    open_cases = tuple(
        evolve(case, case_id=f"{absorbed.branch_id}/{case.case_id}")
        for case in absorbed.cases.values()
        if case.closed_on is None
    )
    return BranchAbsorbed(
        **stamp(decision, survivor.id, survivor.version + 1),
        absorbed_branch_id=absorbed.branch_id,
        cases=open_cases,
    )


def split_branch(
    branch: Branch, decision: Decision, *, new_branch_ids: tuple[str, ...]
) -> BranchSplit:
    branch.require_active()
    branch.require_registered_by(decision.effective_on)
    if not new_branch_ids or len(set(new_branch_ids)) != len(new_branch_ids):
        raise RuleViolation("org.hierarchy", "a split founds at least one new branch, each once")
    if branch.branch_id in new_branch_ids:
        raise RuleViolation("org.hierarchy", "a branch cannot be split into itself")
    return BranchSplit(
        **stamp(decision, branch.id, branch.version + 1), new_branch_ids=new_branch_ids
    )


def _require_year(policy: Policy, year: int, rule_id: RuleId) -> None:
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
    split_from: str | None = None,
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
        split_from=split_from,
    )


def adjust_tier(
    branch: Branch, decision: Decision, policy: Policy, *, year: int, tier: Tier
) -> TierAdjusted:
    branch.require_active()
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
    branch.require_active()
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
    branch.require_active()
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
    branch.require_active()
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
    branch.require_active()
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


@frozen(kw_only=True)
class RecordCorrected(DomainEvent[Branch]):
    """A recorded fact was wrong: this names the event it corrects and the corrected values.
    Nothing is rewritten; views show the corrected value and history shows both."""

    corrects_version: int
    corrected_event: str
    year: int | None = None
    tier: Tier | None = None
    target: Tier | None = None
    case_id: str | None = None
    problem: str | None = None
    measure: str | None = None
    deadline: date | None = None
    owner_id: str | None = None
    person_id: str | None = None
    position: str | None = None

    def mutate(self, branch: Branch | None) -> Branch:
        assert branch is not None
        if self.tier is not None and self.year is not None:
            branch.tiers = [(y, t) for y, t in branch.tiers if y != self.year]
            insort(branch.tiers, (self.year, self.tier))
            if self.year in branch.results:
                branch.results[self.year] = self.tier
        if self.target is not None and self.year is not None:
            branch.targets[self.year] = self.target
        if self.case_id is not None and self.case_id in branch.cases:
            case = branch.cases[self.case_id]
            branch.cases[self.case_id] = evolve(
                case,
                problem=self.problem or case.problem,
                measure=self.measure or case.measure,
                deadline=self.deadline or case.deadline,
                owner_id=self.owner_id or case.owner_id,
            )
        if self.person_id is not None and branch.liaison_version == self.corrects_version:
            branch.liaison = Liaison(self.person_id, self.position or "")
        branch.version = self.originator_version
        return branch
