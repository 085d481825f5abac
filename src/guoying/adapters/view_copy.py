"""View tables carried from scratch SQLite files into a SQLite store: a parallel rebuild
writes each group of projections but the calling process's into a file of its own (SQLite
has one writer), then copies them into the store inside its own write transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine


def scratch_engine(path: Path) -> Engine:
    """A SQLite file for view rows that are thrown away if anything fails: no journal and
    no syncing, since a crash leaves nothing worth keeping."""
    engine = sa.create_engine(f"sqlite:///{path}")

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode = OFF")
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.close()

    return engine


@contextmanager
def attachable(conn: Connection) -> Iterator[list[Path]]:
    """Files attached to `conn` while the block runs (`attach`) are detached when it ends:
    wrap the whole transaction in it, since SQLite detaches a file the transaction read
    only once the transaction has ended."""
    attached: list[Path] = []
    try:
        yield attached
    finally:
        if conn.in_transaction():
            conn.rollback()
        # The driver's own connection: SQLAlchemy would begin a transaction first.
        driver: Any = conn.connection.driver_connection
        for i in range(len(attached)):
            driver.execute(f"DETACH DATABASE {_alias(i)}")


def copy_from(
    conn: Connection, attached: list[Path], path: Path, tables: Sequence[sa.Table]
) -> None:
    """Attach the file at `path` to `conn` (in its transaction) and append every row of each
    table in it to the store's table of the same name, column by column by name."""
    alias = _alias(len(attached))
    driver: Any = conn.connection.driver_connection
    driver.execute(f"ATTACH DATABASE ? AS {alias}", (str(path),))
    attached.append(path)
    for table in tables:
        names = ", ".join(f'"{c.name}"' for c in table.columns)
        conn.exec_driver_sql(
            f'INSERT INTO main."{table.name}" ({names}) SELECT {names} FROM {alias}."{table.name}"'
        )


def _alias(index: int) -> str:
    return f"scratch{index}"
