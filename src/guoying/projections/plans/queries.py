"""Reading the plans: the Annex 2 table of a committee's cultivation plan, the state of
each committee's implementation plan, and the figures §8 reports of both.

Each is a fold, in store order, of the plans view's rows (one per event). A reading as known
at a store position keeps the rows up to it; one in effect on a business date keeps the
rows effective by then. Names and telephone numbers of liaisons are joined from the people
table when read (rules.md 9a), and branch and committee names as they stood on the date.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.adapters import schema
from guoying.domain.cultivation import Batch, coverage
from guoying.domain.plans import FILING_LEVELS, PlanStatus
from guoying.domain.policy import Policy
from guoying.domain.values import CommitteeLevel, Sector
from guoying.projections.ledger.tree import CommitteeRow, load_committees, subtree_ids
from guoying.projections.plans.tables import plan_events as t
from guoying.projections.reading import NOW, Reading, business_date
from guoying.projections.selection.queries import branch_names, one_of


class PlanEventRow(NamedTuple):
    position: int
    plan: str
    committee_id: str
    window_start: int
    event: str
    detail: dict[str, Any]
    actor_person_id: str
    effective_on: date


def _read(conn: Connection, reading: Reading, *where: sa.ColumnElement[bool]) -> list[PlanEventRow]:
    query = (
        sa.select(
            t.c.position,
            t.c.plan,
            t.c.committee_id,
            t.c.window_start,
            t.c.event,
            t.c.detail,
            t.c.actor_person_id,
            t.c.effective_on,
        )
        .where(*where)
        .order_by(t.c.position)
    )
    if reading.cut is not None:
        query = query.where(t.c.position <= reading.cut)
    if reading.as_of is not None:
        query = query.where(t.c.effective_on <= reading.as_of)
    return [
        PlanEventRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6], r[7])
        for r in conn.execute(query)
    ]


def _day(value: str) -> date:
    return date.fromisoformat(value)


def _reading_date(reading: Reading, today: date) -> date:
    """The date lateness and overdue are judged on: `as_of`, but never after today."""
    return min(reading.as_of, today) if reading.as_of else today


# Implementation plans (`plan.filing`)


@frozen
class PlanReturn:
    """A return of a plan by the body it was submitted to, with its reasons."""

    on: date
    revision: int
    by_person_id: str
    reasons: tuple[str, ...]


@frozen
class ImplementationPlanState:
    """A committee's implementation plan for a plan window, as known and in effect."""

    committee_id: str
    committee_name: str
    level: CommitteeLevel
    window: tuple[int, ...]
    status: PlanStatus
    # The body it files with: the one it was submitted to, else the one it should go to.
    body_id: str | None
    body_name: str | None
    revision: int
    first_submitted_on: date | None
    last_submitted_on: date | None
    due_on: date
    # The first submission came after `due_on`, recorded and never refused.
    late: bool
    # Not submitted by the reading's date, which is after `due_on`.
    overdue: bool
    accepted_on: date | None
    returns: tuple[PlanReturn, ...]
    indicators: tuple[str, ...]
    measures: tuple[str, ...]
    responsibilities: tuple[str, ...]


def _body_of(committees: dict[str, CommitteeRow], committee: CommitteeRow) -> str | None:
    """`plan.filing`: the Organization Department for a city-managed committee, the parent
    for any other."""
    if committee.level is CommitteeLevel.CITY_MANAGED:
        return next(
            (
                c.committee_id
                for c in committees.values()
                if c.level is CommitteeLevel.ORGANIZATION_DEPARTMENT and c.active
            ),
            None,
        )
    return committee.parent_id


def _fold_plan(
    committee: CommitteeRow,
    committees: dict[str, CommitteeRow],
    window: tuple[int, ...],
    due_on: date,
    rows: Sequence[PlanEventRow],
    on: date,
) -> ImplementationPlanState:
    status, revision = PlanStatus.NOT_SUBMITTED, 0
    body = _body_of(committees, committee)
    first = last = accepted = None
    late = False
    returns: list[PlanReturn] = []
    content: dict[str, tuple[str, ...]] = {}
    for row in rows:
        d = row.detail
        if row.event == "ImplementationPlanSubmitted":
            status, revision, body = PlanStatus.SUBMITTED, int(d["revision"]), d["submitted_to"]
            if first is None:
                first, late = row.effective_on, bool(d["late"])
            last = row.effective_on
            content = {k: tuple(d[k]) for k in ("indicators", "measures", "responsibilities")}
        elif row.event == "ImplementationPlanAccepted":
            status, accepted = PlanStatus.ACCEPTED, row.effective_on
        elif row.event == "ImplementationPlanReturned":
            status = PlanStatus.RETURNED
            returns.append(
                PlanReturn(
                    row.effective_on, int(d["revision"]), row.actor_person_id, tuple(d["reasons"])
                )
            )
    found = committees.get(body) if body else None
    return ImplementationPlanState(
        committee_id=committee.committee_id,
        committee_name=committee.name,
        level=committee.level,
        window=window,
        status=status,
        body_id=body,
        body_name=found.name if found else None,
        revision=revision,
        first_submitted_on=first,
        last_submitted_on=last,
        due_on=due_on,
        late=late,
        overdue=first is None and on > due_on,
        accepted_on=accepted,
        returns=tuple(returns),
        indicators=content.get("indicators", ()),
        measures=content.get("measures", ()),
        responsibilities=content.get("responsibilities", ()),
    )


