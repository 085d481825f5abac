"""The plans' reading command: `plan`, a city-managed committee's three-year cultivation plan
(Annex 2) with its filing state, or with `--implementation` each committee's implementation
plan and its review, as a table, JSON or CSV."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from guoying.api import CultivationPlanView, ImplementationPlanState, Sector
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
from guoying.cli.output import Format, console, print_csv, print_entries, print_json
from guoying.cli.tables import Column, show


def _sectors(sectors: tuple[Sector, ...]) -> str:
    from guoying.api import SECTOR_LABELS

    return "、".join(SECTOR_LABELS[s] for s in sectors) or "（无）"


# Annex 2


def filing_state(view: CultivationPlanView) -> list[str]:
    """The plan's filing: when filed and due, late, the number it is held to, the counts
    per year and the sectors covered and missed (`cultivation.*`)."""
    window = f"{view.window[0]}-{view.window[-1]}"
    if not view.filed:
        overdue = "; overdue" if view.overdue else ""
        return [f"not filed for {window}; due on {view.due_on}{overdue}"]
    amended = (
        f", amended on {view.amended_on} (revision {view.revision})" if view.amended_on else ""
    )
    late = "; late" if view.late else ""
    body = view.filed_with_name or view.filed_with
    if view.county_level:
        number = f"county-level: at least {view.required_minimum} a year"
        if view.stated_number is not None:
            number += f", stated {view.stated_number}"
    else:
        number = f"its own number: {view.stated_number} a year"
    counts = ", ".join(
        f"{c.year}: {c.exemplars}" + (" (short)" if c.short else "") for c in view.counts
    )
    sectors = _sectors(view.sectors_covered), _sectors(view.sectors_missed)
    return [
        f"filed with {body} on {view.filed_on}{amended}; due on {view.due_on}{late}",
        f"{number}; exemplars {counts}",
        f"sectors covered: {sectors[0]}; missed: {sectors[1]}",
    ]


def _print_cultivation(view: CultivationPlanView) -> None:
    from guoying.api import CULTIVATION_HEADERS, CULTIVATION_TITLE
    from guoying.forms.annex2 import KEYS as CULTIVATION_KEYS
    from guoying.forms.annex2 import cultivation_cells

    h = CULTIVATION_HEADERS
    shown = f"{view.year}年" if view.year is not None else f"{view.window[0]}-{view.window[-1]}年"
    title = f"{CULTIVATION_TITLE}\n{h['filed_by']}：{view.committee_name}    {shown}"
    rows = [cultivation_cells(line)[: len(CULTIVATION_KEYS) + 1] for line in view.rows]
    columns = [
        Column(h[key], wraps=key == "measures", right=key == "sequence")
        for key in (*CULTIVATION_KEYS, "batch")
    ]
    out = console()
    show(out, title, columns, rows)
    for text in filing_state(view):
        out.print(text)


# Implementation plans

IMPLEMENTATION_HEADER = [
    "committee_id",
    "committee",
    "level",
    "window",
    "status",
    "filed with",
    "submitted",
    "due",
    "late",
    "revision",
    "accepted",
    "returns",
]


def implementation_row(p: ImplementationPlanState) -> list[object]:
    from guoying.api import LEVEL_LABELS, PLAN_STATUS_LABELS

    if p.first_submitted_on is None:
        submitted = ""
    elif p.last_submitted_on != p.first_submitted_on:
        submitted = f"{p.first_submitted_on} (again {p.last_submitted_on})"
    else:
        submitted = str(p.first_submitted_on)
    return [
        p.committee_id,
        p.committee_name,
        LEVEL_LABELS[p.level],
        f"{p.window[0]}-{p.window[-1]}",
        PLAN_STATUS_LABELS[p.status],
        p.body_name or p.body_id or "",
        submitted,
        str(p.due_on),
        "late" if p.late else ("overdue" if p.overdue else ""),
        p.revision or "",
        str(p.accepted_on or ""),
        "; ".join(f"{r.on} (revision {r.revision}): {'；'.join(r.reasons)}" for r in p.returns),
    ]


def plan(
    year: Annotated[int, typer.Option("--year", help="a year of the plan window")],
    committee: Annotated[
        str | None,
        typer.Option(
            "--committee",
            help="the city-managed committee whose Annex 2 to show; with --implementation, "
            "the committee whose subtree's plans to list (the whole city without it)",
        ),
    ] = None,
    implementation: Annotated[
        bool,
        typer.Option("--implementation", help="list the implementation plans instead"),
    ] = False,
    whole_window: Annotated[
        bool,
        typer.Option("--window", help="every year of the plan window, not only --year"),
    ] = False,
    as_known_at: AsKnownAtOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.TABLE,
    bom: BomOption = False,
    store: StoreOption = None,
) -> None:
    """A city-managed committee's three-year cultivation plan (Annex 2): the year's rows
    with their batch, then when it was filed and due, the number it is held to, the counts
    per year and the sectors covered and missed. With --implementation: each committee's
    implementation plan, submitted, returned or accepted, late or overdue."""
    from guoying.api import to_data
    from guoying.forms import cultivation_table

    known = time_option("--as-known-at", as_known_at)
    effective = date_option("--as-of", as_of)
    if implementation:
        with opened_store(store, create=False) as guoying:
            plans = guoying.implementation_plans(
                committee, year=year, as_known_at=known, as_of=effective
            )
        where = f" under {committee}" if committee else ""
        print_entries(
            plans,
            fmt,
            f"实施方案 implementation plans{where}, {year}",
            implementation_row,
            IMPLEMENTATION_HEADER,
            bom=bom,
        )
        return
    if committee is None:
        typer.echo("error: --committee: required for the cultivation plan (Annex 2)", err=True)
        raise typer.Exit(2)
    with opened_store(store, create=False) as guoying:
        view = guoying.cultivation_plan(
            committee, year, whole_window=whole_window, as_known_at=known, as_of=effective
        )
    if fmt is Format.JSON:
        print_json(to_data(view))
    elif fmt is Format.CSV:
        print_csv(cultivation_table(view), bom=bom)
    else:
        _print_cultivation(view)


def register(app: typer.Typer) -> None:
    app.command()(plan)
