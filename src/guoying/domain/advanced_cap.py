"""`ledger.advanced_cap` decided on aggregates: one `AdvancedCount` per capped committee.

The count spans branches, so it is decided here, never on a projection. Each committee from
a base committee up to its city-managed committee keeps, for every branch that ever counts
under it, the years it counts there and with which tier (its placement, `placement.py`).
Every decision that changes a placement writes the new one to each committee concerned in
the same atomic write, so two writers racing on one committee conflict on its version and
the loser is judged again. The counts per year are a fold of the placements, so they equal
a recount from the tree and the branches whatever the order decisions were recorded in.

An exception is the parent committee's own decision (`CapExceptionApproved`), for one
committee and one year; a tier carried into the next year counts again there.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import accumulate

from attrs import define, field, frozen

from guoying.domain.events import AnyEvent, DomainEvent, Streams, continued, next_version, stamp
from guoying.domain.exceptions import JurisdictionViolation, RuleViolation
from guoying.domain.organization import CommitteeMap
from guoying.domain.policy import Policy
from guoying.domain.values import Decision, Tier

# From each year on, the tier a branch counts with under one committee; None: from that year
# on it does not count there. Sorted by year, each year once, no two neighbours alike.
Placement = tuple[tuple[int, Tier | None], ...]


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


def _segments(placement: Placement) -> Iterator[tuple[int, int | None, Tier]]:
    """Each run of years the branch counts, as [start, end) with its tier."""
    for index, (year, tier) in enumerate(placement):
        end = placement[index + 1][0] if index + 1 < len(placement) else None
        if tier is not None:
            yield year, end, tier


@frozen
class ApprovedException:
    year: int
    justification: str
    approved_by_committee_id: str


@define
class AdvancedCount:
    id: str
    version: int
    committee_id: str
    # Values are replaced, never changed in place, so that a copy one container deep (the
    # store's cache) shares nothing a later event changes.
    placements: dict[str, Placement] = field(factory=dict)
    # Changes of the counts from a year on; a year's count is the sum up to it.
    active_steps: dict[int, int] = field(factory=dict)
    advanced_steps: dict[int, int] = field(factory=dict)
    approvals: dict[int, ApprovedException] = field(factory=dict)
    # The counts when the unit of work that loaded this copy began (`start_unit`).
    baseline: YearCounts = field(factory=YearCounts, eq=False)

    def counts(self) -> YearCounts:
        years = sorted(y for y in {*self.active_steps, *self.advanced_steps})
        if not years:
            return YearCounts()
        first, horizon = years[0], years[-1]
        span = range(first, horizon + 1)
        active = tuple(accumulate(self.active_steps.get(y, 0) for y in span))
        advanced = tuple(accumulate(self.advanced_steps.get(y, 0) for y in span))
        return YearCounts(first, horizon, advanced, active)

    def counted_from(self, year: int) -> list[str]:
        """The branches that count here in `year` or any later year."""
        return [
            branch_id
            for branch_id, placement in self.placements.items()
            if any(end is None or end > year for _, end, _ in _segments(placement))
        ]

    def place(self, branch_id: str, placement: Placement) -> None:
        self._step(self.placements.get(branch_id, ()), -1)
        self._step(placement, +1)
        if placement:
            self.placements[branch_id] = placement
        else:
            self.placements.pop(branch_id, None)

    def _step(self, placement: Placement, sign: int) -> None:
        active, advanced = dict(self.active_steps), dict(self.advanced_steps)
        for start, end, tier in _segments(placement):
            for steps, counted in ((active, True), (advanced, tier is Tier.ADVANCED)):
                if not counted:
                    continue
                steps[start] = steps.get(start, 0) + sign
                if end is not None:
                    steps[end] = steps.get(end, 0) - sign
        self.active_steps = {y: n for y, n in active.items() if n}
        self.advanced_steps = {y: n for y, n in advanced.items() if n}

    # The seam for counts (guoying.domain.counts.CountOwner)

    def start_unit(self) -> None:
        self.baseline = self.counts()

    def judge(self, policy: Policy) -> None:
        """Refuse a unit that takes the committee above floor(share x n) in any year without
        its parent's approval for that year: the committee now stands above its limit and
        either was within it before (fewer branches lower the limit too) or its advanced
        count went up. A committee already above its limit may keep or lower its count."""
        counts, before = self.counts(), self.baseline
        if counts.first is None or counts.horizon is None:
            return
        # A tier carries into the years after its own and counts again there (rules.md): every
        # year the policy covers is judged, not only those a decision was recorded for.
        for year in range(counts.first, max(counts.horizon, policy.last_year) + 1):
            advanced, active = counts.at(year)
            limit = policy.advanced_limit(active)
            if advanced <= limit or year in self.approvals:
                continue
            advanced_before, active_before = before.at(year)
            if advanced_before <= policy.advanced_limit(active_before) or (
                advanced > advanced_before
            ):
                raise RuleViolation(
                    "ledger.advanced_cap",
                    f"committee {self.committee_id!r} would have {advanced} advanced of "
                    f"{active} branches in {year}, above its limit of {limit} (share "
                    f"{policy.advanced_share}); an exception approved by its parent for "
                    f"{year} is needed",
                    {
                        "committee_id": self.committee_id,
                        "year": year,
                        "advanced": advanced,
                        "active": active,
                        "limit": limit,
                    },
                )


cap_key = Streams("cap", AdvancedCount).key


def tightens(before: Placement, after: Placement) -> bool:
    """Whether counting a branch with `after` instead of `before` raises its committee's
    advanced count or lowers its active count in some year: the only changes that can take
    the committee above its limit, and so the ones `judge` can refuse."""
    count = AdvancedCount("", 0, "")
    count.place("", before)
    old = count.counts()
    count.place("", after)
    new = count.counts()
    bounds = [y for c in (old, new) for y in (c.first, c.horizon) if y is not None]
    if not bounds:
        return False
    for year in range(min(bounds), max(bounds) + 1):
        (advanced, active), (advanced_before, active_before) = new.at(year), old.at(year)
        if advanced > advanced_before or active < active_before:
            return True
    return False


def _continued(count: AdvancedCount | None, event: AnyEvent) -> AdvancedCount:
    committee_id = event.originator_id.removeprefix("cap:")
    return continued(count, event, AdvancedCount, committee_id=committee_id)


@frozen(kw_only=True)
class BranchCounted(DomainEvent[AdvancedCount]):
    """From now on the branch counts under this committee in exactly these years, with
    these tiers (an empty placement: nowhere any more)."""

    committee_id: str
    branch_id: str
    placement: Placement

    def mutate(self, aggregate: AdvancedCount | None) -> AdvancedCount:
        count = _continued(aggregate, self)
        count.place(self.branch_id, self.placement)
        return count


@frozen(kw_only=True)
class CapExceptionApproved(DomainEvent[AdvancedCount]):
    """The committee's parent lets it go above `ledger.advanced_cap` in one year; the actor
    is the parent's, the reason its justification."""

    committee_id: str
    year: int

    def mutate(self, aggregate: AdvancedCount | None) -> AdvancedCount:
        count = _continued(aggregate, self)
        count.approvals = {
            **count.approvals,
            self.year: ApprovedException(self.year, self.reason, self.actor.committee_id),
        }
        return count


