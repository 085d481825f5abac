"""`guoying import --annex 1`: a ledger file recorded, reported with --dry-run, refused by
row and column, and its exit codes (0 ok, 1 refused or no such committee, 2 unusable)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from tests.annex1_files import write_annex1
from tests.e2e.inprocess import LocalStore
from tests.integration.builders import YEAR, build_small_city, open_app
from tests.integration.test_import_annex1 import empty_tree

ARGS = ("--annex", "1", "--committee", "town", "--year", str(YEAR))


def town_file(tmp_path: Path) -> Path:
    with open_app("memory://") as source:
        build_small_city(source)
        ledger = source.ledger("town", YEAR)
    return write_annex1(ledger, tmp_path / "town.xlsx", written_on=date(2018, 12, 20))


def test_import_records_a_ledger_file_once_and_reports_it_by_line(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    with open_app(store.url) as app:
        empty_tree(app)
    path = str(town_file(tmp_path))
    dry = store.run("import", path, *ARGS, "--dry-run", "--format", "json")
    assert dry.code == 0, dry
    lines = [json.loads(line) for line in dry.stdout.splitlines()]
    assert {line["status"] for line in lines[:-1]} == {"would record"}
    assert lines[0]["command"]["command"] == "RegisterUnit"
    assert (lines[-1]["written"], lines[-1]["commands"]) == (False, len(lines) - 1)
    assert store.ledger_json("town", YEAR)["rows"] == []
    done = store.run("import", path, *ARGS)
    assert done.code == 0, done
    assert "recorded" in done.stderr + done.stdout
    assert len(store.ledger_json("town", YEAR)["rows"]) == 10
    again = store.run("import", path, *ARGS, "--format", "json")
    assert again.code == 0, again
    assert json.loads(again.stdout.splitlines()[-1])["commands"] == 0


def test_bad_input_is_reported_by_row_and_column_with_its_exit_code(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    with open_app(store.url) as app:
        empty_tree(app)
    path = town_file(tmp_path)
    workbook = load_workbook(path)
    workbook["附件1"]["D6"] = "较好"
    workbook.save(path)
    unreadable = store.run("import", str(path), *ARGS, "--format", "json")
    assert unreadable.code == 2, unreadable
    problems = [json.loads(line) for line in unreadable.stdout.splitlines()[:-1]]
    found = [
        (p["row"], p["column"], p["rule_id"]) for p in problems if p["status"] != "not recorded"
    ]
    assert found == [(6, "D", "ledger.row")]
    assert store.ledger_json("town", YEAR)["rows"] == []
    (tmp_path / "notes.xlsx").write_text("not a spreadsheet", encoding="utf-8")
    assert store.run("import", "notes.xlsx", *ARGS).code == 2
    assert (
        store.run("import", str(path), "--annex", "5", "--committee", "town", "--year", "2018").code
        == 2
    )
    unknown = store.run(
        "import", str(path), "--annex", "1", "--committee", "nowhere", "--year", "2018"
    )
    assert unknown.code == 1
    assert "committee" in unknown.stderr
