"""`ledger.liaison_coverage`: branches without a liaison and leaders who liaise with none."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.adapters import schema
from guoying.domain.values import year_end
from guoying.projections.ledger import tables as v
from guoying.projections.ledger.tree import load_branches, load_committees, subtree_ids


@frozen
class Uncovered:
    """A leader who liaises with no branch of their committee's subtree, by id, name,
    position and committee."""

    person_id: str
    name: str | None
    position: str
    committee_id: str


@frozen
class CommitteeCoverage:
    """One committee of the subtree: its leaders, those who liaise with none of the
    branches under it, and its branches without a liaison."""

    committee_id: str
    name: str
    leaders: int
    uncovered_leaders: tuple[Uncovered, ...]
    branches: int
    branches_without_liaison: int

    @property
    def met(self) -> bool:
        return not self.uncovered_leaders and not self.branches_without_liaison


@frozen
class LiaisonCoverage:
    """`ledger.liaison_coverage` for a committee's subtree and a year: every branch has a
    liaison and every leader of every committee in the subtree liaises with at least one
    branch under that committee. The figures are the subtree's; `committees` gives each
    committee's own."""

    committee_id: str
    year: int
    leaders: int
    uncovered_leaders: tuple[Uncovered, ...]
    branches: int
    branches_without_liaison: tuple[tuple[str, str], ...]
    committees: tuple[CommitteeCoverage, ...] = ()

    @property
    def met(self) -> bool:
        return not self.uncovered_leaders and not self.branches_without_liaison


def liaison_coverage(conn: Connection, committee_id: str, year: int) -> LiaisonCoverage:
    end = year_end(year)
    committees = load_committees(conn, end)
    under = subtree_ids(committees, committee_id)
    bases = set(under)
    branches = {
        b.branch_id: b
        for b in load_branches(conn, end).values()
        if b.active and b.base_committee_id in bases and b.registered_year <= year
    }
    liaison_of: dict[str, str] = {}
    query = (
        v.of_branches(v.liaisons, list(branches), None)
        .where(v.liaisons.c.effective_on <= end)
        .order_by(v.liaisons.c.effective_on, v.liaisons.c.position)
    )
    for row in conn.execute(query):
        liaison_of[row.branch_id] = row.person_id
    leaders = conn.execute(
        sa.select(v.leaders)
        .where(v.leaders.c.committee_id.in_(under))
        .where(v.visible(v.leaders, None))
        .where(v.leaders.c.since <= end)
        .where(v.leaders.c.until.is_(None) | (v.leaders.c.until >= sa.literal(date(year, 1, 1))))
    ).all()
    per_committee = []
    uncovered_rows = []
    for cid in under:
        within = set(subtree_ids(committees, cid))
        own = [b for b in branches.values() if b.base_committee_id in within]
        liaising = {liaison_of[b.branch_id] for b in own if b.branch_id in liaison_of}
        mine = [row for row in leaders if row.committee_id == cid]
        missing = [row for row in mine if row.person_id not in liaising]
        uncovered_rows += missing
        per_committee.append((cid, mine, missing, own))
    names = {
        r.person_id: r.name
        for r in conn.execute(
            sa.select(schema.people).where(
                schema.people.c.person_id.in_([row.person_id for row in uncovered_rows])
            )
        )
    }

    def uncovered(rows: list[sa.Row[tuple[object, ...]]]) -> tuple[Uncovered, ...]:
        return tuple(
            Uncovered(
                str(r.person_id), names.get(str(r.person_id)), str(r.position), str(r.committee_id)
            )
            for r in rows
        )

    return LiaisonCoverage(
        committee_id,
        year,
        len(leaders),
        uncovered(uncovered_rows),
        len(branches),
        tuple(
            sorted(
                (b.branch_id, b.name) for b in branches.values() if b.branch_id not in liaison_of
            )
        ),
        tuple(
            CommitteeCoverage(
                cid,
                committees[cid].name,
                len(mine),
                uncovered(missing),
                len(own),
                sum(1 for b in own if b.branch_id not in liaison_of),
            )
            for cid, mine, missing, own in per_committee
        ),
    )
