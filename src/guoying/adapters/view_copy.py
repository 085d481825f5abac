"""View tables carried from scratch SQLite files into a SQLite store: a parallel rebuild
writes each group of projections into a file of its own (SQLite has one writer), then all of
them are copied into the store in one write transaction.
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
def attached(engine: Engine, paths: Sequence[Path]) -> Iterator[tuple[Connection, list[str]]]:
    """A connection of the store's with each file attached (as `group0`, `group1`, ...),
    marked as a writer's, so that its transaction takes the write lock up front. The files
    are attached before the transaction begins and detached after it ends."""
    aliases = [f"group{i}" for i in range(len(paths))]
    with engine.connect() as conn:
        conn.execution_options(guoying_write=True)
        # The driver's own connection: SQLAlchemy would begin a transaction first.
        driver: Any = conn.connection.driver_connection
        done: list[str] = []
        try:
            for alias, path in zip(aliases, paths, strict=True):
                driver.execute(f"ATTACH DATABASE ? AS {alias}", (str(path),))
                done.append(alias)
            yield conn, aliases
        finally:
            if conn.in_transaction():
                conn.rollback()
            for alias in done:
                driver.execute(f"DETACH DATABASE {alias}")


def copy_tables(conn: Connection, alias: str, tables: Sequence[sa.Table]) -> None:
    """Append every row of each table in the attached file `alias` to the store's table of
    the same name, column by column by name."""
    for table in tables:
        names = ", ".join(f'"{c.name}"' for c in table.columns)
        conn.exec_driver_sql(
            f'INSERT INTO main."{table.name}" ({names}) SELECT {names} FROM {alias}."{table.name}"'
        )
