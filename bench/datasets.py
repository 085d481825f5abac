"""Synthetic stores, generated once and cached, and fresh copies of them to measure on.

A data set is a SQLite store built by `guoying.synthetic` through the library's own
commands, with its views caught up, cached under `bench/.cache` by generator version, seed,
size and years. A longer history is grown from the shorter one (the same branches, more
years). Each measurement works on a fresh copy: a SQLite file copied with the backup API,
or the same tables copied into a PostgreSQL schema of its own with COPY, dropped afterwards.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import psycopg
import sqlalchemy as sa
from attrs import frozen
from psycopg import sql

from guoying import Guoying
from guoying.adapters import schema as store_schema
from guoying.api import PROJECTIONS
from guoying.domain.legacy import LAYOUT
from guoying.synthetic import CitySpec, build_parallel, plan_city

Log = Callable[[str], None]


def log(message: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def store_fingerprint() -> str:
    """A short hash of the store's and the views' table definitions, the projections'
    versions and the streams' layout: a cached store written by a library whose tables,
    projections or streams have changed since is generated again rather than misread,
    rebuilt or refused (a 0.1 layout waits for `migrate`) while being measured."""
    dialect = sa.create_engine("sqlite://").dialect
    tables = [
        t
        for m in (store_schema.store_metadata, *(p.metadata for p in PROJECTIONS))
        for t in m.sorted_tables
    ]
    ddl = [str(sa.schema.CreateTable(t).compile(dialect=dialect)) for t in tables]
    ddl += [
        str(sa.schema.CreateIndex(i).compile(dialect=dialect))
        for t in tables
        for i in sorted(t.indexes, key=lambda i: str(i.name))
    ]
    ddl += [f"{p.name}@{p.version}" for p in PROJECTIONS]
    ddl.append(f"layout@{LAYOUT}")
    return hashlib.sha256("\n".join(ddl).encode()).hexdigest()[:8]


def cache_path(cache: Path, spec: CitySpec, years: int) -> Path:
    return cache / f"{spec.key}-t{store_fingerprint()}-h{years}.db"


def backup(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite store (WAL included), written to `target`."""
    target.unlink(missing_ok=True)
    with (
        contextlib.closing(sqlite3.connect(source)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst)


@frozen
class Family:
    """One city grown to several history sizes."""

    spec: CitySpec
    years: tuple[int, ...]


def ensure_family(family: Family, cache: Path, *, workers: int | None = None) -> dict[int, Path]:
    """The cached stores of a family, generating the missing ones (views caught up), each
    year's base committees shared among `workers` processes (all cores by default; no more
    than the city has counties, and one means in this process)."""
    cache.mkdir(parents=True, exist_ok=True)
    paths = {y: cache_path(cache, family.spec, y) for y in family.years}
    missing = [y for y in family.years if not paths[y].exists()]
    if not missing:
        return paths
    have = [y for y in family.years if paths[y].exists() and y < min(missing)]
    start = max(have, default=0)
    work = cache / f"{family.spec.key}.building-{uuid.uuid4().hex[:8]}.db"
    if start:
        backup(paths[start], work)
    plan = plan_city(family.spec)
    workers = workers or os.cpu_count() or 2
    try:
        for years in sorted(family.years):
            if years <= start:
                continue
            began = time.perf_counter()
            report = build_parallel(
                sqlite_url(work), plan, years=years, start=start, workers=workers
            )
            built = time.perf_counter() - began
            began = time.perf_counter()
            with Guoying(sqlite_url(work)) as app:
                app.catch_up()
            who = (
                "in this process"
                if report.workers == 1
                else f"by {report.workers} worker processes"
            )
            log(
                f"generated {family.spec.key} to {years} years {who}: {report.commands:,} "
                f"commands, {report.events:,} events in {built:.0f} s "
                f"({report.events / built:,.0f} events/s through execute_unit); views "
                f"caught up in {time.perf_counter() - began:.0f} s"
            )
            start = years
            if not paths[years].exists():
                partial = paths[years].with_suffix(".partial")
                backup(work, partial)
                partial.replace(paths[years])
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}{suffix}").unlink(missing_ok=True)
    return paths


