"""Reading the selection: the board of a year, the title register and the Annex 3 form.

Each is a fold, in store order, of the selection view's rows (one per event), read by an
index: a year's rows for the board, the titles conferred up to a year for the register, one
nomination's rows for the form. A reading as known at a store position keeps the rows up
to it; one in effect on a business date keeps the rows effective by then.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from attrs import define, field, frozen
from sqlalchemy.engine import Connection

from guoying.domain.values import CommitteeLevel, TitleLevel
from guoying.projections.ledger import tables as v
from guoying.projections.ledger.tree import CommitteeRow
from guoying.projections.reading import NOW, Reading, business_date
from guoying.projections.selection.tables import selection_events as t


class SelectionRow(NamedTuple):
    """One row of the selection view, its detail decoded. A tuple: a register or a board
    reads hundreds, and building them is most of their reading."""

    position: int
    stream: str
    year: int | None
    nomination_id: str | None
    branch_id: str | None
    committee_id: str | None
    event: str
    detail: dict[str, Any]
    actor_person_id: str
    actor_committee_id: str
    reason: str
    effective_on: date


# The columns a row is read from, in SelectionRow's order (the detail as JSON text).
_COLUMNS = (
    t.c.position,
    t.c.stream,
    t.c.year,
    t.c.nomination_id,
    t.c.branch_id,
    t.c.committee_id,
    t.c.event,
    t.c.detail,
    t.c.actor_person_id,
    t.c.actor_committee_id,
    t.c.reason,
    t.c.effective_on,
)


def one_of(
    conn: Connection, column: sa.ColumnElement[str], values: Iterable[str]
) -> sa.ColumnElement[bool]:
    """`column IN values`; on PostgreSQL as `= ANY(array)`, one parameter whatever the
    number of values, so that a register of hundreds of titles is not a statement of
    hundreds of parameters, compiled and converted afresh for each length."""
    found = sorted(set(values))
    if conn.dialect.name == "postgresql":
        # The PostgreSQL dialect is imported by a store on PostgreSQL, not by every reader.
        from sqlalchemy.dialects.postgresql import ARRAY

        return column == sa.any_(sa.literal(found, ARRAY(sa.Text)))
    return column.in_(found)


def read_rows(
    conn: Connection, reading: Reading, *where: sa.ColumnElement[bool]
) -> list[SelectionRow]:
    query = sa.select(*_COLUMNS).where(*where).order_by(t.c.position)
    if reading.cut is not None:
        query = query.where(t.c.position <= reading.cut)
    if reading.as_of is not None:
        query = query.where(t.c.effective_on <= reading.as_of)
    return [
        SelectionRow._make((*row[:7], json.loads(row[7]), *row[8:])) for row in conn.execute(query)
    ]


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def branch_names(
    conn: Connection, branch_ids: Iterable[str], on: date, cut: int | None
) -> dict[str, str]:
    """Each branch's name as it stood on a date, as known at a store position."""
    c = v.branch_changes
    # The attribute is matched here, not in SQL: SQLite would rather walk every branch's
    # name by the (attribute, value) index than these branches' few changes by their id.
    query = (
        sa.select(c.c.branch_id, c.c.attribute, c.c.value)
        .where(one_of(conn, c.c.branch_id, branch_ids), c.c.valid_from <= on)
        .order_by(c.c.valid_from, c.c.position, c.c.seq)
    )
    if cut is not None:
        query = query.where(c.c.position <= cut)
    return {str(r.branch_id): str(r.value) for r in conn.execute(query) if r.attribute == "name"}


def committee_known(conn: Connection, committee_id: str) -> bool:
    found = conn.execute(
        sa.select(v.committees.c.committee_id).where(v.committees.c.committee_id == committee_id)
    ).first()
    return found is not None


