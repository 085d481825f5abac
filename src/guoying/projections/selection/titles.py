"""The title register: who holds which red-flag title, since when, and what ended it
(`selection.annual_titles`, `title.revocation`, `selection.veto`, `reward.grant`,
`reward.representative_priority`).

Titles do not expire: the register of a year lists every title named up to that year and
held at its end (or on the as-of date), and those revoked or downgraded from the start of
the year to that date.
A veto finding against the branch or one of its units recorded after a title was conferred
flags it for the conferring body, which decides; the finding revokes nothing by itself.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from attrs import define, frozen
from sqlalchemy.engine import Connection

from guoying.domain.values import TitleLevel, year_end
from guoying.projections.ledger import tables as v
from guoying.projections.ledger.tree import CommitteeRow
from guoying.projections.reading import NOW, Reading
from guoying.projections.selection.queries import (
    SelectionRow,
    branch_names,
    committees_above,
    name_of,
    one_of,
    read_rows,
)
from guoying.projections.selection.tables import selection_events as t

_TITLE_EVENTS = ("TitleConferred", "TitleRevoked", "TitleDowngraded", "RewardGranted")


class TitleEnd(enum.StrEnum):
    REVOKED = "REVOKED"
    # A Taishan Pioneer downgraded to its committee's red-flag title, or a committee's
    # red-flag title downgraded, which revokes it.
    DOWNGRADED = "DOWNGRADED"


@frozen
class TitleEnding:
    """What ended a title: the decision, who took it, its cause and date."""

    how: TitleEnd
    decided_by: str
    decided_by_name: str | None
    cause: str
    on: date


@frozen
class VetoFlag:
    """A veto finding recorded after the title was conferred (`selection.veto`)."""

    finding_id: str
    subject: str
    subject_id: str
    area: str
    issuing_agency: str
    found_on: date
    recorded_on: date
    received_by: str


@frozen
class TitleEntry:
    nomination_id: str
    branch_id: str
    branch_name: str | None
    level: TitleLevel
    conferred_by: str
    conferred_by_name: str | None
    year: int  # the selection year it was named in
    since: date
    held: bool
    ended: TitleEnding | None
    reward_yuan: int | None
    representative_priority: bool
    flags: tuple[VetoFlag, ...]


@frozen
class TitleRegister:
    year: int
    on: date  # the business date the register is read on
    entries: tuple[TitleEntry, ...]

    @property
    def held(self) -> tuple[TitleEntry, ...]:
        return tuple(e for e in self.entries if e.held)


@define
class _Holding:
    nomination_id: str
    branch_id: str
    year: int
    level: TitleLevel
    conferred_by: str
    since: date
    began_at: int  # the store position of the event it began with
    representative_priority: bool
    ended: _Ended | None = None
    superseded: bool = False  # a committee's title followed by the city's
    reward_yuan: int | None = None


@frozen
class _Ended:
    how: TitleEnd
    decided_by: str
    cause: str
    on: date
    position: int


def _fold(rows: Sequence[SelectionRow]) -> list[_Holding]:
    holdings: list[_Holding] = []
    current: dict[str, _Holding] = {}
    for row in rows:
        d, nomination_id = row.detail, str(row.nomination_id)
        held = current.get(nomination_id)
        if row.event == "TitleConferred":
            if held is not None:
                held.superseded = True
            current[nomination_id] = _Holding(
                nomination_id,
                str(row.branch_id),
                int(d["year"]),
                TitleLevel(d["level"]),
                d["conferred_by"],
                row.effective_on,
                row.position,
                bool(d["representative_priority"]),
            )
            holdings.append(current[nomination_id])
        elif held is None:
            continue
        elif row.event == "RewardGranted":
            held.reward_yuan = int(d["amount_yuan"])
        else:
            how = (
                TitleEnd.DOWNGRADED
                if row.event == "TitleDowngraded" or d.get("by_downgrade")
                else TitleEnd.REVOKED
            )
            held.ended = _Ended(how, d["decided_by"], row.reason, row.effective_on, row.position)
            del current[nomination_id]
            if row.event == "TitleDowngraded":
                current[nomination_id] = _Holding(
                    nomination_id,
                    held.branch_id,
                    held.year,
                    TitleLevel.COMMITTEE,
                    d["now_held_from"],
                    row.effective_on,
                    row.position,
                    representative_priority=False,
                )
                holdings.append(current[nomination_id])
    return holdings


def _subjects(conn: Connection, branch_ids: Sequence[str]) -> dict[str, list[str]]:
    """The veto-record streams of each branch and of each unit it serves (a unit may be
    served by several), to the branches."""
    found: dict[str, list[str]] = {f"veto:branch:{b}": [b] for b in branch_ids}
    query = sa.select(v.branches.c.branch_id, v.branches.c.unit_ids).where(
        one_of(conn, v.branches.c.branch_id, branch_ids)
    )
    for row in conn.execute(query):
        for unit_id in str(row.unit_ids).split(","):
            found.setdefault(f"veto:unit:{unit_id}", []).append(str(row.branch_id))
    return found


def _flags(
    conn: Connection, holdings: Sequence[_Holding], reading: Reading
) -> dict[str, list[SelectionRow]]:
    """Every veto finding against each holding's branch or its units, by branch."""
    subjects = _subjects(conn, sorted({h.branch_id for h in holdings}))
    by_branch: dict[str, list[SelectionRow]] = {}
    if not subjects:
        return by_branch
    # By stream alone, its index: a veto record holds findings and assessments only.
    rows = read_rows(conn, reading, one_of(conn, t.c.stream, subjects))
    for row in (r for r in rows if r.event == "VetoFindingRecorded"):
        for branch_id in subjects[row.stream]:
            by_branch.setdefault(branch_id, []).append(row)
    return by_branch


