"""Every table of the command line is read whole at 80, 100 and 160 columns and when piped.

For each read command on the demo store, every name, id, number, date and label of its
`--format json` that its table shows is found whole in the text printed at each width, once
the borders are taken away and each cell's lines are joined again as a reader joins them:
Chinese characters run on, other lines join with a space. A value cut to "北…" is not
found; one folded in the middle of a Latin word is not found either.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import termios
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from guoying.api import (
    BATCH_LABELS,
    LEVEL_LABELS,
    PLAN_STATUS_LABELS,
    SECTOR_LABELS,
    TIER_LABELS,
    TITLE_LABELS,
)
from tests.e2e.inprocess import LocalStore, invoke
from tests.e2e.runner import GUOYING, WIDTH_ENV

WIDTHS = ("80", "100", "160", None)  # None: piped, with $COLUMNS unset
LABELS: dict[str, str] = {
    enum.name: label
    for labels in (
        TIER_LABELS,
        SECTOR_LABELS,
        LEVEL_LABELS,
        TITLE_LABELS,
        BATCH_LABELS,
        PLAN_STATUS_LABELS,
    )
    for enum, label in labels.items()
}
# Each read command with the JSON keys whose values its table does not show: ids the table
# names by name, codes it shows in words ("2018年4月9日"), and what JSON alone gives in full.
LEDGER_IDS = frozenset(
    {"level", "parent_id", "branch_id", "base_committee_id", "committee_id", "liaison_id"}
    | {"problem_id", "effective_on"}
)
COMMANDS: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "ledger": (("ledger", "--committee", "dy-manzhuang", "--year", "2019"), LEDGER_IDS),
    "ledger rollup": (("ledger", "--committee", "daiyue", "--year", "2019"), LEDGER_IDS),
    "history": (("history", "dy-dawenkou-004"), frozenset({"position"})),
    "refusals": (("refusals",), frozenset({"payload"})),
    "audit": (
        ("audit", "--committee", "dy-manzhuang", "--rule", "ledger.advanced_cap"),
        frozenset({"kind", "actor_role", "detail"}),
    ),
    "branches": (("branches", "--name", "北店"), frozenset()),
    "committees": (("committees", "--name", "满庄"), frozenset()),
    "coverage": (("coverage", "--committee", "dy-manzhuang", "--year", "2019"), frozenset()),
    "policy": (("policy", "show", "--on", "2019-06-01"), frozenset()),
    "assessment": (
        ("assessment", "--committee", "taishan", "--year", "2018"),
        frozenset({"on", "funding_by_kind"}),
    ),
    "evaluations of a branch": (
        ("evaluations", "dy-dawenkou-004"),
        frozenset({"committee_name", "sector", "on", "person_id"}),
    ),
    "evaluations of a year": (
        ("evaluations", "--committee", "dy-dawenkou", "--year", "2018"),
        frozenset({"level", "parent_id", "sector", "on", "person_id", "branch_id", "findings"})
        | {"case_id", "measure", "found_on", "deadline"},
    ),
    "mentoring": (
        ("mentoring", "--committee", "daiyue", "--year", "2018"),
        frozenset({"level", "parent_id", "mentee_branch_id", "filed_by_person_id", "reason"}),
    ),
    "compliance": (
        ("compliance", "--committee", "daiyue", "--year", "2018"),
        frozenset({"rule_id", "status", "visits", "falsifications", "findings", "linkages"})
        | {"funding", "grants"},
    ),
    "cultivation plan": (
        ("plan", "--committee", "daiyue", "--year", "2017"),
        frozenset({"committee_id", "filed_with", "branch_id", "liaison_id", "sector"}),
    ),
    "implementation plans": (
        ("plan", "--implementation", "--year", "2017"),
        frozenset({"window", "body_id", "indicators", "measures", "responsibilities"})
        | {"by_person_id"},
    ),
    "selection": (("selection", "--year", "2018"), frozenset({"status", "outcome", "reason"})),
    "titles": (
        ("titles", "--year", "2018"),
        frozenset({"nomination_id", "how", "subject", "found_on"}),
    ),
    "form": (
        ("form", "dy-dawenkou-022-2018"),
        frozenset({"committee_id", "city_managed_committee_id", "secretary_person_id", "on"}),
    ),
}
VERTICAL = re.compile("[│┃]")
RULE = re.compile("^[┏┌┡├└]")


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in {"W", "F"}


def joined(pieces: list[str]) -> str:
    """Lines of one cell or value as a reader joins them."""
    text = ""
    for piece in filter(None, pieces):
        text += piece if text and _wide(text[-1]) and _wide(piece[0]) else f" {piece}"
    return " ".join(text.split())


def _cells(rows: list[list[str]]) -> Iterator[str]:
    """The cells of one row of a table, each from its lines."""
    for column in zip(*rows, strict=True):
        yield joined([part.strip() for part in column])


def _table(lines: list[str]) -> Iterator[str]:
    """The cells of a drawn table: its rows lie between rules, or on a line each when no
    rule separates them."""
    ruled = sum(1 for line in lines if line.startswith("├")) > 0
    row: list[list[str]] = []
    for line in lines:
        if RULE.match(line):
            yield from _cells(row)
            row = []
        else:
            parts = VERTICAL.split(line)[1:-1]
            if ruled:
                row.append(parts)
            else:
                yield from _cells([parts])
    yield from _cells(row)


def readings(output: str) -> list[str]:
    """What a reader takes from the output: each table cell with its lines joined, each
    `label: value` of a block with the lines under it, each other line."""
    found: list[str] = []
    lines = output.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(("┏", "┌")):
            end = next(j for j in range(i, len(lines)) if lines[j].startswith("└"))
            found += _table(lines[i : end + 1])
            i = end + 1
            continue
        if line[:1].isspace() and line.strip() and found:
            found[-1] = joined([found[-1], line.strip()])
        elif line.strip():
            found.append(joined([line.strip()]))
        i += 1
    return found


def shown_values(data: Any, skipped: frozenset[str]) -> Iterator[tuple[str, ...]]:
    """Each string and number of the JSON, as the forms it may be shown in."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key not in skipped:
                yield from shown_values(value, skipped)
    elif isinstance(data, list):
        for value in data:
            yield from shown_values(value, skipped)
    elif isinstance(data, bool) or data is None:
        return
    elif isinstance(data, float):
        yield (f"{data:.1%}", str(data))
    elif isinstance(data, int):
        yield (str(data),)
    elif isinstance(data, str) and data.strip():
        text = " ".join(data.split())
        yield (text, LABELS[text]) if text in LABELS else (text,)