def read_implementation_plans(
    conn: Connection,
    committee_id: str | None,
    year: int,
    policy: Policy,
    today: date,
    reading: Reading = NOW,
) -> tuple[ImplementationPlanState, ...] | None:
    """Every committee that files an implementation plan (city-managed, intermediate and
    base), in `committee_id`'s subtree (the whole city without one), with its plan for the
    window containing `year`; None for a committee not in the tree on that date."""
    committees = load_committees(conn, business_date(year, reading), reading.cut)
    if committee_id is not None and committee_id not in committees:
        return None
    ids = (
        subtree_ids(committees, committee_id)
        if committee_id is not None
        else [c.committee_id for c in committees.values() if c.active]
    )
    filers = [committees[i] for i in ids if committees[i].level in FILING_LEVELS]
    window = tuple(policy.plan_window(year))
    due = policy.plan_due(window[0], policy.implementation_plan_due)
    by_committee: dict[str, list[PlanEventRow]] = defaultdict(list)
    for row in _read(
        conn,
        reading,
        t.c.plan == "implementation",
        t.c.window_start == window[0],
        one_of(conn, t.c.committee_id, [c.committee_id for c in filers]),
    ):
        by_committee[row.committee_id].append(row)
    on = _reading_date(reading, today)
    ordered = sorted(filers, key=lambda c: (_depth(committees, c.committee_id), c.committee_id))
    return tuple(
        _fold_plan(c, committees, window, due, by_committee[c.committee_id], on) for c in ordered
    )


def _depth(committees: dict[str, CommitteeRow], committee_id: str) -> int:
    depth, current = 0, committees.get(committee_id)
    while current is not None and current.parent_id and depth < len(committees):
        depth += 1
        current = committees.get(current.parent_id)
    return depth


# The cultivation plan (Annex 2, `cultivation.*`)


@frozen
class CultivationLine:
    """A row of Annex 2: its year, its number within the year, the batch, the branch, the
    specific measures and the liaison."""

    year: int
    sequence: int
    batch: Batch
    branch_id: str
    branch_name: str | None
    sector: Sector
    measures: tuple[str, ...]
    liaison_id: str
    liaison_name: str | None
    liaison_position: str
    liaison_contact: str | None


@frozen
class YearCount:
    """The exemplars a plan lists for a year against the number it is held to: the policy's
    minimum for a county-level committee, its own stated number for any other."""

    year: int
    exemplars: int
    number: int | None
    short: bool


@frozen
class CultivationPlanView:
    committee_id: str
    committee_name: str
    county_level: bool
    window: tuple[int, ...]
    # The year shown, or None for the whole window.
    year: int | None
    filed_with: str | None
    filed_with_name: str | None
    revision: int
    filed_on: date | None
    amended_on: date | None
    due_on: date
    late: bool
    overdue: bool
    required_minimum: int | None
    stated_number: int | None
    counts: tuple[YearCount, ...]
    sectors_covered: tuple[Sector, ...]
    sectors_missed: tuple[Sector, ...]
    rows: tuple[CultivationLine, ...]

    @property
    def filed(self) -> bool:
        return self.filed_on is not None


