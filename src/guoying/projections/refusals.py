"""Reading the refusal log (rules.md 9a): every command refused by a rule or by authority.

The log is the store's own table, written with the refusal, so it needs no projection.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.adapters import schema
from guoying.projections.ledger.tree import load_committees, subtree_ids
from guoying.projections.reading import recorded_time


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
