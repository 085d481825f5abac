"""The annexes written from a real store (the demo city, built once) and read back with
openpyxl and python-docx: title, filing line, headers in the source's order, merged cells,
row counts, a row's values, Annex 1's layout contract (issue 14), Annex 3's four sealed and
dated opinions; one workbook converted to PDF when LibreOffice is installed."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import docx
import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from guoying import Guoying, demo_city
from guoying.api import (
    CULTIVATION_NOTES,
    CULTIVATION_TITLE,
    FORM_TITLE,
    LEDGER_NOTES,
    LEDGER_TITLE,
    MENTORING_NOTES,
    MENTORING_TITLE,
    SECTOR_LABELS,
    TIER_LABELS,
)
from guoying.forms import (
    CannotWrite,
    FileFormat,
    export_annex,
    write_atomically,
    write_ledger,
)

WRITTEN = date(2019, 12, 20)
LEDGER = ("daiyue", 2019)  # a rollup of four base committees
PLAN = ("taishan", 2018)
NOMINATION = "dy-dawenkou-008-2018"  # named a Taishan Pioneer: all four opinions given
SCHEDULES = ("taian", 2018)  # the city: every city-managed committee's schedule
LEDGER_HEADER = [
    "领域",
    "序号",
    "党支部名称",
    "当前等次",
    "创建目标",
    None,
    None,
    "存在的问题",
    "整改及创建措施",
    "年度考评结果",
    None,
    None,
    "包保联系人",
    "职务",
    "联系方式",
    "所属基层党委",
    "党支部编号",
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Guoying]:
    path = tmp_path_factory.mktemp("forms") / "demo.db"
    with Guoying(f"sqlite:///{path}") as guoying:
        demo_city.build(guoying)
        yield guoying


def _merged(ws: Worksheet) -> set[str]:
    return {str(r) for r in ws.merged_cells.ranges}


def _values(ws: Worksheet, row: int) -> list[object]:
    return [c.value for c in ws[row]]


# Annex 1


def test_annex_1_xlsx_follows_the_layout_contract(app: Guoying, tmp_path: Path) -> None:
    """The Annex 1 layout contract of issue 14, which `guoying import` reads: title and
    filing line, the two-row header with the years under merged headers, the sector merged
    down its section, numbers as numbers, ids in P and Q, common problems, notes."""
    ledger = app.ledger(*LEDGER)
    path = tmp_path / "annex1.xlsx"
    write_ledger(path, ledger, FileFormat.XLSX, written_on=WRITTEN)

    ws = openpyxl.load_workbook(path)["附件1"]
    merged = _merged(ws)
    assert ws["A1"].value == LEDGER_TITLE
    assert ws["A2"].value == "填报单位：中共泰安市岱岳区委员会"
    assert ws["M2"].value == "2019年12月"
    assert {"A1:Q1", "A2:L2", "M2:Q2", "E3:G3", "J3:L3"} <= merged
    assert {f"{c}3:{c}4" for c in "ABCDHIMNOPQ"} <= merged
    assert _values(ws, 3) == LEDGER_HEADER
    assert _values(ws, 4)[4:7] == ["2017年", "2018年", "2019年"]
    assert _values(ws, 4)[9:12] == ["2017年", "2018年", "2019年"]

    end = next(r for r in range(5, ws.max_row + 1) if ws.cell(r, 1).value == "面上共性问题")
    assert end - 5 == len(ledger.rows)
    assert [ws.cell(r, 2).value for r in range(5, end)] == list(range(1, len(ledger.rows) + 1))
    assert {ws.cell(r, 16).value for r in range(5, end)} == {
        r.base_committee_id for r in ledger.rows
    }
    assert ws.cell(end + 1, 1).value == "整改措施"
    assert {f"A{end}:C{end}", f"D{end}:Q{end}", f"A{end + 2}:Q{end + 2}"} <= merged
    assert ws.cell(end + 2, 1).value == LEDGER_NOTES

    weak = next(r for r in ledger.rows if r.problems)
    row = 4 + weak.sequence
    assert _values(ws, row)[1:7] == [
        weak.sequence,
        weak.name,
        TIER_LABELS[weak.tier],
        *(TIER_LABELS[t] if t else None for t in weak.targets.values()),
    ]
    assert ws.cell(row, 8).value == "\n".join(
        f"{i}、{p}" for i, p in enumerate(weak.problems, start=1)
    )
    assert (ws.cell(row, 16).value, ws.cell(row, 17).value) == (
        weak.base_committee_id,
        weak.branch_id,
    )
    # Each sector's label is merged down exactly its section's rows.
    sections = [r for r in merged if r.startswith("A") and r.split(":")[0] != "A1"]
    first = ledger.rows[0]
    span = sum(1 for r in ledger.rows if r.sector is first.sector)
    assert f"A5:A{4 + span}" in sections
    assert ws["A5"].value == SECTOR_LABELS[first.sector]


def test_annex_1_docx_has_the_title_the_merged_header_and_a_row_per_branch(
    app: Guoying, tmp_path: Path
) -> None:
    ledger = app.ledger(*LEDGER)
    path = tmp_path / "annex1.docx"
    write_ledger(path, ledger, FileFormat.DOCX, written_on=WRITTEN)

    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == LEDGER_TITLE
    assert texts[1] == "填报单位：中共泰安市岱岳区委员会\t2019年12月"
    assert texts[-1] == LEDGER_NOTES
    [table] = document.tables
    assert len(table.rows) == 2 + len(ledger.rows) + 2
    header = [c.text for c in table.rows[0].cells]
    assert [h for i, h in enumerate(header) if i not in (5, 6, 10, 11)] == [
        h for h in LEDGER_HEADER if h
    ]
    assert table.cell(0, 4)._tc is table.cell(0, 6)._tc, "创建目标 spans its three years"
    assert table.cell(0, 0)._tc is table.cell(1, 0)._tc or table.cell(1, 0).text == "领域"
    assert [table.cell(1, c).text for c in (4, 5, 6)] == ["2017年", "2018年", "2019年"]
    last = ledger.rows[-1]
    assert [table.cell(1 + last.sequence, c).text for c in (1, 2, 15, 16)] == [
        str(last.sequence),
        last.name,
        last.base_committee_id,
        last.branch_id,
    ]


def test_annex_1_csv_and_json_carry_the_ids_and_the_case_counts(
    app: Guoying, tmp_path: Path
) -> None:
    ledger = app.ledger(*LEDGER)
    write_ledger(tmp_path / "a.csv", ledger, FileFormat.CSV, written_on=WRITTEN, bom=True)
    write_ledger(tmp_path / "a.json", ledger, FileFormat.JSON, written_on=WRITTEN)

    raw = (tmp_path / "a.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, *rows = csv.reader(io.StringIO(raw.decode("utf-8-sig")))
    assert len(rows) == len(ledger.rows)
    closed = next(r for r in ledger.rows if r.cases_closed)
    found = dict(zip(header, next(r for r in rows if r[16] == closed.branch_id), strict=True))
    assert (found["所属基层党委"], found["在整改"], found["已销号"]) == (
        closed.base_committee_id,
        str(closed.cases_open),
        str(closed.cases_closed),
    )
    data = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert [r["branch_id"] for r in data["rows"]] == [r.branch_id for r in ledger.rows]


# Annex 2


def test_annex_2_xlsx_and_docx_list_each_years_rows_under_the_source_headers(
    app: Guoying, tmp_path: Path
) -> None:
    headers = ["年度", "序号", "党支部名称", "具体培养措施", "包保联系人", "职务", "联系方式"]
    plan = app.cultivation_plan(*PLAN, whole_window=True)
    for fmt in (FileFormat.XLSX, FileFormat.DOCX):
        export_annex(app, 2, tmp_path / f"a2.{fmt}", fmt, committee_id=PLAN[0], year=PLAN[1])

    ws = openpyxl.load_workbook(tmp_path / "a2.xlsx")["附件2"]
    assert (ws["A1"].value, ws["A2"].value) == (
        CULTIVATION_TITLE,
        "填报单位：中共泰安市泰山区委员会",
    )
    assert ws["G2"].value == f"{plan.filed_on.year}年{plan.filed_on.month}月"  # type: ignore[union-attr]
    assert _values(ws, 3)[:7] == headers
    assert ws.max_row == 3 + len(plan.rows) + 1
    assert ws.cell(ws.max_row, 1).value == CULTIVATION_NOTES
    per_year = sum(1 for line in plan.rows if line.year == 2017)
    assert f"A4:A{3 + per_year}" in _merged(ws)
    first = plan.rows[0]
    assert _values(ws, 4)[1:3] == [first.sequence, first.branch_name]
    assert ws.cell(4, 9).value == first.branch_id

    table = docx.Document(str(tmp_path / "a2.docx")).tables[0]
    assert [c.text for c in table.rows[0].cells][:7] == headers
    assert len(table.rows) == 1 + len(plan.rows)


# Annex 3


def test_annex_3_shows_the_four_sealed_dated_opinions_in_xlsx_and_docx(
    app: Guoying, tmp_path: Path
) -> None:
    """`selection.form`: each opinion with its text, the sealing committee and the date."""
    form = app.form(NOMINATION)
    opinions = [
        form.base_opinion,
        form.city_managed_opinion,
        form.organization_department_opinion,
        form.city_opinion,
    ]
    expected = [
        f"{o.text}\n（盖章：{o.committee_name}）{o.on.year}年{o.on.month}月{o.on.day}日"
        for o in opinions
        if o is not None
    ]
    assert len(expected) == 4
    for fmt in (FileFormat.XLSX, FileFormat.DOCX):
        export_annex(app, 3, tmp_path / f"a3.{fmt}", fmt, nomination_id=NOMINATION)

    ws = openpyxl.load_workbook(tmp_path / "a3.xlsx")["附件3"]
    assert ws["A1"].value == FORM_TITLE
    assert ws["A2"].value == "填报单位：中共泰安市岱岳区委员会"
    labels = [ws.cell(r, 1).value for r in range(3, ws.max_row + 1)]
    assert labels == [
        "党支部名称",
        "所在基层党委",
        "所在市管党委",
        "党支部书记姓名",
        "基本情况",
        "曾受表彰情况",
        "主要事迹",
        "基层党委意见",
        "市管党委意见",
        "市委组织部评审意见",
        "市委审批意见",
    ]
    assert [ws.cell(r, 2).value for r in range(10, 14)] == expected
    assert (ws["C6"].value, ws["D6"].value) == ("联系电话", form.secretary_phone)
    assert {"B3:D3", "B13:D13"} <= _merged(ws)

    table = docx.Document(str(tmp_path / "a3.docx")).tables[0]
    assert [table.cell(r, 1).text for r in range(7, 11)] == expected
    assert table.cell(0, 1)._tc is table.cell(0, 3)._tc


# Annex 4


def test_annex_4_writes_a_sheet_per_filed_schedule_with_the_mentor_merged_down_its_pairs(
    app: Guoying, tmp_path: Path
) -> None:
    view = app.mentoring(*SCHEDULES)
    filed = [s for s in view.schedules if s.filed_on is not None]
    for fmt in (FileFormat.XLSX, FileFormat.DOCX):
        export_annex(
            app, 4, tmp_path / f"a4.{fmt}", fmt, committee_id=SCHEDULES[0], year=SCHEDULES[1]
        )

    book = openpyxl.load_workbook(tmp_path / "a4.xlsx")
    assert len(book.worksheets) == len(filed) > 1
    ws, schedule = book.worksheets[0], filed[0]
    assert ws["A1"].value == MENTORING_TITLE
    assert ws["A2"].value == f"填报单位：{schedule.committee_name}"
    assert _values(ws, 3)[:7] == [
        "红旗党支部名称",
        "帮带支部名称",
        "帮带支部等次",
        "帮带目标",
        "帮带措施",
        "完成时限",
        "备注",
    ]
    assert ws.max_row == 3 + len(schedule.entries) + 1
    assert ws.cell(ws.max_row, 1).value == MENTORING_NOTES
    first = schedule.entries[0]
    assert _values(ws, 4)[:3] == [
        first.mentor_name,
        first.mentee_name,
        TIER_LABELS[first.mentee_tier],
    ]
    assert ws.cell(4, 8).value == first.pair_id
    same_mentor = sum(1 for e in schedule.entries if e.mentor_branch_id == first.mentor_branch_id)
    if same_mentor > 1:
        assert f"A4:A{3 + same_mentor}" in _merged(ws)

    document = docx.Document(str(tmp_path / "a4.docx"))
    assert len(document.tables) == len(filed)
    assert sum(len(t.rows) - 1 for t in document.tables) == sum(len(s.entries) for s in filed)


# Writing whole or not at all


def test_a_failed_write_leaves_neither_the_file_nor_a_temporary_one(tmp_path: Path) -> None:
    kept = tmp_path / "kept.xlsx"
    kept.write_bytes(b"the earlier file")

    def half(file: object) -> None:
        file.write(b"half a workbook")  # type: ignore[attr-defined]
        raise RuntimeError("the disk filled up")

    with pytest.raises(RuntimeError):
        write_atomically(kept, half)
    with pytest.raises(CannotWrite):
        write_atomically(tmp_path / "missing" / "x.xlsx", lambda f: f.write(b"x"))
    assert kept.read_bytes() == b"the earlier file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.xlsx"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_converts_the_annex_1_workbook_to_pdf(app: Guoying, tmp_path: Path) -> None:
    path = tmp_path / "annex1.xlsx"
    write_ledger(path, app.ledger(*LEDGER), FileFormat.XLSX, written_on=WRITTEN)

    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    assert (tmp_path / "annex1.pdf").read_bytes().startswith(b"%PDF")
