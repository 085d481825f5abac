"""What a branch or the city would publish (`publicity.platform`), on every store: the
branch's progress from its ledger row, title and mentoring; the city's red-flag column with
the main deeds of the Annex 3 form; nothing personal in either."""

from __future__ import annotations

import json

import pytest

from guoying import NotFound
from guoying.api import TitleLevel, to_data
from guoying.domain.values import Tier
from tests.integration import mentoring_years as my
from tests.integration.builders import open_app
from tests.unit.builders import BASE_A1, LIAISON

YEAR = my.YEAR


def test_publicity_platform_a_branch_publishes_its_progress_title_and_mentoring(
    store_url: str,
) -> None:
    with open_app(store_url) as app:
        my.mentoring_year(app)

        mentee = app.branch_progress(my.SUBJECT, YEAR)
        mentor = app.branch_progress(my.MENTOR, YEAR)

        row = next(r for r in app.ledger(BASE_A1, YEAR).rows if r.branch_id == my.SUBJECT)
        assert (mentee.committee_id, mentee.target, mentee.result) == (
            BASE_A1,
            Tier.MIDDLE,
            row.results[YEAR],
        )
        assert (mentee.cases_open, mentee.cases_closed) == (1, 1)
        assert mentee.mentor == f"Branch {my.MENTOR}"
        assert mentee.title is None
        assert mentor.title is TitleLevel.CITY
        # pair-2 ended in September: two pairs stand at the year's end.
        assert mentor.mentees == (f"Branch {my.MENTEES[0]}", f"Branch {my.MENTEES[2]}")
        published = json.dumps(to_data(mentee), ensure_ascii=False)
        assert LIAISON not in published
        assert "Name of" not in published
        assert "0538" not in published


def test_publicity_platform_the_city_column_shows_each_title_with_its_deeds(
    store_url: str,
) -> None:
    with open_app(store_url) as app:
        my.mentoring_year(app)

        column = app.red_flag_column(YEAR)

        held = app.titles(YEAR).held
        assert len(column.entries) == len({e.branch_id for e in held}) > 0
        first = column.entries[0]
        assert first.level is TitleLevel.CITY
        assert first.branch_id == my.MENTOR
        assert first.main_deeds == f"deeds of {my.MENTOR}-{YEAR}"
        assert [e.level for e in column.entries] == sorted(
            (e.level for e in column.entries), key=lambda level: level is not TitleLevel.CITY
        )
        assert "secretary" not in json.dumps(to_data(column))


def test_publicity_platform_an_unknown_branch_is_not_found() -> None:
    with open_app("memory://") as app:
        my.mentoring_year(app)
        with pytest.raises(NotFound) as raised:
            app.branch_progress("no-such-branch", YEAR)
        assert raised.value.field == "branch_id"
