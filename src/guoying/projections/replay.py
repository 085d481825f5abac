"""Replay checks: rebuild every projection from the events into fresh tables elsewhere and
compare them with the views the store keeps incrementally (rules.md section 10, item 6).

Both sides are read in primary-key order and compared row by row, so memory stays flat
however long the history; nothing is written to the store.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection, Engine

from guoying.adapters import schema
from guoying.adapters.serialization import decode_event
from guoying.adapters.store import SqlStore
from guoying.application.errors import StoreDamaged
from guoying.projections.runner import BATCH, Progress, Projection, tracking_key
from guoying.projections.writer import ViewWriter


@frozen
class Difference:
    table: str
    key: tuple[str, ...]
    kept: tuple[str, ...] | None
    rebuilt: tuple[str, ...] | None


def _normal(value: Any) -> str:
    """Compare across databases: booleans as 0/1, dates as ISO text, bytes as hex."""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return "" if value is None else str(value)


def _rows(conn: Connection, table: sa.Table) -> Iterator[tuple[str, ...]]:
    keys = list(table.primary_key.columns)
    result = conn.execution_options(yield_per=BATCH).execute(sa.select(table).order_by(*keys))
    for row in result:
        yield tuple(_normal(value) for value in row)


def _key(table: sa.Table, row: tuple[str, ...]) -> tuple[str, ...]:
    names = [c.name for c in table.columns]
    return tuple(row[names.index(c.name)] for c in table.primary_key.columns)


def _compare(
    table: sa.Table,
    kept: Iterator[tuple[str, ...]],
    rebuilt: Iterator[tuple[str, ...]],
    limit: int,
) -> list[Difference]:
    found: list[Difference] = []
    left, right = next(kept, None), next(rebuilt, None)
    while (left is not None or right is not None) and len(found) < limit:
        if left == right:
            left, right = next(kept, None), next(rebuilt, None)
            continue
        left_key = _key(table, left) if left is not None else None
        right_key = _key(table, right) if right is not None else None
        if left_key == right_key:
            assert left_key is not None
            found.append(Difference(table.name, left_key, left, right))
            left, right = next(kept, None), next(rebuilt, None)
        elif right_key is None or (left_key is not None and left_key < right_key):
            assert left_key is not None
            found.append(Difference(table.name, left_key, left, None))
            left = next(kept, None)
        else:
            found.append(Difference(table.name, right_key, None, right))
            right = next(rebuilt, None)
    return found


def _undecodable(position: int, topic: str, error: Exception) -> Difference:
    first = (str(error).splitlines() or [type(error).__name__])[0]
    return Difference(
        schema.events.name,
        (str(position),),
        (topic, "stored"),
        (topic, f"cannot be replayed: {type(error).__name__}: {first[:200]}"),
    )


def _replay_into(
    store: SqlStore,
    scratch: Engine,
    projection: Projection,
    upto: int,
    progress: Progress | None,
) -> list[Difference]:
    """Replay every event up to `upto` into fresh tables; each event that cannot be read or
    decoded is skipped and listed, since that is a finding, not a reason to stop."""
    projection.metadata.create_all(scratch)
    found: list[Difference] = []
    position = 0
    while position < upto:
        try:
            records = store.recorder.select_records(position, BATCH, stop=upto)
        except StoreDamaged as damaged:
            if damaged.position is None:
                raise
            # Replay the rows before the damaged one; once none is left, list it and go on
            # after it.
            records = store.recorder.select_records(position, BATCH, stop=damaged.position - 1)
            if not records:
                found.append(_undecodable(damaged.position, "?", damaged))
                position = damaged.position
                continue
        if not records:
            break
        with scratch.begin() as conn:
            for record in records:
                # Each event's rows are sent before the next event is handled: a check
                # independent of the batching that catch-up and rebuild do.
                views = ViewWriter(conn)
                try:
                    event = decode_event(
                        record.topic, record.state, record.originator_id, record.originator_version
                    )
                    projection.handle(views, record, event)
                except Exception as error:  # noqa: BLE001 - any event that fails is listed
                    found.append(_undecodable(record.position, record.topic, error))
                    continue
                views.flush()
        position = records[-1].position
        if progress is not None:
            progress(len(records))
    return found


def replay_check(
    store: SqlStore,
    projections: Sequence[Projection],
    progress: Progress | None = None,
    limit: int = 100,
) -> list[Difference]:
    """Every difference (up to `limit`) between the kept views and a fresh replay of every
    event in the store: views behind the store's last event are a difference too (they
    were compared only up to their own position before, so views stuck behind looked
    equal), as is each event that cannot be decoded."""
    differences: list[Difference] = []
    end = store.recorder.max_notification_id() or 0
    with tempfile.TemporaryDirectory(prefix="guoying-replay-") as folder:
        scratch = sa.create_engine(f"sqlite:///{Path(folder) / 'replay.db'}")
        try:
            for projection in projections:
                with store.engine.connect() as conn:
                    kept_upto = conn.execute(
                        sa.select(schema.tracking.c.position).where(
                            schema.tracking.c.projection == tracking_key(projection)
                        )
                    ).scalar()
                if kept_upto is None and not _has_tables(store, projection):
                    continue  # never caught up: there is nothing kept to compare
                if int(kept_upto or 0) < end:
                    differences.append(
                        Difference(
                            schema.tracking.name,
                            (tracking_key(projection),),
                            (f"views at position {int(kept_upto or 0)}",),
                            (f"the store at position {end} (the views are behind)",),
                        )
                    )
                undecodable = _replay_into(store, scratch, projection, end, progress)
                differences += [d for d in undecodable if d not in differences]
                for table in projection.metadata.sorted_tables:
                    with store.engine.connect() as kept, scratch.connect() as rebuilt:
                        differences += _compare(
                            table,
                            _rows(kept, table),
                            _rows(rebuilt, table),
                            limit - len(differences),
                        )
        finally:
            scratch.dispose()
    return differences[:limit]


def _has_tables(store: SqlStore, projection: Projection) -> bool:
    with store.engine.connect() as conn:
        inspector = sa.inspect(conn)
        return all(inspector.has_table(t.name) for t in projection.metadata.sorted_tables)
