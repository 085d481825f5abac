"""The figures a committee secretary reports on the work each year (§8,
`accountability.assessment`), for a committee's subtree and a year.

Each section is summed from the view that already answers it (the ledger, the title
register, mentoring, the plans, oversight), read at one recorded time and business date, so
the report agrees with every form it sums: nothing here is counted twice or anew.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from attrs import frozen

from guoying.domain.plans import PlanStatus
from guoying.domain.values import TitleLevel
from guoying.projections.ledger.figures import TierFigures
from guoying.projections.ledger.queries import Ledger
from guoying.projections.mentoring.queries import MentoringCoverage
from guoying.projections.oversight.figures import OversightFigures
from guoying.projections.plans.queries import PlanFigures
from guoying.projections.selection.titles import TitleEnd, TitleEntry, TitleRegister


@frozen
class TitleFigures:
    """The subtree's red-flag branches: those holding a title at the date and those named
    in the year, each counted once at the highest level it holds (a branch titled in two
    years is one branch; a Taishan Pioneer downgraded since counts at committee level); and
    the titles revoked or downgraded in the year."""

    held: dict[TitleLevel, int]
    named: dict[TitleLevel, int]
    revoked: int
    downgraded: int


@frozen
class LiaisonFigures:
    """`ledger.liaison_coverage`: branches with and without a liaison."""

    branches: int
    with_liaison: int
    without_liaison: int


@frozen
class RectificationFigures:
    """The rectification cases of the subtree's branches found by the date."""

    open: int
    closed: int
    overdue: int


@frozen
class PlanFilingFigures:
    """`plan.filing` and `cultivation.*`: the committees that file, and how."""

    committees: int
    implementation_accepted: int
    implementation_pending: int  # submitted or returned, not yet accepted
    implementation_late: int
    implementation_overdue: int
    cultivation_due: int  # city-managed committees, who file Annex 2
    cultivation_filed: int
    cultivation_late: int
    exemplars: int
    exemplars_short: int  # committees planning fewer exemplars than they are held to


@frozen
class Assessment:
    """§8's figures of a committee's subtree for a year."""

    committee_id: str
    committee_name: str
    year: int
    tiers: TierFigures
    titles: TitleFigures
    mentoring: MentoringCoverage
    liaison: LiaisonFigures
    rectification: RectificationFigures
    plans: PlanFilingFigures
    oversight: OversightFigures


def _branches_by_level(entries: Iterable[TitleEntry]) -> dict[TitleLevel, int]:
    """Each branch once, at the highest level among its entries."""
    highest: dict[str, TitleLevel] = {}
    for entry in entries:
        if highest.get(entry.branch_id) is not TitleLevel.CITY:
            highest[entry.branch_id] = entry.level
    found = Counter(highest.values())
    return {level: found[level] for level in TitleLevel}


def title_figures(register: TitleRegister, branch_ids: set[str], year: int) -> TitleFigures:
    mine = [e for e in register.entries if e.branch_id in branch_ids]
    ends = [e.ended for e in mine if e.ended is not None and e.ended.on.year == year]
    return TitleFigures(
        held=_branches_by_level(e for e in mine if e.held),
        named=_branches_by_level(e for e in mine if e.year == year),
        revoked=sum(1 for end in ends if end.how is TitleEnd.REVOKED),
        downgraded=sum(1 for end in ends if end.how is TitleEnd.DOWNGRADED),
    )


def liaison_figures(ledger: Ledger) -> LiaisonFigures:
    without = len(ledger.without_liaison)
    return LiaisonFigures(len(ledger.rows), len(ledger.rows) - without, without)


def rectification_figures(ledger: Ledger) -> RectificationFigures:
    return RectificationFigures(
        open=sum(r.cases_open for r in ledger.rows),
        closed=sum(r.cases_closed for r in ledger.rows),
        overdue=sum(r.cases_overdue for r in ledger.rows),
    )


def plan_filing_figures(plans: Sequence[PlanFigures]) -> PlanFilingFigures:
    annex_2 = [p for p in plans if p.cultivation_filed is not None]
    return PlanFilingFigures(
        committees=len(plans),
        implementation_accepted=sum(p.implementation_accepted for p in plans),
        implementation_pending=sum(
            p.implementation_status in (PlanStatus.SUBMITTED, PlanStatus.RETURNED) for p in plans
        ),
        implementation_late=sum(p.implementation_late for p in plans),
        implementation_overdue=sum(p.implementation_overdue for p in plans),
        cultivation_due=len(annex_2),
        cultivation_filed=sum(bool(p.cultivation_filed) for p in annex_2),
        cultivation_late=sum(bool(p.cultivation_late) for p in annex_2),
        exemplars=sum(p.exemplars or 0 for p in annex_2),
        exemplars_short=sum(
            p.exemplars_number is not None and (p.exemplars or 0) < p.exemplars_number
            for p in annex_2
        ),
    )
