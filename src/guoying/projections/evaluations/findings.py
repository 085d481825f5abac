"""The findings against a branch in a year: the one place the evaluation histories read them.

Three kinds are held against a branch: the veto findings of `selection.veto` recorded
against it or one of its units (the selection view); what a supervision visit found at it
(`supervision.methods`); and a falsification found in a report that names it
(`accountability.falsification`, the oversight view). Findings of poor execution or major
errors (`accountability.findings`) are held against a committee, not a branch, and are in
the committee's figures instead. Every caller reads them through `findings_of`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.projections.ledger import tables as v
from guoying.projections.oversight.tables import oversight_events as o
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
    for branch_id, finding in _oversight_findings(conn, streams, wanted, reading):
        found.setdefault((branch_id, finding.found_on.year), []).append(finding)
    return {key: tuple(value) for key, value in found.items()}


def _oversight_findings(
    conn: Connection, streams: dict[str, list[str]], years: set[int], reading: Reading
) -> list[tuple[str, Finding]]:
    """What visits found at the branches and the falsifications that name them, in the
    years of their dates."""
    ids = {b for branches in streams.values() for b in branches}
    query = (
        sa.select(
            o.c.event,
            o.c.branch_id,
            o.c.committee_id,
            o.c.detail,
            o.c.effective_on,
            o.c.actor_committee_id,
        )
        .where(o.c.event.in_(["SupervisionVisitRecorded", "FalsificationFound"]))
        .where(o.c.effective_on.between(date(min(years), 1, 1), date(max(years), 12, 31)))
        .order_by(o.c.position)
    )
    if reading.cut is not None:
        query = query.where(o.c.position <= reading.cut)
    if reading.as_of is not None:
        query = query.where(o.c.effective_on <= reading.as_of)
    found = []
    for row in conn.execute(query):
        on: date = row.effective_on
        if on.year not in years:
            continue
        d = json.loads(row.detail)
        if row.event == "SupervisionVisitRecorded" and row.branch_id in ids:
            found.append(
                (
                    str(row.branch_id),
                    Finding(
                        "supervision.methods",
                        d["visit_id"],
                        "BRANCH",
                        str(row.branch_id),
                        f"{d['findings']}（整改措施：{d['follow_up']}）",
                        str(row.committee_id),
                        on,
                        on,
                        str(row.committee_id),
                    ),
                )
            )
        elif row.event == "FalsificationFound":
            found += [
                (
                    branch_id,
                    Finding(
                        "accountability.falsification",
                        d["finding_id"],
                        "BRANCH",
                        branch_id,
                        d["report"],
                        str(row.actor_committee_id),
                        on,
                        on,
                        str(row.committee_id),
                    ),
                )
                for branch_id in d["branch_ids"]
                if branch_id in ids
            ]
    return found
