"""`compliance`: per committee of a subtree and a year, the supervision rules' compliance
(met / not met / overdue), visits, findings, linkage decisions and funding with the grants,
as a table, JSON or CSV."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from guoying.api import CommitteeOversight, PeriodCompliance
from guoying.cli.options import (
    AsKnownAtOption,
    AsOfOption,
    BomOption,
    FormatOption,
    StoreOption,
    date_option,
    opened_store,
    time_option,
)
from guoying.cli.output import Format, print_entries, print_json

# Keyed by each ComplianceStatus's value (the StrEnum member looks itself up by it), so that
# the module imports no view before a command runs.
STATUS_WORDS: dict[str, str] = {
    "MET": "met",
    "NOT_MET": "not met",
    "OVERDUE": "overdue",
}

COMPLIANCE_HEADER = [
    "committee_id",
    "committee",
    "level",
    "exchanges (per period)",
    "special meeting",
    "visits",
    "falsifications",
    "flagged for re-evaluation",
    "findings",
    "linkage decisions",
    "funding (yuan)",
    "of which grants (yuan)",
]


def _period(p: PeriodCompliance) -> str:
    """'met (2): 2018-03-01, 2018-05-02', 'overdue (due 2018-06-30)' or 'not met'."""
    word = STATUS_WORDS[p.status]
    if p.dates:
        return f"{word} ({p.count}): {', '.join(d.isoformat() for d in p.dates)}"
    return f"{word} (due {p.ends_on})"


def compliance_row(c: CommitteeOversight) -> list[object]:
    return [
        c.committee_id,
        c.name,
        c.level.value,
        "; ".join(f"{p.starts_on}..{p.ends_on} {_period(p)}" for p in c.exchanges) or "-",
        _period(c.special_meeting) if c.special_meeting else "-",
        len(c.visits),
        len(c.falsifications),
        ", ".join(sorted({b for x in c.falsifications for b in x.flagged})),
        len(c.findings),
        len(c.linkages),
        c.funding_yuan,
        sum(g.amount_yuan for g in c.grants),
    ]


def compliance(
    committee: Annotated[str, typer.Option("--committee", help="the committee whose subtree")],
    year: Annotated[int, typer.Option("--year", help="the year")],
    as_known_at: AsKnownAtOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.TABLE,
    bom: BomOption = False,
    store: StoreOption = None,
) -> None:
    """Supervision compliance (supervision.exchange, supervision.special_meeting), visits,
    findings, linkage decisions and funding with the Taishan Pioneers' grants, per committee
    of the subtree, for the year; judged on --as-of, else today.
    JSON gives every visit, finding, decision and sum in full."""
    from guoying.api import to_data

    known = time_option("--as-known-at", as_known_at)
    effective = date_option("--as-of", as_of)
    with opened_store(store, create=False) as guoying:
        report = guoying.compliance(committee, year, as_known_at=known, as_of=effective)
    if fmt is Format.JSON:
        print_json(to_data(report))
        return
    print_entries(
        report.committees,
        fmt,
        f"{year}年督导与奖惩 supervision compliance under {committee}, judged on {report.on}",
        compliance_row,
        COMPLIANCE_HEADER,
        bom=bom,
    )


def register(app: typer.Typer) -> None:
    app.command()(compliance)
