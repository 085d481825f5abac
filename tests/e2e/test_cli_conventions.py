"""The conventions of a command line as people expect them: `--version`, `-h`, the store
given as a plain path, as `postgres://` or `postgresql://`, or by $GUOYING_STORE, and
`replay` checking without being told to; help that shows flags as flags and reflows to the
terminal; enumerations in Chinese or English; bad input that says what is wrong; progress
on a terminal."""

from __future__ import annotations

import inspect
import os
import pty
import re
import subprocess
from collections.abc import Iterator, Mapping
from enum import StrEnum
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.progress import MofNCompleteColumn, TimeRemainingColumn

from guoying.api import (
    BATCH_LABELS,
    LEVEL_LABELS,
    PLAN_STATUS_LABELS,
    SECTOR_LABELS,
    TIER_LABELS,
    TITLE_LABELS,
    Sector,
    Tier,
)
from guoying.cli.app import app
from guoying.cli.output import progress_bar
from guoying.domain.cultivation import Batch
from guoying.domain.plans import PlanStatus
from guoying.domain.values import CommitteeLevel, TitleLevel
from tests.conftest import PG_URL
from tests.e2e.city import adjust_tier, city_lines, organization
from tests.e2e.runner import GUOYING, guoying, jsonl


def test_version_prints_the_installed_version(tmp_path: Path) -> None:
    run = guoying("--version", cwd=tmp_path)
    assert run.code == 0, run
    assert run.stdout == f"guoying {version('guoying')}\n"


@pytest.mark.parametrize("flag", ["-h", "--help"])
def test_help_answers_to_h_and_help(tmp_path: Path, flag: str) -> None:
    run = guoying(flag, cwd=tmp_path)
    assert run.code == 0, run
    assert "Usage: guoying" in run.stdout
    assert guoying("ledger", flag, cwd=tmp_path).code == 0


def test_the_store_option_names_its_environment_variable(tmp_path: Path) -> None:
    assert "GUOYING_STORE" in guoying("ledger", "--help", cwd=tmp_path).stdout


def test_a_plain_path_is_an_sqlite_store(tmp_path: Path) -> None:
    applied = guoying("apply", "-", "--store", "city.db", cwd=tmp_path, stdin=jsonl(organization()))
    assert applied.code == 0, applied
    assert (tmp_path / "city.db").exists()
    listed = guoying("committees", "--format", "json", "--store", "city.db", cwd=tmp_path)
    assert listed.code == 0, listed
    assert listed.json()


def test_replay_checks_without_being_told_to(tmp_path: Path) -> None:
    guoying("apply", "-", "--store", "city.db", cwd=tmp_path, stdin=jsonl(organization()))
    run = guoying("replay", "--store", "city.db", cwd=tmp_path)
    assert run.code == 0, run
    assert "equal a fresh replay" in run.stdout


@pytest.mark.parametrize("scheme", ["postgres://", "postgresql://"])
def test_the_short_postgresql_url_forms_open_the_same_store(
    postgres_url: str, tmp_path: Path, scheme: str
) -> None:
    assert PG_URL is not None
    full = guoying("apply", "-", "--store", postgres_url, cwd=tmp_path, stdin=jsonl(organization()))
    assert full.code == 0, full
    short = postgres_url.replace("postgresql+psycopg://", scheme, 1)
    run = guoying("committees", "--format", "json", "--store", short, cwd=tmp_path)
    assert run.code == 0, run
    assert run.json()


@pytest.mark.parametrize("command", [("refusals",), ("audit",), ("titles", "--year", "2018")])
def test_an_empty_result_says_so_in_one_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    run = guoying(*command, "--store", "memory://", cwd=tmp_path)
    assert run.code == 0, run
    assert run.stdout.endswith(": none\n"), run
    assert len(run.stdout.splitlines()) == 1, run


