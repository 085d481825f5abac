"""An annex as laid out on paper, independent of the file format: the title, the filing
line, a grid of cells (merged ones spanning several rows or columns) and the notes under it.
Each annex's writer builds one `Sheet`; `guoying.forms.office` renders it as XLSX or DOCX,
so the spreadsheet and the document cannot disagree about the layout."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from attrs import frozen

Value = str | int | None


@frozen
class Cell:
    """One cell of the grid, at a 0-based row and column of the table (the title and the
    filing line above it are not counted), spanning `rows` x `columns`."""

    row: int
    column: int
    value: Value
    rows: int = 1
    columns: int = 1
    header: bool = False


@frozen
class Sheet:
    """One annex on one page: `filed_by` spans the first `filed_span` columns of the filing
    line and `dated` the rest (no date cell when `dated` is empty)."""

    name: str
    title: str
    filed_by: str
    dated: str
    filed_span: int
    widths: tuple[float, ...]
    header_rows: int
    cells: tuple[Cell, ...]
    notes: str = ""

    @property
    def columns(self) -> int:
        return len(self.widths)

    @property
    def table_rows(self) -> int:
        return max((c.row + c.rows for c in self.cells), default=0)


def numbered(items: Iterable[str]) -> str:
    """Problems, measures and common problems as the annexes number them in one cell."""
    return "\n".join(f"{i}、{item}" for i, item in enumerate(items, start=1))


def header_cells(headers: Sequence[str], *, rows: int = 1) -> list[Cell]:
    """A header row of single headers, each spanning `rows` rows."""
    return [Cell(0, i, text, rows=rows, header=True) for i, text in enumerate(headers)]


def row_cells(row: int, values: Sequence[Value], start: int = 0) -> list[Cell]:
    return [Cell(row, start + i, value) for i, value in enumerate(values)]
