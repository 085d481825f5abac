"""The plans' read side on every store: the Annex 2 view of a committee (rows numbered within
each year, liaisons joined from the people table, the number held to, counts, sectors,
lateness) as known at a recorded time and in effect on a business date; the implementation
plans and their review; the figures §8 reports; and a rebuild equal to the incremental view
(tests/integration/plans_builders.py)."""

from __future__ import annotations

from datetime import date

import pytest

from guoying import ErasePerson, NotFound, OutOfRange
from guoying.api import Batch, PlanStatus, Sector
from guoying.domain.labels import ERASED
from guoying.domain.policy import TAIAN_2017
from tests.integration import plans_builders as pb
from tests.integration.builders import open_app, views_snapshot
from tests.unit.builders import BASE_A1, BASE_A2, BASE_B1, CM_A, CM_B, INT_A, LIAISON, OD, actor

DUE = TAIAN_2017.first_plan_due


class TestPlansReadSideOnEveryStore:
    def test_cultivation_row_the_annex_2_view_numbers_each_years_rows_and_joins_the_liaison(
        self, store_url: str
    ) -> None:
        """`cultivation.row`, `cultivation.minimum`, `cultivation.coverage`,
        `cultivation.deadline`: a county-level committee's plan filed in time."""
        with open_app(store_url) as app:
            pb.plans_window(app)

            view = app.cultivation_plan(CM_A, 2018)

            assert (view.committee_name, view.county_level, view.year) == (
                "cm-a committee",
                True,
                2018,
            )
            assert [line.sequence for line in view.rows] == list(range(1, pb.MINIMUM + 1))
            first = view.rows[0]
            assert (first.year, first.batch, first.branch_id, first.branch_name) == (
                2018,
                Batch.FOCUS,
                "a-00",
                "Branch a-00",
            )
            assert (first.liaison_id, first.liaison_name, first.liaison_contact) == (
                LIAISON,
                f"Name of {LIAISON}",
                "0538-0000000",
            )
            assert (first.liaison_position, first.measures) == (
                pb.POSITION,
                ("结对共建", "书记讲党课"),
            )
            assert (view.filed_with, view.filed_with_name) == (OD, "od committee")
            assert (view.filed_on, view.due_on, view.late, view.amended_on) == (
                pb.CM_A_FILED,
                DUE,
                False,
                None,
            )
            assert (view.required_minimum, view.stated_number) == (pb.MINIMUM, None)
            assert [(c.year, c.exemplars, c.number, c.short) for c in view.counts] == [
                (y, pb.MINIMUM, pb.MINIMUM, False) for y in (2017, 2018, 2019)
            ]
            assert view.sectors_covered == tuple(pb.SECTORS)
            assert view.sectors_missed == (Sector.SOCIAL_ORGANIZATION,)
            whole = app.cultivation_plan(CM_A, 2017, whole_window=True)
            assert len(whole.rows) == 3 * pb.MINIMUM
            assert whole.year is None

    def test_cultivation_minimum_a_committees_own_number_is_recorded_and_shortfalls_reported(
        self, store_url: str
    ) -> None:
        """`cultivation.minimum`, `cultivation.deadline`: cm-b's stated two a year, short in
        2018 and 2019, filed late, then amended; the amendment keeps the first filing's date,
        and the view reads back as known before it and in effect before it."""
        with open_app(store_url) as app:
            built = pb.plans_window(app)

            view = app.cultivation_plan(CM_B, 2017)
            assert [line.branch_id for line in view.rows] == ["b-0", "b-1", "b-2"]
            assert [line.batch for line in view.rows] == [Batch.FIRST, Batch.FIRST, Batch.RESERVE]
            assert (view.stated_number, view.required_minimum, view.county_level) == (
                2,
                None,
                False,
            )
            assert [(c.year, c.exemplars, c.short) for c in view.counts] == [
                (2017, 3, False),
                (2018, 1, True),
                (2019, 0, True),
            ]
            assert (view.filed_on, view.late, view.amended_on, view.revision) == (
                pb.CM_B_FILED,
                True,
                pb.CM_B_AMENDED,
                2,
            )
            assert view.sectors_covered == (Sector.RURAL,)

            before = app.cultivation_plan(CM_B, 2017, as_known_at=built.before_amendment)
            assert [line.branch_id for line in before.rows] == ["b-0", "b-1"]
            assert (before.revision, before.amended_on) == (1, None)
            as_of = app.cultivation_plan(CM_B, 2017, as_of=date(2017, 8, 1))
            assert as_of.revision == 1
            not_yet = app.cultivation_plan(CM_B, 2017, as_of=date(2017, 7, 15))
            assert (not_yet.filed, not_yet.rows, not_yet.overdue) == (False, (), True)

    def test_the_annex_2_view_shows_an_erased_liaisons_name_as_erased_without_a_new_event(
        self, store_url: str
    ) -> None:
        """rules.md 9a: the name and telephone number are joined from the people table."""
        with open_app(store_url) as app:
            pb.plans_window(app)
            app.execute(
                ErasePerson(
                    actor=actor(OD),
                    reason="本人申请删除个人信息",
                    effective_on=date(2018, 1, 5),
                    person_id=LIAISON,
                )
            )

            line = app.cultivation_plan(CM_B, 2017).rows[0]
            assert (line.liaison_id, line.liaison_name, line.liaison_contact) == (
                LIAISON,
                ERASED,
                ERASED,
            )

    def test_plan_filing_each_committees_implementation_plan_with_its_review(
        self, store_url: str
    ) -> None:
        """`plan.filing`: submitted, returned with reasons, accepted, late, overdue."""
        with open_app(store_url) as app:
            pb.plans_window(app)

            plans = {p.committee_id: p for p in app.implementation_plans(year=2018)}

            assert set(plans) == {CM_A, INT_A, BASE_A1, BASE_A2, CM_B, BASE_B1}
            a = plans[CM_A]
            assert (a.status, a.body_id, a.body_name, a.late, a.accepted_on) == (
                PlanStatus.ACCEPTED,
                OD,
                "od committee",
                False,
                date(2017, 7, 20),
            )
            base = plans[BASE_A1]
            assert (base.status, base.revision, base.late, base.due_on) == (
                PlanStatus.ACCEPTED,
                2,
                True,
                TAIAN_2017.implementation_plan_due,
            )
            assert (base.first_submitted_on, base.last_submitted_on, base.accepted_on) == (
                pb.BASE_A1_FIRST,
                pb.BASE_A1_AGAIN,
                pb.BASE_A1_ACCEPTED,
            )
            assert [(r.on, r.revision, r.by_person_id, r.reasons) for r in base.returns] == [
                (pb.BASE_A1_RETURNED, 1, f"secretary-{CM_A}", pb.RETURN_REASONS)
            ]
            assert base.indicators == ("先进党支部占比不超过10%",)
            assert (plans[BASE_A2].status, plans[BASE_A2].body_id) == (PlanStatus.SUBMITTED, INT_A)
            # int-a and cm-b submitted nothing: listed with the body they file with, overdue.
            for missing, body in ((INT_A, CM_A), (CM_B, OD)):
                assert (plans[missing].status, plans[missing].body_id, plans[missing].overdue) == (
                    PlanStatus.NOT_SUBMITTED,
                    body,
                    True,
                )

            under = app.implementation_plans(CM_A, year=2017)
            assert [p.committee_id for p in under] == [CM_A, BASE_A1, INT_A, BASE_A2]
            returned = {
                p.committee_id: p.status
                for p in app.implementation_plans(CM_A, year=2017, as_of=pb.BASE_A1_RETURNED)
            }
            assert returned[BASE_A1] is PlanStatus.RETURNED

    def test_the_plans_figures_a_secretary_reports_per_committee_and_year(
        self, store_url: str
    ) -> None:
        """`accountability.assessment`: the plans filed, accepted, late, and the exemplars."""
        with open_app(store_url) as app:
            pb.plans_window(app)

            figures = {f.committee_id: f for f in app.plan_figures(CM_B, 2018)}

            b = figures[CM_B]
            assert (b.implementation_filed, b.implementation_overdue) == (False, True)
            assert (b.cultivation_filed, b.cultivation_late, b.exemplars, b.exemplars_number) == (
                True,
                True,
                1,
                2,
            )
            base = figures[BASE_B1]
            assert (base.implementation_status, base.cultivation_filed, base.exemplars) == (
                PlanStatus.SUBMITTED,
                None,
                None,
            )
            a = {f.committee_id: f for f in app.plan_figures(CM_A, 2019)}[CM_A]
            assert (a.implementation_accepted, a.cultivation_late, a.exemplars) == (
                True,
                False,
                pb.MINIMUM,
            )

    def test_the_plans_view_rebuilt_from_the_events_equals_the_incremental_one(
        self, store_url: str
    ) -> None:
        with open_app(store_url) as app:
            pb.plans_window(app)
            incremental = views_snapshot(app)["view_plan_events"]
            app.rebuild_views()
            assert views_snapshot(app)["view_plan_events"] == incremental
            assert len(incremental) == 11  # eight implementation events, three filings

    def test_an_unknown_committee_is_not_found_and_a_base_committee_has_no_annex_2(
        self, store_url: str
    ) -> None:
        with open_app(store_url) as app:
            pb.plans_window(app)
            with pytest.raises(NotFound):
                app.cultivation_plan("nowhere", 2017)
            with pytest.raises(NotFound):
                app.implementation_plans("nowhere", year=2017)
            with pytest.raises(OutOfRange):
                app.cultivation_plan(BASE_B1, 2017)
            assert app.cultivation_plan(CM_B, 2017).committee_id == CM_B
            assert BASE_A2 in {p.committee_id for p in app.implementation_plans(year=2017)}
