"""`guoying evaluations`: a branch's annual evaluation history, or a committee's subtree's
rows of a year, as a table, JSON or CSV."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from guoying.api import CaseNote, Decided, EvaluationRow, PairLink, Tier
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
from guoying.cli.output import Format, console, print_json, write_csv
from guoying.cli.tables import Column, show


def _tier(tier: Tier | None) -> str:
    from guoying.api import TIER_LABELS

    return TIER_LABELS[tier] if tier else ""


def _decided(d: Decided) -> str:
    return f"{d.committee_id} ({d.person_id}) on {d.on}: {d.reason}"


def _decision(r: EvaluationRow) -> str:
    lines = [_decided(r.decision)] if r.decision else []
    lines += [f"corrected to {_tier(c.tier)} by {_decided(c)}" for c in r.corrections]
    return "\n".join(lines)


def _cases(found: Sequence[CaseNote], closed: Sequence[CaseNote]) -> str:
    return "\n".join(
        [f"found {c.found_on}: {c.problem}" for c in found]
        + [f"closed {c.closed_on}: {c.problem} ({c.outcome})" for c in closed]
    )


def _link(p: PairLink) -> str:
    ended = f", ended {p.ended_on}: {p.ended_reason}" if p.ended_on else ""
    return f"{p.name or p.branch_id} ({p.pair_id}, from {p.formed_on}{ended})"


def _mentoring(r: EvaluationRow) -> str:
    return "\n".join(
        [f"mentor: {_link(p)}" for p in r.mentors] + [f"mentee: {_link(p)}" for p in r.mentees]
    )


def _findings(r: EvaluationRow) -> str:
    return "\n".join(
        f"{f.kind} {f.finding_id} ({f.issued_by}, found {f.found_on}): {f.what}" for f in r.findings
    )


def _liaison_title(r: EvaluationRow) -> str:
    from guoying.api import TITLE_LABELS

    liaison = f"{r.liaison.name or r.liaison.person_id} ({r.liaison.position})" if r.liaison else ""
    return "\n".join(x for x in (liaison, TITLE_LABELS[r.title] if r.title else "") if x)


def _cells(r: EvaluationRow) -> list[object]:
    return [
        f"start {_tier(r.tier_at_start)}\ntarget {_tier(r.target)}\nresult {_tier(r.result)}",
        _decision(r),
        _cases(r.problems_found, r.problems_closed),
        _liaison_title(r),
        _mentoring(r),
        _findings(r),
    ]


COLUMNS = [
    Column("tiers"),
    Column("result decided by", wraps=True),
    Column("problems found / closed", wraps=True),
    Column("liaison / title", wraps=True),
    Column("mentoring", wraps=True),
    Column("findings", wraps=True),
]

CSV_HEADER = [
    "branch_id",
    "branch",
    "committee_id",
    "year",
    "tier at start",
    "target",
    "result",
    "decided by",
    "decided by person",
    "decided on",
    "reason",
    "corrections",
    "problems found",
    "problems closed",
    "liaison",
    "liaison position",
    "title",
    "mentors",
    "mentees",
    "findings",
]


def _csv(r: EvaluationRow) -> list[object]:
    from guoying.api import TITLE_LABELS

    d = r.decision
    return [
        r.branch_id,
        r.name,
        r.committee_id,
        r.year,
        _tier(r.tier_at_start),
        _tier(r.target),
        _tier(r.result),
        d.committee_id if d else "",
        d.person_id if d else "",
        d.on.isoformat() if d else "",
        d.reason if d else "",
        "; ".join(f"{_tier(c.tier)} by {_decided(c)}" for c in r.corrections),
        "; ".join(c.problem for c in r.problems_found),
        "; ".join(c.problem for c in r.problems_closed),
        r.liaison.name or r.liaison.person_id if r.liaison else "",
        r.liaison.position if r.liaison else "",
        TITLE_LABELS[r.title] if r.title else "",
        "; ".join(_link(p) for p in r.mentors),
        "; ".join(_link(p) for p in r.mentees),
        "; ".join(f"{f.kind} {f.finding_id}: {f.what}" for f in r.findings),
    ]


def _print(
    rows: Sequence[EvaluationRow], fmt: Format, title: str, *, by_branch: bool, bom: bool = False
) -> None:
    if fmt is Format.CSV:
        write_csv(CSV_HEADER, [_csv(r) for r in rows], bom=bom)
    else:
        print_evaluations(console(), rows, title, by_branch=by_branch)


def print_evaluations(
    out: Console, rows: Sequence[EvaluationRow], title: str, *, by_branch: bool
) -> None:
    """The rows as a table: by branch (a committee's year) or by year (a branch's)."""
    first = Column("branch") if by_branch else Column("year")
    show(
        out,
        title,
        [first, *COLUMNS],
        [
            [f"{r.name}\n{r.committee_name or r.committee_id}" if by_branch else r.year, *_cells(r)]
            for r in rows
        ],
    )


def evaluations(
    branch_id: Annotated[
        str | None, typer.Argument(help="the branch's id (or --committee and --year)")
    ] = None,
    committee: Annotated[
        str | None, typer.Option("--committee", help="every branch of this subtree")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="the year (with --committee)")] = None,
    as_known_at: AsKnownAtOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.TABLE,
    bom: BomOption = False,
    store: StoreOption = None,
) -> None:
    """Annual evaluation histories: a branch's row for each year, or with --committee and
    --year the year's rows of every branch of the subtree: tier at the year's start, target,
    result and who decided it, problems found and closed, liaison, title, mentoring and
    findings."""
    from guoying.api import to_data

    if (branch_id is None) == (committee is None) or (committee is None) != (year is None):
        typer.echo("error: give a BRANCH_ID, or --committee and --year", err=True)
        raise typer.Exit(2)
    known = time_option("--as-known-at", as_known_at)
    effective = date_option("--as-of", as_of)
    with opened_store(store, create=False) as guoying:
        if committee is not None and year is not None:
            found = guoying.committee_evaluations(
                committee, year, as_known_at=known, as_of=effective
            )
            if fmt is Format.JSON:
                print_json(to_data(found))
                return
            title = f"{year}年 annual evaluations under {found.committee.name} ({committee})"
            _print(found.rows, fmt, title, by_branch=True, bom=bom)
            return
        assert branch_id is not None
        history = guoying.evaluations(branch_id, as_known_at=known, as_of=effective)
    if fmt is Format.JSON:
        print_json(to_data(history))
        return
    name = history.rows[-1].name if history.rows else branch_id
    _print(
        history.rows,
        fmt,
        f"annual evaluations of {name} ({branch_id})",
        by_branch=False,
        bom=bom,
    )


def register(app: typer.Typer) -> None:
    app.command()(evaluations)
