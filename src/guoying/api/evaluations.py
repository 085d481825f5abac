"""Reads of the annual evaluation histories: a branch's rows, one per year, and a
committee's subtree's rows of a year."""

from __future__ import annotations

from datetime import date, datetime

from guoying.api.core import Core
from guoying.application.errors import NotFound, OutOfRange
from guoying.projections.evaluations.queries import (
    CommitteeEvaluations,
    EvaluationHistory,
    read_committee_evaluations,
    read_evaluations,
)
from guoying.projections.ledger.tree import load_committees


class EvaluationReads(Core):
    def evaluations(
        self,
        branch_id: str,
        *,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> EvaluationHistory:
        """A branch's annual evaluation history: a row for each year of the policy in
        effect (up to the as-of date, or today) that the branch existed in, with the tier at
        the year's start, the result and who decided it and why (and any correction), the
        target, the problems found and closed, the liaison, the title held, its mentor or
        mentees, and the findings against it.

        `as_known_at`: what the store held at that recorded time; `as_of`: what was in
        effect on that business date, as known now.
        """
        self.catch_up()
        reading = self.reading(as_known_at, as_of)
        last = (as_of or self.today()).year
        policy = self.policy(as_of)
        years = range(policy.first_year, min(policy.last_year, last) + 1)
        with self.store.engine.connect() as conn:
            found = read_evaluations(conn, branch_id, years, reading)
        if found is None:
            raise NotFound("branch_id", branch_id)
        return found

    def committee_evaluations(
        self,
        committee_id: str,
        year: int,
        *,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> CommitteeEvaluations:
        """The year's evaluation rows of every branch active in the committee's subtree at
        the end of the year (or on `as_of`, if earlier), in the ledger's order."""
        self.policy_for_year(year)
        self.catch_up()
        reading = self.reading(as_known_at, as_of)
        with self.store.engine.connect() as conn:
            found = read_committee_evaluations(conn, committee_id, year, reading)
            if found is None:
                if committee_id in load_committees(conn, cut=reading.cut):
                    raise OutOfRange(
                        "committee_id",
                        f"{committee_id!r} was not active at the end of {year} (dissolved, or "
                        "not yet founded); use --as-of a date when it was",
                    )
                raise NotFound("committee_id", committee_id)
        return found
