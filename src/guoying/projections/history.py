"""The history projection: every decision on a branch, in order, with who, why and when."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy import Column, Date, Integer, Table, Text

from guoying.adapters.schema import Position
from guoying.adapters.serialization import CONVERTER
from guoying.adapters.store import StoredRecord
from guoying.domain.events import AnyEvent
from guoying.projections.writer import ViewWriter

metadata = sa.MetaData()
_META_FIELDS = {
    "originator_id",
    "originator_version",
    "actor",
    "authority",
    "reason",
    "effective_on",
}

history = Table(
    "view_history",
    metadata,
    Column("position", Position, primary_key=True, autoincrement=False),
    Column("branch_id", Text, nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("event", Text, nullable=False),
    Column("year", Integer),
    Column("detail", Text, nullable=False),
    Column("actor_person_id", Text, nullable=False),
    Column("actor_committee_id", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("rule_ids", Text, nullable=False),
    Column("policy_version", Text, nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("recorded_at", sa.BigInteger, nullable=False),
)


class HistoryProjection:
    name = "history"
    version = 1
    metadata = metadata

    def handle(self, views: ViewWriter, record: StoredRecord, event: AnyEvent) -> None:
        if not event.originator_id.startswith("branch:"):
            return
        detail = {
            key: value
            for key, value in CONVERTER.unstructure(event).items()
            if key not in _META_FIELDS
        }
        views.insert(
            history,
            {
                "position": record.position,
                "branch_id": event.originator_id.removeprefix("branch:"),
                "version": event.originator_version,
                "event": type(event).__name__,
                "year": detail.get("year"),
                "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
                "actor_person_id": event.actor.person_id,
                "actor_committee_id": event.actor.committee_id,
                "reason": event.reason,
                "rule_ids": ",".join(event.authority.rule_ids),
                "policy_version": event.authority.policy_version,
                "effective_on": event.effective_on,
                "recorded_at": record.recorded_at,
            },
        )