def _entry(
    h: _Holding,
    names: dict[str, str],
    committees: dict[str, CommitteeRow],
    findings: Sequence[SelectionRow],
) -> TitleEntry:
    ended = h.ended
    last = ended.position if ended else None
    flags = tuple(
        VetoFlag(
            r.detail["finding_id"],
            r.detail["subject"],
            r.detail["subject_id"],
            r.detail["area"],
            r.detail["issuing_agency"],
            date.fromisoformat(r.detail["found_on"]),
            r.effective_on,
            r.detail["received_by"],
        )
        for r in findings
        if r.position > h.began_at and (last is None or r.position < last)
    )
    return TitleEntry(
        h.nomination_id,
        h.branch_id,
        names.get(h.branch_id),
        h.level,
        h.conferred_by,
        name_of(committees, h.conferred_by),
        h.year,
        h.since,
        ended is None and not h.superseded,
        None
        if ended is None
        else TitleEnding(
            ended.how,
            ended.decided_by,
            name_of(committees, ended.decided_by),
            ended.cause,
            ended.on,
        ),
        h.reward_yuan,
        h.representative_priority,
        flags,
    )


def read_titles(conn: Connection, year: int, reading: Reading = NOW) -> TitleRegister:
    """The titles named up to `year` that are held at its end, or on the as-of date if there
    is one, and those that ended between the start of `year` and that date, as known at the
    reading's store position."""
    on = reading.as_of or year_end(year)
    dated = Reading(reading.cut, on)
    # Only a nomination that was conferred a title has title events, and their year is the
    # nomination's: one index range per kind of event.
    rows = read_rows(conn, dated, t.c.event.in_(_TITLE_EVENTS), t.c.year <= year)
    holdings = [
        h
        for h in _fold(rows)
        if (h.ended is None and not h.superseded) or (h.ended and h.ended.on.year >= year)
    ]
    deciders = {h.conferred_by for h in holdings} | {
        h.ended.decided_by for h in holdings if h.ended
    }
    committees = committees_above(conn, deciders, on, reading.cut)
    names = branch_names(conn, (h.branch_id for h in holdings), on, reading.cut)
    findings = _flags(conn, holdings, dated)
    entries = [_entry(h, names, committees, findings.get(h.branch_id, ())) for h in holdings]
    entries.sort(
        key=lambda e: (
            e.level is not TitleLevel.CITY,
            e.year,
            e.conferred_by,
            e.since,
            e.nomination_id,
        )
    )
    return TitleRegister(year, on, tuple(entries))
