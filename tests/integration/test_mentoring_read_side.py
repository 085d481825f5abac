"""The mentoring view and the annual evaluation histories on every store, from the year of
tests/integration/mentoring_years.py: pairs with their plans and endings, each mentor's
load against the target, the Annex 4 schedule, and each branch's rows by year, as known at
a recorded time and in effect on a business date."""

from __future__ import annotations

from datetime import date

import pytest

from guoying import NotFound
from guoying.api import TitleLevel
from guoying.domain.policy import TAIAN_2017
from guoying.domain.values import Tier
from tests.integration import mentoring_years as my
from tests.integration import selection_years as sy
from tests.integration.builders import open_app
from tests.unit.builders import BASE_A1, BASE_B1, CITY, CM_A, CM_B, LIAISON, actor

YEAR = my.YEAR


class TestMentoringViewOnEveryStore:
    def test_pairs_loads_schedule_and_coverage_of_a_city_managed_committee(
        self, store_url: str
    ) -> None:
        """`mentoring.plan`, `mentoring.ratio`: each pair with the mentee's tier when paired,
        its plan and how it ended (who decided and why); the mentor below the target
        reported; the schedule filed after 31 July recorded as late."""
        with open_app(store_url) as app:
            my.mentoring_year(app)

            view = app.mentoring(CM_A, YEAR)

            assert view.on == date(YEAR, 12, 31)
            assert [r.pair_id for r in view.pairs] == list(my.PAIRS)
            first, ended, third = view.pairs
            assert (first.mentor_branch_id, first.mentee_branch_id) == (my.MENTOR, my.MENTEES[0])
            assert (first.mentor_name, first.mentor_committee_id) == (
                f"Branch {my.MENTOR}",
                BASE_A1,
            )
            assert (first.mentee_tier, first.goal, first.remarks) == (
                Tier.MIDDLE,
                f"{my.MENTEES[0]} reaches the advanced tier",
                "结对共建",
            )
            assert (first.formed_on, first.deadline, first.active) == (
                my.FORMED_ON,
                date(YEAR + 1, 6, 30),
                True,
            )
            assert ended.ended is not None
            assert not ended.active
            assert (ended.ended.on, ended.ended.reason, ended.ended.decided_by) == (
                my.ENDED_ON,
                my.END_REASON,
                CM_A,
            )
            assert ended.ended.decided_by_person_id == actor(CM_A).person_id
            assert third.mentee_committee_id == "base-a2"

            (mentor,) = view.mentors
            assert (mentor.branch_id, mentor.title, mentor.active_pairs) == (
                my.MENTOR,
                TitleLevel.CITY,
                2,
            )
            assert (mentor.target, mentor.maximum) == (
                TAIAN_2017.mentees_target,
                TAIAN_2017.mentees_max,
            )
            assert view.below_target == (mentor,)

            (schedule,) = view.schedules
            assert (schedule.committee_id, schedule.filed_on, schedule.due_on) == (
                CM_A,
                my.FILED_ON,
                date(YEAR, 7, 31),
            )
            assert (schedule.late, schedule.overdue) == (True, False)
            assert [(e.pair_id, e.mentee_tier) for e in schedule.entries] == [
                (my.PAIRS[0], Tier.MIDDLE),
                (my.PAIRS[1], Tier.MIDDLE),
            ]

            c = view.coverage
            assert (c.red_flag_branches, c.mentors, c.active_pairs, c.mentees) == (1, 1, 2, 2)
            assert (c.mentors_below_target, c.pairs_formed, c.pairs_ended) == (1, 3, 1)
            assert (c.schedules_due, c.schedules_filed, c.schedules_late) == (1, 1, 1)

    def test_a_subtree_and_the_whole_city(self, store_url: str) -> None:
        """`mentoring.plan`: a city-managed committee that has not filed is overdue after 31
        July; a base committee sees the pairs of its branches, mentors or mentees."""
        with open_app(store_url) as app:
            my.mentoring_year(app)

            city = app.mentoring(CITY, YEAR)
            assert [
                (s.committee_id, s.filed_on is not None, s.overdue) for s in city.schedules
            ] == [
                (CM_A, True, False),
                (CM_B, False, True),
            ]
            # cm-b's red-flag branches (one downgraded from Taishan Pioneer) mentor no one.
            assert {m.branch_id for m in city.below_target} >= {my.MENTOR, "base-b1-b0"}

            base_a2 = app.mentoring("base-a2", YEAR)
            assert [r.pair_id for r in base_a2.pairs] == [my.PAIRS[2]]
            assert base_a2.mentors == ()
            assert base_a2.coverage.mentees == 1
            assert app.mentoring(BASE_B1, YEAR).pairs == ()

    def test_as_known_before_the_ending_and_in_effect_before_it(self, store_url: str) -> None:
        """Bitemporal: the ended pair is active as known before its ending was recorded, and
        in effect on a date before it ended; before the pairs were formed there are none."""
        with open_app(store_url) as app:
            built = my.mentoring_year(app)

            known = app.mentoring(CM_A, YEAR, as_known_at=built.before_ending)
            assert [r.active for r in known.pairs] == [True, True, True]
            assert known.mentors[0].active_pairs == 3
            assert known.schedules[0].late

            during = app.mentoring(CM_A, YEAR, as_of=date(YEAR, 8, 15))
            assert during.on == date(YEAR, 8, 15)
            assert all(r.ended is None for r in during.pairs)

            before = app.mentoring(CM_A, YEAR, as_of=date(YEAR, 7, 25))
            assert before.pairs == ()
            (schedule,) = before.schedules
            assert (schedule.filed_on, schedule.overdue) == (None, False)
            assert before.mentors[0].active_pairs == 0

            assert app.replay_check() == []

    def test_an_unknown_committee_is_not_found(self, store_url: str) -> None:
        with open_app(store_url) as app:
            my.mentoring_year(app)
            with pytest.raises(NotFound):
                app.mentoring("nowhere", YEAR)


