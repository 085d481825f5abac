"""`guoying.forms.import_annex1` against real stores: a ledger file recorded as ordinary
commands, only the differences, all or nothing (or `partial`), and the round trip."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from guoying.api import Guoying, Ledger, Tier
from guoying.forms import ImportReport, import_annex1
from tests.annex1_files import write_annex1
from tests.integration.builders import (
    YEAR,
    add_base,
    add_county,
    build_small_city,
    found_city,
    open_app,
)

WRITTEN_ON = date(2018, 12, 20)


def ledger_rows(ledger: Ledger) -> list[tuple[Any, ...]]:
    """What Annex 1 shows of each row (case counts aside: an imported problem is open)."""
    return [
        (
            r.sector,
            r.sequence,
            r.branch_id,
            r.name,
            r.base_committee_id,
            r.tier,
            r.targets,
            r.results,
            r.problems,
            r.measures,
            r.liaison_name,
            r.liaison_position,
            r.liaison_contact,
        )
        for r in ledger.rows
    ]


def empty_tree(app: Guoying) -> None:
    """The small city's committees without any branch."""
    found_city(app)
    add_county(app, "daiyue")
    add_base(app, "town", "daiyue")
    add_base(app, "village", "daiyue")


def event_count(app: Guoying) -> int:
    """The decisions stored (the refusal log aside)."""
    return sum(1 for e in app.audit() if e.kind != "refusal")


@pytest.fixture
def town_file(tmp_path: Path) -> tuple[Ledger, Path]:
    """The small city's town ledger of 2018, written in the Annex 1 layout."""
    with open_app("memory://") as source:
        build_small_city(source)
        ledger = source.ledger("town", YEAR)
    path = write_annex1(ledger, tmp_path / "town.xlsx", written_on=WRITTEN_ON)
    return ledger, path


def edit(path: Path, cells: dict[str, object]) -> Path:
    workbook = load_workbook(path)
    sheet = workbook["附件1"]
    for where, value in cells.items():
        sheet[where] = value
    workbook.save(path)
    return path


def issues(report: ImportReport) -> list[tuple[int | None, str | None, str | None]]:
    return [(i.row, i.column, i.rule_id) for i in report.issues]


def test_a_ledger_file_imports_into_a_store_and_reads_back_as_the_same_ledger(
    store_url: str, town_file: tuple[Ledger, Path]
) -> None:
    ledger, path = town_file
    with open_app(store_url) as app:
        empty_tree(app)
        report = import_annex1(app, path, "town", YEAR)
        assert (report.exit_code, report.issues, report.written) == (0, (), True)
        back = app.ledger("town", YEAR)
    assert ledger_rows(back) == ledger_rows(ledger)
    assert [(c.problem, c.measure) for c in back.common_problems] == [
        (c.problem, c.measure) for c in ledger.common_problems
    ]


def test_importing_the_same_file_twice_records_nothing_new(town_file: tuple[Ledger, Path]) -> None:
    _, path = town_file
    with open_app("memory://") as app:
        empty_tree(app)
        assert import_annex1(app, path, "town", YEAR).written
        before = event_count(app)
        again = import_annex1(app, path, "town", YEAR)
        assert (again.exit_code, again.planned, again.written) == (0, (), False)
        assert event_count(app) == before


def test_a_changed_file_records_only_the_differences(town_file: tuple[Ledger, Path]) -> None:
    _, path = town_file
    with open_app("memory://") as app:
        empty_tree(app)
        import_annex1(app, path, "town", YEAR)
        # Row 5 is the first rural branch: a 2019 target and a problem with its measure.
        edit(path, {"G5": "先进（过硬）", "H5": "1、制度不健全", "I5": "1、建立制度", "M5": "张伟",
                    "N5": "组织委员"})  # fmt: skip
        report = import_annex1(app, path, "town", YEAR)
        assert report.written
        assert [(type(p.command).__name__, p.row, p.column) for p in report.planned] == [
            ("RegisterPerson", 5, "M"),
            ("SetCreationTarget", 5, "G"),
            ("AssignLiaison", 5, "M"),
            ("RecordProblem", 5, "H"),
        ]
        row = app.ledger("town", YEAR).rows[0]
        assert (row.targets[2019], row.problems, row.liaison_name) == (
            Tier.ADVANCED,
            ("制度不健全",),
            "张伟",
        )


