"""Catch projections up from their tracked position.

Each batch of view rows commits in one transaction with the projection's new tracking
position, so a crash, a replay or a second process catching up at the same time changes
nothing: the tracking row is locked and re-read before a batch is applied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from guoying.adapters import schema
from guoying.adapters.serialization import decode_event
from guoying.adapters.store import SqlStore, StoredRecord
from guoying.domain.events import AnyEvent
from guoying.projections.writer import ViewWriter

BATCH = 500
Progress = Callable[[int], None]


class Projection(Protocol):
    """A read model. Raise `version` whenever its tables or handling change: a store whose
    views were built by another version has them dropped and rebuilt from the events."""

    name: str
    version: int
    metadata: sa.MetaData

    def handle(self, views: ViewWriter, record: StoredRecord, event: AnyEvent) -> None:
        """Write the view rows that follow from one event."""


def _position(conn: Connection, name: str, *, lock: bool) -> int:
    t = schema.tracking
    query = sa.select(t.c.position).where(t.c.projection == name)
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    found = conn.execute(query).scalar()
    if found is None:
        conn.execute(t.insert().values(projection=name, position=0))
        return 0
    return int(found)


def tracking_key(projection: Projection) -> str:
    return f"{projection.name}@{projection.version}"


def rebuild_lock_key(store: SqlStore) -> int:
    """The advisory lock a parallel rebuild holds on PostgreSQL."""
    return schema.advisory_key("rebuild", store.recorder.store_id)


def _after_parallel_rebuild(store: SqlStore, conn: Connection) -> None:
    """On PostgreSQL, wait for a parallel rebuild to end before locking any tracking row
    (catch-ups, serial rebuilds, dropping views).
    Its processes lock their groups' rows one after another and wait for each other
    through pipes, which the database's deadlock detector cannot see: a catch-up holding one
    group's row while waiting for another's would wait for ever (the rebuild waits for
    catch-ups in flight before it starts, `holding_catch_ups`)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock_shared(rebuild_lock_key(store))))


@contextmanager
def holding_catch_ups(store: SqlStore) -> Iterator[None]:
    """While a parallel rebuild runs: no catch-up locks a tracking row (PostgreSQL)."""
    if store.engine.dialect.name != "postgresql":
        yield
        return
    with store.engine.connect() as conn, conn.begin():
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(rebuild_lock_key(store))))
        yield


def _serialise_ddl(conn: Connection) -> None:
    """On PostgreSQL, two processes creating the same tables at once must not race."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(7742)"))


def _drop_other_versions(store: SqlStore, projection: Projection) -> None:
    t = schema.tracking
    with store.recorder.writing() as conn:
        _serialise_ddl(conn)
        stale = conn.execute(
            sa.select(t.c.projection)
            .where(
                t.c.projection.like(f"{projection.name}@%") | (t.c.projection == projection.name)
            )
            .where(t.c.projection != tracking_key(projection))
        ).all()
        if stale:
            projection.metadata.drop_all(conn)
            conn.execute(t.delete().where(t.c.projection.in_([row[0] for row in stale])))
        projection.metadata.create_all(conn)
        _position(conn, tracking_key(projection), lock=False)


def _apply_records(
    conn: Connection,
    projections: Sequence[Projection],
    positions: Sequence[int],
    records: Sequence[StoredRecord],
) -> int:
    """Hand each record to every projection behind it, each event decoded once for all of
    them, and send their view rows on `conn`; how many were applied, counting each
    projection's own."""
    views = ViewWriter(conn)
    applied = 0
    for record in records:
        event = decode_event(
            record.topic, record.state, record.originator_id, record.originator_version
        )
        for projection, position in zip(projections, positions, strict=True):
            if record.position > position:
                projection.handle(views, record, event)
                applied += 1
    views.flush()
    return applied


def _advance(conn: Connection, projections: Sequence[Projection], position: int) -> None:
    conn.execute(
        schema.tracking.update()
        .where(schema.tracking.c.projection.in_([tracking_key(p) for p in projections]))
        # A projection already past this position stays where it is.
        .where(schema.tracking.c.position < position)
        .values(position=position)
    )