def missing(output: str, data: Any, skipped: frozenset[str]) -> list[tuple[str, ...]]:
    read = readings(output)
    return sorted(
        {
            forms
            for forms in shown_values(data, skipped)
            if not any(form in cell for form in forms for cell in read)
        }
    )


def _run(store: LocalStore, args: tuple[str, ...], width: str | None) -> str:
    run = invoke(*args, "--store", store.url, env={"COLUMNS": width} if width else None)
    assert run.code in {0, 1}, run  # coverage exits 1 when not met
    return run.stdout


@pytest.fixture(scope="module")
def json_of(demo_store: LocalStore) -> dict[str, Any]:
    found = {}
    for name, (args, _) in COMMANDS.items():
        run = demo_store.run(*args, "--format", "json")
        assert run.code in {0, 1}, run  # coverage exits 1 when not met
        found[name] = run.json()
    return found


@pytest.mark.parametrize("width", WIDTHS, ids=lambda w: f"{w or 'piped'}")
@pytest.mark.parametrize("command", COMMANDS)
def test_every_value_a_table_shows_is_whole_at_80_100_160_columns_and_piped(
    command: str,
    width: str | None,
    demo_store: LocalStore,
    json_of: dict[str, Any],
) -> None:
    args, skipped = COMMANDS[command]
    output = _run(demo_store, args, width)

    assert "…" not in output
    assert missing(output, json_of[command], skipped) == []
    if width is not None:
        assert max(map(cell_len, output.splitlines())) <= int(width)


def _in_a_terminal(args: tuple[str, ...], columns: int, cwd: Path) -> str:
    """What the installed command prints in a pseudo-terminal `columns` wide, with no
    $COLUMNS to tell it: rich asks the terminal."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in {*WIDTH_ENV, "GUOYING_STORE"}}
    env.update(TERM="xterm", NO_COLOR="1", PYTHONIOENCODING="utf-8")
    with subprocess.Popen(
        [str(GUOYING), *args], cwd=cwd, env=env, stdin=slave, stdout=slave, stderr=slave
    ) as process:
        os.close(slave)
        printed = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closes when the command ends
                break
            if not chunk:
                break
            printed += chunk
        process.wait(timeout=300)
    os.close(master)
    assert process.returncode == 0, printed
    text = printed.decode("utf-8").replace("\r\n", "\n")
    return re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", text)


def test_the_ledger_in_a_100_column_terminal_shows_every_branch_name_whole(
    demo_store: LocalStore, json_of: dict[str, Any]
) -> None:
    args, skipped = COMMANDS["ledger"]
    shown = _in_a_terminal((*args, "--store", demo_store.url), 100, demo_store.folder)

    assert max(map(cell_len, shown.splitlines())) <= 100
    assert "…" not in shown
    names = [row["name"] for row in json_of["ledger"]["rows"]]
    assert len(names) > 20
    assert [n for n in names if not any(n in reading for reading in readings(shown))] == []
    assert missing(shown, json_of["ledger"], skipped) == []
