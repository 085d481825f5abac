"""Writes: the library's full path against a plain eventsourcing application, eventsourcing's
recorder and the driver.

The library executes commands one at a time (authority, load, decide, judge the caps, one
atomic save) on a copy of the city. The same commands go through the peer (`bench.peer`), a
plain eventsourcing `Application` on a fresh database or schema. The stored events each
command produced in the library are then inserted again, one transaction per command, by
eventsourcing's own application recorder for the same database and by the database driver
alone, each into a fresh database or schema, so that those figures are for the same bytes.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import statistics
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
import sqlalchemy as sa
from attrs import frozen
from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteDatastore

from bench import steady
from bench.datasets import pg_conninfo, pg_schema
from bench.peer import peer_env, peer_writes
from guoying import Guoying
from guoying.adapters import schema as store_schema
from guoying.adapters.serialization import CattrsMapper
from guoying.application.commands import Command
from guoying.synthetic import CityPlan, year_commands

Batches = Sequence[Sequence[StoredEvent]]


class BasePool:
    """Base committees not yet written to in this run, handed out round-robin over the
    city-managed committees, so that a sample spreads over the city and no two measurements
    write the same committee's year twice."""

    def __init__(self, plan: CityPlan) -> None:
        self.plan = plan
        by_top: dict[str, list[str]] = {}
        for base_id in plan.base_ids():
            by_top.setdefault(plan.capped_chain(base_id)[-1], []).append(base_id)
        self.by_top = by_top

    def tops(self) -> list[str]:
        return [t for t, bases in self.by_top.items() if bases]

    def take(self, count: int, *, distinct_tops: bool = False) -> list[str]:
        taken: list[str] = []
        while len(taken) < count and any(self.by_top.values()):
            for bases in self.by_top.values():
                if bases and len(taken) < count:
                    taken.append(bases.pop(0))
            if distinct_tops:
                break
        return taken

    def take_largest(self, *, minimum_branches: int) -> str | None:
        """The base committee with the most branches still free, if it has enough."""
        free = [b for bases in self.by_top.values() for b in bases]
        if not free:
            return None
        base_id = max(free, key=lambda b: len(self.plan.branches[b]))
        if len(self.plan.branches[base_id]) < minimum_branches:
            return None
        for bases in self.by_top.values():
            if base_id in bases:
                bases.remove(base_id)
        return base_id


@frozen
class WriteWork:
    """Units applied before timing (so caches are as warm as in a running service) and the
    samples timed, each a list of commands executed one at a time."""

    year_index: int
    warm: list[list[Command]]
    samples: list[list[Command]]


def plan_writes(
    plan: CityPlan, pool: BasePool, year_index: int, samples: int, bases_per_sample: int
) -> WriteWork:
    warm = [year_commands(plan, year_index, b) for b in pool.take(len(pool.tops()))]
    timed = []
    for _ in range(samples):
        bases = pool.take(bases_per_sample)
        if bases:
            timed.append([c for b in bases for c in year_commands(plan, year_index, b)])
    return WriteWork(year_index, warm, timed)


@frozen
class Timed:
    commands: int
    events: int
    seconds: float

    @property
    def commands_per_s(self) -> float:
        return self.commands / self.seconds

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds


def library_writes(url: str, work: WriteWork) -> Iterator[tuple[Timed, list[list[StoredEvent]]]]:
    """Each sample's timing and the stored events of each of its commands, sample by
    sample, with the store kept open (and its caches warm) in between."""
    mapper = CattrsMapper()
    with Guoying(url) as app:
        for unit in work.warm:
            app.execute_unit(unit)
        for sample in work.samples:
            began = time.perf_counter()
            outcomes = [app.execute(command) for command in sample]
            seconds = time.perf_counter() - began
            batches = [[mapper.to_stored_event(e) for e in o.events] for o in outcomes]
            yield Timed(len(sample), sum(map(len, batches)), seconds), batches


def _timed(batches: Batches, seconds: float) -> Timed:
    return Timed(len(batches), sum(map(len, batches)), seconds)


# SQLite


def _same_durability(datastore: SQLiteDatastore) -> None:
    """eventsourcing's pool opens WAL connections with SQLite's default synchronous=FULL,
    which is guoying's default too (docs/adr/005-durability.md); say so explicitly, so that
    the ratio is the library's overhead, not a different fsync policy."""
    pool: Any = datastore.pool
    create = pool._create_connection

    def create_connection() -> Any:
        connection = create()
        connection._sqlite_conn.execute("PRAGMA synchronous = FULL")
        return connection

    pool._create_connection = create_connection


def sqlite_recorder(folder: Path, batches: Batches) -> Timed:
    path = folder / f"recorder-{uuid.uuid4().hex[:8]}.db"
    datastore = SQLiteDatastore(str(path), originator_id_type="text")
    _same_durability(datastore)
    try:
        recorder = SQLiteApplicationRecorder(datastore)
        recorder.create_table()
        began = time.perf_counter()
        for events in batches:
            recorder.insert_events(events)
        return _timed(batches, time.perf_counter() - began)
    finally:
        datastore.close()
        _remove_sqlite(path)


def _ddl(dialect: sa.engine.Dialect) -> list[str]:
    """guoying's events table and its indexes, as the library creates them."""
    table = store_schema.events
    return [
        str(sa.schema.CreateTable(table).compile(dialect=dialect)),
        *(str(sa.schema.CreateIndex(i).compile(dialect=dialect)) for i in table.indexes),
    ]


_COLUMNS = "originator_id, originator_version, topic, state, recorded_at"


def _rows(events: Sequence[StoredEvent]) -> list[tuple[str, int, str, bytes, int]]:
    recorded_at = time.time_ns() // 1000
    return [
        (str(e.originator_id), e.originator_version, e.topic, e.state, recorded_at) for e in events
    ]


