"""Reading the ledger (Annex 1, `ledger.row`, `ledger.rollup`) and its figures.

A committee's ledger is the union of the ledgers of every base committee in its subtree,
in sector order with one running sequence; a year's ledger shows the state in effect at the
end of that year and the targets and results of the plan window that contains it.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.adapters import schema
from guoying.domain.policy import Policy
from guoying.domain.values import Sector, Tier
from guoying.projections.ledger import tables as v
from guoying.projections.ledger.figures import TierFigures, figures_of, tier_in, tier_timelines
from guoying.projections.ledger.tree import CommitteeRow, load_committees, subtree_ids
from guoying.projections.reading import NOW, Reading, business_date


@frozen
class LedgerRow:
    sector: Sector
    sequence: int
    branch_id: str
    name: str
    base_committee_id: str
    tier: Tier
    targets: dict[int, Tier | None]
    results: dict[int, Tier | None]
    problems: tuple[str, ...]
    measures: tuple[str, ...]
    liaison_id: str | None
    liaison_name: str | None
    liaison_position: str | None
    liaison_contact: str | None
    cases_open: int
    cases_closed: int
    cases_overdue: int


@frozen
class CommonProblemRow:
    committee_id: str
    problem_id: str
    year: int
    problem: str
    measure: str


@frozen
class CapExceptionRow:
    """An approved exception to `ledger.advanced_cap` for a committee in the subtree."""

    committee_id: str
    years: tuple[int, ...]
    justification: str
    approved_by_person_id: str
    approved_by_committee_id: str
    effective_on: date


@frozen
class Ledger:
    committee: CommitteeRow
    year: int
    window: tuple[int, ...]
    rows: tuple[LedgerRow, ...]
    common_problems: tuple[CommonProblemRow, ...]
    figures: TierFigures
    cap_exceptions: tuple[CapExceptionRow, ...]

    @property
    def without_liaison(self) -> tuple[LedgerRow, ...]:
        """Branches with no liaison: the branch side of `ledger.liaison_coverage`."""
        return tuple(row for row in self.rows if row.liaison_id is None)


def read_ledger(
    conn: Connection,
    committee_id: str,
    year: int,
    policy: Policy,
    today: date,
    reading: Reading = NOW,
) -> Ledger | None:
    committees = load_committees(
        conn, business_date(year, reading), reading.cut, within=committee_id
    )
    committee = committees.get(committee_id)
    if committee is None or not committee.active:
        return None
    ids = subtree_ids(committees, committee_id)
    window = tuple(policy.plan_window(year))
    end = business_date(year, reading)
    as_of = min(end, today)
    branch_rows, timelines = tier_timelines(conn, ids, year, reading, since=window[0])
    branch_ids = [str(r.branch_id) for r in branch_rows]

    targets: dict[str, dict[int, Tier]] = defaultdict(dict)
    query = (
        v.of_branches(v.targets, branch_ids, reading.cut)
        .where(v.targets.c.year.between(window[0], window[-1]))
        .where(v.targets.c.effective_on <= (reading.as_of or date.max))
    )
    for t in conn.execute(query):
        targets[t.branch_id][t.year] = Tier(t.target)

    liaison_of: dict[str, tuple[str, str]] = {}
    query = (
        v.of_branches(v.liaisons, branch_ids, reading.cut)
        .where(v.liaisons.c.effective_on <= end)
        .order_by(v.liaisons.c.effective_on, v.liaisons.c.position)
    )
    for row in conn.execute(query):
        liaison_of[row.branch_id] = (row.person_id, row.title)
    people = {
        r.person_id: (r.name, r.phone)
        for r in conn.execute(
            sa.select(schema.people).where(
                schema.people.c.person_id.in_([p for p, _ in liaison_of.values()])
            )
        )
    }

    cases_of: dict[str, list[sa.Row[tuple[object, ...]]]] = defaultdict(list)
    query = (
        v.of_branches(v.cases, branch_ids, reading.cut)
        .where(v.cases.c.found_on <= end)
        .order_by(v.cases.c.found_on, v.cases.c.case_id)
    )
    for row in conn.execute(query):
        cases_of[str(row.branch_id)].append(row)

    ordered = sorted(
        branch_rows,
        key=lambda r: (Sector(r.sector).order, str(r.base_committee_id), str(r.name)),
    )
    rows = []
    for sequence, r in enumerate(ordered, start=1):
        branch_id = str(r.branch_id)
        timeline = timelines[branch_id]
        tier = tier_in(timeline, year)
        assert tier is not None
        results: dict[int, Tier | None] = dict.fromkeys(window)
        for tier_year, value, is_evaluation in timeline:
            if is_evaluation and tier_year in results and tier_year <= year:
                results[tier_year] = value
        branch_cases = cases_of[branch_id]
        closed = [c for c in branch_cases if c.closed_on is not None and c.closed_on <= end]
        open_cases = [c for c in branch_cases if c not in closed]
        overdue = [c for c in open_cases if c.deadline < as_of]
        liaison = liaison_of.get(branch_id)
        person = people.get(liaison[0]) if liaison else None
        rows.append(
            LedgerRow(
                sector=Sector(r.sector),
                sequence=sequence,
                branch_id=branch_id,
                name=str(r.name),
                base_committee_id=str(r.base_committee_id),
                tier=tier,
                targets={y: targets[branch_id].get(y) for y in window},
                results=results,
                problems=tuple(str(c.problem) for c in branch_cases),
                measures=tuple(str(c.measure) for c in branch_cases),
                liaison_id=liaison[0] if liaison else None,
                liaison_name=person[0] if person else None,
                liaison_position=liaison[1] if liaison else None,
                liaison_contact=person[1] if person else None,
                cases_open=len(open_cases),
                cases_closed=len(closed),
                cases_overdue=len(overdue),
            )
        )
    common = tuple(
        CommonProblemRow(r.committee_id, r.problem_id, r.year, r.problem, r.measure)
        for r in conn.execute(
            sa.select(v.common_problems)
            .where(v.common_problems.c.committee_id.in_(ids))
            .where(v.common_problems.c.year <= year)
            .where(v.common_problems.c.known_from <= (reading.cut or sys.maxsize))
            .order_by(
                v.common_problems.c.year,
                v.common_problems.c.committee_id,
                v.common_problems.c.problem_id,
            )
        )
    )
    return Ledger(
        committee,
        year,
        window,
        tuple(rows),
        common,
        figures_of(committee_id, year, branch_rows, timelines, policy),
        _cap_exceptions(conn, ids, year, reading.cut),
    )


def _cap_exceptions(
    conn: Connection, ids: list[str], year: int, cut: int | None
) -> tuple[CapExceptionRow, ...]:
    t = v.cap_exceptions
    rows = conn.execute(
        sa.select(t)
        .where(t.c.committee_id.in_(ids))
        .where(t.c.position <= (cut or sys.maxsize))
        .order_by(t.c.position)
    ).all()
    found = []
    for r in rows:
        years = tuple(int(y) for y in str(r.years).split(","))
        if year in years:
            found.append(
                CapExceptionRow(
                    str(r.committee_id),
                    years,
                    str(r.justification),
                    str(r.approved_by_person_id),
                    str(r.approved_by_committee_id),
                    r.effective_on,
                )
            )
    return tuple(found)