def count_branch(
    count: AdvancedCount | None,
    decision: Decision,
    *,
    committee_id: str,
    branch_id: str,
    placement: Placement,
) -> BranchCounted:
    return BranchCounted(
        **stamp(decision, cap_key(committee_id).id, next_version(count)),
        committee_id=committee_id,
        branch_id=branch_id,
        placement=placement,
    )


def approve_exception(
    count: AdvancedCount | None,
    view: CommitteeMap,
    decision: Decision,
    policy: Policy,
    *,
    committee_id: str,
    year: int,
) -> CapExceptionApproved:
    """`ledger.advanced_cap`: only the committee's parent (the city Organization Department
    for a city-managed committee) approves, as its own decision, for one year."""
    committee = view.get_active(committee_id)
    if committee is None:
        raise RuleViolation(
            "org.hierarchy",
            f"committee {committee_id!r} was not active on {decision.effective_on}",
            {"committee_id": committee_id},
        )
    approver = view.approver_of(committee_id)
    if approver is None or decision.actor.committee_id != approver.committee_id:
        expected = approver.committee_id if approver else "nobody"
        raise JurisdictionViolation(
            f"an exception to ledger.advanced_cap for {committee_id!r} is approved by its "
            f"parent {expected!r}, not by {decision.actor.committee_id!r}",
            {"committee_id": committee_id, "approver": expected},
        )
    if not policy.covers_year(year):
        raise RuleViolation(
            "ledger.advanced_cap",
            f"year {year} is outside policy {policy.version} "
            f"({policy.first_year}-{policy.last_year})",
            {"year": year},
        )
    if count is not None and year in count.approvals:
        raise RuleViolation(
            "ledger.advanced_cap",
            f"an exception for {committee_id!r} in {year} is already approved",
            {"committee_id": committee_id, "year": year},
        )
    return CapExceptionApproved(
        **stamp(decision, cap_key(committee_id).id, next_version(count)),
        committee_id=committee_id,
        year=year,
    )
