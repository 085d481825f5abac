"""Reading a ledger in the Annex 1 layout (`ledger.row`): the rows as written, and every
bad input of the forms issue reported by its row and column."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from openpyxl import Workbook

from guoying.api import ADDED_HEADERS, LEDGER_HEADERS, LEDGER_TITLE, Sector, Tier
from guoying.forms import Problem, ReadLedger, open_annex1, read_annex1
from guoying.forms.annex1_reader import numbered_lines, parse_tier

H = {**LEDGER_HEADERS, **ADDED_HEADERS}
HEADER = [
    H["sector"],
    H["sequence"],
    H["name"],
    H["tier"],
    H["target"],
    None,
    None,
    H["problems"],
    H["measures"],
    H["result"],
    None,
    None,
    H["liaison"],
    H["position"],
    H["contact"],
    H["base_committee"],
    H["branch_id"],
]
YEARS = ["2017年", "2018年", "2019年"]
GOOD_ROWS: list[list[object]] = [
    ["农村", 1, "东村党支部", "中间", "中间", "中间", "先进（过硬）",
     "1、组织生活不规范\n2、台账不全", "1、每月主题党日\n2、补齐台账", "后进", "中间", None,
     "王建国", "党委副书记", "0538-1234567", "town", "town-b01"],
    [None, 2, "西村党支部", "LAGGING", "middle", None, None, None, None, "后进", None, None,
     None, None, None, "town", None],
    ["城市社区", 3, "南苑社区党支部", "软弱涣散", None, None, None, None, None, None, None, None,
     "李红", "组织委员", 13800000000, "town", None],
]  # fmt: skip


def book(
    rows: Sequence[Sequence[object]] = GOOD_ROWS,
    *,
    header: Sequence[object | None] = HEADER,
    merge_sector: str | None = "A5:A6",
) -> Workbook:
    """A small workbook in the layout: title, filing row, header over rows 3-4, then rows."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "附件1"
    sheet["A1"] = LEDGER_TITLE
    sheet.merge_cells("A1:Q1")
    sheet["A2"] = f"{H['filed_by']}：满庄镇党委"
    sheet.merge_cells("A2:L2")
    sheet["M2"] = "2018年12月"
    sheet.merge_cells("M2:Q2")
    for col, text in enumerate(header, start=1):
        if text is not None:
            sheet.cell(3, col, text)
    sheet.merge_cells("E3:G3")
    sheet.merge_cells("J3:L3")
    for offset, year in enumerate(YEARS):
        sheet.cell(4, 5 + offset, year)
        sheet.cell(4, 10 + offset, year)
    for r, row in enumerate(rows, start=5):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(r, c, value)
    end = 5 + len(rows)
    sheet.cell(end, 1, H["common_problems"])
    sheet.cell(end, 4, "1、党员老化")
    sheet.cell(end + 1, 1, H["common_measures"])
    sheet.cell(end + 1, 4, "1、发展年轻党员")
    sheet.cell(end + 2, 1, "注：1.本表由各基层党委填写。")
    if merge_sector:
        sheet.merge_cells(merge_sector)
    return workbook


def only(read: ReadLedger, kind: str) -> Problem:
    found = [p for p in read.problems if p.kind == kind]
    assert len(found) == 1, read.problems
    return found[0]


def test_a_good_file_reads_every_row_with_its_years_tiers_numbered_lines_and_liaison() -> None:
    read = read_annex1(book())
    assert read.problems == ()
    assert read.window == (2017, 2018, 2019)
    assert read.filed_by == "满庄镇党委"
    first, second, third = read.rows
    assert (first.row, first.sector, first.name, first.tier) == (
        5,
        Sector.RURAL,
        "东村党支部",
        Tier.MIDDLE,
    )
    assert first.targets == {2017: Tier.MIDDLE, 2018: Tier.MIDDLE, 2019: Tier.ADVANCED}
    assert first.results == {2017: Tier.LAGGING, 2018: Tier.MIDDLE, 2019: None}
    assert first.problems == ("组织生活不规范", "台账不全")
    assert first.measures == ("每月主题党日", "补齐台账")
    assert (first.liaison_name, first.liaison_position, first.liaison_contact) == (
        "王建国",
        "党委副书记",
        "0538-1234567",
    )
    assert (first.base_committee_id, first.branch_id) == ("town", "town-b01")
    # The merged sector cell stands for every row of its merge; English tier names read too.
    assert (second.sector, second.tier, second.targets[2017]) == (
        Sector.RURAL,
        Tier.LAGGING,
        Tier.MIDDLE,
    )
    assert second.branch_id is None
    # A telephone number typed as a number is read as its digits.
    assert third.liaison_contact == "13800000000"
    assert read.common_problems == ("党员老化",)
    assert read.common_measures == ("发展年轻党员",)
    assert read.common_row == 8


def test_a_file_without_the_two_id_columns_reads_its_rows_without_ids() -> None:
    rows = [row[:15] for row in GOOD_ROWS]
    read = read_annex1(book(rows, header=HEADER[:15]))
    assert read.problems == ()
    assert [r.base_committee_id for r in read.rows] == [None, None, None]


