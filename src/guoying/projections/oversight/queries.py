"""Reading oversight: per committee of a subtree and a year, the compliance with the three
supervision rules, the visits, the findings, the linkage decisions and the funding with the
Taishan Pioneers' grants (`supervision.*`, `accountability.*`, `reward.linkage`,
`resources.funding`).

Compliance is judged on a business date `on`, the day the report is read for (the end of the
year, or an earlier date while the year runs): a period with at least one exchange or
meeting held in it by `on` is MET; a period that ended before `on` without one is OVERDUE;
a period still running on `on` without one is NOT_MET (docs/adr/009).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.domain.accountability import FindingKind, FundingKind, LinkageKind
from guoying.domain.policy import Policy
from guoying.domain.supervision import SupervisionMethod
from guoying.domain.values import CommitteeLevel, Tier, year_end
from guoying.projections.ledger import tables as v
from guoying.projections.ledger.tree import load_branches, load_committees, subtree_ids
from guoying.projections.oversight.tables import flagged_branches as f
from guoying.projections.oversight.tables import oversight_events as t
from guoying.projections.reading import NOW, Reading
from guoying.projections.selection.queries import branch_names, one_of, read_rows
from guoying.projections.selection.tables import selection_events as s


class ComplianceStatus(enum.StrEnum):
    MET = "MET"
    NOT_MET = "NOT_MET"  # none held yet, and the period is still running
    OVERDUE = "OVERDUE"  # the period ended without one


@frozen
class PeriodCompliance:
    """One period of one supervision rule for one committee."""

    rule_id: str
    starts_on: date
    ends_on: date
    status: ComplianceStatus
    count: int
    dates: tuple[date, ...]


@frozen
class VisitEntry:
    visit_id: str
    branch_id: str
    branch_name: str | None
    method: SupervisionMethod
    findings: str
    follow_up: str
    on: date


@frozen
class FalsificationEntry:
    """`accountability.falsification`; `flagged` are the branches named that no evaluation
    result recorded since has cleared."""

    finding_id: str
    year: int
    report: str
    branch_ids: tuple[str, ...]
    flagged: tuple[str, ...]
    found_by: str
    on: date


@frozen
class FindingEntry:
    finding_id: str
    kind: FindingKind
    person_ids: tuple[str, ...]
    issued_by: str
    decision: str
    on: date


@frozen
class LinkageEntry:
    decision_id: str
    kind: LinkageKind
    branch_id: str
    person_id: str | None
    year: int
    tier: Tier
    evaluated: bool
    measure: str
    decided_by: str
    on: date


@frozen
class FundingEntry:
    funding_id: str
    kind: FundingKind
    amount_yuan: int
    on: date


@frozen
class GrantEntry:
    """A Taishan Pioneer's grant (`reward.grant`) to a branch the committee leads."""

    nomination_id: str
    branch_id: str
    amount_yuan: int
    on: date


@frozen
class ReevaluationFlag:
    """A branch named in a falsification finding, awaiting its re-evaluation."""

    branch_id: str
    finding_id: str
    committee_id: str  # the reporting committee
    year: int  # the year of the report
    found_on: date


@frozen
class CommitteeOversight:
    """One committee's own records for the year (not its subtree's)."""

    committee_id: str
    name: str
    level: CommitteeLevel
    # supervision.exchange: one per period for a city-managed committee, none for others.
    exchanges: tuple[PeriodCompliance, ...]
    # supervision.special_meeting: every committee's secretary (not the Organization
    # Department, a department).
    special_meeting: PeriodCompliance | None
    visits: tuple[VisitEntry, ...]
    falsifications: tuple[FalsificationEntry, ...]
    findings: tuple[FindingEntry, ...]
    linkages: tuple[LinkageEntry, ...]
    funding: tuple[FundingEntry, ...]
    grants: tuple[GrantEntry, ...]

    @property
    def funding_yuan(self) -> int:
        """Recorded funds and grants together (`resources.funding`: the grant is part)."""
        return sum(e.amount_yuan for e in self.funding) + sum(g.amount_yuan for g in self.grants)


@frozen
class OversightReport:
    committee_id: str
    year: int
    on: date  # the business date compliance is judged on
    committees: tuple[CommitteeOversight, ...]


class _Row(NamedTuple):
    position: int
    event: str
    committee_id: str
    branch_id: str | None
    year: int
    detail: dict[str, Any]
    actor_committee_id: str
    effective_on: date


