"""The CommitteeLedger aggregate: one per committee, owning the counts its cap is decided on.

`ledger.advanced_cap` spans branches, so it is decided here, never on a projection: every
tier decision appends a tally to the ledger of each committee from the branch's base
committee up to its city-managed committee, in the same atomic write, so two writers racing
on one committee conflict on its version and the loser is judged again.
It also holds the committee's common problems and their measures (`ledger.row`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from attrs import define, field, frozen

from guoying.domain.events import DomainEvent, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.organization import OrgTree
from guoying.domain.policy import Policy
from guoying.domain.values import CapException, Decision, Tier


def ledger_aggregate_id(committee_id: str) -> str:
    return f"ledger:{committee_id}"


@frozen
class YearCounts:
    """Advanced and active branches per year; a year past the last known carries over."""

    first: int | None = None
    horizon: int | None = None
    advanced: tuple[int, ...] = ()
    active: tuple[int, ...] = ()

    def at(self, year: int) -> tuple[int, int]:
        if self.first is None or self.horizon is None or year < self.first:
            return 0, 0
        index = min(year, self.horizon) - self.first
        return self.advanced[index], self.active[index]


@frozen
class CommonProblem:
    problem_id: str
    year: int
    problem: str
    measure: str


@frozen
class Tenure:
    """A seat on the committee's leadership, from one date to another (open: serving)."""

    person_id: str
    position: str
    since: date
    until: date | None = None


@frozen
class GrantedException:
    years: tuple[int, ...]
    exception: CapException


@define
class CommitteeLedger:
    id: str
    version: int
    committee_id: str
    # Values are tuples, replaced and never changed in place, so that a copy of the ledger
    # one container deep (the store's `clone`) shares nothing a later event changes.
    timelines: dict[str, tuple[tuple[int, Tier], ...]] = field(factory=dict)
    # The years each branch counts under this committee: [from, to) intervals, to open-ended.
    memberships: dict[str, tuple[tuple[int, int | None], ...]] = field(factory=dict)
    # The branches this committee leads directly and their names, for unique names.
    names: dict[str, str] = field(factory=dict)
    first: int | None = None
    advanced: list[int] = field(factory=list)
    active: list[int] = field(factory=list)
    exceptions: list[GrantedException] = field(factory=list)
    common_problems: dict[str, CommonProblem] = field(factory=dict)
    # The committee's leadership over time (guoying.domain.roster).
    roster: list[Tenure] = field(factory=list)

    @property
    def horizon(self) -> int | None:
        return None if self.first is None else self.first + len(self.active) - 1

    def counts(self) -> YearCounts:
        return YearCounts(self.first, self.horizon, tuple(self.advanced), tuple(self.active))

    def excepted_years(self) -> set[int]:
        """The years for which an exception was granted when it was decided."""
        return {year for granted in self.exceptions for year in granted.years}

    def covers(self, year: int) -> bool:
        """Whether an approved exception covers a count above the cap in `year`.

        An exception granted for a year also covers the later years its tiers carry into:
        any further rise above the cap needs an exception of its own (`cap_breaches`).
        """
        return any(min(granted.years) <= year for granted in self.exceptions)

    def _extend_to(self, year: int) -> None:
        if self.first is None:
            self.first, self.advanced, self.active = year, [0], [0]
            return
        if year < self.first:
            gap = self.first - year
            self.advanced[:0] = [0] * gap
            self.active[:0] = [0] * gap
            self.first = year
        while self.first + len(self.active) - 1 < year:
            self.advanced.append(self.advanced[-1])
            self.active.append(self.active[-1])

    def is_member(self, branch_id: str, year: int) -> bool:
        return any(
            start <= year and (end is None or year < end)
            for start, end in self.memberships.get(branch_id, ())
        )

    def members(self, year: int) -> list[str]:
        return [b for b in self.memberships if self.is_member(b, year)]

    def _tally(self, branch_id: str, year: int, tier: Tier) -> None:
        self._extend_to(year)
        assert self.first is not None
        if branch_id not in self.memberships:
            # A branch's first tally is its registration: it counts from that year on.
            self.timelines[branch_id] = ((year, tier),)
            self._set_membership(branch_id, year, member=True)
            return
        end = self.first + len(self.active)
        timeline = self.timelines.get(branch_id, ())
        later = [y for y, _ in timeline if y > year]
        until = later[0] if later else end
        for y in range(year, until):
            if self.is_member(branch_id, y):
                old = _tier_at(timeline, y)
                delta = (tier is Tier.ADVANCED) - (old is Tier.ADVANCED)
                self.advanced[y - self.first] += delta
        self.timelines[branch_id] = tuple(
            sorted([*(e for e in timeline if e[0] != year), (year, tier)])
        )

    def _set_membership(self, branch_id: str, year: int, *, member: bool) -> None:
        """From `year` on, the branch counts under this committee, or no longer does."""
        self._extend_to(year)
        assert self.first is not None
        timeline = self.timelines.get(branch_id, ())
        for y in range(year, self.first + len(self.active)):
            delta = member - self.is_member(branch_id, y)
            self.active[y - self.first] += delta
            if _tier_at(timeline, y) is Tier.ADVANCED:
                self.advanced[y - self.first] += delta
        kept: list[tuple[int, int | None]] = [
            (start, year if end is None or end > year else end)
            for start, end in self.memberships.get(branch_id, ())
            if start < year
        ]
        self.memberships[branch_id] = (*kept, (year, None)) if member else tuple(kept)