class TestEvaluationHistoriesOnEveryStore:
    def test_a_branch_has_a_row_per_year_with_every_fact_of_the_year(self, store_url: str) -> None:
        """`ledger.annual_adjustment`, `ledger.rectification`, `mentoring.plan`: the tier at
        the year's start, the target, the result with who decided it and why and its
        correction, the problems found and closed, the liaison and the mentor."""
        with open_app(store_url) as app:
            my.mentoring_year(app)

            history = app.evaluations(my.SUBJECT)

            assert [r.year for r in history.rows] == [2017, 2018]
            first, row = history.rows
            assert (first.tier_at_start, first.result, first.decision) == (Tier.MIDDLE, None, None)
            assert (row.tier_at_start, row.target, row.result) == (
                Tier.MIDDLE,
                Tier.MIDDLE,
                Tier.WEAK,
            )
            assert row.decision is not None
            assert (row.decision.tier, row.decision.committee_id, row.decision.on) == (
                Tier.LAGGING,
                BASE_A1,
                my.EVALUATED_ON,
            )
            assert row.decision.reason == f"AdjustTier by {BASE_A1}"
            assert [(c.tier, c.reason, c.on) for c in row.corrections] == [
                (Tier.WEAK, "the 2018 result was entered wrongly", my.CORRECTED_ON)
            ]
            assert [c.case_id for c in row.problems_found] == sorted(my.CASES)
            assert [(c.case_id, c.closed_on) for c in row.problems_closed] == [
                (my.CASES[1], date(YEAR, 10, 1))
            ]
            assert row.liaison is not None
            assert (row.liaison.person_id, row.liaison.position) == (LIAISON, "党委书记")
            assert row.title is None
            assert [(p.pair_id, p.branch_id, p.ended_on) for p in row.mentors] == [
                (my.PAIRS[0], my.MENTOR, None)
            ]

            mentor = app.evaluations(my.MENTOR).rows[-1]
            assert mentor.title is TitleLevel.CITY
            assert [(p.branch_id, p.ended_reason) for p in mentor.mentees] == [
                (my.MENTEES[0], None),
                (my.MENTEES[1], my.END_REASON),
                (my.MENTEES[2], None),
            ]

    def test_as_known_before_the_correction_and_in_effect_before_the_evaluation(
        self, store_url: str
    ) -> None:
        """Bitemporal like the ledger: the result as known before its correction was
        recorded, and none in effect before the evaluation; a title revoked in October
        is held on 1 October."""
        with open_app(store_url) as app:
            built = my.mentoring_year(app)

            known = app.evaluations(my.SUBJECT, as_known_at=built.before_correction).rows[-1]
            assert (known.result, known.corrections) == (Tier.LAGGING, ())

            early = app.evaluations(my.SUBJECT, as_of=date(YEAR, 9, 1)).rows[-1]
            assert (early.on, early.result, early.decision) == (date(YEAR, 9, 1), None, None)
            assert early.problems_closed == ()
            assert [
                p.ended_on
                for p in app.evaluations(my.MENTOR, as_of=date(YEAR, 8, 20)).rows[-1].mentees
            ] == [None, None, None]

            revoked = "base-a1-b1"
            assert app.evaluations(revoked).rows[-1].title is None
            held = app.evaluations(revoked, as_of=date(YEAR, 10, 1)).rows[-1]
            assert held.title is TitleLevel.COMMITTEE

    def test_a_committee_s_rows_of_a_year_with_the_findings(self, store_url: str) -> None:
        """The subtree's branches in the ledger's order; a veto finding against a unit
        (`selection.veto`) is a finding of each branch it serves, in the year found."""
        with open_app(store_url) as app:
            my.mentoring_year(app)

            cm_a = app.committee_evaluations(CM_A, YEAR)
            assert len(cm_a.rows) == 8
            assert {r.committee_id for r in cm_a.rows} == {BASE_A1, "base-a2"}

            base_b1 = app.committee_evaluations(BASE_B1, YEAR)
            assert len(base_b1.rows) == 4
            for row in base_b1.rows:
                assert [(f.kind, f.finding_id, f.issued_by) for f in row.findings] == [
                    ("selection.veto", sy.FINDING, "审计局")
                ]
            assert app.committee_evaluations(BASE_B1, YEAR - 1).rows[0].findings == ()
            with pytest.raises(NotFound):
                app.committee_evaluations("nowhere", YEAR)
            with pytest.raises(NotFound):
                app.evaluations("no-such-branch")
