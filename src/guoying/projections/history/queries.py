"""Reading the history of a branch, with the branches merged into it."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.projections.history.tables import history
from guoying.projections.ledger import tables as v
from guoying.projections.reading import NOW, Reading, recorded_time


@frozen
class HistoryEntry:
    """One decision on a branch; `branch_id` differs from the branch asked for when the
    entry comes from a branch merged into it (its history goes with it)."""

    position: int
    branch_id: str
    version: int
    event: str
    year: int | None
    detail: dict[str, Any]
    actor_person_id: str
    actor_committee_id: str
    reason: str
    rule_ids: tuple[str, ...]
    policy_version: str
    effective_on: date
    recorded_at: datetime


def _with_merged(conn: Connection, branch_id: str) -> list[str]:
    """The branch and every branch merged into it, directly or through others."""
    found, frontier = [branch_id], [branch_id]
    while frontier:
        absorbed = conn.execute(
            sa.select(v.branches.c.branch_id).where(v.branches.c.merged_into.in_(frontier))
        ).scalars()
        frontier = [b for b in absorbed if b not in found]
        found += frontier
    return found


def read_history(conn: Connection, branch_id: str, reading: Reading = NOW) -> list[HistoryEntry]:
    query = (
        sa.select(history)
        .where(history.c.branch_id.in_(_with_merged(conn, branch_id)))
        .order_by(history.c.position)
    )
    if reading.cut is not None:
        query = query.where(history.c.position <= reading.cut)
    if reading.as_of is not None:
        query = query.where(history.c.effective_on <= reading.as_of)
    rows = conn.execute(query)
    return [
        HistoryEntry(
            r.position,
            r.branch_id,
            r.version,
            r.event,
            r.year,
            json.loads(r.detail),
            r.actor_person_id,
            r.actor_committee_id,
            r.reason,
            tuple(filter(None, r.rule_ids.split(","))),
            r.policy_version,
            r.effective_on,
            recorded_time(r.recorded_at),
        )
        for r in rows
    ]