def _tier_at(timeline: Sequence[tuple[int, Tier]], year: int) -> Tier | None:
    found = None
    for tier_year, tier in timeline:
        if tier_year > year:
            break
        found = tier
    return found


def continued(
    ledger: CommitteeLedger | None, event: DomainEvent, committee_id: str
) -> CommitteeLedger:
    """The ledger an event of it applies to (a new one for its first), at the event's version."""
    ledger = ledger or CommitteeLedger(id=event.originator_id, version=0, committee_id=committee_id)
    ledger.version = event.originator_version
    return ledger


@frozen(kw_only=True)
class BranchTallied(DomainEvent):
    """A branch's tier for a year, counted under this committee from that year on."""

    committee_id: str
    branch_id: str
    year: int
    tier: Tier
    # Set on the base committee's tally of a registration: the new row's name.
    name: str | None = None

    def mutate(self, ledger: CommitteeLedger | None) -> CommitteeLedger:
        ledger = continued(ledger, self, self.committee_id)
        ledger._tally(self.branch_id, self.year, self.tier)
        if self.name is not None:
            ledger.names[self.branch_id] = self.name
        return ledger


@frozen(kw_only=True)
class BranchJoined(DomainEvent):
    """A branch moved into this committee's subtree counts here from `year` on, with the
    tiers it carries (its whole timeline, so later years follow its own decisions)."""

    committee_id: str
    branch_id: str
    year: int
    timeline: tuple[tuple[int, Tier], ...]
    name: str | None = None

    def mutate(self, ledger: CommitteeLedger | None) -> CommitteeLedger:
        ledger = continued(ledger, self, self.committee_id)
        ledger._extend_to(min([self.year, *(y for y, _ in self.timeline)]))
        # Years it counted elsewhere keep their own counts; only membership from `year` on
        # changes, so the timeline is taken as the branch's record and counted from there.
        ledger._set_membership(self.branch_id, self.year, member=False)
        ledger.timelines[self.branch_id] = tuple(sorted(self.timeline))
        ledger._set_membership(self.branch_id, self.year, member=True)
        if self.name is not None:
            ledger.names[self.branch_id] = self.name
        return ledger


@frozen(kw_only=True)
class BranchLeft(DomainEvent):
    """A branch no longer counts under this committee from `year` on (moved, merged or
    dissolved); the years before keep it."""

    committee_id: str
    branch_id: str
    year: int

    def mutate(self, ledger: CommitteeLedger | None) -> CommitteeLedger:
        ledger = continued(ledger, self, self.committee_id)
        ledger._set_membership(self.branch_id, self.year, member=False)
        ledger.names.pop(self.branch_id, None)
        return ledger