def test_an_as_known_at_before_a_committee_was_recorded_says_so(tmp_path: Path) -> None:
    """The committee exists, but the store had not recorded it at the time asked: the error
    names --as-known-at and says it was not known yet, not that there is no such committee."""
    guoying("apply", "-", "--store", "city.db", cwd=tmp_path, stdin=jsonl(organization()))
    run = guoying(
        "ledger",
        "--committee",
        "manzhuang",
        "--year",
        "2018",
        "--as-known-at",
        "2001-01-01T00:00:00+08:00",
        "--store",
        "city.db",
        cwd=tmp_path,
    )
    assert run.code == 1, run
    assert "as_known_at: committee 'manzhuang' was not known yet" in run.stderr
    unknown = guoying(
        "ledger", "--committee", "nowhere", "--year", "2018", "--store", "city.db", cwd=tmp_path
    )
    assert "no such committee 'nowhere'" in unknown.stderr


def test_progress_counts_done_of_the_total_with_the_time_left_and_is_silent_when_quiet() -> None:
    """`apply`, `verify`, `rebuild` and `replay` show the count done of a known total and the
    time left on a terminal; `apply` keeps quiet while its result lines go to the terminal."""
    bar, advance = progress_bar("verifying", 10)
    advance(3)
    [task] = bar.tasks
    assert (task.total, task.completed) == (10, 3)
    assert {type(c) for c in bar.columns} >= {MofNCompleteColumn, TimeRemainingColumn}
    quiet, _ = progress_bar("applying", 5, quiet=True)
    assert quiet.disable


def test_a_tier_or_sector_is_accepted_in_chinese_as_the_tables_show_it_or_by_its_name(
    tmp_path: Path,
) -> None:
    guoying("apply", "-", "--store", "city.db", cwd=tmp_path, stdin=jsonl(organization()))
    chinese = guoying("branches", "--tier", "中间", "--sector", "农村", "--format", "json",
                      "--store", "city.db", cwd=tmp_path)  # fmt: skip
    english = guoying("branches", "--tier", "middle", "--sector", "RURAL", "--format", "json",
                      "--store", "city.db", cwd=tmp_path)  # fmt: skip
    assert chinese.code == english.code == 0, (chinese, english)
    assert chinese.json() == english.json()
    wrong = guoying("branches", "--tier", "差", "--store", "city.db", cwd=tmp_path)
    assert wrong.code == 2
    assert "--tier: '差' is none of 先进（过硬） (ADVANCED), 中间 (MIDDLE)" in wrong.stderr


# Help as a terminal shows it