def _apply_batch(
    store: SqlStore,
    conn: Connection,
    projections: Sequence[Projection],
    positions: Sequence[int],
) -> tuple[int, int, int]:
    """Apply the next batch of events to every projection behind, in this transaction. How
    many events were read, how many were applied (counting each projection's own), and the
    position reached."""
    records = store.recorder.select_records(min(positions), BATCH, conn=conn)
    applied = _apply_records(conn, projections, positions, records)
    if records:
        _advance(conn, projections, records[-1].position)
    return len(records), applied, records[-1].position if records else max(positions)


def catch_up(
    store: SqlStore, projections: Sequence[Projection], progress: Progress | None = None
) -> int:
    """Apply every event after each projection's position; how many events were applied,
    counting each projection's own."""
    for projection in projections:
        _drop_other_versions(store, projection)
    keys = [tracking_key(p) for p in projections]
    applied = 0
    while True:
        with store.recorder.writing() as conn:
            _after_parallel_rebuild(store, conn)
            positions = [_position(conn, key, lock=True) for key in keys]
            read, count, _ = _apply_batch(store, conn, projections, positions)
        if not read:
            return applied
        applied += count
        if progress is not None:
            progress(read)


def drop_views(store: SqlStore, projections: Sequence[Projection]) -> None:
    """Drop the view tables and forget their positions; the next catch-up rebuilds them."""
    with store.recorder.writing() as conn:
        _after_parallel_rebuild(store, conn)
        _serialise_ddl(conn)
        for projection in projections:
            projection.metadata.drop_all(conn)
            conn.execute(
                schema.tracking.delete().where(
                    schema.tracking.c.projection.like(f"{projection.name}@%")
                )
            )


def prepare_rebuild(store: SqlStore, projections: Sequence[Projection]) -> None:
    """Drop the tables of other versions and create this version's, outside the rebuild's
    own transaction (DDL on PostgreSQL is serialised between processes)."""
    for projection in projections:
        _drop_other_versions(store, projection)


def empty_views(conn: Connection, projections: Sequence[Projection]) -> None:
    """Lock the projections' tracking rows (a catch-up elsewhere waits) and empty their
    tables and positions, in the caller's transaction."""
    keys = [tracking_key(p) for p in projections]
    for projection, key in zip(projections, keys, strict=True):
        _position(conn, key, lock=True)
        for table in reversed(projection.metadata.sorted_tables):
            conn.execute(table.delete())
    conn.execute(
        schema.tracking.update().where(schema.tracking.c.projection.in_(keys)).values(position=0)
    )


def set_positions(conn: Connection, projections: Sequence[Projection], position: int) -> None:
    """Every projection's tracked position, after a replay up to `position`."""
    _advance(conn, projections, position)


def replay(
    store: SqlStore,
    views: Connection,
    projections: Sequence[Projection],
    *,
    stop: int | None = None,
    read: Connection | None = None,
    progress: Progress | None = None,
) -> tuple[int, int]:
    """Hand every event up to `stop` (all, when None) to every projection, writing the view
    rows on `views` and reading the events on `read` (a connection of its own per batch,
    when None). How many were applied, counting each projection's own, and the position
    of the last event read (0 when none was)."""
    positions = [0] * len(projections)
    position = applied = 0
    while records := store.recorder.select_records(position, BATCH, stop=stop, conn=read):
        applied += _apply_records(views, projections, positions, records)
        position = records[-1].position
        if progress is not None:
            progress(len(records))
    return applied, position


def rebuild(
    store: SqlStore,
    projections: Sequence[Projection],
    progress: Progress | None = None,
    *,
    stop: int | None = None,
) -> int:
    """Empty every view and replay the events (up to `stop`, all when None) into them in
    one transaction, so that a reader sees either the old views or the rebuilt ones, never
    a gap; how many events were applied, counting each projection's own."""
    prepare_rebuild(store, projections)
    with store.recorder.writing() as conn:
        # It locks tracking rows as a catch-up does, so it waits for a parallel one as well.
        _after_parallel_rebuild(store, conn)
        empty_views(conn, projections)
        applied, position = replay(
            store, conn, projections, stop=stop, read=conn, progress=progress
        )
        set_positions(conn, projections, position)
    return applied
