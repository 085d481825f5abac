"""Reading the ledger (Annex 1, `ledger.row`, `ledger.rollup`) and its figures.

A committee's ledger is the union of the ledgers of every base committee in its subtree,
in sector order with one running sequence; a year's ledger shows the state in effect at the
end of that year and the targets and results of the plan window that contains it.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.adapters import schema
from guoying.domain.policy import Policy
from guoying.domain.values import CommitteeLevel, Sector, Tier, year_end
from guoying.projections import ledger_views as v


@frozen
class CommitteeRow:
    committee_id: str
    name: str
    level: CommitteeLevel
    parent_id: str | None
    county_level: bool
    active: bool = True


@frozen
class BranchRow:
    """A branch as it stood on a date."""

    branch_id: str
    name: str
    base_committee_id: str
    sector: Sector
    unit_ids: tuple[str, ...]
    is_financial_institution: bool
    registered_year: int
    active: bool
    split_from: str | None
    merged_into: str | None


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
class TierFigures:
    """Tier counts and shares of one committee's subtree in one year (`ledger.weak_share`)."""

    committee_id: str
    year: int
    active: int
    counts: dict[Tier, int]
    advanced_limit: int
    weak_limit: int | None

    @property
    def advanced_share(self) -> float:
        return self.counts[Tier.ADVANCED] / self.active if self.active else 0.0

    @property
    def weak_share(self) -> float:
        return self.counts[Tier.WEAK] / self.active if self.active else 0.0


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


@frozen
class Reading:
    """Which state to read: as known at a store position (`cut`, now without one) and in
    effect on a business date (`as_of`, the end of the ledger's year without one)."""

    cut: int | None = None
    as_of: date | None = None


NOW = Reading()


def _fold(
    conn: Connection,
    table: sa.Table,
    key: str,
    on: date | None,
    cut: int | None = None,
    only: sa.Select[Any] | None = None,
) -> dict[str, dict[str, str | None]]:
    """Each entity's attributes as they stood on a date (or as they stand now)."""
    query = sa.select(table).order_by(table.c.valid_from, table.c.position, table.c.seq)
    if only is not None:
        query = query.where(table.c[key].in_(only))
    if on is not None:
        query = query.where(table.c.valid_from <= on)
    if cut is not None:
        query = query.where(table.c.position <= cut)
    states: dict[str, dict[str, str | None]] = defaultdict(dict)
    for row in conn.execute(query):
        states[getattr(row, key)][row.attribute] = row.value
    return states


def load_committees(
    conn: Connection, on: date | None = None, cut: int | None = None
) -> dict[str, CommitteeRow]:
    """Every committee founded by a date (by now without one), dissolved ones inactive."""
    states = _fold(conn, v.committee_changes, "committee_id", on, cut)
    return {
        r.committee_id: CommitteeRow(
            r.committee_id,
            str(states[r.committee_id]["name"]),
            CommitteeLevel(r.level),
            states[r.committee_id]["parent_id"],
            bool(r.county_level),
            states[r.committee_id]["active"] is not None,
        )
        for r in conn.execute(sa.select(v.committees))
        if r.committee_id in states
    }


def load_branches(
    conn: Connection,
    on: date | None = None,
    cut: int | None = None,
    bases: Iterable[str] | None = None,
) -> dict[str, BranchRow]:
    """Every branch registered by a date (by now without one), ended ones inactive; with
    `bases`, only branches that were ever led by one of those base committees."""
    only = None
    if bases is not None:
        t = v.branch_changes
        only = (
            sa.select(t.c.branch_id)
            .where(t.c.attribute == "base_committee_id", t.c.value.in_(list(bases)))
            .distinct()
        )
    states = _fold(conn, v.branch_changes, "branch_id", on, cut, only)
    rows = sa.select(v.branches)
    if only is not None:
        rows = rows.where(v.branches.c.branch_id.in_(only))
    return {
        r.branch_id: BranchRow(
            r.branch_id,
            str(states[r.branch_id]["name"]),
            str(states[r.branch_id]["base_committee_id"]),
            Sector(r.sector),
            tuple(str(r.unit_ids).split(",")),
            bool(r.is_financial_institution),
            int(r.registered_year),
            states[r.branch_id]["active"] is not None,
            r.split_from,
            r.merged_into,
        )
        for r in conn.execute(rows)
        # A branch counts from its registration state on; later changes alone do not make one.
        if "name" in states.get(r.branch_id, {})
    }


def subtree_ids(committees: dict[str, CommitteeRow], committee_id: str) -> list[str]:
    children: dict[str | None, list[str]] = defaultdict(list)
    for committee in committees.values():
        if committee.active:
            children[committee.parent_id].append(committee.committee_id)
    found, stack = [], [committee_id]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children[current])
    return found