def _people(conn: Connection, person_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    return {
        r.person_id: (r.name, r.phone)
        for r in conn.execute(sa.select(schema.people).where(schema.people.c.person_id.in_(wanted)))
    }


def read_cultivation_plan(
    conn: Connection,
    committee_id: str,
    year: int,
    policy: Policy,
    today: date,
    reading: Reading = NOW,
    *,
    whole_window: bool = False,
) -> CultivationPlanView | None:
    """A city-managed committee's Annex 2 for the window containing `year`: the rows of
    `year` (of every year with `whole_window`), as last filed; None when the committee is
    not a city-managed committee in the tree on that date."""
    on = business_date(year, reading)
    committees = load_committees(conn, on, reading.cut)
    committee = committees.get(committee_id)
    if committee is None or committee.level is not CommitteeLevel.CITY_MANAGED:
        return None
    window = tuple(policy.plan_window(year))
    rows = _read(
        conn,
        reading,
        t.c.committee_id == committee_id,
        t.c.window_start == window[0],
        t.c.plan == "cultivation",
    )
    filed = rows[-1].detail if rows else None
    first = rows[0] if rows else None
    entries = [e for e in (filed["entries"] if filed else []) if whole_window or e["year"] == year]
    names = branch_names(conn, [e["branch_id"] for e in entries], on, reading.cut)
    people = _people(conn, [e["person_id"] for e in entries])
    lines = tuple(
        CultivationLine(
            year=int(e["year"]),
            sequence=int(e["sequence"]),
            batch=Batch(e["batch"]),
            branch_id=e["branch_id"],
            branch_name=names.get(e["branch_id"]),
            sector=Sector(e["sector"]),
            measures=tuple(e["measures"]),
            liaison_id=e["person_id"],
            liaison_name=people.get(e["person_id"], (None, None))[0],
            liaison_position=e["position"],
            liaison_contact=people.get(e["person_id"], (None, None))[1],
        )
        for e in entries
    )
    number = None
    if filed is not None:
        number = filed["required_minimum"] if filed["county_level"] else filed["stated_number"]
    all_entries = filed["entries"] if filed else []
    counts = tuple(
        YearCount(y, n, number, number is not None and n < number)
        for y in window
        if policy.covers_year(y)
        for n in [sum(1 for e in all_entries if e["year"] == y)]
    )
    covered, missed = coverage([line.sector for line in lines])
    due = policy.plan_due(window[0], policy.first_plan_due)
    body = filed["filed_with"] if filed else None
    found_body = committees.get(body) if body else None
    return CultivationPlanView(
        committee_id=committee_id,
        committee_name=committee.name,
        county_level=committee.county_level,
        window=window,
        year=None if whole_window else year,
        filed_with=body,
        filed_with_name=found_body.name if found_body else None,
        revision=int(filed["revision"]) if filed else 0,
        filed_on=first.effective_on if first else None,
        amended_on=rows[-1].effective_on if len(rows) > 1 else None,
        due_on=due,
        late=bool(first.detail["late"]) if first else False,
        overdue=first is None and _reading_date(reading, today) > due,
        required_minimum=filed["required_minimum"] if filed else None,
        stated_number=filed["stated_number"] if filed else None,
        counts=counts,
        sectors_covered=covered,
        sectors_missed=missed,
        rows=lines,
    )


# What §8 reports of the plans (`accountability.assessment`)


@frozen
class PlanFigures:
    """Per committee and year: its implementation plan filed, accepted, late; and for a
    city-managed committee its Annex 2 filed, late, and the exemplars it plans that year
    against the number it is held to."""

    committee_id: str
    year: int
    implementation_status: PlanStatus
    implementation_filed: bool
    implementation_accepted: bool
    implementation_late: bool
    implementation_overdue: bool
    cultivation_filed: bool | None
    cultivation_late: bool | None
    exemplars: int | None
    exemplars_number: int | None


def read_plan_figures(
    conn: Connection,
    committee_id: str,
    year: int,
    policy: Policy,
    today: date,
    reading: Reading = NOW,
) -> tuple[PlanFigures, ...] | None:
    """The plans' figures of every filing committee in `committee_id`'s subtree; the
    cultivation fields are None for committees that file no Annex 2."""
    plans = read_implementation_plans(conn, committee_id, year, policy, today, reading)
    if plans is None:
        return None
    found = []
    for plan in plans:
        annex = (
            read_cultivation_plan(conn, plan.committee_id, year, policy, today, reading)
            if plan.level is CommitteeLevel.CITY_MANAGED
            else None
        )
        count = next((c for c in annex.counts if c.year == year), None) if annex else None
        found.append(
            PlanFigures(
                committee_id=plan.committee_id,
                year=year,
                implementation_status=plan.status,
                implementation_filed=plan.first_submitted_on is not None,
                implementation_accepted=plan.status is PlanStatus.ACCEPTED,
                implementation_late=plan.late,
                implementation_overdue=plan.overdue,
                cultivation_filed=annex.filed if annex else None,
                cultivation_late=annex.late if annex else None,
                exemplars=count.exemplars if count else None,
                exemplars_number=count.number if count else None,
            )
        )
    return tuple(found)