def test_a_dry_run_reports_the_commands_and_writes_nothing(town_file: tuple[Ledger, Path]) -> None:
    _, path = town_file
    with open_app("memory://") as app:
        empty_tree(app)
        before = event_count(app)
        report = import_annex1(app, path, "town", YEAR, dry_run=True)
        assert (report.exit_code, report.written) == (0, False)
        assert len(report.planned) == 30
        assert event_count(app) == before
        assert app.ledger("town", YEAR).rows == ()


def test_a_row_above_the_advanced_cap_is_refused_by_row_column_and_rule_and_nothing_is_written(
    town_file: tuple[Ledger, Path],
) -> None:
    """`ledger.advanced_cap`: ten branches allow one advanced; a second in 2018 breaks the
    count judged on the unit's end state, reported once at the row whose command the rule
    names, and the refusal is logged."""
    _, path = town_file
    with open_app("memory://") as app:
        empty_tree(app)
        before = event_count(app)
        edit(path, {"D6": "先进（过硬）", "K6": "先进（过硬）"})
        report = import_annex1(app, path, "town", YEAR)
        assert report.exit_code == 1
        [issue] = report.issues
        assert (issue.rule_id, issue.kind) == ("ledger.advanced_cap", "refused")
        assert issue.row is not None
        assert issue.column is not None
        assert not report.written
        assert event_count(app) == before
        assert [r.rule_id for r in app.refusals()] == ["ledger.advanced_cap"]


def test_a_dry_run_of_a_refused_row_logs_no_refusal(town_file: tuple[Ledger, Path]) -> None:
    _, path = town_file
    with open_app("memory://") as app:
        empty_tree(app)
        edit(path, {"D6": "先进（过硬）", "K6": "先进（过硬）"})
        report = import_annex1(app, path, "town", YEAR, dry_run=True)
        assert [i.rule_id for i in report.issues] == ["ledger.advanced_cap"]
        assert app.refusals() == []


def test_partial_records_the_good_rows_in_one_unit_and_lists_the_rest(
    town_file: tuple[Ledger, Path],
) -> None:
    ledger, path = town_file
    with open_app("memory://") as app:
        empty_tree(app)
        # Row 6 names another base committee, row 7 an unknown tier; row 5 is no longer
        # advanced, which eight branches would not allow (`ledger.advanced_cap`).
        edit(path, {"D5": "中间", "K5": None, "P6": "village", "D7": "较好"})
        report = import_annex1(app, path, "town", YEAR, partial=True)
        assert report.written
        assert report.exit_code == 2  # a cell could not be read
        assert issues(report) == [(6, "P", "ledger.rollup"), (7, "D", "ledger.row")]
        names = [r.name for r in app.ledger("town", YEAR).rows]
        assert len(names) == len(ledger.rows) - 2
        assert ledger.rows[1].name not in names
        assert ledger.rows[2].name not in names


def test_a_file_with_an_unreadable_cell_writes_nothing(town_file: tuple[Ledger, Path]) -> None:
    _, path = town_file
    with open_app("memory://") as app:
        empty_tree(app)
        before = event_count(app)
        edit(path, {"E5": "=E6"})
        report = import_annex1(app, path, "town", YEAR)
        assert (report.exit_code, report.written) == (2, False)
        assert [(i.row, i.column, i.kind) for i in report.issues] == [(5, "E", "formula")]
        assert event_count(app) == before


def test_a_file_that_is_not_a_spreadsheet_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"not a zip")
    with open_app("memory://") as app:
        empty_tree(app)
        before = event_count(app)
        report = import_annex1(app, path, "town", YEAR)
        assert report.exit_code == 2
        assert [i.kind for i in report.issues] == ["not_a_spreadsheet"]
        assert event_count(app) == before


def test_a_higher_committee_imports_the_rows_of_its_base_committees(
    tmp_path: Path,
) -> None:
    """`ledger.rollup`: the county's ledger names each row's base committee; the county
    changes what it has authority over, and a new branch's first assessment remains the
    base committee's own (`ledger.tiers`)."""
    with open_app("memory://") as app:
        city = build_small_city(app)
        ledger = app.ledger("daiyue", YEAR)
        path = write_annex1(ledger, tmp_path / "daiyue.xlsx", written_on=WRITTEN_ON)
        assert import_annex1(app, path, "daiyue", YEAR).planned == ()
        last = 5 + len(ledger.rows) - 1
        edit(path, {f"G{last}": "中间"})
        report = import_annex1(app, path, "daiyue", YEAR)
        assert [type(p.command).__name__ for p in report.planned] == ["SetCreationTarget"]
        assert report.written
        assert app.ledger("daiyue", YEAR).rows[-1].targets[2019] is Tier.MIDDLE
        edit(path, {f"C{last}": "新建村党支部", f"Q{last}": None})
        refused = import_annex1(app, path, "daiyue", YEAR)
        assert [(i.row, i.rule_id) for i in refused.issues] == [(last, "ledger.tiers")]
        assert city.village in {r.base_committee_id for r in ledger.rows}