def _commands(command: Any = None, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command and group of the app by the words that name it: () for `guoying`."""
    command = command or typer.main.get_command(app)
    yield path
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _commands(sub, (*path, name))


def _command(path: tuple[str, ...]) -> Any:
    found = typer.main.get_command(app)
    for name in path:
        found = found.commands[name]
    return found


def _params(path: tuple[str, ...]) -> Iterator[Any]:
    yield from _command(path).params


COMMANDS = list(_commands())
# Wide enough that no paragraph of any help wraps.
WIDE = {"COLUMNS": "1000"}


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "guoying")
def test_the_help_shows_booleans_as_flags_and_each_paragraph_whole(
    tmp_path: Path, path: tuple[str, ...]
) -> None:
    """A flag takes no value, so its help shows no type (`--atomic`, not `--atomic
    <bool>`); and a docstring's paragraph is one line in a terminal wide enough, however
    the source wraps it."""
    run = guoying(*path, "--help", cwd=tmp_path, env=WIDE)
    assert run.code == 0, run
    assert "<bool>" not in run.stdout, run
    lines = {line.strip() for line in run.stdout.splitlines()}
    for paragraph in inspect.cleandoc(_command(path).help or "").split("\n\n"):
        assert " ".join(paragraph.split()) in lines, (paragraph, run.stdout)


def test_every_command_option_and_argument_says_what_it_is_for() -> None:
    missing = [
        f"{' '.join(path)} {param.name}"
        for path in COMMANDS
        for param in _params(path)
        if not (getattr(param, "help", None) or "").strip()
    ]
    missing += [" ".join(path) for path in COMMANDS if not (_command(path).help or "").strip()]
    assert not missing


# Values of the domain's enumerations, in Chinese as the tables show them or by name

DOMAIN_ENUMS: dict[str, tuple[type[StrEnum], Mapping[Any, str]]] = {
    "--tier": (Tier, TIER_LABELS),
    "--sector": (Sector, SECTOR_LABELS),
    "--level": (CommitteeLevel, LEVEL_LABELS),
    "--batch": (Batch, BATCH_LABELS),
    "--status": (PlanStatus, PLAN_STATUS_LABELS),
    "--title-level": (TitleLevel, TITLE_LABELS),
}
ENUM_OPTIONS = [
    (path, option)
    for path in COMMANDS
    for param in _params(path)
    for option in param.opts
    if option in DOMAIN_ENUMS
]


def test_the_enum_options_are_found() -> None:
    assert {(("branches",), "--tier"), (("branches",), "--sector")} <= set(ENUM_OPTIONS)


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("city")
    applied = guoying("apply", "-", "--store", "city.db", cwd=folder, stdin=jsonl(organization()))
    assert applied.code == 0, applied
    return folder


def _required(path: tuple[str, ...]) -> list[str]:
    """Plausible values for a command's arguments and required options."""
    words: list[str] = []
    for param in _params(path):
        if param.param_type_name == "argument":
            words.append("mz-09")
        elif param.required:
            words += [
                param.opts[0],
                "2018" if param.type_descriptor.annotation is int else "manzhuang",
            ]
    return words


@pytest.mark.parametrize(("path", "option"), ENUM_OPTIONS)
def test_an_enum_option_takes_chinese_or_english_and_a_wrong_value_lists_both(
    city: Path, path: tuple[str, ...], option: str
) -> None:
    kind, labels = DOMAIN_ENUMS[option]
    both = ", ".join(f"{labels[m]} ({m.name})" for m in kind)
    shown = guoying(*path, "--help", cwd=city, env=WIDE)
    assert "in Chinese as the tables show it or by its English name" in shown.stdout, shown
    args = (*path, *_required(path), "--store", "city.db")
    for member in kind:
        for value in (labels[member], member.name.lower()):
            run = guoying(*args, option, value, cwd=city)
            assert run.code != 2, run
    wrong = guoying(*args, option, "差", cwd=city)
    assert wrong.code == 2, wrong
    assert f"{option}: '差' is none of {both}" in wrong.stderr


# Bad input says what is wrong


@pytest.mark.parametrize(("typed", "meant"), [(("ledgr",), "ledger"), (("policy", "shw"), "show")])
def test_an_unknown_command_suggests_the_nearest_one(
    tmp_path: Path, typed: tuple[str, ...], meant: str
) -> None:
    run = guoying(*typed, cwd=tmp_path)
    assert run.code == 2, run
    assert f"Did you mean '{meant}'?" in run.stderr


TIME_OPTIONS = [
    (path, option)
    for path in COMMANDS
    for param in _params(path)
    for option in param.opts
    if option in {"--as-known-at", "--recorded-from", "--recorded-to"}
]
DATE_OPTIONS = [
    (path, option)
    for path in COMMANDS
    for param in _params(path)
    for option in param.opts
    if option in {"--as-of", "--from", "--to", "--on"}
]


@pytest.mark.parametrize(("path", "option"), TIME_OPTIONS)
def test_a_timestamp_without_an_offset_names_the_option_and_the_form_expected(
    city: Path, path: tuple[str, ...], option: str
) -> None:
    run = guoying(*path, *_required(path), option, "2026-01-01T00:00:00",
                  "--store", "city.db", cwd=city)  # fmt: skip
    assert run.code == 2, run
    assert f"error: {option}: '2026-01-01T00:00:00' has no UTC offset" in run.stderr, run
    assert "such as 2026-01-01T00:00:00+08:00" in run.stderr, run


@pytest.mark.parametrize(("path", "option"), DATE_OPTIONS)
def test_a_date_given_as_a_timestamp_names_the_option_and_the_form_expected(
    city: Path, path: tuple[str, ...], option: str
) -> None:
    run = guoying(*path, *_required(path), option, "2026-01-01T00:00:00",
                  "--store", "city.db", cwd=city)  # fmt: skip
    assert run.code == 2, run
    assert f"error: {option}: expected a date YYYY-MM-DD, not '2026-01-01T00:00:00'" in run.stderr


def test_the_time_and_date_options_are_found() -> None:
    assert len(TIME_OPTIONS) > 10
    assert {(("audit",), "--recorded-from"), (("ledger",), "--as-known-at")} <= set(TIME_OPTIONS)
    assert {(("policy", "show"), "--on"), (("audit",), "--from")} <= set(DATE_OPTIONS)


# Progress


def test_demo_shows_the_commands_done_of_a_total_and_the_time_left_on_a_terminal(
    tmp_path: Path,
) -> None:
    """Standard error is a terminal here; the bar counts the demo's commands against their
    total and estimates the time left, then clears itself, so standard output (the tables)
    holds none of it. A piped run shows nothing (tests/e2e/test_demo.py)."""
    master, terminal = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "GUOYING_STORE"}
    environment |= {"TERM": "xterm-256color", "COLUMNS": "120", "PYTHONIOENCODING": "utf-8"}
    process = subprocess.Popen(
        [str(GUOYING), "demo", "--store", "demo.db"],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closes with the process
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    assert process.stdout is not None
    printed = process.stdout.read().decode("utf-8")
    assert process.wait() == 0, shown
    text = shown.decode("utf-8", "replace")
    counts = re.findall(r"(\d+)/(\d+)", text)
    assert "building the demo city" in text, text
    assert counts, text
    assert any(int(done) > 0 and done != total for done, total in counts), text
    assert re.search(r"\d+:\d\d:\d\d", text), text
    assert "building the demo city" not in printed
    assert "Built the demo city" in printed


# audit --rule


def test_audit_rule_ledger_advanced_cap_matches_what_the_cap_judged_not_every_tier_decision(
    tmp_path: Path,
) -> None:
    """`ledger.advanced_cap` is listed on every tier decision, but judges only a change that
    can take a committee over its limit: mz-10 registered advanced and mz-02 raised to
    advanced are counted, and mz-03's raise is refused; mz-01 lowered and mz-10 lowered
    are not. `ledger.annual_adjustment` judged every one of the adjustments applied."""
    lines = [
        *city_lines(),
        adjust_tier("mz-01", 2017, "LAGGING"),
        adjust_tier("mz-10", 2017, "MIDDLE"),
        adjust_tier("mz-02", 2017, "ADVANCED"),
        adjust_tier("mz-03", 2017, "ADVANCED"),
    ]
    applied = guoying("apply", "-", "--store", "city.db", cwd=tmp_path, stdin=jsonl(lines))
    assert [r["status"] for r in applied.results()][-4:] == ["applied"] * 3 + ["refused"]
    run = guoying("audit", "--rule", "ledger.advanced_cap", "--format", "json",
                  "--store", "city.db", cwd=tmp_path)  # fmt: skip
    assert run.code == 0, run
    found = run.json()
    assert all("ledger.advanced_cap" in e["judged_under"] for e in found)
    assert {(e["what"], e["branch_id"]) for e in found} == {
        ("BranchCounted", "mz-10"),
        ("BranchCounted", "mz-02"),
        ("Refused AdjustTier", "mz-03"),
    }
    adjusted = guoying("audit", "--rule", "ledger.annual_adjustment", "--format", "json",
                       "--store", "city.db", cwd=tmp_path)  # fmt: skip
    adjustments = {e["branch_id"] for e in adjusted.json() if e["what"] == "TierAdjusted"}
    assert {"mz-01", "mz-10", "mz-02"} <= adjustments
    assert "mz-03" not in adjustments
    assert all(e["kind"] == "event" for e in adjusted.json())