def sqlite_driver(folder: Path, batches: Batches) -> Timed:
    """sqlite3 alone: guoying's events table, WAL and synchronous=FULL as guoying's store,
    one BEGIN IMMEDIATE ... COMMIT per command."""
    path = folder / f"driver-{uuid.uuid4().hex[:8]}.db"
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        for statement in _ddl(sa.create_engine("sqlite://").dialect):
            conn.execute(statement)
        insert = f"INSERT INTO {store_schema.events.name} ({_COLUMNS}) VALUES (?, ?, ?, ?, ?)"
        began = time.perf_counter()
        for events in batches:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(insert, _rows(events))
            conn.execute("COMMIT")
        return _timed(batches, time.perf_counter() - began)
    finally:
        conn.close()
        _remove_sqlite(path)


def _sqlite_copy(url: str, folder: Path) -> str:
    """A byte copy of a SQLite store (checkpointed first, so the copy is whole)."""
    source = Path(sa.engine.make_url(url).database or "")
    with contextlib.closing(sqlite3.connect(source)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    target = folder / f"normal-{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def _remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# PostgreSQL


@contextlib.contextmanager
def _pg_recorder(admin_url: str) -> Iterator[Any]:
    # eventsourcing.postgres needs psycopg_pool, which only `make bench` installs.
    from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore

    url = sa.engine.make_url(admin_url)
    with pg_schema(admin_url, "bench_recorder") as schema:
        datastore = PostgresDatastore(
            dbname=url.database or "",
            host=url.host or "127.0.0.1",
            port=url.port or 5432,
            user=url.username or "postgres",
            password=url.password or "",
            schema=schema,
            originator_id_type="text",
        )
        try:
            recorder = PostgresApplicationRecorder(datastore)
            recorder.create_table()
            yield recorder
        finally:
            datastore.close()


def postgres_recorder(admin_url: str, batches: Batches) -> Timed:
    with _pg_recorder(admin_url) as recorder:
        began = time.perf_counter()
        for events in batches:
            recorder.insert_events(events)
        return _timed(batches, time.perf_counter() - began)


def postgres_driver(admin_url: str, batches: Batches) -> Timed:
    """psycopg alone: guoying's events table, one transaction per command."""
    with (
        pg_schema(admin_url, "bench_driver") as schema,
        psycopg.connect(
            pg_conninfo(admin_url), options=f"-csearch_path={schema}", autocommit=True
        ) as conn,
    ):
        for statement in _ddl(sa.create_engine("postgresql+psycopg://").dialect):
            conn.execute(statement)
        insert = f"INSERT INTO {store_schema.events.name} ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s)"
        began = time.perf_counter()
        for events in batches:
            with conn.transaction(), conn.cursor() as cursor:
                cursor.executemany(insert, _rows(events))
        return _timed(batches, time.perf_counter() - began)


def median_rate(timings: Sequence[Timed], attribute: str) -> float:
    return float(statistics.median(getattr(t, attribute) for t in timings))


def measure_writes(
    url: str,
    plan: CityPlan,
    work: WriteWork,
    *,
    database: str,
    folder: Path,
    admin_url: str | None,
) -> dict[str, Any]:
    """Library, the peer application, the raw recorder and the driver on each sample in
    turn, interleaved so that other work on the machine falls on all of them alike; each
    ratio from the samples' pairs (`bench.steady`)."""
    library: list[Timed] = []
    peer: list[Timed] = []
    recorder: list[Timed] = []
    driver: list[Timed] = []
    # SQLite's faster opt-in, synchronous=NORMAL, on a copy of the same city, the same
    # samples interleaved with the default's: what giving up durability would buy.
    opt_in: list[Timed] = []
    faster = (
        library_writes(_sqlite_copy(url, folder) + "?synchronous=normal", work)
        if database == "sqlite"
        else None
    )
    with (
        peer_env(database, folder, admin_url) as env,
        contextlib.closing(
            peer_writes(env, plan, work.year_index, work.warm, work.samples)
        ) as peer_samples,
    ):
        for timed, batches in library_writes(url, work):
            library.append(timed)
            peer.append(Timed(*next(peer_samples)))
            if faster is not None:
                opt_in.append(next(faster)[0])
            if database == "sqlite":
                recorder.append(sqlite_recorder(folder, batches))
                driver.append(sqlite_driver(folder, batches))
            else:
                assert admin_url is not None
                recorder.append(postgres_recorder(admin_url, batches))
                driver.append(postgres_driver(admin_url, batches))

    def figures(timings: list[Timed]) -> dict[str, Any]:
        return {
            "commands_per_s": median_rate(timings, "commands_per_s"),
            "events_per_s": median_rate(timings, "events_per_s"),
            "samples": [
                {"commands": t.commands, "events": t.events, "seconds": t.seconds} for t in timings
            ],
        }

    def ratio(a: list[Timed], b: list[Timed]) -> dict[str, Any]:
        return steady.paired(
            [(x.commands_per_s, y.commands_per_s) for x, y in zip(a, b, strict=True)]
        )

    result: dict[str, Any] = {
        "year": work.year_index,
        "commands": sum(t.commands for t in library),
        "events": sum(t.events for t in library),
        "library": figures(library),
        "peer": figures(peer),
        "raw_recorder": figures(recorder),
        "driver": figures(driver),
        "ratio_to_peer": ratio(library, peer),
        "ratio_to_recorder": ratio(library, recorder),
        "ratio_to_driver": ratio(library, driver),
    }
    if opt_in:
        result["library_synchronous_normal"] = figures(opt_in)
        result["synchronous_normal_gain"] = ratio(opt_in, library)
    return result