def test_a_row_of_another_base_committee_is_refused(town_file: tuple[Ledger, Path]) -> None:
    _, path = town_file
    with open_app("memory://") as app:
        empty_tree(app)
        edit(path, {"P5": "village"})
        report = import_annex1(app, path, "town", YEAR, dry_run=True)
        assert issues(report) == [(5, "P", "ledger.rollup")]


def test_partial_leaves_out_a_row_with_a_merged_cell_where_values_belong(
    town_file: tuple[Ledger, Path],
) -> None:
    """A merge over a row's targets is reported by row and column, and that row is not
    recorded even with `partial`: its values cannot be told apart."""
    _, path = town_file
    with open_app("memory://") as app:
        empty_tree(app)
        import_annex1(app, path, "town", YEAR)
        edit(path, {"G5": "先进（过硬）", "G6": "先进（过硬）"})
        workbook = load_workbook(path)
        workbook["附件1"].merge_cells("E6:G6")
        workbook.save(path)
        report = import_annex1(app, path, "town", YEAR, partial=True)
        assert any(i.row == 6 and i.kind == "merged_cell" for i in report.issues)
        assert {p.row for p in report.planned} == {5}
        rows = app.ledger("town", YEAR).rows
        assert rows[0].targets[2019] is Tier.ADVANCED
        assert rows[1].targets[2019] is not Tier.ADVANCED


def test_a_changed_telephone_is_reported_not_called_recorded(
    town_file: tuple[Ledger, Path],
) -> None:
    ledger, path = town_file
    with open_app("memory://") as app:
        empty_tree(app)
        import_annex1(app, path, "town", YEAR)
        named = next(n for n, r in enumerate(ledger.rows, start=5) if r.liaison_name)
        edit(path, {f"O{named}": "0538-9999999"})
        report = import_annex1(app, path, "town", YEAR)
        assert [(i.row, i.column, i.kind) for i in report.issues] == [(named, "O", "contact")]
        assert not report.written
        assert report.exit_code != 0


def test_naming_a_liaison_the_ledger_already_knows_means_that_person(
    town_file: tuple[Ledger, Path],
) -> None:
    ledger, path = town_file
    with open_app("memory://") as app:
        empty_tree(app)
        import_annex1(app, path, "town", YEAR)
        known = next(r for r in ledger.rows if r.liaison_name)
        other = next(n for n, r in enumerate(ledger.rows, start=5) if r.name != known.name)
        edit(
            path,
            {
                f"M{other}": known.liaison_name,
                f"N{other}": known.liaison_position,
                f"O{other}": known.liaison_contact,
            },
        )
        report = import_annex1(app, path, "town", YEAR, dry_run=True)
        kinds = [type(p.command).__name__ for p in report.planned]
        assert "RegisterPerson" not in kinds
        assigned = [
            p.command for p in report.planned if type(p.command).__name__ == "AssignLiaison"
        ]
        stored = next(r for r in app.ledger("town", YEAR).rows if r.name == known.name)
        assert [c.person_id for c in assigned] == [stored.liaison_id]


def test_a_dry_run_that_a_rule_would_refuse_records_nothing_without_partial(
    town_file: tuple[Ledger, Path],
) -> None:
    """All or nothing: the dry run says nothing would be recorded, as the real run does."""
    _, path = town_file
    with open_app("memory://") as app:
        empty_tree(app)
        import_annex1(app, path, "town", YEAR)
        edit(path, {"D6": "先进（过硬）", "K6": "先进（过硬）", "G5": "先进（过硬）"})
        dry = import_annex1(app, path, "town", YEAR, dry_run=True)
        assert dry.issues
        assert dry.planned == ()
        assert import_annex1(app, path, "town", YEAR, dry_run=True, partial=True).planned
