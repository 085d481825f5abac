"""Annex 1, the ledger (过硬党支部建设工作台账), from `Guoying.ledger`: as the source lays it
out (XLSX, DOCX), as one CSV table and as JSON.

The worksheet follows the layout contract the import reads (docs/commands.md, `guoying
export`): columns A-D sector, number, name, tier; one target column per year of the plan
window; problems; measures; one result column per year; liaison, position, contact; then
the base committee (P) and the branch id (Q) that tell the rows of a rollup apart.
"""

from __future__ import annotations

from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any

from guoying.api import (
    ADDED_HEADERS,
    ANNEX_SHEET,
    LEDGER_HEADERS,
    LEDGER_NOTES,
    LEDGER_TITLE,
    SECTOR_LABELS,
    TIER_LABELS,
    Ledger,
    LedgerRow,
    Tier,
    month_label,
    to_data,
    year_label,
)
from guoying.forms.files import CsvTable, as_rows
from guoying.forms.formats import FileFormat
from guoying.forms.layout import Cell, Sheet, Value, numbered, row_cells

H = LEDGER_HEADERS
SINGLE_BEFORE = ("sector", "sequence", "name", "tier")
SINGLE_BETWEEN = ("problems", "measures")
SINGLE_AFTER = ("liaison", "position", "contact")
# What the widths are, in characters, for each kind of column.
_WIDTHS = {
    "sector": 10,
    "sequence": 6,
    "name": 26,
    "tier": 10,
    "year": 9,
    "problems": 30,
    "measures": 30,
    "liaison": 10,
    "position": 14,
    "contact": 14,
    "base_committee": 14,
    "branch_id": 18,
}
# The date on the filing line takes the last five columns (M..Q with a three-year window).
_DATE_SPAN = 5


def _tier(tier: Tier | None) -> str | None:
    return TIER_LABELS[tier] if tier is not None else None


def ledger_headers(window: tuple[int, ...]) -> list[str]:
    """The worksheet's headers, column by column, as row 3 holds them (a year column under
    a merged header repeats it) - what an import matches."""
    return [
        *(H[k] for k in SINGLE_BEFORE),
        *([H["target"]] * len(window)),
        *(H[k] for k in SINGLE_BETWEEN),
        *([H["result"]] * len(window)),
        *(H[k] for k in SINGLE_AFTER),
        ADDED_HEADERS["base_committee"],
        ADDED_HEADERS["branch_id"],
    ]


def _row_values(ledger: Ledger, row: LedgerRow) -> list[Value]:
    """A data row from column B on (A is the sector, merged over its section)."""
    return [
        row.sequence,
        row.name,
        _tier(row.tier),
        *(_tier(row.targets.get(y)) for y in ledger.window),
        numbered(row.problems),
        numbered(row.measures),
        *(_tier(row.results.get(y)) for y in ledger.window),
        row.liaison_name,
        row.liaison_position,
        row.liaison_contact,
        row.base_committee_id,
        row.branch_id,
    ]


