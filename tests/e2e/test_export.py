"""`guoying export`: each annex whose view exists in each format from the demo store, read
back; bad input (an unknown annex, a committee or year with no data, a missing --nomination,
an unwritable --out) refused with the option named, exit 1 or 2, and no file left behind."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import docx
import openpyxl
import pytest

from tests.e2e.inprocess import LocalStore, local
from tests.e2e.runner import Store

TITLES = {
    1: "过硬党支部建设工作台账",
    2: "红旗党支部三年培树计划推进表",
    3: "“泰山先锋”红旗党支部推荐审批表",
    4: "“泰山先锋”红旗党支部帮带工作配档表",
}
WHAT = {
    1: ("--committee", "dy-manzhuang", "--year", "2019"),
    2: ("--committee", "taishan", "--year", "2018"),
    3: ("--nomination", "dy-dawenkou-008-2018"),
    4: ("--committee", "taishan", "--year", "2018"),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> LocalStore:
    store = Store(tmp_path_factory.mktemp("export"), "demo.db")
    built = store.run("demo")  # the installed command, once
    assert built.code == 0, built
    return local(store)


@pytest.mark.parametrize("annex", [1, 2, 3, 4])
@pytest.mark.parametrize("fmt", ["xlsx", "docx", "csv", "json"])
def test_export_writes_each_annex_in_each_format(
    demo: LocalStore, tmp_path: Path, annex: int, fmt: str
) -> None:
    out = tmp_path / f"annex{annex}.{fmt}"
    run = demo.run(
        "export", "--annex", str(annex), *WHAT[annex], "--format", fmt, "--out", str(out)
    )

    assert run.code == 0, run
    assert f"wrote Annex {annex}" in run.stdout
    if fmt == "xlsx":
        ws = openpyxl.load_workbook(out).worksheets[0]
        assert ws.title == f"附件{annex}"
        assert ws["A1"].value == TITLES[annex]
        assert str(ws["A2"].value).startswith("填报单位：")
    elif fmt == "docx":
        document = docx.Document(str(out))
        assert document.paragraphs[0].text == TITLES[annex]
        assert len(document.tables[0].rows) > 1
    elif fmt == "csv":
        header, *rows = csv.reader(io.StringIO(out.read_text(encoding="utf-8")))
        assert rows
        assert any(h.endswith(("_id", "编号")) for h in header), header
    else:
        assert json.loads(out.read_text(encoding="utf-8"))
    assert [p.name for p in tmp_path.iterdir()] == [out.name], "no temporary file is left"


def test_export_of_annex_1_as_csv_matches_the_ledger_command_and_takes_bom(
    demo: LocalStore, tmp_path: Path
) -> None:
    """One writer per form: `export --format csv` writes what `ledger --format csv` prints."""
    out = tmp_path / "ledger.csv"
    run = demo.run(
        "export", "--annex", "1", *WHAT[1], "--format", "csv", "--bom", "--out", str(out)
    )
    printed = demo.run("ledger", "--committee", "dy-manzhuang", "--year", "2019", "--format", "csv")

    assert run.code == 0, run
    text = out.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text[1:]))) == list(csv.reader(io.StringIO(printed.stdout)))


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--annex", "5", "--committee", "taishan", "--year", "2018"), 2, "--annex: no Annex 5"),
        (("--annex", "one"), 2, "--annex"),
        (("--annex", "1", "--committee", "nowhere", "--year", "2019"), 1, "--committee: no such"),
        (("--annex", "1", "--committee", "taishan", "--year", "2031"), 1, "--year: 2031"),
        (("--annex", "1", "--year", "2019"), 2, "--committee: Annex 1 needs a committee"),
        (("--annex", "2", "--committee", "ts-daimiao", "--year", "2018"), 1, "--committee"),
        (("--annex", "4", "--committee", "ts-daimiao", "--year", "2018"), 1, "no mentoring"),
        (("--annex", "3", "--committee", "taishan"), 2, "--nomination: Annex 3"),
        (("--annex", "3", "--nomination", "nowhere-2018"), 1, "--nomination: no such"),
        (("--annex", "1", *WHAT[1], "--format", "pdf"), 2, "--format"),
    ],
)
def test_export_refuses_bad_input_naming_the_option_and_leaves_no_file(
    demo: LocalStore, tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    out = tmp_path / "out.xlsx"
    run = demo.run("export", *args, "--out", str(out))

    assert run.code == code, run
    assert message in run.stderr, run
    assert list(tmp_path.iterdir()) == []


def test_export_to_a_path_that_cannot_be_written_exits_2_and_keeps_what_was_there(
    demo: LocalStore, tmp_path: Path
) -> None:
    missing = demo.run("export", "--annex", "1", *WHAT[1], "--out", str(tmp_path / "no" / "x.xlsx"))
    assert missing.code == 2, missing
    assert "--out: cannot write" in missing.stderr
    assert list(tmp_path.iterdir()) == []

    kept = tmp_path / "kept.xlsx"
    kept.write_bytes(b"last month's ledger")
    refused = demo.run(
        "export", "--annex", "1", "--committee", "nowhere", "--year", "2019", "--out", str(kept)
    )
    assert refused.code == 1, refused
    assert kept.read_bytes() == b"last month's ledger"
    assert [p.name for p in tmp_path.iterdir()] == ["kept.xlsx"]


def test_export_never_replaces_a_link_or_a_device_it_is_pointed_at(
    demo: LocalStore, tmp_path: Path
) -> None:
    """Writing through a temporary file and renaming it would replace a symbolic link (or
    /dev/stdout) itself: such a path is refused, and the link and its target stay."""
    target = tmp_path / "target.xlsx"
    target.write_bytes(b"kept")
    link = tmp_path / "link.xlsx"
    link.symlink_to(target)
    run = demo.run("export", "--annex", "1", *WHAT[1], "--out", str(link))
    assert run.code == 2, run
    assert "not a regular file" in run.stderr
    assert link.is_symlink()
    assert target.read_bytes() == b"kept"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert demo.run("export", "--annex", "1", *WHAT[1], "--out", str(fifo)).code == 2