def ensure_all(families: Sequence[Family], cache: Path, *, parallel: bool = True) -> None:
    """Generate what is missing. A family whose city has several counties is generated
    with every core (`ensure_family`), one family after another; when none has (each
    would be built in one process), the families are generated side by side, one per
    core, as the independent stores they are."""
    todo = [f for f in families if not all(cache_path(cache, f.spec, y).exists() for y in f.years)]
    if not todo:
        return
    log(f"generating {len(todo)} data set famil{'y' if len(todo) == 1 else 'ies'} into {cache}")
    splits = any(len(plan_city(f.spec).bases_by_county()) > 1 for f in todo)
    if len(todo) == 1 or not parallel or splits:
        for family in todo:
            ensure_family(family, cache, workers=None if parallel else 1)
        return
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        for result in [pool.submit(ensure_family, f, cache, workers=1) for f in todo]:
            result.result()


def freshen(paths: Sequence[Path]) -> None:
    """Bring the views of cached stores up to the library's projection versions (a no-op
    when they are current), so that no measurement pays for a rebuild it did not ask for."""
    for path in paths:
        began = time.perf_counter()
        with Guoying(sqlite_url(path)) as app:
            applied = app.catch_up()
        took = time.perf_counter() - began
        if applied:
            log(f"brought the views of {path.name} up to date in {took:.0f} s")


def count_events(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {store_schema.events.name}").fetchone()[0])


# PostgreSQL


def pg_schema_url(admin_url: str, schema: str) -> str:
    url = sa.engine.make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def pg_conninfo(admin_url: str) -> str:
    """The psycopg connection string of a SQLAlchemy PostgreSQL URL."""
    url = sa.engine.make_url(admin_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def postgres_answers(admin_url: str) -> str | None:
    """None when the server answers, otherwise why not."""
    try:
        with psycopg.connect(pg_conninfo(admin_url), connect_timeout=3):
            return None
    except psycopg.Error as error:
        return str(error).splitlines()[0]


@contextlib.contextmanager
def pg_schema(admin_url: str, prefix: str = "bench") -> Iterator[str]:
    """A fresh schema, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_conninfo(admin_url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(pg_conninfo(admin_url), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(name)))


def copy_to_postgres(source: Path, admin_url: str, schema: str) -> int:
    """Copy a SQLite store's tables (events, views, tracking...) into a PostgreSQL schema,
    creating them as the library does; the number of rows copied."""
    url = pg_schema_url(admin_url, schema)
    with Guoying(url) as app:  # creates the store's tables
        metadata = [store_schema.store_metadata, *(p.metadata for p in app.projections)]
        with app.store.engine.begin() as conn:
            for meta in metadata[1:]:
                meta.create_all(conn)
    tables = [t for meta in metadata for t in meta.sorted_tables]
    copied = 0
    with (
        contextlib.closing(sqlite3.connect(source)) as lite,
        psycopg.connect(pg_conninfo(admin_url), options=f"-csearch_path={schema}") as pg,
    ):
        present = {
            r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        for table in tables:
            if table.name not in present:
                continue
            columns = [c.name for c in table.columns]
            names = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
            pg.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(table.name)))
            rows = lite.execute(f"SELECT {', '.join(columns)} FROM {table.name}")
            statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table.name), names)
            with pg.cursor().copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
                    copied += 1
            for column in table.primary_key.columns:
                if column.autoincrement is True or (
                    column.autoincrement == "auto" and len(table.primary_key.columns) == 1
                ):
                    sequence = pg.execute(
                        "SELECT pg_get_serial_sequence(%s, %s)", (table.name, column.name)
                    ).fetchone()
                    if sequence and sequence[0]:
                        pg.execute(
                            sql.SQL(
                                "SELECT setval(%s, coalesce((SELECT max({}) FROM {}), 0) + 1, "
                                "false)"
                            ).format(sql.Identifier(column.name), sql.Identifier(table.name)),
                            (sequence[0],),
                        )
        pg.commit()
        pg.autocommit = True
        for table in tables:
            pg.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table.name)))
    return copied
