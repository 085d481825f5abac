"""Annual evaluation histories: one row per branch and year, composed from the views that
keep each fact, read bitemporally like the ledger.

A year's row is read on its business date: the end of the year, or the as-of date if that
is earlier. The tier at the year's start is the one carried into it from the years before
(in the year a branch was registered, the tier it was registered with); the result is the
ledger's annual result for the year (its evaluation, corrected if a correction was
recorded), with who decided it and why, from the history view; problems found and closed
are the rectification cases found or signed off in the year; the liaison and the title are
those in effect on the business date; mentors and mentees are the pairs active at any time
in the year up to it; findings come from `findings.findings_of`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.adapters import schema
from guoying.domain.values import Sector, Tier, TitleLevel
from guoying.projections.evaluations.findings import Finding, findings_of
from guoying.projections.history.tables import history
from guoying.projections.ledger import tables as v
from guoying.projections.ledger.tree import (
    CommitteeRow,
    load_branches,
    load_committees,
    subtree_ids,
)
from guoying.projections.mentoring.queries import BranchPlace, Pair, branch_places, pairs_of
from guoying.projections.reading import NOW, Reading, business_date
from guoying.projections.selection.queries import one_of
from guoying.projections.selection.titles import read_titles

_DECISIONS = ("BranchRegistered", "TierAdjusted", "RecordCorrected")


@frozen
class Decided:
    """Who decided a result (or corrected it), why and from when."""

    tier: Tier
    committee_id: str
    person_id: str
    reason: str
    on: date


@frozen
class CaseNote:
    """A rectification case (`ledger.rectification`)."""

    case_id: str
    problem: str
    measure: str
    found_on: date
    deadline: date
    closed_on: date | None
    outcome: str | None


@frozen
class LiaisonNote:
    person_id: str
    name: str | None
    position: str


@frozen
class PairLink:
    """A pair the branch was in during the year, from the other branch's side."""

    pair_id: str
    branch_id: str  # the mentor, or the mentee
    name: str | None
    formed_on: date
    ended_on: date | None  # by the row's business date
    ended_reason: str | None


@frozen
class EvaluationRow:
    branch_id: str
    name: str
    committee_id: str
    committee_name: str | None
    sector: Sector
    year: int
    on: date  # the business date the row is read on
    tier_at_start: Tier | None
    result: Tier | None
    decision: Decided | None
    corrections: tuple[Decided, ...]
    target: Tier | None
    problems_found: tuple[CaseNote, ...]
    problems_closed: tuple[CaseNote, ...]
    liaison: LiaisonNote | None
    title: TitleLevel | None
    mentors: tuple[PairLink, ...]
    mentees: tuple[PairLink, ...]
    findings: tuple[Finding, ...]


@frozen
class EvaluationHistory:
    branch_id: str
    rows: tuple[EvaluationRow, ...]


@frozen
class CommitteeEvaluations:
    committee: CommitteeRow
    year: int
    rows: tuple[EvaluationRow, ...]


@frozen
class _Subject:
    """A branch in a year, where it stood on the year's business date."""

    branch_id: str
    year: int
    on: date
    name: str
    committee_id: str
    sector: Sector


def _select(table: sa.Table, ids: Sequence[str], conn: Connection, cut: int | None) -> Any:
    return sa.select(table).where(one_of(conn, table.c.branch_id, ids), v.visible(table, cut))


def _timelines(
    conn: Connection, ids: Sequence[str], last: int, reading: Reading
) -> dict[str, list[tuple[int, Tier, bool]]]:
    query = _select(v.tiers, ids, conn, reading.cut).where(v.tiers.c.year <= last)
    if reading.as_of is not None:
        query = query.where(v.tiers.c.effective_on <= reading.as_of)
    found: dict[str, list[tuple[int, Tier, bool]]] = defaultdict(list)
    for r in conn.execute(query.order_by(v.tiers.c.branch_id, v.tiers.c.year)):
        found[r.branch_id].append((r.year, Tier(r.tier), bool(r.is_evaluation)))
    return found


def _decisions(
    conn: Connection, ids: Sequence[str], years: Sequence[int], reading: Reading
) -> dict[tuple[str, int], list[tuple[str, Decided]]]:
    """The registration, evaluations and tier corrections of each branch and year, in store
    order, from the history view."""
    h = history
    query = (
        sa.select(h)
        .where(one_of(conn, h.c.branch_id, ids), h.c.event.in_(_DECISIONS))
        .where(h.c.year.between(min(years), max(years)))
        .order_by(h.c.position)
    )
    if reading.cut is not None:
        query = query.where(h.c.position <= reading.cut)
    if reading.as_of is not None:
        query = query.where(h.c.effective_on <= reading.as_of)
    found: dict[tuple[str, int], list[tuple[str, Decided]]] = defaultdict(list)
    for r in conn.execute(query):
        d = json.loads(r.detail)
        tier = d.get("tier") or d.get("new_tier")
        if tier is None:
            continue  # a correction of something other than a tier
        decided = Decided(
            Tier(tier), r.actor_committee_id, r.actor_person_id, r.reason, r.effective_on
        )
        found[(r.branch_id, int(r.year))].append((r.event, decided))
    return found


