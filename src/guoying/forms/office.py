"""A `Sheet` (or several) as an XLSX workbook (openpyxl) or a DOCX document (python-docx).

In the workbook, row 1 is the title, row 2 the filing line, the table starts in row 3 and
the notes take the row after it, each merged across the table's width: the layout Annex 1's
import reads (docs/commands.md, `guoying export`). The document writes the title and filing
line as paragraphs above a table with the same merged cells, and the notes below it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt
from docx.table import _Cell
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from guoying.forms.files import (
    CsvTable,
    csv_text,
    json_text,
    write_atomically,
    write_text,
)
from guoying.forms.formats import FileFormat
from guoying.forms.layout import Sheet

TABLE_ROW = 3  # the first row of the table in a worksheet (1-based)
_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTRED = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _merge(ws: Worksheet, row: int, column: int, rows: int, columns: int) -> None:
    if rows > 1 or columns > 1:
        ws.merge_cells(
            start_row=row,
            start_column=column,
            end_row=row + rows - 1,
            end_column=column + columns - 1,
        )


def _fill_sheet(ws: Worksheet, sheet: Sheet) -> None:
    width = sheet.columns
    ws.cell(1, 1, sheet.title).font = Font(bold=True, size=16)
    ws.cell(1, 1).alignment = _CENTRED
    _merge(ws, 1, 1, 1, width)
    ws.cell(2, 1, sheet.filed_by)
    if sheet.dated:
        _merge(ws, 2, 1, 1, sheet.filed_span)
        ws.cell(2, sheet.filed_span + 1, sheet.dated).alignment = Alignment(horizontal="right")
        _merge(ws, 2, sheet.filed_span + 1, 1, width - sheet.filed_span)
    else:
        _merge(ws, 2, 1, 1, width)
    for index, size in enumerate(sheet.widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = size
    for row in range(TABLE_ROW, TABLE_ROW + sheet.table_rows):
        for column in range(1, width + 1):
            ws.cell(row, column).border = _BORDER
    for cell in sheet.cells:
        target = ws.cell(TABLE_ROW + cell.row, cell.column + 1, cell.value)
        target.alignment = _CENTRED if cell.header or isinstance(cell.value, int) else _WRAP
        if cell.header:
            target.font = Font(bold=True)
        _merge(ws, TABLE_ROW + cell.row, cell.column + 1, cell.rows, cell.columns)
    if sheet.notes:
        notes_row = TABLE_ROW + sheet.table_rows
        ws.cell(notes_row, 1, sheet.notes).alignment = _WRAP
        _merge(ws, notes_row, 1, 1, width)
        ws.row_dimensions[notes_row].height = 48
    if sheet.header_rows:
        ws.freeze_panes = f"A{TABLE_ROW + sheet.header_rows}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def workbook(sheets: Sequence[Sheet]) -> Workbook:
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for sheet in sheets:
        _fill_sheet(book.create_sheet(sheet.name), sheet)
    return book


def write_xlsx(path: Path, sheets: Sequence[Sheet]) -> None:
    book = workbook(sheets)
    write_atomically(path, book.save)


def _landscape(document: DocxDocument) -> None:
    section = document.sections[-1]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))


def _document_sheet(document: DocxDocument, sheet: Sheet) -> None:
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(sheet.title)
    run.bold = True
    run.font.size = Pt(16)
    filing = document.add_paragraph(
        f"{sheet.filed_by}\t{sheet.dated}" if sheet.dated else sheet.filed_by
    )
    filing.paragraph_format.tab_stops.add_tab_stop(Cm(26.0))
    table = document.add_table(rows=sheet.table_rows, cols=sheet.columns)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    total = sum(sheet.widths)
    for index, column in enumerate(table.columns):
        column.width = Cm(26.7 * sheet.widths[index] / total)
    # Cells are reached through each row's own cell elements: `table.cell()` rebuilds the
    # whole grid on every call, quadratic in a ledger of a few hundred rows. Merging from the
    # rightmost column leftwards keeps every unmerged cell at its column's index in its row.
    rows = table._tbl.tr_lst
    for cell in sheet.cells:
        target = _Cell(rows[cell.row].tc_lst[cell.column], table)
        target.text = "" if cell.value is None else str(cell.value)
        if cell.header:
            for paragraph in target.paragraphs:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                for text in paragraph.runs:
                    text.bold = True
    spanning = [c for c in sheet.cells if c.rows > 1 or c.columns > 1]
    for cell in sorted(spanning, key=lambda c: -c.column):
        top = _Cell(rows[cell.row].tc_lst[cell.column], table)
        end = rows[cell.row + cell.rows - 1].tc_lst[cell.column + cell.columns - 1]
        top.merge(_Cell(end, table))
    if sheet.notes:
        document.add_paragraph(sheet.notes)


def document(sheets: Sequence[Sheet]) -> DocxDocument:
    made = Document()
    _landscape(made)
    for number, sheet in enumerate(sheets):
        if number:
            made.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _document_sheet(made, sheet)
    return made


def write_docx(path: Path, sheets: Sequence[Sheet]) -> None:
    made = document(sheets)
    write_atomically(path, made.save)


def write_form(
    path: Path,
    file_format: FileFormat,
    *,
    sheets: Callable[[], Sequence[Sheet]],
    table: Callable[[], CsvTable],
    data: Callable[[], Any],
    bom: bool = False,
) -> None:
    """Write one form in one format to `path`, whole or not at all: the form's sheets as
    XLSX or DOCX, its table as CSV (`bom`: with the byte-order mark) or its data as JSON."""
    if file_format is FileFormat.XLSX:
        write_xlsx(path, sheets())
    elif file_format is FileFormat.DOCX:
        write_docx(path, sheets())
    elif file_format is FileFormat.CSV:
        write_text(path, csv_text(table(), bom=bom))
    else:
        write_text(path, json_text(data()))
