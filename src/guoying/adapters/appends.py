"""What one write under the store's head does: its events inserted and bound into the chain,
and the personal data that came with them. Shared by a writer's own write and by the group a
writer applies for others (adapters/group_commit.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from attrs import define
from sqlalchemy.engine import Connection

from guoying.adapters import chain, schema
from guoying.application.ports import PersonalData

INSERT_EVENTS = schema.events.insert().returning(schema.events.c.id, sort_by_parameter_order=True)


class HeadBusy(Exception):
    """Another writer holds the store's head (raised before anything is written)."""


@define
class Append:
    """One write under the store's head lock (`SqlRecorder.appending`)."""

    conn: Connection
    recorded_at: int
    head: chain.Head
    digest_version: int = chain.WRITTEN_VERSION

    def extend(self, kind: str, rows: Sequence[Mapping[str, Any]]) -> None:
        self.head = chain.extend(self.conn, self.head, kind, rows, self.digest_version)


def event_rows(events: Sequence[Mapping[str, Any]], recorded_at: int) -> list[dict[str, Any]]:
    return [{**event, "recorded_at": recorded_at} for event in events]


def insert_events(append: Append, events: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert events (originator_id, originator_version, topic, state) at the write's
    recorded time and bind them into the chain; their positions, in order."""
    rows = event_rows(events, append.recorded_at)
    if not rows:
        return []
    # One statement for all rows, its positions returned in the rows' order.
    positions = [int(p) for p in append.conn.execute(INSERT_EVENTS, rows).scalars()]
    append.extend(chain.EVENT, [{**row, "id": p} for row, p in zip(rows, positions, strict=True)])
    return positions


def replace_people(conn: Connection, people: Sequence[PersonalData]) -> None:
    for person in people:
        conn.execute(schema.people.delete().where(schema.people.c.person_id == person.person_id))
        conn.execute(
            schema.people.insert().values(
                person_id=person.person_id, name=person.name, phone=person.phone
            )
        )
