"""Reading mentoring (§6, Annex 4; `mentoring.ratio`, `mentoring.plan`,
`mentoring.eligibility`) for a committee's subtree and a year.

A year's view is read on its business date: the end of the year, or the as-of date if that
is earlier (rules.md 9a). It lists every pair of a branch of the subtree (as mentor or as
mentee) that was active at any time in the year up to that date, each with whether it is
still active on it; each mentor's load counts the pairs active on that date. A schedule is
its year's filing, however late, as known at the reading's store position and filed by the
as-of date if there is one; a city-managed committee that has not filed is listed as such.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from attrs import evolve, frozen
from sqlalchemy.engine import Connection

from guoying.domain.policy import Policy
from guoying.domain.values import CommitteeLevel, Tier, TitleLevel
from guoying.projections.ledger import tables as v
from guoying.projections.ledger.tree import (
    CommitteeRow,
    load_branches,
    load_committees,
    subtree_ids,
)
from guoying.projections.mentoring.tables import mentoring_events as t
from guoying.projections.reading import NOW, Reading, business_date
from guoying.projections.selection.queries import one_of
from guoying.projections.selection.titles import read_titles

FORMED, ENDED, FILED = "MentoringPairFormed", "MentoringPairEnded", "MentoringScheduleFiled"


@frozen
class PairEnding:
    """Why and when a pair ended, and who decided it."""

    on: date
    reason: str
    decided_by: str  # the committee
    decided_by_name: str | None
    decided_by_person_id: str


@frozen
class Pair:
    """A pair as its rows tell it, without names (the evaluation histories read these)."""

    pair_id: str
    mentor_branch_id: str
    mentee_branch_id: str
    mentee_tier: Tier
    goal: str
    measures: str
    deadline: date
    remarks: str
    formed_on: date
    formed_by: str
    ended: PairEnding | None

    def active_on(self, on: date) -> bool:
        return self.formed_on <= on and (self.ended is None or self.ended.on > on)

    def during(self, year: int, on: date) -> bool:
        """Active at some time between the start of `year` and `on`."""
        return self.formed_on <= on and (self.ended is None or self.ended.on >= date(year, 1, 1))


def _rows(conn: Connection, reading: Reading, *where: sa.ColumnElement[bool]) -> list[sa.Row[Any]]:
    query = sa.select(t).where(*where).order_by(t.c.position)
    if reading.cut is not None:
        query = query.where(t.c.position <= reading.cut)
    if reading.as_of is not None:
        query = query.where(t.c.effective_on <= reading.as_of)
    return list(conn.execute(query))


def pairs_of(
    conn: Connection,
    branch_ids: Iterable[str],
    reading: Reading = NOW,
    pair_ids: Iterable[str] = (),
) -> list[Pair]:
    """Every pair in which one of the branches mentors or is mentored, and the pairs named,
    as known at the reading's store position, with the endings effective by its as-of
    date. Pairs formed after that date are not read."""
    branches = sorted(set(branch_ids))
    formed = sa.select(t.c.pair_id).where(
        t.c.event == FORMED,
        one_of(conn, t.c.mentor_branch_id, branches) | one_of(conn, t.c.mentee_branch_id, branches),
    )
    wanted = t.c.pair_id.in_(formed) | one_of(conn, t.c.pair_id, pair_ids)
    started: dict[str, tuple[sa.Row[Any], dict[str, Any]]] = {}
    endings: dict[str, sa.Row[Any]] = {}
    for row in _rows(conn, reading, wanted):
        if row.event == FORMED:
            started[row.pair_id] = (row, json.loads(row.detail))
        elif row.event == ENDED:
            endings[row.pair_id] = row
    pairs = []
    for pair_id, (row, d) in started.items():
        end = endings.get(pair_id)
        pairs.append(
            Pair(
                pair_id,
                d["mentor_branch_id"],
                d["mentee_branch_id"],
                Tier(d["mentee_tier"]),
                d["goal"],
                d["measures"],
                date.fromisoformat(d["deadline"]),
                d["remarks"],
                row.effective_on,
                row.actor_committee_id,
                None
                if end is None
                else PairEnding(
                    end.effective_on,
                    end.reason,
                    end.actor_committee_id,
                    None,
                    end.actor_person_id,
                ),
            )
        )
    return pairs


@frozen
class BranchPlace:
    """A branch's name and base committee on a date."""

    name: str | None
    committee_id: str | None
    committee_name: str | None