def _tier_in(timeline: list[tuple[int, Tier, bool]], year: int) -> Tier | None:
    found = None
    for tier_year, tier, _ in timeline:
        if tier_year > year:
            break
        found = tier
    return found


def business_date(year: int, reading: Reading) -> date:
    end = year_end(year)
    return min(end, reading.as_of) if reading.as_of else end


def _timelines(
    conn: Connection,
    base_ids: Iterable[str],
    year: int,
    reading: Reading = NOW,
    since: int | None = None,
) -> tuple[list[BranchRow], dict[str, list[tuple[int, Tier, bool]]]]:
    """The active branches under the base committees at the end of a year, and their tiers
    from the one in effect in `since` (by default `year`) up to `year`: older ones are not
    read, so a reading costs the same however many years of history lie behind it."""
    bases = set(base_ids)
    rows = [
        branch
        for branch in load_branches(conn, business_date(year, reading), reading.cut, bases).values()
        if branch.active and branch.base_committee_id in bases and branch.registered_year <= year
    ]
    t, earlier = v.tiers, v.tiers.alias("earlier")
    first = sa.select(sa.func.max(earlier.c.year)).where(
        earlier.c.branch_id == t.c.branch_id,
        earlier.c.year <= (year if since is None else since),
        v.visible(earlier, reading.cut),
    )
    query = (
        sa.select(t)
        .where(t.c.branch_id.in_([r.branch_id for r in rows]))
        .where(v.visible(t, reading.cut))
        .where(t.c.year <= year)
        .order_by(t.c.branch_id, t.c.year)
    )
    if reading.as_of is not None:
        query = query.where(t.c.effective_on <= reading.as_of)
        first = first.where(earlier.c.effective_on <= reading.as_of)
    query = query.where(t.c.year >= sa.func.coalesce(first.scalar_subquery(), 0))
    timelines: dict[str, list[tuple[int, Tier, bool]]] = defaultdict(list)
    for row in conn.execute(query):
        timelines[row.branch_id].append((row.year, Tier(row.tier), bool(row.is_evaluation)))
    return rows, timelines


def figures(
    conn: Connection,
    committees: dict[str, CommitteeRow],
    committee_id: str,
    year: int,
    policy: Policy,
    reading: Reading = NOW,
) -> TierFigures:
    branch_rows, timelines = _timelines(conn, subtree_ids(committees, committee_id), year, reading)
    return _figures_of(committee_id, year, branch_rows, timelines, policy)


def _figures_of(
    committee_id: str,
    year: int,
    branch_rows: Sequence[BranchRow],
    timelines: dict[str, list[tuple[int, Tier, bool]]],
    policy: Policy,
) -> TierFigures:
    counts: Counter[Tier] = Counter(dict.fromkeys(Tier, 0))
    for row in branch_rows:
        tier = _tier_in(timelines[str(row.branch_id)], year)
        if tier is not None:
            counts[tier] += 1
    active = len(branch_rows)
    weak_limit = None if policy.weak_share is None else int(policy.weak_share * active)
    return TierFigures(
        committee_id, year, active, dict(counts), policy.advanced_limit(active), weak_limit
    )


def read_ledger(
    conn: Connection,
    committee_id: str,
    year: int,
    policy: Policy,
    today: date,
    reading: Reading = NOW,
) -> Ledger | None:
    committees = load_committees(conn, business_date(year, reading), reading.cut)
    committee = committees.get(committee_id)
    if committee is None or not committee.active:
        return None
    ids = subtree_ids(committees, committee_id)
    window = tuple(policy.plan_window(year))
    end = business_date(year, reading)
    as_of = min(end, today)
    branch_rows, timelines = _timelines(conn, ids, year, reading, since=window[0])
    branch_ids = [str(r.branch_id) for r in branch_rows]

    targets: dict[str, dict[int, Tier]] = defaultdict(dict)
    query = (
        sa.select(v.targets)
        .where(v.targets.c.branch_id.in_(branch_ids))
        .where(v.targets.c.year.between(window[0], window[-1]))
        .where(v.visible(v.targets, reading.cut))
        .where(v.targets.c.effective_on <= (reading.as_of or date.max))
    )
    for t in conn.execute(query):
        targets[t.branch_id][t.year] = Tier(t.target)

    liaison_of: dict[str, tuple[str, str]] = {}
    query = (
        sa.select(v.liaisons)
        .where(v.liaisons.c.branch_id.in_(branch_ids))
        .where(v.liaisons.c.effective_on <= end)
        .where(v.visible(v.liaisons, reading.cut))
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
        sa.select(v.cases)
        .where(v.cases.c.branch_id.in_(branch_ids))
        .where(v.cases.c.found_on <= end)
        .where(v.visible(v.cases, reading.cut))
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
        tier = _tier_in(timeline, year)
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
        _figures_of(committee_id, year, branch_rows, timelines, policy),
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
        if min(years) <= year:
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