def test_a_file_that_is_not_a_spreadsheet_is_one_problem_of_the_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    path.write_text("领域,序号,党支部名称\n", encoding="utf-8")
    read = open_annex1(path)
    problem = only(read, "not_a_spreadsheet")
    assert (problem.row, problem.column, problem.rule_id) == (None, None, "ledger.row")
    assert read.rows == ()


def test_a_missing_file_is_reported_not_raised(tmp_path: Path) -> None:
    assert only(open_annex1(tmp_path / "none.xlsx"), "not_a_spreadsheet").row is None


def test_a_missing_header_is_named_with_its_row_and_column() -> None:
    header = list(HEADER)
    header[3] = None  # 当前等次
    read = read_annex1(book(header=header))
    problem = only(read, "header")
    assert (problem.row, problem.column) == (3, "D")
    assert H["tier"] in problem.message
    assert read.rows == ()


def test_reordered_headers_name_both_columns() -> None:
    header = list(HEADER)
    header[12], header[13] = header[13], header[12]  # 职务 before 包保联系人
    read = read_annex1(book(header=header))
    found = sorted((p.row, p.column) for p in read.problems if p.kind == "header")
    assert found == [(3, "M"), (3, "N")]
    assert read.rows == ()


def test_a_result_year_that_differs_from_the_target_years_is_a_header_problem() -> None:
    workbook = book()
    sheet = workbook.active
    assert sheet is not None
    sheet["L4"] = "2020年"
    problem = only(read_annex1(workbook), "header")
    assert (problem.row, problem.column) == (4, "L")


def test_an_unknown_current_tier_is_reported_at_its_cell() -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][3] = "较好"
    read = read_annex1(book(rows))
    problem = only(read, "tier")
    assert (problem.row, problem.column, problem.rule_id) == (6, "D", "ledger.row")
    assert [r.row for r in read.rows] == [5, 7]


def test_an_unknown_sector_is_reported_at_its_cell() -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[2][0] = "学校"
    problem = only(read_annex1(book(rows)), "sector")
    assert (problem.row, problem.column) == (7, "A")


def test_a_row_without_a_sector_outside_a_merge_is_reported() -> None:
    problem = only(read_annex1(book(merge_sector=None)), "sector")
    assert (problem.row, problem.column) == (6, "A")


def test_duplicate_branch_names_within_a_base_committee_are_reported_at_the_second() -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[2][2] = "东村党支部"
    problem = only(read_annex1(book(rows)), "duplicate_name")
    assert (problem.row, problem.column) == (7, "C")
    assert "row 5" in problem.message


def test_the_same_name_under_two_base_committees_is_no_duplicate() -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[2][2] = "东村党支部"
    rows[2][15] = "village"
    assert read_annex1(book(rows)).problems == ()


def test_merged_cells_in_odd_places_are_reported() -> None:
    workbook = book()
    sheet = workbook.active
    assert sheet is not None
    sheet.merge_cells("C6:C7")
    problem = only(read_annex1(workbook), "merged_cell")
    assert (problem.row, problem.column) == (6, "C")


def test_a_sector_merged_across_columns_is_an_odd_merge() -> None:
    problem = only(read_annex1(book(merge_sector="A7:B7")), "merged_cell")
    assert (problem.row, problem.column) == (7, "A")


def test_text_in_a_year_column_is_reported_at_its_cell() -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][5] = "良好"  # 创建目标 2018年
    rows[2][9] = 2017  # a number in 年度考评结果 2017年
    read = read_annex1(book(rows))
    found = sorted((p.row, p.column) for p in read.problems if p.kind == "year_text")
    assert found == [(5, "F"), (7, "J")]


def test_a_formula_where_a_value_belongs_is_reported() -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[1][3] = "=D5"
    read = read_annex1(book(rows))
    problem = only(read, "formula")
    assert (problem.row, problem.column) == (6, "D")
    assert "=D5" in problem.message


def test_problems_without_their_measures_are_reported() -> None:
    rows = [list(r) for r in GOOD_ROWS]
    rows[0][8] = "1、每月主题党日"
    problem = only(read_annex1(book(rows)), "numbered_lines")
    assert (problem.row, problem.column) == (5, "I")


@pytest.mark.parametrize(
    ("text", "items"),
    [
        ("1、甲\n2、乙", ("甲", "乙")),
        ("1.甲\n 2．乙\n续", ("甲", "乙\n续")),
        ("没有编号", ("没有编号",)),
        ("", ()),
    ],
)
def test_numbered_lines_are_split_into_items(text: str, items: tuple[str, ...]) -> None:
    assert numbered_lines(text) == items


@pytest.mark.parametrize(
    ("text", "tier"),
    [
        ("先进（过硬）", Tier.ADVANCED),
        ("先进(过硬)", Tier.ADVANCED),
        ("ADVANCED", Tier.ADVANCED),
        ("weak", Tier.WEAK),
        ("软弱涣散", Tier.WEAK),
        ("优秀", None),
    ],
)
def test_tiers_read_by_their_labels_and_english_names(text: str, tier: Tier | None) -> None:
    assert parse_tier(text) is tier
