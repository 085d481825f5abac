"""Erasure that leaves no copy in the store's files (docs/adr/006-erasure.md)."""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from guoying.adapters import schema
from guoying.application.errors import StoreUnavailable

# Erasure waits this many rounds (SQLite: each up to busy_timeout; PostgreSQL: a tenth of a
# second each, times 100) for older readers before it says a copy may remain.
ERASE_ATTEMPTS = 3
_OLDER_SNAPSHOTS = sa.text(
    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
    "AND pid <> pg_backend_pid() AND backend_type = 'client backend' "
    "AND backend_xmin IS NOT NULL "
    "AND age(backend_xmin) >= age(CAST(CAST(:xid % 4294967296 AS text) AS xid))"
)


def scrub_erased(engine: Engine) -> None:
    """After an erasure commits, leave no copy of the erased row in the store's files
    (docs/adr/006-erasure.md). SQLite: secure_delete zeroed the row in its page, but
    older versions of that page stay in the -wal file until it is checkpointed and
    truncated. PostgreSQL: MVCC leaves the old row as a dead tuple in the table's heap
    until the table is rewritten, which VACUUM FULL does once no snapshot from before
    the erasure can still see it."""
    dialect = engine.dialect.name
    if dialect == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        _checkpoint_sqlite(engine)
    elif dialect == "postgresql":
        _vacuum_people(engine)


def _checkpoint_sqlite(engine: Engine) -> None:
    with engine.connect() as conn:
        for _ in range(ERASE_ATTEMPTS):
            # Waits (busy_timeout) for readers of older snapshots; busy = 1 if any stayed.
            busy, _, _ = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            if not busy:
                return
    raise StoreUnavailable(
        "the erasure is recorded, but another connection keeps a read transaction open "
        "on the store, so an older copy of the erased data stays in its -wal file until "
        "that connection ends; then run: sqlite3 STORE 'PRAGMA wal_checkpoint(TRUNCATE)'"
    )


def _vacuum_people(engine: Engine) -> None:
    with engine.connect() as opened:
        conn = opened.execution_options(isolation_level="AUTOCOMMIT")
        erased_by = conn.execute(sa.text("SELECT txid_current()")).scalar_one()
        for _ in range(ERASE_ATTEMPTS * 100):
            # Sessions of this database whose snapshot predates the erasure could still
            # see the old row, and VACUUM FULL would copy it into the new file.
            older = conn.execute(_OLDER_SNAPSHOTS, {"xid": int(erased_by)}).scalar_one()
            if not older:
                break
            time.sleep(0.1)
        conn.execute(sa.text("SET lock_timeout = '60s'"))
        conn.execute(sa.text(f"VACUUM (FULL) {schema.people.name}"))
        if older:
            raise StoreUnavailable(
                "the erasure is recorded, but a transaction that began before it is "
                "still open, so the old row may remain in the personal-data table's file; "
                f"run VACUUM (FULL) {schema.people.name} once it has ended"
            )
