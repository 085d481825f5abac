"""Annex 2, the three-year cultivation plan (红旗党支部三年培树计划推进表), from
`Guoying.cultivation_plan`: as the source lays it out (XLSX, DOCX), as one CSV table and as
JSON. The year is merged down its rows as the source's 2017年/2018年/2019年 sections are;
guoying adds the batch and the branch id after the source's columns."""

from __future__ import annotations

from datetime import date
from itertools import groupby
from pathlib import Path
from typing import Any

from guoying.api import (
    ADDED_HEADERS,
    ANNEX_SHEET,
    BATCH_LABELS,
    CULTIVATION_HEADERS,
    CULTIVATION_NOTES,
    CULTIVATION_TITLE,
    CultivationLine,
    CultivationPlanView,
    month_label,
    to_data,
    year_label,
)
from guoying.forms.files import CsvTable, as_rows
from guoying.forms.formats import FileFormat
from guoying.forms.layout import Cell, Sheet, Value, header_cells, numbered, row_cells

H = CULTIVATION_HEADERS
# The source's columns, in its order.
KEYS = ("year", "sequence", "name", "measures", "liaison", "position", "contact")
_WIDTHS = (10.0, 6.0, 28.0, 40.0, 12.0, 14.0, 16.0, 12.0, 18.0)


def cultivation_headers() -> list[str]:
    return [*(H[k] for k in KEYS), H["batch"], ADDED_HEADERS["branch_id"]]


def _values(line: CultivationLine) -> list[Value]:
    """A row from the number on (the year is merged over its section)."""
    return [
        line.sequence,
        line.branch_name or line.branch_id,
        numbered(line.measures),
        line.liaison_name,
        line.liaison_position,
        line.liaison_contact,
        BATCH_LABELS[line.batch],
        line.branch_id,
    ]


def filed_on(view: CultivationPlanView) -> date | None:
    """The date of the plan as last filed: its amendment's, else its filing's."""
    return view.amended_on or view.filed_on


def cultivation_sheet(view: CultivationPlanView, *, written_on: date) -> Sheet:
    """Annex 2 as the source lays it out: title, the filing committee and the month the
    plan was (last) filed - `written_on` for a plan not filed - the header, each year's
    rows with the year merged down them, and the note."""
    cells = header_cells(cultivation_headers())
    row = 1
    for year, section in groupby(view.rows, key=lambda line: line.year):
        lines = list(section)
        cells.append(Cell(row, 0, year_label(year), rows=len(lines)))
        for line in lines:
            cells += row_cells(row, _values(line), start=1)
            row += 1
    return Sheet(
        name=ANNEX_SHEET.format(number=2),
        title=CULTIVATION_TITLE,
        filed_by=f"{H['filed_by']}：{view.committee_name}",
        dated=month_label(filed_on(view) or written_on),
        filed_span=len(_WIDTHS) - 3,
        widths=_WIDTHS,
        header_rows=1,
        cells=tuple(cells),
        notes=CULTIVATION_NOTES,
    )


def cultivation_cells(line: CultivationLine) -> list[object]:
    """A row of Annex 2 in the form's column order, then its batch and the ids."""
    return [
        year_label(line.year),
        *("" if v is None else v for v in _values(line)),
        line.liaison_id,
    ]


def cultivation_table(view: CultivationPlanView) -> CsvTable:
    """Annex 2 as one CSV table: the form's columns, the batch, the branch and the
    liaison's ids."""
    header = [*cultivation_headers(), ADDED_HEADERS["liaison_id"]]
    return CsvTable(tuple(header), as_rows([cultivation_cells(line) for line in view.rows]))


def cultivation_data(view: CultivationPlanView) -> dict[str, Any]:
    data: dict[str, Any] = to_data(view)
    return data


def write_cultivation_plan(
    path: Path,
    view: CultivationPlanView,
    file_format: FileFormat,
    *,
    written_on: date,
    bom: bool = False,
) -> None:
    """Write Annex 2 to `path` whole or not at all."""
    # The office writers (openpyxl, python-docx) are imported by the files that need them,
    # not by the tables and JSON the command line prints from this module.
    from guoying.forms.office import write_form

    write_form(
        path,
        file_format,
        sheets=lambda: [cultivation_sheet(view, written_on=written_on)],
        table=lambda: cultivation_table(view),
        data=lambda: cultivation_data(view),
        bom=bom,
    )