def ledger_sheet(ledger: Ledger, *, written_on: date) -> Sheet:
    """Annex 1 as the source lays it out: title; the filing committee and the month the
    form was written; the two-row header with 创建目标 and 年度考评结果 merged over their
    years; the sector sections with the sector merged down its rows; the common problems
    and their measures of the year; the notes."""
    years = len(ledger.window)
    target_at = len(SINGLE_BEFORE)
    result_at = target_at + years + len(SINGLE_BETWEEN)
    cells: list[Cell] = []
    for column, text in enumerate(ledger_headers(ledger.window)):
        if target_at <= column < target_at + years or result_at <= column < result_at + years:
            continue
        cells.append(Cell(0, column, text, rows=2, header=True))
    for start, key in ((target_at, "target"), (result_at, "result")):
        cells.append(Cell(0, start, H[key], columns=years, header=True))
        cells += [
            Cell(1, start + i, year_label(y), header=True) for i, y in enumerate(ledger.window)
        ]
    row = 2
    for sector, section in groupby(ledger.rows, key=lambda r: r.sector):
        rows = list(section)
        cells.append(Cell(row, 0, SECTOR_LABELS[sector], rows=len(rows)))
        for entry in rows:
            cells += row_cells(row, _row_values(ledger, entry), start=1)
            row += 1
    width = len(ledger_headers(ledger.window))
    common = [p for p in ledger.common_problems if p.year == ledger.year]
    for key, texts in (
        ("common_problems", [p.problem for p in common]),
        ("common_measures", [p.measure for p in common]),
    ):
        cells.append(Cell(row, 0, H[key], columns=3, header=True))
        cells.append(Cell(row, 3, numbered(texts), columns=width - 3))
        row += 1
    widths = [
        *(_WIDTHS[k] for k in SINGLE_BEFORE),
        *([_WIDTHS["year"]] * years),
        *(_WIDTHS[k] for k in SINGLE_BETWEEN),
        *([_WIDTHS["year"]] * years),
        *(_WIDTHS[k] for k in SINGLE_AFTER),
        _WIDTHS["base_committee"],
        _WIDTHS["branch_id"],
    ]
    return Sheet(
        name=ANNEX_SHEET.format(number=1),
        title=LEDGER_TITLE,
        filed_by=f"{H['filed_by']}：{ledger.committee.name}",
        dated=month_label(written_on),
        filed_span=width - _DATE_SPAN,
        widths=tuple(float(w) for w in widths),
        header_rows=2,
        cells=tuple(cells),
        notes=LEDGER_NOTES,
    )


def ledger_table(ledger: Ledger) -> CsvTable:
    """Annex 1 as one CSV table: the form's columns (a year's target or result headed
    创建目标2017), then the base committee, the branch and liaison ids, and the branch's
    rectification cases open, overdue and closed, each a number in its own column."""
    header = [
        *(H[k] for k in SINGLE_BEFORE),
        *(f"{H['target']}{y}" for y in ledger.window),
        *(H[k] for k in SINGLE_BETWEEN),
        *(f"{H['result']}{y}" for y in ledger.window),
        *(H[k] for k in SINGLE_AFTER),
        *(
            ADDED_HEADERS[k]
            for k in (
                "base_committee",
                "branch_id",
                "liaison_id",
                "cases_open",
                "cases_overdue",
                "cases_closed",
            )
        ),
    ]
    rows = [
        [
            SECTOR_LABELS[r.sector],
            *["" if v is None else v for v in _row_values(ledger, r)],
            r.liaison_id or "",
            r.cases_open,
            r.cases_overdue,
            r.cases_closed,
        ]
        for r in ledger.rows
    ]
    return CsvTable(tuple(header), as_rows(rows))


def ledger_data(ledger: Ledger) -> dict[str, Any]:
    """The ledger as `guoying ledger --format json` prints it: the view, the shares and the
    branches without a liaison."""
    data: dict[str, Any] = to_data(ledger)
    data["figures"]["advanced_share"] = ledger.figures.advanced_share
    data["figures"]["weak_share"] = ledger.figures.weak_share
    data["without_liaison"] = [row.branch_id for row in ledger.without_liaison]
    return data


def write_ledger(
    path: Path, ledger: Ledger, file_format: FileFormat, *, written_on: date, bom: bool = False
) -> None:
    """Write Annex 1 to `path` whole or not at all."""
    # The office writers (openpyxl, python-docx) are imported by the files that need them,
    # not by the tables and JSON the command line prints from this module.
    from guoying.forms.office import write_form

    write_form(
        path,
        file_format,
        sheets=lambda: [ledger_sheet(ledger, written_on=written_on)],
        table=lambda: ledger_table(ledger),
        data=lambda: ledger_data(ledger),
        bom=bom,
    )
