"""Tier figures of a committee's subtree in a year (`ledger.weak_share`), from each active
branch's tier timeline."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.domain.policy import Policy
from guoying.domain.values import Tier
from guoying.projections.ledger import tables as v
from guoying.projections.ledger.tree import BranchRow, CommitteeRow, load_branches, subtree_ids
from guoying.projections.reading import NOW, Reading, business_date


@frozen
class TierFigures:
    """Tier counts and shares of one committee's subtree in one year (`ledger.weak_share`)."""

    committee_id: str
    year: int
    active: int
    counts: dict[Tier, int]
    advanced_limit: int
    weak_limit: int | None

    @property
    def advanced_share(self) -> float:
        return self.counts[Tier.ADVANCED] / self.active if self.active else 0.0

    @property
    def weak_share(self) -> float:
        return self.counts[Tier.WEAK] / self.active if self.active else 0.0


def tier_in(timeline: list[tuple[int, Tier, bool]], year: int) -> Tier | None:
    found = None
    for tier_year, tier, _ in timeline:
        if tier_year > year:
            break
        found = tier
    return found


def tier_timelines(
    conn: Connection,
    base_ids: Iterable[str],
    year: int,
    reading: Reading = NOW,
    since: int | None = None,
) -> tuple[list[BranchRow], dict[str, list[tuple[int, Tier, bool]]]]:
    """The active branches under the base committees at the end of a year, and their tiers
    from the one in effect in `since` (by default `year`) up to `year`: older ones are not
    read, so a reading costs the same however many years of history lie behind it."""
    bases = set(base_ids)
    rows = [
        branch
        for branch in load_branches(conn, business_date(year, reading), reading.cut, bases).values()
        if branch.active and branch.base_committee_id in bases and branch.registered_year <= year
    ]
    t, earlier = v.tiers, v.tiers.alias("earlier")
    first = sa.select(sa.func.max(earlier.c.year)).where(
        earlier.c.branch_id == t.c.branch_id,
        earlier.c.year <= (year if since is None else since),
        v.visible(earlier, reading.cut),
    )
    query = (
        v.of_branches(t, [r.branch_id for r in rows], reading.cut)
        .where(t.c.year <= year)
        .order_by(t.c.branch_id, t.c.year)
    )
    if reading.as_of is not None:
        query = query.where(t.c.effective_on <= reading.as_of)
        first = first.where(earlier.c.effective_on <= reading.as_of)
    query = query.where(t.c.year >= sa.func.coalesce(first.scalar_subquery(), 0))
    timelines: dict[str, list[tuple[int, Tier, bool]]] = defaultdict(list)
    for row in conn.execute(query):
        timelines[row.branch_id].append((row.year, Tier(row.tier), bool(row.is_evaluation)))
    return rows, timelines


def figures(
    conn: Connection,
    committees: dict[str, CommitteeRow],
    committee_id: str,
    year: int,
    policy: Policy,
    reading: Reading = NOW,
) -> TierFigures:
    ids = subtree_ids(committees, committee_id)
    branch_rows, timelines = tier_timelines(conn, ids, year, reading)
    return figures_of(committee_id, year, branch_rows, timelines, policy)


def figures_of(
    committee_id: str,
    year: int,
    branch_rows: Sequence[BranchRow],
    timelines: dict[str, list[tuple[int, Tier, bool]]],
    policy: Policy,
) -> TierFigures:
    counts: Counter[Tier] = Counter(dict.fromkeys(Tier, 0))
    for row in branch_rows:
        tier = tier_in(timelines[str(row.branch_id)], year)
        if tier is not None:
            counts[tier] += 1
    active = len(branch_rows)
    weak_limit = None if policy.weak_share is None else int(policy.weak_share * active)
    return TierFigures(
        committee_id, year, active, dict(counts), policy.advanced_limit(active), weak_limit
    )
