"""Many rows into one table inside the caller's transaction, by the fastest way the
database offers: PostgreSQL's COPY, else an executemany INSERT.

psycopg's executemany sends one INSERT per row (pipelined); a rebuild's view rows spent most
of their time there. COPY sends them as one stream.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows that all name the same columns."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), list(rows))
        return
    # Imported here: an embedder on SQLite alone never loads the PostgreSQL driver.
    from psycopg import sql

    columns = list(rows[0])
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    # The same driver connection, so the rows are part of the caller's transaction.
    driver = conn.connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row([row[column] for column in columns])
