"""The committee tree and the branches as they stood on a date, from the ledger's dated
changes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.domain.values import CommitteeLevel, Sector
from guoying.projections.ledger import tables as v


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
    conn: Connection, on: date | None = None, cut: int | None = None, *, within: str | None = None
) -> dict[str, CommitteeRow]:
    """Every committee founded by a date (by now without one), dissolved ones inactive;
    `within` a committee, only it and the active committees under it (`subtree_at`)."""
    if within is None:
        states = _fold(conn, v.committee_changes, "committee_id", on, cut)
    else:
        states = subtree_at(conn, within, on, cut)
    rows = sa.select(v.committees)
    if within is not None:
        rows = rows.where(v.committees.c.committee_id.in_(list(states)))
    return {
        r.committee_id: CommitteeRow(
            r.committee_id,
            str(states[r.committee_id]["name"]),
            CommitteeLevel(r.level),
            states[r.committee_id]["parent_id"],
            bool(r.county_level),
            states[r.committee_id]["active"] is not None,
        )
        for r in conn.execute(rows)
        if r.committee_id in states
    }


def subtree_at(
    conn: Connection, root: str, on: date | None = None, cut: int | None = None
) -> dict[str, dict[str, str | None]]:
    """The dated state of `root` and of every active committee under it, as the tree stood
    on a date: found level by level from the committees that ever named a member as their
    parent, so a subtree costs what it holds, not what the whole tree holds. Agrees with
    `subtree_ids` over the whole tree."""
    t = v.committee_changes
    states = dict(_fold(conn, t, "committee_id", on, cut, _only([root])))
    frontier = [root] if "name" in states.get(root, {}) else []
    while frontier:
        ever_under = (
            sa.select(t.c.committee_id)
            .where(t.c.attribute == "parent_id", t.c.value.in_(frontier))
            .distinct()
        )
        found = _fold(conn, t, "committee_id", on, cut, ever_under)
        members = set(frontier)
        frontier = [
            committee_id
            for committee_id, state in found.items()
            if committee_id not in states
            and state.get("parent_id") in members
            and state.get("active") is not None
            and "name" in state
        ]
        states.update((committee_id, found[committee_id]) for committee_id in frontier)
    return states


def _only(ids: list[str]) -> sa.Select[Any]:
    t = v.committee_changes
    return sa.select(t.c.committee_id).where(t.c.committee_id.in_(ids)).distinct()


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