def committees_above(
    conn: Connection, committee_ids: Iterable[str | None], on: date, cut: int | None
) -> dict[str, CommitteeRow]:
    """The committees named and every committee above them, as they stood on a date: one
    small query a level, so a reading costs what its own committees cost, not the tree."""
    c, k = v.committee_changes, v.committees
    found: dict[str, CommitteeRow] = {}
    frontier = {i for i in committee_ids if i}
    while frontier:
        query = (
            sa.select(c.c.committee_id, c.c.attribute, c.c.value)
            .where(one_of(conn, c.c.committee_id, frontier), c.c.valid_from <= on)
            .order_by(c.c.valid_from, c.c.position, c.c.seq)
        )
        if cut is not None:
            query = query.where(c.c.position <= cut)
        states: dict[str, dict[str, str | None]] = {}
        for r in conn.execute(query):
            states.setdefault(r.committee_id, {})[r.attribute] = r.value
        kinds = conn.execute(
            sa.select(k.c.committee_id, k.c.level, k.c.county_level).where(
                one_of(conn, k.c.committee_id, states)
            )
        )
        for r in kinds:
            state = states[r.committee_id]
            found[r.committee_id] = CommitteeRow(
                r.committee_id,
                str(state.get("name")),
                CommitteeLevel(r.level),
                state.get("parent_id"),
                bool(r.county_level),
                state.get("active") is not None,
            )
        frontier = {
            str(found[i].parent_id)
            for i in states
            if i in found and found[i].parent_id and found[i].parent_id not in found
        }
    return found


def lineage(committees: dict[str, CommitteeRow], committee_id: str | None) -> list[str]:
    """A committee and those above it, nearest first."""
    chain: list[str] = []
    current = committees.get(committee_id) if committee_id else None
    while current is not None and current.committee_id not in chain:
        chain.append(current.committee_id)
        current = committees.get(current.parent_id) if current.parent_id else None
    return chain


def city_managed_of(committees: dict[str, CommitteeRow], committee_id: str) -> str | None:
    """The city-managed committee a committee is under (itself if it is one)."""
    return next(
        (
            i
            for i in lineage(committees, committee_id)
            if committees[i].level is CommitteeLevel.CITY_MANAGED
        ),
        None,
    )


def name_of(committees: dict[str, CommitteeRow], committee_id: str | None) -> str | None:
    found = committees.get(committee_id) if committee_id else None
    return found.name if found else None


# The board of a year


class BoardStatus(enum.StrEnum):
    """Where a nomination stands in its year's selection."""

    CANDIDATE = "CANDIDATE"  # a candidate of its base committee's round
    LISTED = "LISTED"  # on its round's decided list, awaiting the end of the notice
    FORWARDED = "FORWARDED"  # a candidate of a round above its base committee
    TITLED = "TITLED"  # a red-flag branch of its city-managed committee (COMMITTEE)
    NAMED = "NAMED"  # named Taishan Pioneer by the city committee (CITY)
    NOT_PASSED = "NOT_PASSED"
    VETOED = "VETOED"
    OBJECTION_UPHELD = "OBJECTION_UPHELD"
    TITLE_REVOKED = "TITLE_REVOKED"  # proposed, then its red-flag title revoked


@frozen
class BoardVeto:
    """`selection.veto`: the finding that ended the nomination at a round, and who vetoed."""

    committee_id: str
    finding_id: str
    issuing_agency: str
    finding: str
    vetoed_by_person_id: str
    vetoed_by_committee_id: str
    on: date


@frozen
class BoardObjection:
    """`selection.public_notice`: an objection upheld during a round's notice."""

    committee_id: str
    reason: str
    upheld_by_person_id: str
    on: date


@frozen
class LateStep:
    """`selection.timeline`: a step taken after its due date. `what` is the application
    (BranchApplied), a recorded step (its SelectionStep) or a round's list (RoundListDecided,
    RoundListFinal)."""

    what: str
    committee_id: str
    due_on: date | None
    on: date


@frozen
class BoardEnding:
    outcome: str
    committee_id: str
    reason: str
    on: date


@frozen
class BoardRow:
    nomination_id: str
    branch_id: str
    branch_name: str | None
    base_committee_id: str
    base_committee_name: str | None
    city_managed_committee_id: str | None
    city_managed_committee_name: str | None
    # The round it is a candidate of now (None once it ended or went as far as it goes).
    round_committee_id: str | None
    round_committee_name: str | None
    status: BoardStatus
    title: TitleLevel | None
    awaited: tuple[str, ...]
    ended: BoardEnding | None
    vetoes: tuple[BoardVeto, ...]
    objections: tuple[BoardObjection, ...]
    late: tuple[LateStep, ...]
    priority_awards: tuple[str, ...]


