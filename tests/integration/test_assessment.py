"""The §8 figures (`accountability.assessment`) on every store: each section equals the view
it sums, read at the same recorded time and business date, for a city-managed committee's
subtree and a base committee's."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from guoying import NotFound
from guoying.api import TitleLevel
from guoying.domain.values import Tier
from guoying.projections.assessment import plan_filing_figures
from guoying.projections.reading import store_position_at
from tests.integration import mentoring_years as my
from tests.integration.builders import open_app
from tests.unit.builders import BASE_A1, CM_A

YEAR = my.YEAR


def test_accountability_assessment_sums_the_views_of_the_subtree(store_url: str) -> None:
    """Tiers and shares from the ledger, titles held and named in the subtree, mentoring
    coverage, liaisons, rectification, plans and oversight: each as its own view says."""
    with open_app(store_url) as app:
        my.mentoring_year(app)

        found = app.assessment(CM_A, YEAR)

        ledger = app.ledger(CM_A, YEAR)
        assert found.committee_name == ledger.committee.name
        assert found.tiers == ledger.figures
        assert found.tiers.active == len(ledger.rows) > 0
        assert found.liaison.branches == len(ledger.rows)
        assert found.liaison.without_liaison == len(ledger.without_liaison)
        assert found.rectification.open == sum(r.cases_open for r in ledger.rows)
        assert found.rectification.closed == sum(r.cases_closed for r in ledger.rows) >= 1
        assert found.mentoring == app.mentoring(CM_A, YEAR).coverage
        assert found.mentoring.pairs_formed == len(my.PAIRS)
        assert found.mentoring.pairs_ended == 1
        assert found.oversight == app.oversight_figures(CM_A, YEAR)
        assert found.plans == plan_filing_figures(app.plan_figures(CM_A, YEAR))
        # The selection year named base-a1-b0 Taishan Pioneer; cm-a titled its red-flag ones.
        subtree = {r.branch_id for r in ledger.rows}
        held = [e for e in app.titles(YEAR).held if e.branch_id in subtree]
        assert (
            found.titles.held[TitleLevel.CITY] == sum(e.level is TitleLevel.CITY for e in held) >= 1
        )
        assert sum(found.titles.held.values()) == len(held)
        named = [e for e in app.titles(YEAR).entries if e.branch_id in subtree and e.year == YEAR]
        assert sum(found.titles.named.values()) == len({e.branch_id for e in named}) >= 1


def test_accountability_assessment_of_a_base_committee_counts_its_own_branches_only(
    store_url: str,
) -> None:
    with open_app(store_url) as app:
        my.mentoring_year(app)

        base = app.assessment(BASE_A1, YEAR)
        city_managed = app.assessment(CM_A, YEAR)

        assert base.tiers.active == len(app.ledger(BASE_A1, YEAR).rows)
        assert base.tiers.active < city_managed.tiers.active
        assert sum(base.titles.held.values()) <= sum(city_managed.titles.held.values())


def test_accountability_assessment_reads_every_section_as_known_at_one_time(
    store_url: str,
) -> None:
    """As known before pair-2 ended, and before the 2018 result was corrected: the figures
    are those of that moment, every section alike."""
    with open_app(store_url) as app:
        year = my.mentoring_year(app)

        before = app.assessment(CM_A, YEAR, as_known_at=year.before_ending)
        now = app.assessment(CM_A, YEAR)

        assert (before.mentoring.pairs_ended, now.mentoring.pairs_ended) == (0, 1)
        assert before.mentoring.active_pairs == now.mentoring.active_pairs + 1
        # The mentee's 2018 result (LAGGING, then corrected) was not yet known at all.
        assert before.tiers == app.ledger(CM_A, YEAR, as_known_at=year.before_ending).figures
        assert before.tiers.counts[Tier.MIDDLE] >= now.tiers.counts[Tier.MIDDLE]


def test_accountability_assessment_in_effect_on_a_date_before_the_pairs() -> None:
    with open_app("memory://") as app:
        my.mentoring_year(app)

        early = app.assessment(CM_A, YEAR, as_of=date(YEAR, 7, 31))

        assert early.mentoring.pairs_formed == 0
        assert early.mentoring.active_pairs == 0


def test_accountability_assessment_of_an_unknown_committee_is_not_found() -> None:
    with open_app("memory://") as app:
        my.mentoring_year(app)
        with pytest.raises(NotFound) as raised:
            app.assessment("no-such-committee", YEAR)
        assert raised.value.field == "committee_id"


def test_a_reading_as_known_at_the_last_recorded_time_sees_the_last_write_and_no_later(
    store_url: str,
) -> None:
    """Recorded times are compared as whole microseconds: a float timestamp could land one
    below the recorded time and leave the last write out of an assessment read 'now'."""
    with open_app(store_url) as app:
        my.mentoring_year(app)
        at = app.recorded_till_now()
        last = app.store.last_position()
        assert at is not None
        with app.store.engine.connect() as conn:
            assert store_position_at(conn, at) == last
            assert store_position_at(conn, at - timedelta(microseconds=1)) < last
