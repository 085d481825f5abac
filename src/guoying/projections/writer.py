"""The connection a projection writes its view rows through.

Sending each view row as its own statement was most of a rebuild's time. A `ViewWriter`
holds a batch's plain inserts and the retirements of bitemporal rows back and sends each
kind, per table, as one executemany, early enough that every other statement still sees
what came before it: an UPDATE or DELETE after its own table's pending writes, any other
statement after all of them.

A retirement at position p closes the row of its key that is still open and was known
before p (`known_from < p`). Pending inserts therefore go first: a row inserted at p or
later is never closed by a retirement at p, and each row is closed by the earliest
retirement of its key after it was known (in order, or in one set-based statement on
PostgreSQL), so each closes exactly the row that was current when its event was handled.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, CursorResult

from guoying.adapters.bulk import RETIRE_AT, insert_rows, retire_rows

Row = Mapping[str, Any]


class ViewWriter:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # Keyed by the row's columns too: one executemany needs one set of parameters.
        self._inserts: dict[tuple[str, frozenset[str]], tuple[sa.Table, list[Row]]] = {}
        self._retires: dict[tuple[str, tuple[str, ...]], tuple[sa.Table, list[Row]]] = {}

    @property
    def dialect(self) -> sa.Dialect:
        return self.conn.dialect

    def insert(self, table: sa.Table, *rows: Row) -> None:
        """Add rows to a view table; they reach the database before anything reads it."""
        for row in rows:
            self._inserts.setdefault((table.name, frozenset(row)), (table, []))[1].append(row)

    def retire(self, table: sa.Table, at: int, /, **key: object) -> None:
        """Close the open row of a bitemporal table's `key` known before store position
        `at`: the store knew it until the event at `at`. (`at` is positional only, so that
        a key may have a column named `position`, as the liaisons do.)"""
        parameters = {f"k_{name}": value for name, value in key.items()}
        parameters[RETIRE_AT] = at
        self._retires.setdefault((table.name, tuple(key)), (table, []))[1].append(parameters)

    def current(self, table: sa.Table, **key: object) -> Row | None:
        """The open row of a bitemporal table's `key`: the latest this batch inserted, if it
        inserted one, without a query; else the database's. (A pending retirement always
        has its successor pending beside it, so with none pending the database's is open.)"""
        pending = [
            row
            for (name, _), (_, rows) in self._inserts.items()
            if name == table.name
            for row in rows
            if row.get("known_to") is None and all(row[k] == v for k, v in key.items())
        ]
        if pending:
            return max(pending, key=lambda row: int(row["known_from"]))
        where = [table.c[name] == value for name, value in key.items()]
        open_row = self.conn.execute(
            sa.select(table).where(*where, table.c.known_to.is_(None))
        ).first()
        return None if open_row is None else dict(open_row._mapping)

    def read(self, table: sa.Table, query: sa.Select[Any]) -> CursorResult[Any]:
        """Run a query that reads `table` alone: only that table's pending writes go first."""
        self.flush(table.name)
        return self.conn.execute(query)

    def execute(self, statement: sa.Executable, parameters: Row | None = None) -> CursorResult[Any]:
        only = None
        if isinstance(statement, sa.Update | sa.Delete) and isinstance(statement.table, sa.Table):
            only = statement.table.name
        self.flush(only)
        return self.conn.execute(statement, parameters)

    def flush(self, only: str | None = None) -> None:
        """Send the pending writes: one table's, or every table's."""
        for key in [k for k in self._inserts if only is None or k[0] == only]:
            table, rows = self._inserts.pop(key)
            insert_rows(self.conn, table, rows)
        for retiring in [k for k in self._retires if only is None or k[0] == only]:
            table, rows = self._retires.pop(retiring)
            retire_rows(self.conn, table, retiring[1], rows)
