"""A command line that starts at once: asking for help, the version or a completion
imports no store, no event framework, no form writer and not the API; only a command that
reads or writes does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = (
    "sqlalchemy",
    "eventsourcing",
    "psycopg",
    "openpyxl",
    "docx",
    "guoying.api",
    "guoying.application",
    "guoying.adapters",
    "guoying.projections",
)

# Runs the entry point in a fresh interpreter, then lists which of HEAVY it imported.
PROBE = """
import json, sys
args, heavy = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sys.argv = ["guoying", *args]
from guoying.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in heavy if m in sys.modules)), file=sys.stderr)
"""


def started(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[list[str], str]:
    """Which heavy modules a run imported, and what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(HEAVY)],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    found: list[str] = json.loads(done.stderr.strip().splitlines()[-1])
    return found, done.stdout


def imported(args: list[str], cwd: Path) -> list[str]:
    return started(args, cwd)[0]


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["--version"], []])
def test_help_and_version_import_nothing_heavy(tmp_path: Path, args: list[str]) -> None:
    assert imported(args, tmp_path) == []


@pytest.mark.parametrize("command", ["ledger", "apply", "export", "import", "audit", "demo"])
def test_a_commands_help_imports_nothing_heavy(tmp_path: Path, command: str) -> None:
    assert imported([command, "--help"], tmp_path) == []


def test_shell_completion_imports_nothing_heavy(tmp_path: Path) -> None:
    completing = {
        "_GUOYING_COMPLETE": "complete_bash",
        "COMP_WORDS": "guoying led",
        "COMP_CWORD": "1",
    }
    found, printed = started([], tmp_path, completing)
    assert found == []
    assert "ledger" in printed


def test_a_ledger_read_imports_no_form_writer_nor_when_caught_up_a_command_or_projector(
    tmp_path: Path,
) -> None:
    applied = imported(["demo", "--store", "city.db"], tmp_path)
    assert "sqlalchemy" in applied  # the probe sees what a real command imports
    read = imported(
        ["ledger", "--committee", "dy-manzhuang", "--year", "2019", "--store", "city.db"],
        tmp_path,
    )
    assert [m for m in read if m in ("openpyxl", "docx", "psycopg")] == []
    assert "guoying.api" in read
    probe = (
        "import sys; from guoying.api import opened\n"
        "with opened('city.db', create=False) as g: g.ledger('dy-manzhuang', 2019)\n"
        "print(sorted(m for m in sys.modules if 'projector' in m or m.startswith(("
        "'guoying.application.commands', 'guoying.application.handlers', "
        "'guoying.application.service', 'guoying.domain.catalogue'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


def test_every_status_has_its_words_though_the_tables_import_no_view() -> None:
    from guoying.api import BoardStatus, ComplianceStatus
    from guoying.cli import oversight, selection

    assert set(selection.STATUS_WORDS) == set(BoardStatus)
    assert set(oversight.STATUS_WORDS) == set(ComplianceStatus)
