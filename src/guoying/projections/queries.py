"""Reading the history of a branch and the refusal log."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.adapters import schema
from guoying.projections import ledger_views as v
from guoying.projections.history import history
from guoying.projections.ledger import NOW, Reading, load_committees, subtree_ids


def recorded_time(microseconds: int) -> datetime:
    return datetime.fromtimestamp(microseconds / 1_000_000, tz=UTC)


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


@frozen
class RefusalEntry:
    position: int
    recorded_at: datetime
    command: str
    actor_person_id: str
    actor_committee_id: str
    subject_committee_id: str | None
    rule_id: str
    message: str
    reason: str
    payload: dict[str, Any]


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


def read_refusals(conn: Connection, committee_id: str | None = None) -> list[RefusalEntry]:
    t = schema.refusals
    query = sa.select(t).order_by(t.c.id)
    if committee_id is not None:
        ids = subtree_ids(load_committees(conn), committee_id)
        query = query.where(t.c.actor_committee_id.in_(ids) | t.c.subject_committee_id.in_(ids))
    return [
        RefusalEntry(
            r.id,
            recorded_time(r.recorded_at),
            r.command,
            r.actor_person_id,
            r.actor_committee_id,
            r.subject_committee_id,
            r.rule_id,
            r.message,
            r.reason,
            json.loads(r.payload),
        )
        for r in conn.execute(query)
    ]


def store_position_at(conn: Connection, moment: datetime) -> int:
    """The last store position recorded at or before a moment (0 before the first).

    Recorded time never decreases along the store's order, so this is one index lookup.
    """
    microseconds = int(moment.timestamp() * 1_000_000)
    found = conn.execute(
        sa.select(sa.func.max(schema.events.c.id)).where(
            schema.events.c.recorded_at <= microseconds
        )
    ).scalar()
    return int(found or 0)