@frozen(kw_only=True)
class BranchNamed(DomainEvent):
    """The name a branch led directly by this committee goes by (registered or renamed)."""

    committee_id: str
    branch_id: str
    name: str

    def mutate(self, ledger: CommitteeLedger | None) -> CommitteeLedger:
        ledger = continued(ledger, self, self.committee_id)
        ledger.names[self.branch_id] = self.name
        return ledger


@frozen(kw_only=True)
class AdvancedCapExceptionRecorded(DomainEvent):
    """The committee's parent approved going above `ledger.advanced_cap` in these years."""

    committee_id: str
    years: tuple[int, ...]
    exception: CapException

    def mutate(self, ledger: CommitteeLedger | None) -> CommitteeLedger:
        ledger = continued(ledger, self, self.committee_id)
        ledger.exceptions.append(GrantedException(self.years, self.exception))
        return ledger


@frozen(kw_only=True)
class CommonProblemRecorded(DomainEvent):
    """A problem common to the committee's branches and its measure (面上共性问题)."""

    committee_id: str
    problem_id: str
    year: int
    problem: str
    measure: str

    def mutate(self, ledger: CommitteeLedger | None) -> CommitteeLedger:
        ledger = continued(ledger, self, self.committee_id)
        ledger.common_problems[self.problem_id] = CommonProblem(
            self.problem_id, self.year, self.problem, self.measure
        )
        return ledger


def _next_version(ledger: CommitteeLedger | None) -> int:
    return (ledger.version if ledger else 0) + 1


def tally(
    ledger: CommitteeLedger | None,
    decision: Decision,
    *,
    committee_id: str,
    branch_id: str,
    year: int,
    tier: Tier,
    name: str | None = None,
) -> BranchTallied:
    if name is not None:
        _require_free_name(ledger, committee_id, branch_id, name)
    return BranchTallied(
        **stamp(decision, ledger_aggregate_id(committee_id), _next_version(ledger)),
        committee_id=committee_id,
        branch_id=branch_id,
        year=year,
        tier=tier,
        name=name,
    )


def _require_free_name(
    ledger: CommitteeLedger | None, committee_id: str, branch_id: str, name: str
) -> None:
    """`ledger.row`: a name identifies a row, so two active branches of one base committee
    never share it."""
    taken = next(
        (
            other
            for other, known in (ledger.names if ledger else {}).items()
            if known == name and other != branch_id
        ),
        None,
    )
    if taken is not None:
        raise RuleViolation(
            "ledger.row",
            f"branch {taken!r} of committee {committee_id!r} is already named {name!r}",
            {"branch_id": taken, "name": name},
        )


def join(
    ledger: CommitteeLedger | None,
    decision: Decision,
    *,
    committee_id: str,
    branch_id: str,
    year: int,
    timeline: tuple[tuple[int, Tier], ...],
    name: str | None,
) -> BranchJoined:
    if name is not None:
        _require_free_name(ledger, committee_id, branch_id, name)
    return BranchJoined(
        **stamp(decision, ledger_aggregate_id(committee_id), _next_version(ledger)),
        committee_id=committee_id,
        branch_id=branch_id,
        year=year,
        timeline=timeline,
        name=name,
    )


def leave(
    ledger: CommitteeLedger | None,
    decision: Decision,
    *,
    committee_id: str,
    branch_id: str,
    year: int,
) -> BranchLeft:
    return BranchLeft(
        **stamp(decision, ledger_aggregate_id(committee_id), _next_version(ledger)),
        committee_id=committee_id,
        branch_id=branch_id,
        year=year,
    )


