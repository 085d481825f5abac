"""The connection a projection writes its view rows through.

Sending each view row as its own statement was most of a rebuild's time. A `ViewWriter`
holds a batch's plain inserts back and sends each table's as one executemany, early
enough that every other statement still sees the rows inserted before it: an UPDATE or
DELETE after its own table's pending rows, any other statement after all of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, CursorResult

Row = Mapping[str, Any]


class ViewWriter:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # Keyed by the row's columns too: one executemany needs one set of parameters.
        self._pending: dict[tuple[str, frozenset[str]], tuple[sa.Table, list[Row]]] = {}

    @property
    def dialect(self) -> sa.Dialect:
        return self.conn.dialect

    def insert(self, table: sa.Table, *rows: Row) -> None:
        """Add rows to a view table; they reach the database before anything reads it."""
        for row in rows:
            self._pending.setdefault((table.name, frozenset(row)), (table, []))[1].append(row)

    def execute(self, statement: sa.Executable, parameters: Row | None = None) -> CursorResult[Any]:
        only = None
        if isinstance(statement, sa.Update | sa.Delete) and isinstance(statement.table, sa.Table):
            only = statement.table.name
        self.flush(only)
        return self.conn.execute(statement, parameters)

    def flush(self, only: str | None = None) -> None:
        """Send the pending rows: one table's, or every table's."""
        for key in [k for k in self._pending if only is None or k[0] == only]:
            table, rows = self._pending.pop(key)
            self.conn.execute(table.insert(), rows)
