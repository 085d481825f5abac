"""Annex 4, the schedule of the Taishan Pioneers' mentoring (“泰山先锋”红旗党支部帮带工作配档表),
from `Guoying.mentoring`: each filed schedule of the view as the source lays it out (XLSX:
one worksheet each; DOCX: one page each), all of them as one CSV table, and the view as JSON.
A mentor's name is merged down its pairs, as the source leaves the column blank under it;
guoying adds the pair's id after the source's columns."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path
from typing import Any

from guoying.api import (
    ADDED_HEADERS,
    ANNEX_SHEET,
    MENTORING_HEADERS,
    MENTORING_NOTES,
    MENTORING_TITLE,
    TIER_LABELS,
    MentoringView,
    ScheduleEntry,
    ScheduleFiling,
    day_label,
    month_label,
    to_data,
)
from guoying.forms.files import CsvTable, as_rows
from guoying.forms.formats import FileFormat
from guoying.forms.layout import Cell, Sheet, Value, header_cells, row_cells

H = MENTORING_HEADERS
# The source's columns, in its order.
KEYS = ("mentor", "mentee", "mentee_tier", "goal", "measures", "deadline", "remarks")
_WIDTHS = (24.0, 24.0, 12.0, 30.0, 40.0, 14.0, 14.0, 22.0)


def schedule_cells(entry: ScheduleEntry) -> list[Value]:
    """A row of Annex 4 in the source's column order."""
    return [
        entry.mentor_name or entry.mentor_branch_id,
        entry.mentee_name or entry.mentee_branch_id,
        TIER_LABELS[entry.mentee_tier],
        entry.goal,
        entry.measures,
        day_label(entry.deadline),
        entry.remarks,
    ]


def filed_schedules(view: MentoringView) -> tuple[ScheduleFiling, ...]:
    """The schedules of the view that were filed: the ones a form can show."""
    return tuple(s for s in view.schedules if s.filed_on is not None)


def schedule_sheet(schedule: ScheduleFiling, *, name: str) -> Sheet:
    """One committee's Annex 4: title, the committee and the month it filed, the header,
    the pairs (a mentor's name merged down its pairs) and the note."""
    cells = header_cells([*(H[k] for k in KEYS), ADDED_HEADERS["pair_id"]])
    row = 1
    for _, pairs in groupby(schedule.entries, key=lambda e: e.mentor_branch_id):
        entries = list(pairs)
        cells.append(Cell(row, 0, schedule_cells(entries[0])[0], rows=len(entries)))
        for entry in entries:
            cells += row_cells(row, [*schedule_cells(entry)[1:], entry.pair_id], start=1)
            row += 1
    filed = schedule.filed_on
    return Sheet(
        name=name,
        title=MENTORING_TITLE,
        filed_by=f"{H['filed_by']}：{schedule.committee_name}",
        dated=month_label(filed) if filed is not None else "",
        filed_span=len(_WIDTHS) - 3,
        widths=_WIDTHS,
        header_rows=1,
        cells=tuple(cells),
        notes=MENTORING_NOTES,
    )


def mentoring_sheets(view: MentoringView) -> list[Sheet]:
    """A sheet per filed schedule: 附件4, or 附件4-1, 附件4-2 ... when the view holds several."""
    filed = filed_schedules(view)
    base = ANNEX_SHEET.format(number=4)
    return [
        schedule_sheet(s, name=base if len(filed) == 1 else f"{base}-{i}")
        for i, s in enumerate(filed, start=1)
    ]


SCHEDULE_HEADER = (
    "committee_id",
    H["filed_by"],
    "year",
    "filed_on",
    "due_on",
    "late",
    "overdue",
    "pair_id",
    "mentor_branch_id",
    "mentee_branch_id",
    *(H[k] for k in KEYS),
)


def mentoring_table(view: MentoringView) -> CsvTable:
    """Every schedule of the view as one CSV table, one pair a row (a schedule not filed
    as one row without a pair): the committee's id and name, the filing's dates and state,
    the pair's and both branches' ids, then the source's columns."""
    rows: list[list[object]] = []
    for s in view.schedules:
        head: list[object] = [
            s.committee_id,
            s.committee_name,
            s.year,
            s.filed_on.isoformat() if s.filed_on else "",
            s.due_on.isoformat(),
            "yes" if s.late else "",
            "yes" if s.overdue else "",
        ]
        if not s.entries:
            rows.append([*head, "", "", "", *([""] * len(KEYS))])
        rows += [
            [*head, e.pair_id, e.mentor_branch_id, e.mentee_branch_id, *schedule_cells(e)]
            for e in s.entries
        ]
    return CsvTable(SCHEDULE_HEADER, as_rows(rows))


def mentoring_data(view: MentoringView) -> dict[str, Any]:
    """The view as `guoying mentoring --format json` prints it, with the mentors below the
    target."""
    data: dict[str, Any] = to_data(view)
    data["below_target"] = [m.branch_id for m in view.below_target]
    return data


def write_mentoring(
    path: Path, view: MentoringView, file_format: FileFormat, *, bom: bool = False
) -> None:
    """Write Annex 4 to `path` whole or not at all."""
    # The office writers (openpyxl, python-docx) are imported by the files that need them,
    # not by the tables and JSON the command line prints from this module.
    from guoying.forms.office import write_form

    write_form(
        path,
        file_format,
        sheets=lambda: mentoring_sheets(view),
        table=lambda: mentoring_table(view),
        data=lambda: mentoring_data(view),
        bom=bom,
    )
