"""The conventions of a command line as people expect them: `--version`, `-h`, the store
given as a plain path, as `postgres://` or `postgresql://`, or by $GUOYING_STORE, and
`replay` checking without being told to."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import pytest
from rich.progress import MofNCompleteColumn, TimeRemainingColumn

from guoying.cli.output import progress_bar
from tests.conftest import PG_URL
from tests.e2e.city import organization
from tests.e2e.runner import guoying, jsonl


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
