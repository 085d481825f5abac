"""`guoying selection`, `titles` and `form` on a store holding a whole selection year, as a
table, JSON and CSV; an unknown nomination or committee exits 1, a bad option 2."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest

from guoying.domain.labels import FORM_HEADERS, FORM_TITLE, NOT_GIVEN, TITLE_LABELS
from guoying.domain.values import TitleLevel
from tests.e2e.inprocess import LocalStore
from tests.integration import selection_years as sy
from tests.integration.builders import open_app
from tests.unit import selection_builders as sb

PIONEER, DOWNGRADED = sb.NAMED
YEAR = str(sy.YEAR)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[LocalStore, sy.NamedYear]:
    store = LocalStore(Path(tmp_path_factory.mktemp("selection")))
    with open_app(store.url) as app:
        named = sy.named_year(app)
    return store, named


@pytest.fixture
def store(built: tuple[LocalStore, sy.NamedYear]) -> LocalStore:
    return built[0]


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_selection_shows_the_board_of_a_year_in_every_format(store: LocalStore) -> None:
    """`selection.rounds`: each nomination's status and title, by committee."""
    as_json = store.run("selection", "--year", YEAR, "--format", "json")
    assert as_json.code == 0, as_json
    rows = {r["nomination_id"]: r for r in as_json.json()["rows"]}
    assert len(rows) == 12
    assert (rows[PIONEER]["status"], rows[PIONEER]["title"]) == ("NAMED", "CITY")
    assert rows[PIONEER]["late"][0]["what"] == "RoundListFinal"

    table = store.run("selection", "--year", YEAR, "--committee", "cm-b")
    assert table.code == 0, table
    assert TITLE_LABELS[TitleLevel.CITY] not in table.stdout  # downgraded since
    assert TITLE_LABELS[TitleLevel.COMMITTEE] in table.stdout
    assert all(n in table.stdout for n in sb.B1)
    assert not any(n in table.stdout for n in sb.A1)

    as_csv = _csv(store.run("selection", "--year", YEAR, "--format", "csv").stdout)
    assert as_csv[0][:3] == ["nomination_id", "branch", "base committee"]
    assert [r[0] for r in as_csv[1:]] == [*sb.A1, *sb.A2, *sb.B1]


def test_titles_shows_the_register_as_of_and_as_known_at(
    built: tuple[LocalStore, sy.NamedYear],
) -> None:
    """`selection.annual_titles`, `title.revocation`: the Chinese title names, the state of
    each title, and the register as in effect on a date and as known at a time."""
    store, named = built
    table = store.run("titles", "--year", YEAR)
    assert table.code == 0, table
    assert TITLE_LABELS[TitleLevel.CITY] in table.stdout
    assert "downgraded by city committee" in table.stdout
    assert "revoked by cm-a committee" in table.stdout

    rows = _csv(store.run("titles", "--year", YEAR, "--format", "csv").stdout)
    assert rows[0][0] == "title"
    assert [(r[0], r[2], r[6]) for r in rows[1:3]] == [
        (TITLE_LABELS[TitleLevel.CITY], "base-a1-b0", "held"),
        (
            TITLE_LABELS[TitleLevel.CITY],
            "base-b1-b0",
            f"downgraded by city committee on {sy.DOWNGRADED_ON}: DowngradeTitle by city",
        ),
    ]

    before = (sy.REVOKED_ON - timedelta(days=1)).isoformat()
    as_of = store.run("titles", "--year", YEAR, "--as-of", before, "--format", "json")
    assert as_of.code == 0, as_of
    revoked = next(e for e in as_of.json()["entries"] if e["nomination_id"] == sb.PROPOSALS[1])
    assert (revoked["held"], revoked["ended"]) == (True, None)

    known_at = named.before_naming.isoformat()
    known = store.run("titles", "--year", YEAR, "--as-known-at", known_at, "--format", "json")
    assert known.code == 0, known
    assert {e["level"] for e in known.json()["entries"]} == {"COMMITTEE"}


def test_form_shows_annex_3_with_its_four_sealed_dated_opinions(
    built: tuple[LocalStore, sy.NamedYear],
) -> None:
    """`selection.form`: the form's Chinese boxes, each opinion with its seal and date, and
    an opinion not given yet as known before the naming."""
    store, named = built
    table = store.run("form", PIONEER)
    assert table.code == 0, table
    assert FORM_TITLE in table.stdout
    assert all(FORM_HEADERS[k] in table.stdout for k in ("name", "secretary", "city_opinion"))
    assert "（盖章：city committee）2018年7月20日" in table.stdout

    rows = _csv(store.run("form", PIONEER, "--format", "csv").stdout)
    assert rows[0] == ["field", "label", "value", "committee_id", "on"]
    fields = {r[0]: r[2] for r in rows[1:]}
    assert fields["nomination_id"] == PIONEER
    assert fields["name"] == "Branch base-a1-b0"
    assert "山东省先进基层党组织" in fields["past_honours"]
    sealed = {r[0]: (r[3], r[4]) for r in rows[1:]}
    assert sealed["city_opinion"] == ("city", "2018-07-20"), "the seal's id and date, by themselves"

    earlier = store.run("form", PIONEER, "--as-known-at", named.before_naming.isoformat())
    assert earlier.code == 0, earlier
    assert NOT_GIVEN in earlier.stdout

    as_json = store.run("form", PIONEER, "--format", "json")
    assert as_json.json()["city_opinion"]["committee_id"] == "city"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("form", "base-a1-b0-2017"), 1, "nomination_id: no such nomination 'base-a1-b0-2017'"),
        (("selection", "--year", YEAR, "--committee", "nowhere"), 1, "no such committee"),
        (("selection", "--year", YEAR, "--as-of", "2018/07/01"), 2, "--as-of"),
        (("titles", "--year", YEAR, "--as-known-at", "2018-07-01T09:00:00"), 2, "UTC offset"),
        (("titles", "--year", "last"), 2, "--year"),
        (("form", PIONEER, "--format", "docx"), 2, "--format"),
    ],
)
def test_an_unknown_id_exits_1_and_a_bad_option_exits_2(
    store: LocalStore, args: tuple[str, ...], code: int, message: str
) -> None:
    run = store.run(*args)

    assert run.code == code, run
    assert message in run.stderr, run
    assert run.stdout == ""
