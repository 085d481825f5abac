"""Finding branches and committees by name (Chinese substrings)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.domain.values import Sector, Tier
from guoying.projections.ledger import tables as v
from guoying.projections.ledger.tree import (
    CommitteeRow,
    load_branches,
    load_committees,
    subtree_ids,
)


@frozen
class BranchFound:
    branch_id: str
    name: str
    sector: Sector
    base_committee_id: str
    base_committee_name: str
    tier: Tier | None
    active: bool


def find_committees(conn: Connection, name: str | None, on: date | None) -> list[CommitteeRow]:
    return sorted(
        (c for c in load_committees(conn, on).values() if name is None or name in c.name),
        key=lambda c: c.committee_id,
    )


def _tiers_for(conn: Connection, branch_ids: list[str], year: int) -> dict[str, Tier]:
    """Each branch's tier in effect for the year: its latest row up to that year only."""
    t = v.tiers
    latest = (
        sa.select(sa.func.max(v.tiers.alias("later").c.year))
        .where(
            sa.literal_column("later.branch_id") == t.c.branch_id,
            sa.literal_column("later.year") <= year,
            sa.literal_column("later.known_to").is_(None),
        )
        .scalar_subquery()
    )
    query = (
        sa.select(t.c.branch_id, t.c.tier)
        .where(t.c.branch_id.in_(branch_ids))
        .where(v.visible(t, None))
        .where(t.c.year == latest)
    )
    return {row.branch_id: Tier(row.tier) for row in conn.execute(query)}


def find_branches(
    conn: Connection,
    committees: dict[str, CommitteeRow],
    *,
    on: date,
    year: int,
    committee_id: str | None = None,
    name: str | None = None,
    sector: Sector | None = None,
    tier: Tier | None = None,
) -> list[BranchFound]:
    """Branches as they stood on a date, matched by committee subtree, name substring,
    sector and tier in effect for the year; ended branches only when named. `committees`
    is the tree as it stood on that date (`load_committees`)."""
    bases = set(subtree_ids(committees, committee_id)) if committee_id else None
    candidates = [
        b
        for b in load_branches(conn, on, bases=bases).values()
        if (bases is None or b.base_committee_id in bases)
        and (name is None or name in b.name)
        and (sector is None or b.sector is sector)
        and (b.active or name is not None)
    ]
    tiers = _tiers_for(conn, [b.branch_id for b in candidates], year)
    return sorted(
        (
            BranchFound(
                b.branch_id,
                b.name,
                b.sector,
                b.base_committee_id,
                committees[b.base_committee_id].name if b.base_committee_id in committees else "",
                tiers.get(b.branch_id),
                b.active,
            )
            for b in candidates
            if tier is None or tiers.get(b.branch_id) is tier
        ),
        key=lambda f: (f.sector.order, f.base_committee_id, f.name),
    )