def branch_places(
    conn: Connection,
    branch_ids: Iterable[str],
    on: date,
    cut: int | None,
    committees: dict[str, CommitteeRow],
) -> dict[str, BranchPlace]:
    """Each branch's name and base committee as they stood on a date, as known at a store
    position: a branch of another subtree (a mentor or mentee across it) included."""
    c = v.branch_changes
    query = (
        sa.select(c.c.branch_id, c.c.attribute, c.c.value)
        .where(one_of(conn, c.c.branch_id, branch_ids), c.c.valid_from <= on)
        .order_by(c.c.valid_from, c.c.position, c.c.seq)
    )
    if cut is not None:
        query = query.where(c.c.position <= cut)
    states: dict[str, dict[str, str | None]] = {}
    for r in conn.execute(query):
        states.setdefault(str(r.branch_id), {})[r.attribute] = r.value
    found = {}
    for branch_id, state in states.items():
        committee_id = state.get("base_committee_id")
        committee = committees.get(committee_id) if committee_id else None
        found[branch_id] = BranchPlace(
            state.get("name"), committee_id, committee.name if committee else None
        )
    return found


@frozen
class PairRow:
    """A pair of the view: Annex 4's columns, where the branches stand, and its end."""

    pair_id: str
    mentor_branch_id: str
    mentor_name: str | None
    mentor_committee_id: str | None
    mentor_committee_name: str | None
    mentee_branch_id: str
    mentee_name: str | None
    mentee_committee_id: str | None
    mentee_committee_name: str | None
    mentee_tier: Tier  # when paired
    goal: str
    measures: str
    deadline: date
    remarks: str
    formed_on: date
    formed_by: str
    ended: PairEnding | None
    active: bool  # on the view's date


@frozen
class MentorLoad:
    """`mentoring.ratio`: a red-flag branch's (or a mentor's) pairs active on the view's
    date, against the policy's target (fewer is reported, never refused) and maximum."""

    branch_id: str
    name: str | None
    committee_id: str | None
    committee_name: str | None
    title: TitleLevel | None  # held on the view's date
    active_pairs: int
    target: int
    maximum: int

    @property
    def below_target(self) -> bool:
        return self.active_pairs < self.target

    @property
    def over_maximum(self) -> bool:
        return self.active_pairs > self.maximum


@frozen
class ScheduleEntry:
    """One row of Annex 4."""

    pair_id: str
    mentor_branch_id: str
    mentor_name: str | None
    mentee_branch_id: str
    mentee_name: str | None
    mentee_tier: Tier
    goal: str
    measures: str
    deadline: date
    remarks: str


@frozen
class ScheduleFiling:
    """`mentoring.plan`: a city-managed committee's Annex 4 schedule for the year, filed
    with the city Organization Department, or not (yet)."""

    committee_id: str
    committee_name: str
    year: int
    due_on: date
    filed_on: date | None
    late: bool  # filed after `due_on`
    overdue: bool  # not filed, and `due_on` has passed
    filed_by_person_id: str | None
    reason: str | None
    entries: tuple[ScheduleEntry, ...]


@frozen
class MentoringCoverage:
    """The mentoring figures of a subtree and year (§8 reuses them)."""

    committee_id: str
    year: int
    on: date
    red_flag_branches: int  # holding a title on `on`
    mentors: int  # mentoring at least one branch on `on`
    active_pairs: int  # on `on`, of the subtree's mentors or mentees
    mentees: int  # branches of the subtree with a mentor on `on`
    mentors_below_target: int
    pairs_formed: int  # in the year, up to `on`
    pairs_ended: int  # in the year, up to `on`
    schedules_due: int
    schedules_filed: int
    schedules_late: int
    schedules_overdue: int