@frozen
class SelectionBoard:
    year: int
    committee_id: str | None
    rows: tuple[BoardRow, ...]


@define
class _Way:
    """One nomination's way through its year, as the rows tell it."""

    nomination_id: str
    branch_id: str
    base_committee_id: str
    priority_awards: tuple[str, ...]
    round: str | None
    listed_at: set[str] = field(factory=set)
    ended: BoardEnding | None = None
    title: TitleLevel | None = None
    titled: bool = False
    named: bool = False
    vetoes: list[BoardVeto] = field(factory=list)
    objections: list[BoardObjection] = field(factory=list)
    late: list[LateStep] = field(factory=list)
    entered: dict[str, tuple[str, ...]] = field(factory=dict)
    answered: dict[str, set[str]] = field(factory=dict)

    def status(self, finals: set[str]) -> BoardStatus:
        if self.named:
            return BoardStatus.NAMED
        if self.ended is not None and not self.titled:
            return BoardStatus(self.ended.outcome)
        if self.round is None or self.ended is not None:
            return BoardStatus.TITLED
        if self.round in self.listed_at and self.round not in finals:
            return BoardStatus.LISTED
        if self.round != self.base_committee_id and self.round not in finals:
            return BoardStatus.FORWARDED
        # A proposal whose committee's list is final, before its submission.
        return BoardStatus.TITLED if self.titled else BoardStatus.CANDIDATE

    def awaited(self) -> tuple[str, ...]:
        """`selection.consultation`: the agencies yet to answer at its round."""
        if self.ended is not None or self.round is None:
            return ()
        answered = self.answered.get(self.round, set())
        return tuple(a for a in self.entered.get(self.round, ()) if a not in answered)


def _applied(row: SelectionRow) -> _Way:
    d = row.detail
    way = _Way(
        str(row.nomination_id),
        d["branch_id"],
        d["base_committee_id"],
        tuple(d["priority_awards"]),
        d["base_committee_id"],
    )
    if d["late"]:
        way.late.append(
            LateStep(row.event, way.base_committee_id, _day(d["due_on"]), row.effective_on)
        )
    return way


def _nomination_row(ways: dict[str, _Way], row: SelectionRow) -> None:
    d = row.detail
    if row.event == "BranchApplied":
        ways[str(row.nomination_id)] = _applied(row)
        return
    way = ways.get(str(row.nomination_id))
    if way is None:
        return
    if row.event == "SelectionStepRecorded" and d["late"]:
        way.late.append(LateStep(d["step"], d["committee_id"], _day(d["due_on"]), row.effective_on))
    elif row.event == "BranchRecommended":
        way.listed_at.add(d["committee_id"])
    elif row.event == "CandidateForwarded":
        way.round = d["to_committee_id"]
    elif row.event in {"NominationEnded", "NominationVetoed"}:
        outcome = d.get("outcome", "VETOED")
        reason = d.get("finding", row.reason)
        way.ended = BoardEnding(outcome, d["committee_id"], reason, row.effective_on)
        way.round = None
        if row.event == "NominationVetoed":
            way.vetoes.append(
                BoardVeto(
                    d["committee_id"],
                    d["finding_id"],
                    d["issuing_agency"],
                    d["finding"],
                    row.actor_person_id,
                    row.actor_committee_id,
                    row.effective_on,
                )
            )
    elif row.event == "TitleConferred":
        way.title = TitleLevel(d["level"])
        way.titled = True
        way.named = way.named or way.title is TitleLevel.CITY
        if not d["proposed"]:
            way.round = None
    elif row.event == "TitleRevoked":
        way.title = None
    elif row.event == "TitleDowngraded":
        way.title = TitleLevel.COMMITTEE


def _round_row(ways: dict[str, _Way], finals: set[str], row: SelectionRow) -> None:
    d, committee_id = row.detail, str(row.committee_id)
    late_for: Iterable[str] = ()
    if row.event == "RoundListDecided" and d["late"]:
        late_for = (*d["passed"], *d["titled"], *d["not_passed"])
    elif row.event == "RoundListFinal":
        finals.add(committee_id)
        late_for = (*d["final"], *d["titled"]) if d["late"] else ()
    for nomination_id in dict.fromkeys(late_for):
        if nomination_id in ways:
            ways[nomination_id].late.append(
                LateStep(row.event, committee_id, _day(d["due_on"]), row.effective_on)
            )
    way = ways.get(str(row.nomination_id)) if row.nomination_id else None
    if way is None:
        return
    if row.event == "CandidateEntered":
        way.entered[committee_id] = tuple(d["required_agencies"])
    elif row.event == "ConsultationAnswered":
        way.answered.setdefault(committee_id, set()).add(d["agency"])
    elif row.event == "CandidateRemoved" and d["removal"] == "OBJECTION_UPHELD":
        way.objections.append(
            BoardObjection(committee_id, row.reason, row.actor_person_id, row.effective_on)
        )


