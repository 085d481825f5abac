"""The oversight figures of a committee's subtree for a year, for the §8 report
(`accountability.assessment`): visits by method, the supervision rules' compliance counted
by status, findings, linkage decisions by tier and kind, and funding by kind with the grants.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date
from typing import TypeVar

from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.domain.accountability import FindingKind, FundingKind, LinkageKind
from guoying.domain.policy import Policy
from guoying.domain.supervision import SupervisionMethod
from guoying.domain.values import Tier
from guoying.projections.oversight.queries import (
    ComplianceStatus,
    OversightReport,
    read_oversight,
)
from guoying.projections.reading import NOW, Reading


@frozen
class OversightFigures:
    committee_id: str
    year: int
    on: date
    visits: int
    visits_by_method: dict[SupervisionMethod, int]
    # supervision.exchange: periods of the subtree's city-managed committees, by status.
    exchanges: dict[ComplianceStatus, int]
    # supervision.special_meeting: the subtree's committees, by status.
    special_meetings: dict[ComplianceStatus, int]
    falsifications: int
    flagged_branches: int  # still awaiting re-evaluation
    findings: int
    findings_by_kind: dict[FindingKind, int]
    linkages: int
    linkages_by_tier: dict[Tier, int]
    linkages_by_kind_and_tier: dict[LinkageKind, dict[Tier, int]]
    funding_by_kind: dict[FundingKind, int]
    grants_yuan: int
    funding_yuan: int  # the recorded funds and the grants together


K = TypeVar("K", bound=str)
V = TypeVar("V")


def _sorted(found: Mapping[K, V], order: list[K]) -> dict[K, V]:
    return {key: found[key] for key in order if key in found}


def figures_of(report: OversightReport) -> OversightFigures:
    """The report's committees summed: each record is its own committee's, so a subtree's
    sum counts each once."""
    rows = report.committees
    visits = [v for c in rows for v in c.visits]
    findings = [x for c in rows for x in c.findings]
    linkages = [x for c in rows for x in c.linkages]
    funding = [x for c in rows for x in c.funding]
    grants = sum(g.amount_yuan for c in rows for g in c.grants)
    by_kind_tier: dict[LinkageKind, Counter[Tier]] = {}
    for link in linkages:
        by_kind_tier.setdefault(link.kind, Counter())[link.tier] += 1
    by_funding: Counter[FundingKind] = Counter()
    for entry in funding:
        by_funding[entry.kind] += entry.amount_yuan
    return OversightFigures(
        report.committee_id,
        report.year,
        report.on,
        len(visits),
        _sorted(Counter(v.method for v in visits), list(SupervisionMethod)),
        _sorted(Counter(p.status for c in rows for p in c.exchanges), list(ComplianceStatus)),
        _sorted(
            Counter(c.special_meeting.status for c in rows if c.special_meeting),
            list(ComplianceStatus),
        ),
        sum(len(c.falsifications) for c in rows),
        len({b for c in rows for x in c.falsifications for b in x.flagged}),
        len(findings),
        _sorted(Counter(x.kind for x in findings), list(FindingKind)),
        len(linkages),
        _sorted(Counter(x.tier for x in linkages), list(Tier)),
        {
            kind: _sorted(dict(by_kind_tier[kind]), list(Tier))
            for kind in LinkageKind
            if kind in by_kind_tier
        },
        _sorted(dict(by_funding), list(FundingKind)),
        grants,
        sum(by_funding.values()) + grants,
    )


def read_figures(
    conn: Connection,
    committee_id: str,
    year: int,
    on: date,
    policy: Policy,
    reading: Reading = NOW,
) -> OversightFigures:
    return figures_of(read_oversight(conn, committee_id, year, on, policy, reading))