def _tier_at_start(
    timeline: list[tuple[int, Tier, bool]], year: int, registered: list[tuple[str, Decided]]
) -> Tier | None:
    earlier = [tier for tier_year, tier, _ in timeline if tier_year < year]
    if earlier:
        return earlier[-1]
    this_year = [(tier, is_eval) for tier_year, tier, is_eval in timeline if tier_year == year]
    if this_year and not this_year[0][1]:
        return this_year[0][0]
    return next((d.tier for event, d in registered if event == "BranchRegistered"), None)


def _cases(conn: Connection, ids: Sequence[str], reading: Reading) -> dict[str, list[sa.Row[Any]]]:
    query = _select(v.cases, ids, conn, reading.cut).order_by(v.cases.c.found_on, v.cases.c.case_id)
    if reading.as_of is not None:
        query = query.where(v.cases.c.found_on <= reading.as_of)
    found: dict[str, list[sa.Row[Any]]] = defaultdict(list)
    for r in conn.execute(query):
        found[str(r.branch_id)].append(r)
    return found


def _note(r: sa.Row[Any], on: date) -> CaseNote:
    closed = r.closed_on if r.closed_on is not None and r.closed_on <= on else None
    return CaseNote(
        r.case_id,
        r.problem,
        r.measure,
        r.found_on,
        r.deadline,
        closed,
        r.outcome if closed else None,
    )


def _liaisons(
    conn: Connection, ids: Sequence[str], reading: Reading
) -> tuple[dict[str, list[sa.Row[Any]]], dict[str, str]]:
    query = _select(v.liaisons, ids, conn, reading.cut).order_by(
        v.liaisons.c.effective_on, v.liaisons.c.position
    )
    if reading.as_of is not None:
        query = query.where(v.liaisons.c.effective_on <= reading.as_of)
    found: dict[str, list[sa.Row[Any]]] = defaultdict(list)
    for r in conn.execute(query):
        found[str(r.branch_id)].append(r)
    people = {r.person_id for rows in found.values() for r in rows}
    names = {
        str(r.person_id): str(r.name)
        for r in conn.execute(
            sa.select(schema.people.c.person_id, schema.people.c.name).where(
                one_of(conn, schema.people.c.person_id, people)
            )
        )
    }
    return found, names


def _liaison(rows: list[sa.Row[Any]], on: date, names: dict[str, str]) -> LiaisonNote | None:
    current = [r for r in rows if r.effective_on <= on]
    if not current:
        return None
    last = current[-1]
    return LiaisonNote(last.person_id, names.get(last.person_id), last.title)


def _titles(
    conn: Connection, subjects: Sequence[_Subject], reading: Reading
) -> dict[tuple[str, int], TitleLevel]:
    ids = {s.branch_id for s in subjects}
    found: dict[tuple[str, int], TitleLevel] = {}
    for year, on in sorted({(s.year, s.on) for s in subjects}):
        for entry in read_titles(conn, year, Reading(reading.cut, on)).held:
            key = (entry.branch_id, year)
            if entry.branch_id in ids and found.get(key) is not TitleLevel.CITY:
                found[key] = entry.level
    return found


def _link(pair: Pair, other: str, on: date, places: dict[str, BranchPlace]) -> PairLink:
    place = places.get(other)
    end = pair.ended if pair.ended is not None and pair.ended.on <= on else None
    return PairLink(
        pair.pair_id,
        other,
        place.name if place else None,
        pair.formed_on,
        end.on if end else None,
        end.reason if end else None,
    )


