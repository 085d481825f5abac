"""`guoying compliance` on a store holding a selection year and its oversight records, as a
table, JSON and CSV; an unknown committee exits 1, a bad option 2."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.e2e.inprocess import LocalStore
from tests.integration.builders import open_app
from tests.integration.test_oversight_read_side import AFTER_YEAR, FLAGGED, oversight_year
from tests.unit import selection_builders as sb

YEAR = str(sb.YEAR)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> LocalStore:
    store = LocalStore(Path(tmp_path_factory.mktemp("oversight")))
    with open_app(store.url) as app:
        oversight_year(app)
    return store


def test_compliance_shows_each_committee_s_supervision_status_in_every_format(
    store: LocalStore,
) -> None:
    """`supervision.exchange`, `supervision.special_meeting`: met, overdue after the year;
    visits, findings, linkage decisions and funding with the grant per committee."""
    as_json = store.run(
        "compliance",
        "--committee",
        "cm-a",
        "--year",
        YEAR,
        "--as-of",
        AFTER_YEAR.isoformat(),
        "--format",
        "json",
    )
    assert as_json.code == 0, as_json
    report = as_json.json()
    rows = {c["committee_id"]: c for c in report["committees"]}
    assert [p["status"] for p in rows["cm-a"]["exchanges"]] == ["MET", "OVERDUE"]
    assert rows["base-a1"]["special_meeting"]["status"] == "MET"
    assert rows["base-a1"]["falsifications"][0]["flagged"] == list(FLAGGED)
    assert [g["amount_yuan"] for g in rows["base-a1"]["grants"]] == [10_000]

    as_csv = store.run(
        "compliance",
        "--committee",
        "cm-a",
        "--year",
        YEAR,
        "--as-of",
        AFTER_YEAR.isoformat(),
        "--format",
        "csv",
    )
    assert as_csv.code == 0, as_csv
    header, *lines = list(csv.reader(io.StringIO(as_csv.stdout)))
    by_id = {line[0]: dict(zip(header, line, strict=True)) for line in lines}
    assert by_id["base-a1"]["funding (yuan)"] == "60000"
    assert by_id["base-a1"]["of which grants (yuan)"] == "10000"
    assert by_id["cm-a"]["visits"] == "1"
    assert by_id["cm-a"]["special meeting"] == f"overdue (due {sb.YEAR}-12-31)"

    table = store.run(
        "compliance", "--committee", "cm-a", "--year", YEAR, "--as-of", AFTER_YEAR.isoformat()
    )
    assert table.code == 0, table
    assert "supervision compliance under cm-a" in table.stdout
    assert "overdue" in table.stdout


def test_compliance_of_an_unknown_committee_exits_1_and_a_bad_date_2(store: LocalStore) -> None:
    unknown = store.run("compliance", "--committee", "nowhere", "--year", YEAR)
    assert unknown.code == 1, unknown
    assert "no such committee 'nowhere'" in unknown.stderr
    bad = store.run("compliance", "--committee", "cm-a", "--year", YEAR, "--as-of", "someday")
    assert bad.code == 2, bad
