"""Reads of mentoring (§6, Annex 4): a committee's pairs, mentors' loads, schedules and
coverage for a year."""

from __future__ import annotations

from datetime import date, datetime

from guoying.api.core import Core
from guoying.application.errors import NotFound, OutOfRange
from guoying.projections.ledger.tree import load_committees
from guoying.projections.mentoring.queries import MentoringView, read_mentoring


class MentoringReads(Core):
    def mentoring(
        self,
        committee_id: str,
        year: int,
        *,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> MentoringView:
        """The mentoring of a committee's subtree in a year (`mentoring.ratio`,
        `mentoring.plan`, `mentoring.eligibility`): every pair active at any time in the
        year up to its end (or `as_of`, if earlier), with the mentee's tier when paired, the
        plan and how it ended; each red-flag branch's or mentor's pairs active on that date
        against the policy's target (fewer is reported) and maximum; each city-managed
        committee's Annex 4 schedule, filed (late or not) or not; and the coverage figures.

        `as_known_at`: what the store held at that recorded time; `as_of`: what was in
        effect on that business date, as known now.
        """
        policy = self.policy_for_year(year)
        self.catch_up()
        reading = self.reading(as_known_at, as_of)
        with self.store.engine.connect() as conn:
            found = read_mentoring(conn, committee_id, year, policy, self.today(), reading)
            if found is None:
                if committee_id in load_committees(conn, cut=reading.cut):
                    raise OutOfRange(
                        "committee_id",
                        f"{committee_id!r} was not active at the end of {year} (dissolved, or "
                        "not yet founded); use --as-of a date when it was",
                    )
                raise NotFound("committee_id", committee_id)
        return found
