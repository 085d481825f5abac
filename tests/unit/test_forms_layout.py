"""The forms' pure parts: numbered cells, the CSV text with and without the byte-order mark,
and a layout's merged cells as openpyxl and python-docx render them."""

from __future__ import annotations

import io

import docx
import openpyxl

from guoying.forms import Cell, CsvTable, Sheet, csv_text, document, workbook
from guoying.forms.layout import numbered

SHEET = Sheet(
    name="附件9",
    title="标题",
    filed_by="填报单位：某党委",
    dated="2019年12月",
    filed_span=2,
    widths=(10.0, 10.0, 10.0, 10.0),
    header_rows=2,
    cells=(
        Cell(0, 0, "领域", rows=2, header=True),
        Cell(0, 1, "创建目标", columns=3, header=True),
        *(Cell(1, 1 + i, f"{y}年", header=True) for i, y in enumerate((2017, 2018, 2019))),
        Cell(2, 0, "农村", rows=2),
        Cell(2, 1, 1),
        Cell(3, 1, 2),
    ),
    notes="注：说明",
)


def test_problems_and_measures_are_numbered_lines_in_one_cell() -> None:
    assert numbered(["甲", "乙"]) == "1、甲\n2、乙"
    assert numbered([]) == ""


def test_csv_text_starts_with_the_byte_order_mark_only_when_asked() -> None:
    table = CsvTable(("领域", "在整改"), (("农村", 2),))

    assert csv_text(table) == "领域,在整改\r\n农村,2\r\n"
    assert csv_text(table, bom=True) == "\ufeff" + csv_text(table)


def test_a_sheet_renders_as_a_workbook_with_its_title_filing_line_merges_and_notes() -> None:
    buffer = io.BytesIO()
    workbook([SHEET]).save(buffer)
    ws = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))["附件9"]

    assert {str(r) for r in ws.merged_cells.ranges} == {
        "A1:D1",
        "A2:B2",
        "C2:D2",
        "A3:A4",
        "B3:D3",
        "A5:A6",
        "A7:D7",
    }
    assert [ws["A1"].value, ws["A2"].value, ws["C2"].value, ws["A7"].value] == [
        "标题",
        "填报单位：某党委",
        "2019年12月",
        "注：说明",
    ]
    assert (ws["B5"].value, ws["B6"].value) == (1, 2), "numbers stay numbers"


def test_a_sheet_renders_as_a_document_table_with_the_same_merges() -> None:
    buffer = io.BytesIO()
    document([SHEET]).save(buffer)
    made = docx.Document(io.BytesIO(buffer.getvalue()))

    assert [p.text for p in made.paragraphs] == ["标题", "填报单位：某党委\t2019年12月", "注：说明"]
    table = made.tables[0]
    assert len(table.rows) == 4
    assert table.cell(0, 1)._tc is table.cell(0, 3)._tc
    assert [table.cell(1, c).text for c in (1, 2, 3)] == ["2017年", "2018年", "2019年"]
    assert table.cell(3, 0).text == "农村", "the sector cell spans both data rows"