def _applications(conn: Connection, year: int, reading: Reading) -> dict[str, str]:
    """The year's nominations and their base committees, from their applications' rows."""
    query = sa.select(t.c.nomination_id, t.c.committee_id).where(
        t.c.event == "BranchApplied", t.c.year == year
    )
    if reading.cut is not None:
        query = query.where(t.c.position <= reading.cut)
    if reading.as_of is not None:
        query = query.where(t.c.effective_on <= reading.as_of)
    return {str(r.nomination_id): str(r.committee_id) for r in conn.execute(query)}


def _board_rows(
    conn: Connection,
    year: int,
    committee_id: str | None,
    bases: dict[str, str],
    committees: dict[str, CommitteeRow],
    reading: Reading,
) -> list[SelectionRow]:
    """The rows a board folds: the year's; for a committee, only those of the nominations
    under it or entered in its round, and the lists of the rounds they were in (whose rows
    the fold needs besides the nominations' own are the lists alone)."""
    if committee_id is None:
        return read_rows(conn, reading, t.c.year == year)
    entered = sa.select(t.c.nomination_id).where(
        t.c.event == "CandidateEntered", t.c.year == year, t.c.committee_id == committee_id
    )
    chosen = {n for n, base in bases.items() if committee_id in lineage(committees, base)}
    chosen |= {str(n) for n in conn.execute(entered).scalars()}
    rounds = {c for n in chosen for c in lineage(committees, bases.get(n))}
    # A nomination's id names its year; its rounds' lists are two rows a round.
    rows = read_rows(conn, reading, one_of(conn, t.c.nomination_id, chosen))
    rows += read_rows(
        conn,
        reading,
        t.c.event.in_(("RoundListDecided", "RoundListFinal")),
        t.c.year == year,
        one_of(conn, t.c.committee_id, rounds),
    )
    return sorted(rows, key=lambda r: r.position)


def read_board(
    conn: Connection, year: int, committee_id: str | None = None, reading: Reading = NOW
) -> SelectionBoard:
    """The board of a year: every nomination with its round, status, awaited answers,
    vetoes, objections and late steps; with `committee_id`, those under its subtree or at
    its round."""
    on = business_date(year, reading)
    bases = _applications(conn, year, reading)
    committees = committees_above(conn, {*bases.values(), committee_id}, on, reading.cut)
    ways: dict[str, _Way] = {}
    finals: set[str] = set()
    for row in _board_rows(conn, year, committee_id, bases, committees, reading):
        if row.stream.startswith("nomination:"):
            _nomination_row(ways, row)
        else:
            _round_row(ways, finals, row)
    chosen = list(ways.values())
    if committee_id is not None:
        chosen = [
            w
            for w in chosen
            if committee_id in lineage(committees, w.base_committee_id) or w.round == committee_id
        ]
    names = branch_names(conn, (w.branch_id for w in chosen), on, reading.cut)
    rows = []
    for w in chosen:
        city_managed = city_managed_of(committees, w.base_committee_id)
        rows.append(
            BoardRow(
                w.nomination_id,
                w.branch_id,
                names.get(w.branch_id),
                w.base_committee_id,
                name_of(committees, w.base_committee_id),
                city_managed,
                name_of(committees, city_managed),
                w.round,
                name_of(committees, w.round),
                w.status(finals),
                w.title,
                w.awaited(),
                w.ended,
                tuple(w.vetoes),
                tuple(w.objections),
                tuple(w.late),
                w.priority_awards,
            )
        )
    rows.sort(
        key=lambda r: (r.city_managed_committee_id or "", r.base_committee_id, r.nomination_id)
    )
    return SelectionBoard(year, committee_id, tuple(rows))
