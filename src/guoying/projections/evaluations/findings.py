"""The findings against a branch in a year: the one place the evaluation histories read them.

Today the store holds one kind, the veto findings of `selection.veto` recorded against a
branch or one of its units (the selection view). The findings of supervision and
accountability (`accountability.falsification`, `accountability.findings`) are to be added
here, by kind, when their events exist: every caller reads them through `findings_of`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.projections.ledger import tables as v
from guoying.projections.reading import Reading
from guoying.projections.selection.queries import one_of, read_rows
from guoying.projections.selection.tables import selection_events


@frozen
class Finding:
    """A finding against a branch (or one of its units), counted in the year it was found."""

    kind: str  # the rule id it is recorded under, e.g. `selection.veto`
    finding_id: str
    subject: str  # BRANCH or UNIT
    subject_id: str
    what: str
    issued_by: str
    found_on: date
    recorded_on: date
    recorded_by: str  # the committee that received or recorded it


def _veto_streams(conn: Connection, branch_ids: Iterable[str]) -> dict[str, list[str]]:
    """The veto-record streams of each branch and of each unit it serves, to the branches."""
    ids = sorted(set(branch_ids))
    found: dict[str, list[str]] = {f"veto:branch:{b}": [b] for b in ids}
    query = sa.select(v.branches.c.branch_id, v.branches.c.unit_ids).where(
        one_of(conn, v.branches.c.branch_id, ids)
    )
    for row in conn.execute(query):
        for unit_id in str(row.unit_ids).split(","):
            found.setdefault(f"veto:unit:{unit_id}", []).append(str(row.branch_id))
    return found


def findings_of(
    conn: Connection, branch_ids: Iterable[str], years: Iterable[int], reading: Reading
) -> dict[tuple[str, int], tuple[Finding, ...]]:
    """The findings against each branch found in each of the years, as known at the
    reading's store position and recorded by its as-of date, by (branch, year)."""
    wanted = set(years)
    streams = _veto_streams(conn, branch_ids)
    found: dict[tuple[str, int], list[Finding]] = {}
    if not streams or not wanted:
        return {}
    rows = read_rows(conn, reading, one_of(conn, selection_events.c.stream, streams))
    for row in rows:
        if row.event != "VetoFindingRecorded":
            continue
        d = row.detail
        found_on = date.fromisoformat(d["found_on"])
        if found_on.year not in wanted:
            continue
        finding = Finding(
            "selection.veto",
            d["finding_id"],
            d["subject"],
            d["subject_id"],
            d["area"],
            d["issuing_agency"],
            found_on,
            row.effective_on,
            d["received_by"],
        )
        for branch_id in streams[row.stream]:
            found.setdefault((branch_id, found_on.year), []).append(finding)
    return {key: tuple(value) for key, value in found.items()}