def _rows(
    conn: Connection, committee_ids: Sequence[str], year: int, reading: Reading
) -> list[_Row]:
    query = (
        sa.select(
            t.c.position,
            t.c.event,
            t.c.committee_id,
            t.c.branch_id,
            t.c.year,
            t.c.detail,
            t.c.actor_committee_id,
            t.c.effective_on,
        )
        .where(t.c.year == year, one_of(conn, t.c.committee_id, committee_ids))
        .order_by(t.c.position)
    )
    if reading.cut is not None:
        query = query.where(t.c.position <= reading.cut)
    if reading.as_of is not None:
        query = query.where(t.c.effective_on <= reading.as_of)
    return [_Row._make((*r[:5], json.loads(r[5]), *r[6:])) for r in conn.execute(query)]


def judge_period(
    rule_id: str, held: Iterable[date], starts_on: date, ends_on: date, on: date
) -> PeriodCompliance:
    """MET with one held in the period by `on`; else OVERDUE once the period ended before
    `on`, NOT_MET while it runs."""
    dates = tuple(sorted(d for d in held if starts_on <= d <= ends_on and d <= on))
    if dates:
        status = ComplianceStatus.MET
    elif ends_on < on:
        status = ComplianceStatus.OVERDUE
    else:
        status = ComplianceStatus.NOT_MET
    return PeriodCompliance(rule_id, starts_on, ends_on, status, len(dates), dates)


def _exchanges(
    level: CommitteeLevel, held: list[date], year: int, on: date, policy: Policy
) -> tuple[PeriodCompliance, ...]:
    if level is not CommitteeLevel.CITY_MANAGED:
        return ()
    return tuple(
        judge_period("supervision.exchange", held, start, end, on)
        for start, end in policy.exchange_periods(year)
    )


def _special_meeting(
    level: CommitteeLevel, held: list[date], year: int, on: date, policy: Policy
) -> PeriodCompliance | None:
    if level is CommitteeLevel.ORGANIZATION_DEPARTMENT:
        return None
    due = policy.due_on(year, policy.special_meeting_due)
    return judge_period("supervision.special_meeting", held, date(year, 1, 1), due, on)


def reevaluation_flags(
    conn: Connection, branch_ids: Iterable[str], reading: Reading = NOW
) -> dict[str, list[ReevaluationFlag]]:
    """`accountability.falsification`: each branch's open flags. A flag stands until an
    evaluation result of the branch for the report's year or a later one is recorded after
    the finding (an adjustment, or a correction of an evaluation result), in the ledger's
    tiers; a reading as known at a store position sees the flags and results known then."""
    wanted = sorted(set(branch_ids))
    if not wanted:
        return {}
    query = sa.select(f).where(one_of(conn, f.c.branch_id, wanted)).order_by(f.c.position)
    results = sa.select(v.tiers.c.branch_id, v.tiers.c.year, v.tiers.c.known_from).where(
        one_of(conn, v.tiers.c.branch_id, wanted), v.tiers.c.is_evaluation.is_(True)
    )
    if reading.cut is not None:
        query = query.where(f.c.position <= reading.cut)
        results = results.where(v.tiers.c.known_from <= reading.cut)
    if reading.as_of is not None:
        query = query.where(f.c.effective_on <= reading.as_of)
        results = results.where(v.tiers.c.effective_on <= reading.as_of)
    evaluated: dict[str, list[tuple[int, int]]] = {}
    for r in conn.execute(results):
        evaluated.setdefault(str(r.branch_id), []).append((int(r.year), int(r.known_from)))
    found: dict[str, list[ReevaluationFlag]] = {}
    for r in conn.execute(query):
        cleared = any(
            year >= r.year and known > r.position for year, known in evaluated.get(r.branch_id, ())
        )
        if not cleared:
            found.setdefault(str(r.branch_id), []).append(
                ReevaluationFlag(
                    str(r.branch_id), r.finding_id, r.committee_id, int(r.year), r.effective_on
                )
            )
    return found


def _grants(
    conn: Connection, year: int, reading: Reading, base_of: dict[str, str]
) -> dict[str, list[GrantEntry]]:
    """`reward.grant`: the grants made in `year` to branches of the subtree, by the base
    committee that led each branch on the report's date."""
    rows = read_rows(conn, reading, s.c.event == "RewardGranted", s.c.year <= year)
    found: dict[str, list[GrantEntry]] = {}
    for row in rows:
        base = base_of.get(str(row.branch_id))
        if row.effective_on.year != year or base is None:
            continue
        found.setdefault(base, []).append(
            GrantEntry(
                str(row.nomination_id),
                str(row.branch_id),
                int(row.detail["amount_yuan"]),
                row.effective_on,
            )
        )
    return found


