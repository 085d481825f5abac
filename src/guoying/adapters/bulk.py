"""Many rows into one table, and many bitemporal rows retired, inside the caller's
transaction, by the fastest way the database offers: on PostgreSQL one COPY and one
set-based UPDATE, else an executemany.

psycopg's executemany sends one statement per row (pipelined); a rebuild's view rows spent
most of their time there, then its retirements. On SQLite the rows go to the driver's own
executemany with the column types' conversions applied once per value: SQLAlchemy's
executemany builds the parameters of each row anew, a sixth of a rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def insert_rows(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows that all name the same columns."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        _executemany_insert(conn, table, rows)
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


# The name of a retirement's store position among its parameters: key columns go as `k_NAME`,
# so no key can take it.
RETIRE_AT = "retire_at"
Convert = Callable[[Any], Any] | None
# By the table itself: two tables of one name (a replay's) may differ in their columns' types.
PreparedInsert = tuple[tuple[str, ...], str, list[Convert]]
_INSERTS: dict[tuple[sa.Table, frozenset[str], str], PreparedInsert | None] = {}


def _executemany_insert(
    conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    prepared = _prepared_insert(conn, table, frozenset(rows[0]))
    if prepared is None:
        conn.execute(table.insert(), list(rows))
        return
    columns, text, converts = prepared
    values = [
        tuple(
            value if convert is None or value is None else convert(value)
            for value, convert in zip((row[name] for name in columns), converts, strict=True)
        )
        for row in rows
    ]
    # The same driver connection, so the rows are part of the caller's transaction.
    conn.connection.driver_connection.executemany(text, values)  # type: ignore[union-attr]


def _prepared_insert(
    conn: Connection, table: sa.Table, given: frozenset[str]
) -> PreparedInsert | None:
    """The columns in the table's order (the compiled INSERT names them so, whatever the
    rows' order), the statement and each column's conversion, made once per table and set of
    columns; None when SQLAlchemy must insert: a key the table lacks, or a Python-side
    default to fill in."""
    cache_key = (table, given, conn.dialect.name)
    if cache_key in _INSERTS:
        return _INSERTS[cache_key]
    dialect = conn.dialect
    columns = tuple(c.name for c in table.columns if c.name in given)
    prepared: PreparedInsert | None = None
    if len(columns) == len(given) and not any(
        c.default is not None for c in table.columns if c.name not in given
    ):
        text = str(table.insert().compile(dialect=dialect, column_keys=list(columns)))
        converts: list[Convert] = [
            table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
        ]
        prepared = (columns, text, converts)
    _INSERTS[cache_key] = prepared
    return prepared


def retire_rows(
    conn: Connection, table: sa.Table, key: Sequence[str], retirements: Sequence[Mapping[str, Any]]
) -> None:
    """Close the open rows of a bitemporal table: each retirement names a `key`'s values
    (`k_NAME`) and a store position (`RETIRE_AT`); it closes the open rows of that key known
    before the position. Executed in position order, each row is closed by the earliest
    retirement of its key after it was known, which is what one set-based statement gives."""
    if not retirements:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(_retire_statement(table, tuple(key)), list(retirements))
        return
    from psycopg import sql

    table_name = sql.Identifier(table.name)
    names = [*key, "known_to"]
    # Strings as TEXT: a cast to a bounded VARCHAR would cut a longer key to its prefix.
    types = [
        "TEXT"
        if isinstance(table.c[name].type, sa.String)
        else table.c[name].type.compile(dialect=conn.dialect)
        for name in names
    ]
    given = sql.SQL(", ").join(sql.SQL("%s::{}[]").format(sql.SQL(kind)) for kind in types)
    columns = sql.SQL(", ").join(sql.Identifier(name) for name in names)
    matched = sql.SQL(" AND ").join(
        sql.SQL("t.{0} = r.{0}").format(sql.Identifier(name)) for name in key
    )
    same_row = sql.SQL(" AND ").join(
        sql.SQL("{0}.{1} = closing.{1}").format(table_name, sql.Identifier(name))
        for name in [*key, "known_from"]
    )
    grouped = sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(n)) for n in key)
    statement = sql.SQL(
        "UPDATE {table} SET known_to = closing.known_to "
        "FROM (SELECT {grouped}, t.known_from, min(r.known_to) AS known_to "
        "FROM unnest({given}) AS r({columns}) JOIN {table} AS t ON {matched} "
        "AND t.known_to IS NULL AND t.known_from < r.known_to "
        "GROUP BY {grouped}, t.known_from) AS closing "
        "WHERE {same_row} AND {table}.known_to IS NULL"
    ).format(
        table=table_name,
        grouped=grouped,
        given=given,
        columns=columns,
        matched=matched,
        same_row=same_row,
    )
    arrays = [[row[f"k_{name}"] for row in retirements] for name in key]
    arrays.append([row[RETIRE_AT] for row in retirements])
    driver = conn.connection.driver_connection
    with driver.cursor() as cursor:  # type: ignore[union-attr]
        cursor.execute(statement, arrays)


_RETIRE: dict[tuple[sa.Table, tuple[str, ...]], sa.Update] = {}


def _retire_statement(table: sa.Table, names: tuple[str, ...]) -> sa.Update:
    statement = _RETIRE.get((table, names))
    if statement is None:
        statement = (
            table.update()
            .where(
                *(table.c[name] == sa.bindparam(f"k_{name}") for name in names),
                table.c.known_to.is_(None),
                table.c.known_from < sa.bindparam(RETIRE_AT),
            )
            .values(known_to=sa.bindparam(RETIRE_AT))
        )
        _RETIRE[(table, names)] = statement
    return statement