@frozen
class MentoringView:
    committee: CommitteeRow
    year: int
    on: date
    target: int
    maximum: int
    pairs: tuple[PairRow, ...]
    mentors: tuple[MentorLoad, ...]
    schedules: tuple[ScheduleFiling, ...]
    coverage: MentoringCoverage

    @property
    def below_target(self) -> tuple[MentorLoad, ...]:
        """`mentoring.ratio`: the mentors with fewer active pairs than the target."""
        return tuple(m for m in self.mentors if m.below_target)


def _named(pair: Pair, committees: dict[str, CommitteeRow]) -> Pair:
    """The pair with the committee that ended it named."""
    if pair.ended is None:
        return pair
    decided = committees.get(pair.ended.decided_by)
    name = decided.name if decided else None
    return evolve(pair, ended=evolve(pair.ended, decided_by_name=name))


def _pair_row(pair: Pair, places: dict[str, BranchPlace], on: date) -> PairRow:
    mentor = places.get(pair.mentor_branch_id, BranchPlace(None, None, None))
    mentee = places.get(pair.mentee_branch_id, BranchPlace(None, None, None))
    return PairRow(
        pair.pair_id,
        pair.mentor_branch_id,
        mentor.name,
        mentor.committee_id,
        mentor.committee_name,
        pair.mentee_branch_id,
        mentee.name,
        mentee.committee_id,
        mentee.committee_name,
        pair.mentee_tier,
        pair.goal,
        pair.measures,
        pair.deadline,
        pair.remarks,
        pair.formed_on,
        pair.formed_by,
        pair.ended,
        pair.active_on(on),
    )


def _entry(pair: Pair, places: dict[str, BranchPlace]) -> ScheduleEntry:
    mentor, mentee = places.get(pair.mentor_branch_id), places.get(pair.mentee_branch_id)
    return ScheduleEntry(
        pair.pair_id,
        pair.mentor_branch_id,
        mentor.name if mentor else None,
        pair.mentee_branch_id,
        mentee.name if mentee else None,
        pair.mentee_tier,
        pair.goal,
        pair.measures,
        pair.deadline,
        pair.remarks,
    )


def _schedules(
    conn: Connection,
    filers: Sequence[CommitteeRow],
    year: int,
    policy: Policy,
    reading: Reading,
    today: date,
    places: dict[str, BranchPlace],
    committees: dict[str, CommitteeRow],
) -> list[ScheduleFiling]:
    """Each city-managed committee's schedule for the year, filed or not."""
    filed = {
        str(r.committee_id): r
        for r in _rows(
            conn,
            reading,
            t.c.event == FILED,
            t.c.year == year,
            one_of(conn, t.c.committee_id, [c.committee_id for c in filers]),
        )
    }
    listed = {p for r in filed.values() for p in json.loads(r.detail)["pair_ids"]}
    pairs = {p.pair_id: p for p in pairs_of(conn, (), Reading(reading.cut), listed)}
    missing = {b for p in pairs.values() for b in (p.mentor_branch_id, p.mentee_branch_id)} - set(
        places
    )
    end = business_date(year, reading)
    places.update(branch_places(conn, missing, end, reading.cut, committees))
    checked_on = reading.as_of or today
    found = []
    for committee in filers:
        row = filed.get(committee.committee_id)
        d = json.loads(row.detail) if row is not None else None
        due = (
            date.fromisoformat(d["due_on"])
            if d is not None
            else policy.due_on(year, policy.mentoring_schedule_due)
        )
        found.append(
            ScheduleFiling(
                committee_id=committee.committee_id,
                committee_name=committee.name,
                year=year,
                due_on=due,
                filed_on=row.effective_on if row is not None else None,
                late=bool(d and d["late"]),
                overdue=d is None and checked_on > due,
                filed_by_person_id=row.actor_person_id if row is not None else None,
                reason=row.reason if row is not None else None,
                entries=()
                if d is None
                else tuple(_entry(pairs[p], places) for p in d["pair_ids"] if p in pairs),
            )
        )
    return found


