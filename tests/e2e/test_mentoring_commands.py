"""`guoying mentoring` and `guoying evaluations` on a store holding a year of mentoring, as a
table, JSON and CSV; an unknown committee or branch exits 1, a bad option 2; names and dates
stay whole in a table 100 columns wide."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from rich.console import Console

from guoying.api import MENTORING_HEADERS, MENTORING_TITLE
from guoying.cli.evaluations import print_evaluations
from guoying.cli.mentoring import print_mentoring
from tests.e2e.inprocess import LocalStore
from tests.integration import mentoring_years as my
from tests.integration.builders import open_app

YEAR = str(my.YEAR)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[LocalStore, my.MentoringYear]:
    store = LocalStore(Path(tmp_path_factory.mktemp("mentoring")))
    with open_app(store.url) as app:
        year = my.mentoring_year(app)
    return store, year


@pytest.fixture
def store(built: tuple[LocalStore, my.MentoringYear]) -> LocalStore:
    return built[0]


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_mentoring_shows_pairs_mentors_and_the_annex_4_schedule(store: LocalStore) -> None:
    """`mentoring.plan`, `mentoring.ratio`: the Chinese headers of Annex 4, the late filing,
    the ended pair's reason and the mentor below the target."""
    table = store.run("mentoring", "--committee", "cm-a", "--year", YEAR)
    assert table.code == 0, table
    assert MENTORING_TITLE in table.stdout
    assert all(MENTORING_HEADERS[k] in table.stdout for k in ("mentor", "mentee", "deadline"))
    assert "(late)" in table.stdout
    assert my.ENDED_ON.isoformat() in table.stdout  # the reason, folded, is in the CSV
    assert "below the target" in table.stdout

    data = store.run("mentoring", "--committee", "cm-a", "--year", YEAR, "--format", "json")
    assert data.code == 0, data
    view = data.json()
    assert [p["pair_id"] for p in view["pairs"]] == list(my.PAIRS)
    assert view["below_target"] == [my.MENTOR]
    assert view["schedules"][0]["late"] is True

    pairs = _csv(
        store.run("mentoring", "--committee", "cm-a", "--year", YEAR, "--format", "csv").stdout
    )
    assert pairs[0][:3] == ["pair_id", "mentor_branch_id", "mentor"]
    ended = next(r for r in pairs[1:] if r[0] == my.PAIRS[1])
    assert ended[pairs[0].index("end reason")] == my.END_REASON

    run = store.run(
        "mentoring", "--committee", "cm-a", "--year", YEAR, "--format", "csv", "--part", "schedules"
    )
    schedule = _csv(run.stdout)
    assert MENTORING_HEADERS["mentee_tier"] in schedule[0]
    assert [r[schedule[0].index("pair_id")] for r in schedule[1:]] == list(my.PAIRS[:2])

    mentors = _csv(
        store.run(
            "mentoring",
            "--committee",
            "cm-a",
            "--year",
            YEAR,
            "--format",
            "csv",
            "--part",
            "mentors",
        ).stdout
    )
    assert mentors[1][0] == my.MENTOR
    assert mentors[1][mentors[0].index("mentoring.ratio")] == "below the target"
    assert mentors[1][mentors[0].index("committee_id")] == "base-a1"


def test_mentoring_as_known_at_and_as_of(built: tuple[LocalStore, my.MentoringYear]) -> None:
    store, year = built
    known = store.run(
        "mentoring",
        "--committee",
        "cm-a",
        "--year",
        YEAR,
        "--as-known-at",
        year.before_ending.isoformat(),
        "--format",
        "json",
    )
    assert known.code == 0, known
    assert all(p["ended"] is None for p in known.json()["pairs"])
    early = store.run(
        "mentoring",
        "--committee",
        "cm-a",
        "--year",
        YEAR,
        "--as-of",
        "2018-07-01",
        "--format",
        "json",
    )
    assert early.json()["pairs"] == []


def test_mentoring_refuses_unknown_committees_and_bad_options(store: LocalStore) -> None:
    assert store.run("mentoring", "--committee", "nowhere", "--year", YEAR).code == 1
    assert (
        store.run("mentoring", "--committee", "cm-a", "--year", YEAR, "--as-of", "soon").code == 2
    )
    outside = store.run("mentoring", "--committee", "cm-a", "--year", "1990")
    assert (outside.code, "outside policy" in outside.stderr) == (1, True)


def test_evaluations_of_a_branch_and_of_a_committee(
    built: tuple[LocalStore, my.MentoringYear],
) -> None:
    """A branch's rows by year, with the correction and the mentor; a committee's year."""
    store, year = built
    table = store.run("evaluations", my.SUBJECT)
    assert table.code == 0, table
    assert "corrected to 软弱涣散" in table.stdout
    assert f"mentor: Branch {my.MENTOR}" in table.stdout

    rows = _csv(store.run("evaluations", my.SUBJECT, "--format", "csv").stdout)
    header = rows[0]
    # The policy's years up to today (the real clock here): 2017-2019.
    assert [r[header.index("year")] for r in rows[1:]] == ["2017", YEAR, "2019"]
    assert rows[2][header.index("result")] == "软弱涣散"

    known = store.run(
        "evaluations",
        my.SUBJECT,
        "--as-known-at",
        year.before_correction.isoformat(),
        "--format",
        "json",
    )
    assert known.code == 0, known
    assert known.json()["rows"][1]["result"] == "LAGGING"

    committee = store.run(
        "evaluations", "--committee", "base-a1", "--year", YEAR, "--format", "json"
    )
    assert committee.code == 0, committee
    assert len(committee.json()["rows"]) == 4
    listed = store.run(
        "evaluations", "--committee", "base-a1", "--year", YEAR, "--as-of", "2018-09-01"
    )
    assert listed.code == 0, listed
    assert f"Branch {my.SUBJECT}" in listed.stdout


def test_evaluations_refuses_unknown_subjects_and_bad_options(store: LocalStore) -> None:
    assert store.run("evaluations", "no-such-branch").code == 1
    assert store.run("evaluations", "--committee", "nowhere", "--year", YEAR).code == 1
    assert store.run("evaluations").code == 2
    assert store.run("evaluations", my.SUBJECT, "--committee", "cm-a", "--year", YEAR).code == 2
    assert store.run("evaluations", "--committee", "cm-a").code == 2
    assert store.run("evaluations", my.SUBJECT, "--as-known-at", "2018-01-01T00:00:00").code == 2


def test_the_mentoring_tables_keep_names_and_dates_whole_at_100_columns(store: LocalStore) -> None:
    with open_app(store.url) as app:
        view = app.mentoring("cm-a", my.YEAR)
    out = Console(width=100, record=True, file=io.StringIO())
    print_mentoring(out, view)
    text = out.export_text()
    for name in (f"Branch {my.MENTOR}", *(f"Branch {m}" for m in my.MENTEES), "cm-a committee"):
        assert name in text
    assert date(my.YEAR + 1, 6, 30).isoformat() in text
    assert max(len(line) for line in text.splitlines()) <= 100


def test_the_evaluation_tables_keep_names_whole_at_100_columns(store: LocalStore) -> None:
    with open_app(store.url) as app:
        rows = app.committee_evaluations("cm-a", my.YEAR).rows
    out = Console(width=100, record=True, file=io.StringIO())
    print_evaluations(out, rows, "cm-a", by_branch=True)
    text = out.export_text()
    assert all(f"Branch {r.branch_id}" in text for r in rows)
    assert max(len(line) for line in text.splitlines()) <= 100