def _falsification(row: _Row, flags: dict[str, list[ReevaluationFlag]]) -> FalsificationEntry:
    d = row.detail
    finding_id = d["finding_id"]
    named = tuple(d["branch_ids"])
    return FalsificationEntry(
        finding_id,
        int(d["year"]),
        d["report"],
        named,
        tuple(b for b in named if any(x.finding_id == finding_id for x in flags.get(b, ()))),
        row.actor_committee_id,
        row.effective_on,
    )


def _one_committee(
    committee_id: str,
    name: str,
    level: CommitteeLevel,
    rows: list[_Row],
    grants: list[GrantEntry],
    names: dict[str, str],
    flags: dict[str, list[ReevaluationFlag]],
    year: int,
    on: date,
    policy: Policy,
) -> CommitteeOversight:
    of: dict[str, list[_Row]] = {}
    for row in rows:
        of.setdefault(row.event, []).append(row)

    def held(event: str) -> list[date]:
        return [r.effective_on for r in of.get(event, ())]

    return CommitteeOversight(
        committee_id,
        name,
        level,
        _exchanges(level, held("ObservationExchangeHeld"), year, on, policy),
        _special_meeting(level, held("SpecialMeetingHeld"), year, on, policy),
        tuple(
            VisitEntry(
                r.detail["visit_id"],
                r.detail["branch_id"],
                names.get(r.detail["branch_id"]),
                SupervisionMethod(r.detail["method"]),
                r.detail["findings"],
                r.detail["follow_up"],
                r.effective_on,
            )
            for r in of.get("SupervisionVisitRecorded", ())
        ),
        tuple(_falsification(r, flags) for r in of.get("FalsificationFound", ())),
        tuple(
            FindingEntry(
                r.detail["finding_id"],
                FindingKind(r.detail["kind"]),
                tuple(r.detail["person_ids"]),
                r.detail["issued_by"],
                r.detail["decision"],
                r.effective_on,
            )
            for r in of.get("AccountabilityFindingIssued", ())
        ),
        tuple(
            LinkageEntry(
                r.detail["decision_id"],
                LinkageKind(r.detail["kind"]),
                r.detail["branch_id"],
                r.detail["person_id"],
                int(r.detail["year"]),
                Tier(r.detail["tier"]),
                bool(r.detail["evaluated"]),
                r.detail["measure"],
                r.actor_committee_id,
                r.effective_on,
            )
            for r in of.get("RewardLinkageDecided", ())
        ),
        tuple(
            FundingEntry(
                r.detail["funding_id"],
                FundingKind(r.detail["kind"]),
                int(r.detail["amount_yuan"]),
                r.effective_on,
            )
            for r in of.get("FundingRecorded", ())
        ),
        tuple(grants),
    )


def read_oversight(
    conn: Connection,
    committee_id: str,
    year: int,
    on: date,
    policy: Policy,
    reading: Reading = NOW,
) -> OversightReport:
    """Each committee of `committee_id`'s subtree (active ones, the committee first, then in
    id order) with its own records for `year`; compliance judged on `on`, as known at the
    reading's store position."""
    # The subtree, its branches and names as they stood on `on`, or at the end of the year
    # once it has ended; compliance is judged on `on` itself.
    drawn = min(on, year_end(year))
    committees = load_committees(conn, drawn, reading.cut)
    ids = subtree_ids(committees, committee_id)
    ordered = [committee_id, *sorted(i for i in ids if i != committee_id)]
    rows = _rows(conn, ordered, year, reading)
    branches = load_branches(conn, drawn, reading.cut, bases=ordered)
    base_of = {b.branch_id: b.base_committee_id for b in branches.values()}
    grants = _grants(conn, year, reading, base_of)
    named = {r.branch_id for r in rows if r.branch_id} | {
        g.branch_id for found in grants.values() for g in found
    }
    names = branch_names(conn, named, drawn, reading.cut)
    flagged = {b for r in rows if r.event == "FalsificationFound" for b in r.detail["branch_ids"]}
    flags = reevaluation_flags(conn, flagged, reading)
    by_committee: dict[str, list[_Row]] = {}
    for row in rows:
        by_committee.setdefault(row.committee_id, []).append(row)
    return OversightReport(
        committee_id,
        year,
        on,
        tuple(
            _one_committee(
                i,
                committees[i].name,
                committees[i].level,
                by_committee.get(i, []),
                grants.get(i, []),
                names,
                flags,
                year,
                on,
                policy,
            )
            for i in ordered
            if i in committees
        ),
    )


def report_date(today: date, reading: Reading) -> date:
    """The date compliance is judged on: the as-of date, else today. A year that has ended
    is judged after its end, so its last period without one is overdue, not "not met"."""
    return reading.as_of or today