def read_mentoring(
    conn: Connection,
    committee_id: str,
    year: int,
    policy: Policy,
    today: date,
    reading: Reading = NOW,
) -> MentoringView | None:
    """The mentoring view of a committee's subtree for a year (None for a committee not
    active on the view's date)."""
    on = business_date(year, reading)
    committees = load_committees(conn, on, reading.cut)
    committee = committees.get(committee_id)
    if committee is None or not committee.active:
        return None
    ids = subtree_ids(committees, committee_id)
    bases = set(ids)
    subtree = {
        b.branch_id
        for b in load_branches(conn, on, reading.cut, bases).values()
        if b.base_committee_id in bases
    }
    dated = Reading(reading.cut, on)
    pairs = [p for p in pairs_of(conn, subtree, dated) if p.during(year, on)]
    titled: dict[str, TitleLevel] = {}
    for entry in read_titles(conn, year, dated).held:
        if entry.branch_id in subtree and titled.get(entry.branch_id) is not TitleLevel.CITY:
            titled[entry.branch_id] = entry.level
    active = [p for p in pairs if p.active_on(on)]
    loads: dict[str, int] = dict.fromkeys(titled, 0)
    for p in active:
        if p.mentor_branch_id in subtree:
            loads[p.mentor_branch_id] = loads.get(p.mentor_branch_id, 0) + 1
    involved = {b for p in pairs for b in (p.mentor_branch_id, p.mentee_branch_id)}
    places = branch_places(conn, involved | set(loads), on, reading.cut, committees)
    pairs = [_named(p, committees) for p in pairs]
    rows = sorted(
        (_pair_row(p, places, on) for p in pairs),
        key=lambda r: (
            r.mentor_committee_id or "",
            r.mentor_name or r.mentor_branch_id,
            r.formed_on,
            r.pair_id,
        ),
    )
    mentors = sorted(
        (
            MentorLoad(
                branch_id,
                places[branch_id].name if branch_id in places else None,
                places[branch_id].committee_id if branch_id in places else None,
                places[branch_id].committee_name if branch_id in places else None,
                titled.get(branch_id),
                count,
                policy.mentees_target,
                policy.mentees_max,
            )
            for branch_id, count in loads.items()
        ),
        key=lambda m: (m.committee_id or "", m.name or m.branch_id),
    )
    filers = [
        committees[i]
        for i in ids
        if committees[i].level is CommitteeLevel.CITY_MANAGED and committees[i].active
    ]
    schedules = _schedules(
        conn,
        sorted(filers, key=lambda c: c.committee_id),
        year,
        policy,
        reading,
        today,
        places,
        committees,
    )
    start = date(year, 1, 1)
    coverage = MentoringCoverage(
        committee_id,
        year,
        on,
        red_flag_branches=len(titled),
        mentors=len({p.mentor_branch_id for p in active if p.mentor_branch_id in subtree}),
        active_pairs=len(active),
        mentees=len({p.mentee_branch_id for p in active if p.mentee_branch_id in subtree}),
        mentors_below_target=sum(1 for m in mentors if m.below_target),
        pairs_formed=sum(1 for p in pairs if p.formed_on >= start),
        pairs_ended=sum(1 for p in pairs if p.ended is not None),
        schedules_due=len(schedules),
        schedules_filed=sum(1 for s in schedules if s.filed_on is not None),
        schedules_late=sum(1 for s in schedules if s.late),
        schedules_overdue=sum(1 for s in schedules if s.overdue),
    )
    return MentoringView(
        committee,
        year,
        on,
        policy.mentees_target,
        policy.mentees_max,
        tuple(rows),
        tuple(mentors),
        tuple(schedules),
        coverage,
    )
