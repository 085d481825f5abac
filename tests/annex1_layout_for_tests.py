"""A TEST-ONLY writer of the Annex 1 XLSX layout (the contract in the forms issue), so the
import's round trip can be tested before the real writer lands.

SWITCH WHEN MERGING: the round-trip tests call `write_annex1_layout_for_tests`; replace it
with the Annex 1 XLSX writer of `guoying.forms` (branch forms-export) and delete this file.

It follows the contract exactly: one sheet 附件1; row 1 the title merged A..Q; row 2 the
filing committee merged A..L and the month written merged M..Q; rows 3-4 the header
(创建目标 and 年度考评结果 merged over their year columns, the others merged down both rows);
data from row 5 in the ledger's order with the sector merged down its section; then
面上共性问题, 整改措施 and the notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from guoying.api import LEDGER_HEADERS, LEDGER_TITLE, SECTOR_LABELS, TIER_LABELS, Ledger, Tier

NOTES = (
    "注：1.本表由各基层党委填写，在逐级分析研判、综合平衡后，上报上一级党委，直至市管党委备案。"
    "2.各级党委上报的先进党支部总数原则上不超过所辖党支部总数的10%，软弱涣散党支部按照有关规定"
    "比例确定。3.各级党委领导班子成员至少联系包保1个基层党支部，每个单位都要实现党员干部联系包保"
    "基层党支部全覆盖。"
)


def numbered(items: Sequence[str]) -> str | None:
    return "\n".join(f"{i}、{text}" for i, text in enumerate(items, start=1)) or None


def _tier(tier: Tier | None) -> str | None:
    return TIER_LABELS[tier] if tier is not None else None


def layout_workbook(ledger: Ledger, *, written_on: date) -> Workbook:
    h = LEDGER_HEADERS
    n = len(ledger.window)
    last = 11 + 2 * n
    end = get_column_letter(last)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "附件1"
    sheet.cell(1, 1, LEDGER_TITLE)
    sheet.merge_cells(f"A1:{end}1")
    sheet.cell(2, 1, f"{h['filed_by']}：{ledger.committee.name}")
    sheet.merge_cells(f"A2:{get_column_letter(6 + 2 * n)}2")
    sheet.cell(2, 7 + 2 * n, f"{written_on.year}年{written_on.month}月")
    sheet.merge_cells(f"{get_column_letter(7 + 2 * n)}2:{end}2")
    headers = [
        h["sector"],
        h["sequence"],
        h["name"],
        h["tier"],
        h["target"],
        *[None] * (n - 1),
        h["problems"],
        h["measures"],
        h["result"],
        *[None] * (n - 1),
        h["liaison"],
        h["position"],
        h["contact"],
        h["base_committee"],
        h["branch_id"],
    ]
    for col, text in enumerate(headers, start=1):
        if text is None:
            continue
        sheet.cell(3, col, text)
        if text in (h["target"], h["result"]):
            sheet.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + n - 1)
            for offset, year in enumerate(ledger.window):
                sheet.cell(4, col + offset, f"{year}年")
        else:
            sheet.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    row = 5
    section_start = row
    for index, line in enumerate(ledger.rows):
        values = [
            SECTOR_LABELS[line.sector] if row == section_start else None,
            line.sequence,
            line.name,
            _tier(line.tier),
            *[_tier(line.targets.get(y)) for y in ledger.window],
            numbered(line.problems),
            numbered(line.measures),
            *[_tier(line.results.get(y)) for y in ledger.window],
            line.liaison_name,
            line.liaison_position,
            line.liaison_contact,
            line.base_committee_id,
            line.branch_id,
        ]
        for col, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row, col, value)
        following = ledger.rows[index + 1] if index + 1 < len(ledger.rows) else None
        if following is None or following.sector is not line.sector:
            if row > section_start:
                sheet.merge_cells(
                    start_row=section_start, start_column=1, end_row=row, end_column=1
                )
            section_start = row + 1
        row += 1
    common = [c for c in ledger.common_problems if c.year == ledger.year]
    for label, texts in (
        (h["common_problems"], [c.problem for c in common]),
        (h["common_measures"], [c.measure for c in common]),
    ):
        sheet.cell(row, 1, label)
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        sheet.cell(row, 4, numbered(texts))
        sheet.merge_cells(start_row=row, start_column=4, end_row=row, end_column=last)
        row += 1
    sheet.cell(row, 1, NOTES)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    return book


def write_annex1_layout_for_tests(ledger: Ledger, path: Path, *, written_on: date) -> Path:
    layout_workbook(ledger, written_on=written_on).save(path)
    return path
