"""The §8 report's figures (`accountability.assessment`): one read over the others."""

from __future__ import annotations

from datetime import date, datetime

from guoying.api.ledger import LedgerReads
from guoying.api.mentoring import MentoringReads
from guoying.api.oversight import OversightReads
from guoying.api.plans import PlanReads
from guoying.api.selection import SelectionReads
from guoying.projections.assessment import (
    Assessment,
    liaison_figures,
    plan_filing_figures,
    rectification_figures,
    title_figures,
)


class AssessmentReads(LedgerReads, SelectionReads, MentoringReads, PlanReads, OversightReads):
    def assessment(
        self,
        committee_id: str,
        year: int,
        *,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> Assessment:
        """The figures a committee secretary reports on the work of `year` for the
        committee's subtree (§8): tiers and shares, red-flag titles held and named,
        mentoring coverage, liaison coverage, rectification open, closed and overdue, plan
        and schedule filing, supervision compliance, findings, linkage decisions by tier
        and funding with the grants. Each part is read from its own view at the same
        `as_known_at` and `as_of` (by default the year's end, as known now)."""
        # Every part read as known at one recorded time, so a write landing between two of
        # the reads cannot make them disagree.
        as_known_at = as_known_at or self.recorded_till_now()
        ledger = self.ledger(committee_id, year, as_known_at=as_known_at, as_of=as_of)
        register = self.titles(year, as_known_at=as_known_at, as_of=as_of)
        return Assessment(
            committee_id=committee_id,
            committee_name=ledger.committee.name,
            year=year,
            tiers=ledger.figures,
            titles=title_figures(register, {r.branch_id for r in ledger.rows}, year),
            mentoring=self.mentoring(
                committee_id, year, as_known_at=as_known_at, as_of=as_of
            ).coverage,
            liaison=liaison_figures(ledger),
            rectification=rectification_figures(ledger),
            plans=plan_filing_figures(
                self.plan_figures(committee_id, year, as_known_at=as_known_at, as_of=as_of)
            ),
            oversight=self.oversight_figures(
                committee_id, year, as_known_at=as_known_at, as_of=as_of
            ),
        )
