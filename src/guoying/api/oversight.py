"""Reads of supervision, accountability, linkage and funding (§4, §7, §8, §9)."""

from __future__ import annotations

from datetime import date, datetime

from guoying.api.core import Core
from guoying.application.errors import NotFound
from guoying.projections.ledger.tree import load_branches, load_committees, subtree_ids
from guoying.projections.oversight.figures import OversightFigures, figures_of
from guoying.projections.oversight.queries import (
    OversightReport,
    ReevaluationFlag,
    read_oversight,
    reevaluation_flags,
    report_date,
)
from guoying.projections.selection.queries import committee_known


class OversightReads(Core):
    def compliance(
        self,
        committee_id: str,
        year: int,
        *,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> OversightReport:
        """Each committee of `committee_id`'s subtree with, for `year`: its compliance with
        `supervision.exchange` (city-managed committees, per half year) and
        `supervision.special_meeting` (met, not met while the period runs, overdue once it
        ended without one), its supervision visits, the falsification and accountability
        findings against it, the linkage decisions about its branches and its funding with
        its Taishan Pioneers' grants. Judged on `as_of`, else today; as known at
        `as_known_at`."""
        policy = self.policy_for_year(year)
        self.catch_up()
        reading = self.reading(as_known_at, as_of)
        on = report_date(self.today(), reading)
        with self.store.engine.connect() as conn:
            if not committee_known(conn, committee_id):
                raise NotFound("committee_id", committee_id)
            return read_oversight(conn, committee_id, year, on, policy, reading)

    def oversight_figures(
        self,
        committee_id: str,
        year: int,
        *,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> OversightFigures:
        """The subtree's oversight figures for `year` (the §8 report's supervision
        compliance, findings, linkage decisions by tier and funding with the grants)."""
        return figures_of(self.compliance(committee_id, year, as_known_at=as_known_at, as_of=as_of))

    def reevaluation_flags(
        self, committee_id: str, *, as_known_at: datetime | None = None
    ) -> list[ReevaluationFlag]:
        """`accountability.falsification`: the branches of the subtree named in a
        falsification finding and not evaluated since, by branch."""
        self.catch_up()
        reading = self.reading(as_known_at)
        with self.store.engine.connect() as conn:
            if not committee_known(conn, committee_id):
                raise NotFound("committee_id", committee_id)
            committees = load_committees(conn, None, reading.cut)
            bases = subtree_ids(committees, committee_id)
            branches = load_branches(conn, None, reading.cut, bases=bases)
            found = reevaluation_flags(conn, branches, reading)
        return [flag for branch_id in sorted(found) for flag in found[branch_id]]
