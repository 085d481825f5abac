"""`guoying apply` reports unusable input by line and field, exit 2, on every store (issue 11).

Defect 1: on PostgreSQL one NUL in a text field was applied, and every read command failed
afterwards with a psycopg traceback. Defect 4: deep nesting, NaN, a year of 10000 after a
policy allowing it, duplicate keys. The commands run in this process
(tests/e2e/inprocess.py) but for the one that reads standard input as installed.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from guoying import Guoying
from guoying.adapters.verification import verify
from tests.e2e.city import MANZHUANG, city_lines, command
from tests.e2e.inprocess import invoke, local
from tests.e2e.runner import GUOYING, Run, Store, jsonl

ORG_DEPT = {"person_id": "zzb-clerk", "committee_id": "taian-zzb", "role": "组织部"}


def rename(name: str, reason: str = "更名") -> dict[str, Any]:
    return command("RenameBranch", MANZHUANG, reason, "2018-03-01", branch_id="mz-01", name=name)


class PgCity:
    """The small city on a PostgreSQL schema of its own, driven through the CLI."""

    def __init__(self, url: str, folder: Path) -> None:
        self.url, self.folder = url, folder

    def run(self, *args: str, stdin: str | None = None) -> Run:
        return invoke(*args, "--store", self.url, stdin=stdin)

    def apply(self, lines: list[Any]) -> Run:
        return self.run("apply", "-", stdin=jsonl(lines))


@pytest.fixture
def pg_city(postgres_url: str, tmp_path: Path) -> PgCity:
    city = PgCity(postgres_url, tmp_path)
    built = city.apply(city_lines())
    assert built.code == 0, built
    return city


def assert_every_read_works(city: PgCity) -> None:
    """The CLI's ledger, then every other read through the same API the CLI calls (one
    process, since each `guoying` run costs seconds on a loaded machine)."""
    shown = city.run("ledger", "--committee", "manzhuang", "--year", "2018", "--format", "json")
    assert shown.code == 0, shown
    with Guoying(city.url, create=False) as app:
        assert app.history("mz-01")
        assert app.branches(committee_id="manzhuang")
        app.refusals()
        app.liaison_coverage("manzhuang", 2018)
        assert list(app.audit())
        app.rebuild_views()
        assert app.replay_check() == []
        assert verify(app.store).ok


@pytest.mark.postgres
def test_a_nul_in_a_text_field_is_unusable_on_postgresql_and_every_read_still_works(
    pg_city: PgCity,
) -> None:
    done = pg_city.apply([rename("满庄\u0000党支部"), rename("新名")])
    assert done.code == 2, done
    [problem] = done.results()
    assert problem["line"] == 1
    assert problem["status"] == "invalid"
    assert any(e.startswith("$.name:") and "NUL" in e for e in problem["errors"]), problem
    history = pg_city.run("history", "mz-01", "--format", "json")
    assert [e["event"] for e in history.json()] == ["BranchRegistered"], history
    assert_every_read_works(pg_city)


@pytest.mark.postgres
def test_a_nul_in_the_reason_of_a_command_that_would_be_refused_names_the_reason(
    pg_city: PgCity,
) -> None:
    outsider = {"person_id": "caiyuan-clerk", "committee_id": "caiyuan", "role": ""}
    line = command(
        "RenameBranch", outsider, "越权\u0000", "2018-03-01", branch_id="mz-01", name="x"
    )
    done = pg_city.apply([line])
    assert done.code == 2, done
    assert "cannot be read" not in done.stderr, done
    [problem] = done.results()
    assert any(e.startswith("$.reason:") for e in problem["errors"]), problem
    assert pg_city.run("refusals", "--format", "json").json() == []
    assert_every_read_works(pg_city)


def test_a_year_of_10000_after_a_policy_allowing_it_is_unusable_input_with_no_traceback(
    city: Store,
) -> None:
    city = local(city)
    policy = command(
        "PublishPolicy",
        ORG_DEPT,
        "延长规划",
        "2018-01-01",
        policy={"version": "taian-far", "effective_on": "2018-01-01", "last_year": 10000},
    )
    late = command(
        "AdjustTier", MANZHUANG, "考评", "2018-12-01", branch_id="mz-01", year=10000, tier="MIDDLE"
    )
    huge = {**late, "year": 10**19}
    done = city.apply([policy, late, huge])
    assert done.code == 2, done
    assert "Traceback" not in done.stderr, done
    lines = {r["line"]: r["errors"] for r in done.results()}
    assert any(e.startswith("$.policy.last_year:") for e in lines[1]), lines
    assert any(e.startswith("$.year:") for e in lines[2]), lines
    assert any(e.startswith("$.year:") for e in lines[3]), lines


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[" * 1000 + "]" * 1000, "nested 1000 levels"),
        ('{"command": "PublishPolicy", "policy": {"advanced_share": NaN}}', "NaN"),
        ('{"command": "PublishPolicy", "policy": {"advanced_share": Infinity}}', "Infinity"),
        ('{"command": "AdjustTier", "year": 2018, "year": 2019}', "duplicate key 'year'"),
    ],
)
def test_json_no_command_can_mean_is_unusable_by_line_and_nothing_is_logged(
    city: Store, text: str, words: str
) -> None:
    city = local(city)
    done = city.apply([text])
    assert done.code == 2, done
    assert "Traceback" not in done.stderr, done
    [problem] = done.results()
    assert problem["line"] == 1
    assert any(words in e for e in problem["errors"]), problem
    assert city.refusals_json() == []


def test_a_nan_advanced_share_as_text_is_unusable_not_refused_by_a_rule(city: Store) -> None:
    city = local(city)
    policy = command(
        "PublishPolicy",
        ORG_DEPT,
        "新版本",
        "2018-01-01",
        policy={"version": "taian-nan", "effective_on": "2018-01-01", "advanced_share": "NaN"},
    )
    done = city.apply([policy])
    assert done.code == 2, done
    [problem] = done.results()
    assert any(e.startswith("$.policy.advanced_share:") for e in problem["errors"]), problem
    assert city.refusals_json() == []


def test_a_line_separator_inside_a_json_string_does_not_split_the_line(city: Store) -> None:
    city = local(city)
    name = "满庄\u2028党支部\u0085一"
    (city.folder / "sep.jsonl").write_text(
        json.dumps(rename(name), ensure_ascii=False) + "\n", encoding="utf-8"
    )
    done = city.run("apply", str(city.folder / "sep.jsonl"))
    assert done.code == 0, done
    assert [r["status"] for r in done.results()] == ["applied"]


def test_standard_input_that_is_not_utf8_is_reported_not_a_traceback(city: Store) -> None:
    done = subprocess.run(
        [str(GUOYING), "apply", "-", "--store", city.url],
        cwd=city.folder,
        input=json.dumps(rename("x")).encode() + b"\xff\n",
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done
    assert b"Traceback" not in done.stderr, done
    assert b"cannot read standard input" in done.stderr, done
