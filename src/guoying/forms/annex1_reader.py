"""Reading a ledger kept in the Annex 1 layout (`ledger.row`): the header found by its texts,
the years of the plan window from the row under it, the rows up to 面上共性问题, and every
cell that cannot be read reported by its row and column.

Pure given an openpyxl workbook opened with `data_only=False`, so a formula is seen as the
formula it is (a string starting with "=") and not as a value some program last cached.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path

from attrs import frozen
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula
from openpyxl.worksheet.worksheet import Worksheet

from guoying.api import (
    ADDED_HEADERS,
    LEDGER_HEADERS,
    LEDGER_TITLE,
    SECTOR_LABELS,
    TIER_LABELS,
    Sector,
    Tier,
)

SHEET = "附件1"
# Where a reader looks for the header: the title and filing rows come first in the layout,
# but a committee's own file may start its table lower or without them.
HEADER_SEARCH_ROWS = 10
ROW_RULE = "ledger.row"
NUMBERED = re.compile(r"^\s*(\d+)\s*[、.．)）]\s*")
YEAR = re.compile(r"^\s*(\d{4})\s*年?\s*$")

# What each kind of problem is (the `kind` of a Problem).
NOT_A_SPREADSHEET = "not_a_spreadsheet"
HEADER = "header"
TIER = "tier"
SECTOR = "sector"
NAME = "name"
DUPLICATE_NAME = "duplicate_name"
MERGED_CELL = "merged_cell"
YEAR_TEXT = "year_text"
FORMULA = "formula"
NUMBERED_LINES = "numbered_lines"

# The source's headers and the two columns guoying adds (P, Q), by key.
HEADERS = {**LEDGER_HEADERS, **ADDED_HEADERS}


@frozen
class Problem:
    """A cell (or the file) that cannot be read: row and column as the spreadsheet shows
    them (None for the whole file), the rule the layout serves and what is wrong."""

    row: int | None
    column: str | None
    rule_id: str
    kind: str
    message: str


@frozen
class ReadRow:
    """One data row as written; `row` is its row number in the sheet."""

    row: int
    sector: Sector
    name: str
    tier: Tier
    targets: dict[int, Tier | None]
    results: dict[int, Tier | None]
    problems: tuple[str, ...]
    measures: tuple[str, ...]
    liaison_name: str | None
    liaison_position: str | None
    liaison_contact: str | None
    base_committee_id: str | None
    branch_id: str | None


@frozen
class ReadLedger:
    window: tuple[int, ...]
    rows: tuple[ReadRow, ...]
    common_problems: tuple[str, ...]
    common_measures: tuple[str, ...]
    # The sheet row of 面上共性问题 (None when the file has none).
    common_row: int | None
    problems: tuple[Problem, ...]
    filed_by: str | None = None

    @property
    def header_problems(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.kind in (HEADER, NOT_A_SPREADSHEET))


def open_annex1(path: Path) -> ReadLedger:
    """Read a file; a file that is not a spreadsheet is one problem with no row."""
    try:
        workbook = load_workbook(path, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        return unreadable(f"{path.name} is not an XLSX spreadsheet ({error})")
    return read_annex1(workbook)


def unreadable(message: str) -> ReadLedger:
    return ReadLedger(
        (), (), (), (), None, (Problem(None, None, ROW_RULE, NOT_A_SPREADSHEET, message),)
    )


def read_annex1(workbook: Workbook) -> ReadLedger:
    sheet = workbook[SHEET] if SHEET in workbook.sheetnames else workbook.worksheets[0]
    return _Reader(sheet).read()


def parse_tier(text: str) -> Tier | None:
    """A tier by its label (full- or half-width brackets), by 先进 or 过硬 alone, or by its
    English name (ADVANCED, middle, ...)."""
    wanted = _plain(text)
    for tier, label in TIER_LABELS.items():
        if wanted in {_plain(label), tier.name.lower(), tier.value.lower()}:
            return tier
    if wanted in {"先进", "过硬"}:
        return Tier.ADVANCED
    return None


def parse_sector(text: str) -> Sector | None:
    wanted = _plain(text)
    for sector, label in SECTOR_LABELS.items():
        if wanted in {_plain(label), sector.name.lower(), sector.value.lower()}:
            return sector
    return None


def numbered_lines(text: str) -> tuple[str, ...]:
    """ "1、…\\n2、…" as its items; a line without a number continues the item above it, and
    a text without numbers is one item."""
    items: list[list[str]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        found = NUMBERED.match(line)
        if found:
            items.append([line[found.end() :].strip()])
        elif line.strip():
            if not items:
                items.append([])
            items[-1].append(line.strip())
    return tuple("\n".join(part for part in item if part) for item in items if any(item))


def _plain(text: str) -> str:
    return text.strip().replace("(", "（").replace(")", "）").lower()


def _is_formula(value: object) -> bool:
    return isinstance(value, ArrayFormula | DataTableFormula) or (
        isinstance(value, str) and value.startswith("=")
    )


class _Reader:
    def __init__(self, sheet: Worksheet) -> None:
        self.sheet = sheet
        self.problems: list[Problem] = []
        # Each merged cell's top-left value stands for every cell of the merge.
        self.merged_at: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        for merged in sheet.merged_cells.ranges:
            bounds = (merged.min_row, merged.min_col, merged.max_row, merged.max_col)
            for r in range(merged.min_row, merged.max_row + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    self.merged_at[(r, c)] = bounds

    def problem(self, row: int | None, col: int | None, kind: str, message: str) -> None:
        column = get_column_letter(col) if col else None
        self.problems.append(Problem(row, column, ROW_RULE, kind, message))

    def raw(self, row: int, col: int) -> object:
        bounds = self.merged_at.get((row, col))
        if bounds is not None:
            row, col = bounds[0], bounds[1]
        return self.sheet.cell(row, col).value

    def text(self, row: int, col: int) -> str:
        value = self.raw(row, col)
        return "" if value is None else str(value).strip()

    def value(self, row: int, col: int, what: str) -> object:
        """A cell's value, None (and a problem) when it holds a formula."""
        value = self.raw(row, col)
        if _is_formula(value):
            self.problem(row, col, FORMULA, f"{what} holds a formula ({value!s}), not a value")
            return None
        return value

    def read(self) -> ReadLedger:
        header = self.find_header()
        if header is None:
            self.problem(
                None,
                None,
                HEADER,
                f"no header row: no row among the first {HEADER_SEARCH_ROWS} starts with "
                f"{HEADERS['sector']} and names {HEADERS['name']}",
            )
            return self.finish((), (), None, ((), ()))
        columns = self.check_header(header)
        if columns is None:
            return self.finish((), (), None, ((), ()))
        first = header + 2
        end = self.footer_row(first)
        self.check_merges(first, end)
        rows = tuple(self.rows(first, end, columns))
        self.check_duplicates(rows)
        common = self.common(end)
        return self.finish(columns.window, rows, end if self.has_common(end) else None, common)

    def finish(
        self,
        window: tuple[int, ...],
        rows: tuple[ReadRow, ...],
        common_row: int | None,
        common: tuple[tuple[str, ...], tuple[str, ...]],
    ) -> ReadLedger:
        filed = self.text(2, 1) if self.sheet.max_row >= 2 else ""
        label = HEADERS["filed_by"]
        filed_by = filed.split("：", 1)[1].strip() if filed.startswith(label + "：") else None
        return ReadLedger(
            window, rows, common[0], common[1], common_row, tuple(self.problems), filed_by
        )

    def find_header(self) -> int | None:
        for row in range(1, min(self.sheet.max_row, HEADER_SEARCH_ROWS) + 1):
            texts = {self.text(row, c) for c in range(1, self.sheet.max_column + 1)}
            if HEADERS["name"] in texts and LEDGER_TITLE not in texts:
                return row
        return None

    def check_header(self, row: int) -> Columns | None:
        years: list[int] = []
        col = 5
        while col <= self.sheet.max_column and self.sheet.cell(row + 1, col).value is not None:
            found = YEAR.match(str(self.sheet.cell(row + 1, col).value))
            if found is None:
                break
            years.append(int(found[1]))
            col += 1
        if not years:
            self.problem(
                row + 1, 5, HEADER, "the row under the header names no year under 创建目标"
            )
            return None
        columns = Columns(tuple(years))
        expected = columns.expected()
        shown = {c: str(self.sheet.cell(row, c).value or "").strip() for c in expected}
        where = {
            str(self.sheet.cell(row, c).value).strip(): c
            for c in range(1, self.sheet.max_column + 1)
            if self.sheet.cell(row, c).value is not None
        }
        bad = False
        for col, label in expected.items():
            if shown[col] == label:
                continue
            optional = col >= columns.base_committee
            if optional and not shown[col] and label not in where:
                continue
            bad = True
            if label in where:
                self.problem(
                    row,
                    col,
                    HEADER,
                    f"header {label} is in column {get_column_letter(where[label])}; the "
                    f"layout has it in column {get_column_letter(col)}"
                    + (f", where {shown[col]} stands" if shown[col] else ""),
                )
            else:
                self.problem(
                    row,
                    col,
                    HEADER,
                    f"header {label} is missing"
                    + (
                        f" (column {get_column_letter(col)} holds {shown[col]})"
                        if shown[col]
                        else ""
                    ),
                )
        for offset, year in enumerate(years):
            at = columns.results + offset
            found = YEAR.match(str(self.sheet.cell(row + 1, at).value or ""))
            if found is None or int(found[1]) != year:
                bad = True
                self.problem(
                    row + 1,
                    at,
                    HEADER,
                    f"{HEADERS['result']} has no column for {year}年 here "
                    f"(the years must be those of {HEADERS['target']})",
                )
        columns.has_ids = shown[columns.base_committee] == ADDED_HEADERS["base_committee"]
        return None if bad else columns

    def footer_row(self, first: int) -> int:
        """The row of 面上共性问题, or the first notes row, or one past the last row."""
        for row in range(first, self.sheet.max_row + 1):
            label = self.text(row, 1)
            if label == HEADERS["common_problems"] or label.startswith("注："):
                return row
        return self.sheet.max_row + 1

    def has_common(self, row: int) -> bool:
        return row <= self.sheet.max_row and self.text(row, 1) == HEADERS["common_problems"]

    def check_merges(self, first: int, end: int) -> None:
        """Within the data only the sector (column A) is merged, down one column and not
        over the header or the footer."""
        for merged in self.sheet.merged_cells.ranges:
            if merged.max_row < first or merged.min_row >= end:
                continue
            vertical_sector = merged.min_col == merged.max_col == 1
            if vertical_sector and merged.min_row >= first and merged.max_row < end:
                continue
            self.problem(
                merged.min_row,
                merged.min_col,
                MERGED_CELL,
                f"cells {merged.coord} are merged; among the rows only {HEADERS['sector']}"
                " (column A) is merged, down the rows of its section",
            )

    def rows(self, first: int, end: int, columns: Columns) -> Iterator[ReadRow]:
        for row in range(first, end):
            if all(self.sheet.cell(row, c).value is None for c in range(2, columns.last + 1)):
                continue
            read = self.row(row, columns)
            if read is not None:
                yield read

    def row(self, row: int, columns: Columns) -> ReadRow | None:
        before = len(self.problems)
        sector_text = self.value(row, 1, HEADERS["sector"])
        sector = parse_sector(str(sector_text)) if sector_text is not None else None
        if sector is None and sector_text is not None:
            self.problem(
                row,
                1,
                SECTOR,
                f"{sector_text!s} is not a sector ({'、'.join(SECTOR_LABELS.values())})",
            )
        elif sector_text is None and not _is_formula(self.raw(row, 1)):
            self.problem(row, 1, SECTOR, "the row has no sector")
        self.value(row, 2, HEADERS["sequence"])
        name = self.value(row, 3, HEADERS["name"])
        if name is not None and not str(name).strip():
            name = None
        if name is None and not _is_formula(self.raw(row, 3)):
            self.problem(row, 3, NAME, "the row has no branch name")
        tier = self.tier(row, 4, HEADERS["tier"], TIER)
        if tier is None and self.raw(row, 4) is None:
            self.problem(row, 4, TIER, "the row has no current tier")
        targets = {
            y: self.tier(row, columns.targets + i, f"{HEADERS['target']} {y}年", YEAR_TEXT)
            for i, y in enumerate(columns.window)
        }
        results = {
            y: self.tier(row, columns.results + i, f"{HEADERS['result']} {y}年", YEAR_TEXT)
            for i, y in enumerate(columns.window)
        }
        problems = numbered_lines(self.string(row, columns.problems, "problems") or "")
        measures = numbered_lines(self.string(row, columns.problems + 1, "measures") or "")
        if len(problems) != len(measures):
            self.problem(
                row,
                columns.problems + 1,
                NUMBERED_LINES,
                f"{len(problems)} problem(s) but {len(measures)} measure(s): each numbered "
                "problem has its numbered measure",
            )
        liaison = self.string(row, columns.liaison, "liaison")
        position = self.string(row, columns.liaison + 1, "position")
        contact = self.string(row, columns.liaison + 2, "contact")
        base = (
            self.string(row, columns.base_committee, "base_committee") if columns.has_ids else None
        )
        branch_id = (
            self.string(row, columns.base_committee + 1, "branch_id") if columns.has_ids else None
        )
        if len(self.problems) > before or sector is None or name is None or tier is None:
            return None
        return ReadRow(
            row=row,
            sector=sector,
            name=str(name).strip(),
            tier=tier,
            targets=targets,
            results=results,
            problems=problems,
            measures=measures,
            liaison_name=liaison,
            liaison_position=position,
            liaison_contact=contact,
            base_committee_id=base,
            branch_id=branch_id,
        )

    def string(self, row: int, col: int, key: str) -> str | None:
        value = self.value(row, col, HEADERS[key])
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # a telephone number typed as a number
        text = str(value).strip()
        return text or None

    def tier(self, row: int, col: int, what: str, kind: str) -> Tier | None:
        value = self.value(row, col, what)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, int | float | date | datetime | time):
            self.problem(row, col, kind, f"{what} holds {value!s}, not a tier")
            return None
        found = parse_tier(str(value))
        if found is None:
            labels = "、".join(TIER_LABELS.values())
            self.problem(row, col, kind, f"{what}: {value!s} is not a tier ({labels})")
        return found

    def check_duplicates(self, rows: tuple[ReadRow, ...]) -> None:
        seen: dict[tuple[str | None, str], int] = {}
        for read in rows:
            key = (read.base_committee_id, read.name)
            if key in seen:
                self.problem(
                    read.row,
                    3,
                    DUPLICATE_NAME,
                    f"{read.name} is already in row {seen[key]}: a base committee's branch "
                    "names are unique",
                )
            else:
                seen[key] = read.row

    def common(self, end: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
        if not self.has_common(end):
            return (), ()
        problems = self.footer_text(end)
        measures: tuple[str, ...] = ()
        if self.text(end + 1, 1) == HEADERS["common_measures"]:
            measures = self.footer_text(end + 1)
        if len(problems) != len(measures):
            self.problem(
                end + 1,
                4,
                NUMBERED_LINES,
                f"{len(problems)} common problem(s) but {len(measures)} measure(s)",
            )
        return problems, measures

    def footer_text(self, row: int) -> tuple[str, ...]:
        """The numbered text of a footer row: the first cell after its label (A..C)."""
        for col in range(4, self.sheet.max_column + 1):
            value = self.value(row, col, "text")
            if value is not None and str(value).strip():
                return numbered_lines(str(value))
        return ()


class Columns:
    """Where each header stands for a window of `len(window)` years."""

    def __init__(self, window: tuple[int, ...]) -> None:
        n = len(window)
        self.window = window
        self.targets = 5
        self.problems = 5 + n
        self.results = 7 + n
        self.liaison = 7 + 2 * n
        self.base_committee = 10 + 2 * n
        self.last = 11 + 2 * n
        self.has_ids = False

    def expected(self) -> dict[int, str]:
        h = HEADERS
        return {
            1: h["sector"],
            2: h["sequence"],
            3: h["name"],
            4: h["tier"],
            self.targets: h["target"],
            self.problems: h["problems"],
            self.problems + 1: h["measures"],
            self.results: h["result"],
            self.liaison: h["liaison"],
            self.liaison + 1: h["position"],
            self.liaison + 2: h["contact"],
            self.base_committee: ADDED_HEADERS["base_committee"],
            self.base_committee + 1: ADDED_HEADERS["branch_id"],
        }
