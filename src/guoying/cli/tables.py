"""Tables whose names and dates stay whole at any width: the columns that name a branch, a
committee or a date never wrap (a name cut in the middle is misread), the prose folds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.table import Table


def whole_table(title: str, columns: Sequence[tuple[str, bool]]) -> Table:
    """A table of (header, kept whole) columns, one line between rows."""
    table = Table(title=title, show_lines=True)
    for header, whole in columns:
        if whole:
            table.add_column(header, no_wrap=True)
        else:
            table.add_column(header, overflow="fold")
    return table


def add_rows(table: Table, rows: Iterable[Sequence[object]]) -> Table:
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    return table
