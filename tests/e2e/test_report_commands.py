"""`guoying assessment`: the §8 figures of a committee's subtree and year as a table, JSON
and CSV (one figure a row, counts as numbers); `guoying publicity`: a branch's progress or
the city's red-flag column as text or JSON. An unknown id exits 1, a bad option 2."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.e2e.inprocess import LocalStore
from tests.integration import mentoring_years as my
from tests.integration.builders import open_app

YEAR = str(my.YEAR)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> LocalStore:
    store = LocalStore(Path(tmp_path_factory.mktemp("assessment")))
    with open_app(store.url) as app:
        my.mentoring_year(app)
    return store


def test_accountability_assessment_in_every_format(store: LocalStore) -> None:
    table = store.run("assessment", "--committee", "cm-a", "--year", YEAR)
    assert table.code == 0, table
    assert "(§8)" in table.stdout
    assert "pairs ended in the year" in table.stdout

    data = store.run("assessment", "--committee", "cm-a", "--year", YEAR, "--format", "json")
    assert data.code == 0, data
    found = data.json()
    assert found["mentoring"]["pairs_formed"] == len(my.PAIRS)
    assert found["tiers"]["active"] > 0

    rows = list(
        csv.reader(
            io.StringIO(
                store.run(
                    "assessment", "--committee", "cm-a", "--year", YEAR, "--format", "csv"
                ).stdout
            )
        )
    )
    assert rows[0] == ["section", "figure", "value", "share"]
    by_figure = {(r[0], r[1]): r for r in rows[1:]}
    assert by_figure["帮带 mentoring", "pairs formed in the year"][2] == str(len(my.PAIRS))
    # Every value is a number of its own, a share in its own column.
    assert all(r[2].isdigit() for r in rows[1:])
    assert by_figure["等次 tiers", "branches"][2] == str(found["tiers"]["active"])


def test_accountability_assessment_of_an_unknown_committee_or_a_bad_year(store: LocalStore) -> None:
    unknown = store.run("assessment", "--committee", "nowhere", "--year", YEAR)
    assert unknown.code == 1
    assert "committee_id" in unknown.stderr
    assert store.run("assessment", "--committee", "cm-a", "--year", "x").code == 2
    outside = store.run("assessment", "--committee", "cm-a", "--year", "2031")
    assert outside.code == 1
    assert "year" in outside.stderr


def test_publicity_platform_a_branch_s_progress_and_the_city_column(store: LocalStore) -> None:
    text = store.run("publicity", "--year", YEAR, "--branch", my.MENTOR)
    assert text.code == 0, text
    assert text.stdout.startswith(f"【灯塔—党建在线】Branch {my.MENTOR} {YEAR}年度")
    assert "荣誉：“泰山先锋”红旗党支部" in text.stdout
    assert f"Branch {my.MENTEES[0]}" in text.stdout

    column = store.run("publicity", "--year", YEAR)
    assert column.code == 0, column
    assert column.stdout.startswith(f"【红旗支部风采】{YEAR}年")
    assert f"主要事迹：deeds of {my.MENTOR}-{YEAR}" in column.stdout

    data = store.run("publicity", "--year", YEAR, "--branch", my.SUBJECT, "--format", "json")
    assert data.code == 0, data
    assert data.json()["mentor"] == f"Branch {my.MENTOR}"


def test_publicity_platform_of_an_unknown_branch_or_format(store: LocalStore) -> None:
    unknown = store.run("publicity", "--year", YEAR, "--branch", "nowhere")
    assert unknown.code == 1
    assert "branch_id" in unknown.stderr
    assert store.run("publicity", "--year", YEAR, "--format", "csv").code == 2
