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
    """A leader who liaises with no branch, by id, name and position."""

    person_id: str
    name: str | None
    position: str


@frozen
class LiaisonCoverage:
    """`ledger.liaison_coverage` for a committee and year: every branch has a liaison and
    every leader of the committee liaises with at least one branch of its subtree."""

    committee_id: str
    year: int
    leaders: int
    uncovered_leaders: tuple[Uncovered, ...]
    branches: int
    branches_without_liaison: tuple[tuple[str, str], ...]

    @property
    def met(self) -> bool:
        return not self.uncovered_leaders and not self.branches_without_liaison


def liaison_coverage(conn: Connection, committee_id: str, year: int) -> LiaisonCoverage:
    end = year_end(year)
    committees = load_committees(conn, end)
    bases = set(subtree_ids(committees, committee_id))
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
        .where(v.leaders.c.committee_id == committee_id)
        .where(v.visible(v.leaders, None))
        .where(v.leaders.c.since <= end)
        .where(v.leaders.c.until.is_(None) | (v.leaders.c.until >= sa.literal(date(year, 1, 1))))
    ).all()
    liaising = set(liaison_of.values())
    uncovered = [row for row in leaders if row.person_id not in liaising]
    names = {
        r.person_id: r.name
        for r in conn.execute(
            sa.select(schema.people).where(
                schema.people.c.person_id.in_([row.person_id for row in uncovered])
            )
        )
    }
    return LiaisonCoverage(
        committee_id,
        year,
        len(leaders),
        tuple(Uncovered(r.person_id, names.get(r.person_id), r.position) for r in uncovered),
        len(branches),
        tuple(
            sorted(
                (b.branch_id, b.name) for b in branches.values() if b.branch_id not in liaison_of
            )
        ),
    )