def _compose(
    conn: Connection,
    subjects: Sequence[_Subject],
    committees: dict[str, CommitteeRow],
    reading: Reading,
) -> list[EvaluationRow]:
    """The rows of these branches and years, each fact read once for all of them."""
    if not subjects:
        return []
    ids = sorted({s.branch_id for s in subjects})
    years = sorted({s.year for s in subjects})
    latest = max(s.on for s in subjects)
    timelines = _timelines(conn, ids, years[-1], reading)
    decisions = _decisions(conn, ids, years, reading)
    targets = {
        (r.branch_id, r.year): Tier(r.target)
        for r in conn.execute(
            _select(v.targets, ids, conn, reading.cut)
            .where(v.targets.c.year.between(years[0], years[-1]))
            .where(v.targets.c.effective_on <= (reading.as_of or date.max))
        )
    }
    cases = _cases(conn, ids, reading)
    liaisons, people = _liaisons(conn, ids, reading)
    titles = _titles(conn, subjects, reading)
    pairs = pairs_of(conn, ids, Reading(reading.cut, latest))
    partners = {b for p in pairs for b in (p.mentor_branch_id, p.mentee_branch_id)}
    places = branch_places(conn, partners, latest, reading.cut, committees)
    findings = findings_of(conn, ids, years, reading)
    rows = []
    for s in subjects:
        start = date(s.year, 1, 1)
        timeline = timelines.get(s.branch_id, [])
        decided = decisions.get((s.branch_id, s.year), [])
        evaluations = [i for i, (event, _) in enumerate(decided) if event == "TierAdjusted"]
        decision = decided[evaluations[-1]][1] if evaluations else None
        corrections = (
            tuple(d for event, d in decided[evaluations[-1] :] if event == "RecordCorrected")
            if evaluations
            else ()
        )
        result = next((t for y, t, is_eval in timeline if y == s.year and is_eval), None)
        during = [p for p in pairs if p.during(s.year, s.on)]

        branch_cases = cases.get(s.branch_id, [])
        rows.append(
            EvaluationRow(
                branch_id=s.branch_id,
                name=s.name,
                committee_id=s.committee_id,
                committee_name=committees[s.committee_id].name
                if s.committee_id in committees
                else None,
                sector=s.sector,
                year=s.year,
                on=s.on,
                tier_at_start=_tier_at_start(timeline, s.year, decided),
                result=result,
                decision=decision,
                corrections=corrections,
                target=targets.get((s.branch_id, s.year)),
                problems_found=tuple(
                    _note(c, s.on) for c in branch_cases if start <= c.found_on <= s.on
                ),
                problems_closed=tuple(
                    _note(c, s.on)
                    for c in branch_cases
                    if c.closed_on is not None and start <= c.closed_on <= s.on
                ),
                liaison=_liaison(liaisons.get(s.branch_id, []), s.on, people),
                title=titles.get((s.branch_id, s.year)),
                mentors=tuple(
                    _link(p, p.mentor_branch_id, s.on, places)
                    for p in during
                    if p.mentee_branch_id == s.branch_id
                ),
                mentees=tuple(
                    _link(p, p.mentee_branch_id, s.on, places)
                    for p in during
                    if p.mentor_branch_id == s.branch_id
                ),
                findings=findings.get((s.branch_id, s.year), ()),
            )
        )
    return rows


def _branch_years(
    conn: Connection, branch_id: str, years: Sequence[int], reading: Reading
) -> list[_Subject] | None:
    """The years of `years` the branch existed in (registered by its end, not ended before
    its start), where it stood on each year's business date; None for an unknown branch."""
    registered = conn.execute(
        sa.select(v.branches.c.registered_year, v.branches.c.sector).where(
            v.branches.c.branch_id == branch_id
        )
    ).first()
    if registered is None:
        return None
    c = v.branch_changes
    query = (
        sa.select(c.c.valid_from, c.c.attribute, c.c.value)
        .where(c.c.branch_id == branch_id)
        .order_by(c.c.valid_from, c.c.position, c.c.seq)
    )
    if reading.cut is not None:
        query = query.where(c.c.position <= reading.cut)
    changes = list(conn.execute(query))
    subjects = []
    for year in years:
        on = business_date(year, reading)
        state: dict[str, str | None] = {}
        ended_on: date | None = None
        for change in (r for r in changes if r.valid_from <= on):
            state[change.attribute] = change.value
            if change.attribute == "active":
                ended_on = None if change.value is not None else change.valid_from
        if registered.registered_year > year or "name" not in state:
            continue
        if ended_on is not None and ended_on < date(year, 1, 1):
            continue
        subjects.append(
            _Subject(
                branch_id,
                year,
                on,
                str(state["name"]),
                str(state["base_committee_id"]),
                Sector(registered.sector),
            )
        )
    return subjects


def read_evaluations(
    conn: Connection, branch_id: str, years: Sequence[int], reading: Reading = NOW
) -> EvaluationHistory | None:
    """A branch's rows for the years it existed in among `years`; None for an unknown
    branch."""
    subjects = _branch_years(conn, branch_id, years, reading)
    if subjects is None:
        return None
    latest = max((s.on for s in subjects), default=None)
    committees = load_committees(conn, latest, reading.cut) if latest else {}
    return EvaluationHistory(branch_id, tuple(_compose(conn, subjects, committees, reading)))


def read_committee_evaluations(
    conn: Connection, committee_id: str, year: int, reading: Reading = NOW
) -> CommitteeEvaluations | None:
    """The rows of the year of every branch active in the committee's subtree on the
    year's business date, as the ledger has them, in the ledger's order; None for a
    committee not active then."""
    on = business_date(year, reading)
    committees = load_committees(conn, on, reading.cut)
    committee = committees.get(committee_id)
    if committee is None or not committee.active:
        return None
    bases = set(subtree_ids(committees, committee_id))
    branches = [
        b
        for b in load_branches(conn, on, reading.cut, bases).values()
        if b.active and b.base_committee_id in bases and b.registered_year <= year
    ]
    branches.sort(key=lambda b: (b.sector.order, b.base_committee_id, b.name))
    subjects = [
        _Subject(b.branch_id, year, on, b.name, b.base_committee_id, b.sector) for b in branches
    ]
    return CommitteeEvaluations(
        committee, year, tuple(_compose(conn, subjects, committees, reading))
    )
