"""Reads of the plans: the Annex 2 cultivation plan of a committee, the implementation plans
and their review, and the plans' figures §8 reports."""

from __future__ import annotations

from datetime import date, datetime

from guoying.api.core import Core
from guoying.application.errors import NotFound, OutOfRange
from guoying.projections.ledger.tree import load_committees
from guoying.projections.plans.queries import (
    CultivationPlanView,
    ImplementationPlanState,
    PlanFigures,
    read_cultivation_plan,
    read_implementation_plans,
    read_plan_figures,
)


class PlanReads(Core):
    def cultivation_plan(
        self,
        committee_id: str,
        year: int,
        *,
        whole_window: bool = False,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> CultivationPlanView:
        """A city-managed committee's three-year cultivation plan (Annex 2) for the plan
        window containing `year`: that year's rows (every year's with `whole_window`), as
        last filed, with the number it is held to, the counts per year, the sectors covered
        and missed, when it was filed and due, and whether late (`cultivation.*`).

        `as_known_at`: what the store held at that recorded time; `as_of`: the filings made
        by that business date, as known now.
        """
        policy = self.policy_for_year(year)
        self.catch_up()
        reading = self.reading(as_known_at, as_of)
        with self.store.engine.connect() as conn:
            found = read_cultivation_plan(
                conn, committee_id, year, policy, self.today(), reading, whole_window=whole_window
            )
            known = committee_id in load_committees(conn, cut=reading.cut)
        if found is not None:
            return found
        if known:
            raise OutOfRange(
                "committee_id",
                f"{committee_id!r} files no cultivation plan for {year}: only a city-managed "
                "committee in the tree then files Annex 2",
            )
        raise NotFound("committee_id", committee_id)

    def implementation_plans(
        self,
        committee_id: str | None = None,
        *,
        year: int,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> tuple[ImplementationPlanState, ...]:
        """Each committee's implementation plan for the plan window containing `year`
        (`plan.filing`): every city-managed, intermediate and base committee in
        `committee_id`'s subtree (the city without one), submitted, returned or accepted,
        with the body, the dates, lateness and the reasons of each return; a committee that
        has not submitted is listed as such, overdue after its due date."""
        policy = self.policy_for_year(year)
        self.catch_up()
        reading = self.reading(as_known_at, as_of)
        with self.store.engine.connect() as conn:
            found = read_implementation_plans(
                conn, committee_id, year, policy, self.today(), reading
            )
        if found is None:
            raise NotFound("committee_id", str(committee_id))
        return found

    def plan_figures(
        self,
        committee_id: str,
        year: int,
        *,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> tuple[PlanFigures, ...]:
        """What §8 reports of the plans for each filing committee in `committee_id`'s
        subtree and `year` (`accountability.assessment`): the implementation plan filed,
        accepted, late or overdue; the Annex 2 filed and late, and that year's exemplars
        against the number the plan is held to."""
        policy = self.policy_for_year(year)
        self.catch_up()
        reading = self.reading(as_known_at, as_of)
        with self.store.engine.connect() as conn:
            found = read_plan_figures(conn, committee_id, year, policy, self.today(), reading)
        if found is None:
            raise NotFound("committee_id", committee_id)
        return found