def name_branch(
    ledger: CommitteeLedger | None,
    decision: Decision,
    *,
    committee_id: str,
    branch_id: str,
    name: str,
) -> BranchNamed:
    """Record a directly led branch's name; refused when another active branch of the same
    base committee already has it (`ledger.row`: a name identifies a row)."""
    taken = next(
        (
            other
            for other, known in (ledger.names if ledger else {}).items()
            if known == name and other != branch_id
        ),
        None,
    )
    if taken is not None:
        raise RuleViolation(
            "ledger.row",
            f"branch {taken!r} of committee {committee_id!r} is already named {name!r}",
            {"branch_id": taken, "name": name},
        )
    return BranchNamed(
        **stamp(decision, ledger_aggregate_id(committee_id), _next_version(ledger)),
        committee_id=committee_id,
        branch_id=branch_id,
        name=name,
    )


def cap_breaches(before: YearCounts, after: CommitteeLedger, policy: Policy) -> tuple[int, ...]:
    """Years a decision takes above floor(share x n): the committee now stands above its
    limit and either was within it before (fewer branches lower the limit too) or its
    advanced count went up. A committee already above its limit by an earlier exception may
    keep or lower its count; a batch is judged on its end state.
    """
    counts = after.counts()
    if counts.first is None or counts.horizon is None:
        return ()
    breached = []
    for year in range(counts.first, counts.horizon + 1):
        advanced, active = counts.at(year)
        if advanced <= policy.advanced_limit(active):
            continue
        advanced_before, active_before = before.at(year)
        was_within = advanced_before <= policy.advanced_limit(active_before)
        if was_within or advanced > advanced_before:
            breached.append(year)
    return tuple(breached)


def judge_advanced_cap(
    tree: OrgTree,
    ledger: CommitteeLedger,
    before: YearCounts,
    decision: Decision,
    policy: Policy,
) -> AdvancedCapExceptionRecorded | None:
    """Refuse a rise above the cap unless the command carries an approved exception."""
    breached = cap_breaches(before, ledger, policy)
    if not breached:
        return None
    exception = next(
        (e for e in decision.authority.cap_exceptions if e.committee_id == ledger.committee_id),
        None,
    )
    year = breached[0]
    advanced, active = ledger.counts().at(year)
    if exception is None:
        raise RuleViolation(
            "ledger.advanced_cap",
            f"committee {ledger.committee_id!r} would have {advanced} advanced of {active} "
            f"branches in {year}, above its limit of {policy.advanced_limit(active)} "
            f"(share {policy.advanced_share}); an exception approved by its parent is needed",
            {
                "committee_id": ledger.committee_id,
                "year": year,
                "advanced": advanced,
                "active": active,
                "limit": policy.advanced_limit(active),
            },
        )
    approver = tree.approver_of(ledger.committee_id)
    if approver is None or exception.approved_by.committee_id != approver.committee_id:
        expected = approver.committee_id if approver else "nobody"
        raise RuleViolation(
            "ledger.advanced_cap",
            f"the exception for {ledger.committee_id!r} must be approved by {expected!r}, "
            f"not {exception.approved_by.committee_id!r}",
        )
    return AdvancedCapExceptionRecorded(
        **stamp(decision, ledger.id, ledger.version + 1),
        committee_id=ledger.committee_id,
        years=breached,
        exception=exception,
    )


def record_common_problem(
    ledger: CommitteeLedger | None,
    decision: Decision,
    policy: Policy,
    *,
    committee_id: str,
    problem_id: str,
    year: int,
    problem: str,
    measure: str,
) -> CommonProblemRecorded:
    if not policy.covers_year(year):
        raise RuleViolation("ledger.row", f"year {year} is outside policy {policy.version}")
    if ledger and problem_id in ledger.common_problems:
        raise RuleViolation("ledger.row", f"common problem {problem_id!r} is already recorded")
    if not problem.strip() or not measure.strip():
        raise RuleViolation("ledger.row", "a common problem needs its measure")
    return CommonProblemRecorded(
        **stamp(decision, ledger_aggregate_id(committee_id), _next_version(ledger)),
        committee_id=committee_id,
        problem_id=problem_id,
        year=year,
        problem=problem.strip(),
        measure=measure.strip(),
    )
