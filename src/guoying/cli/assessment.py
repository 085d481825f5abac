"""`assessment`: the figures a committee secretary reports on the year's work (§8,
`accountability.assessment`), one row per figure: a table, JSON (nested, as the API gives
it) or CSV (section, figure, value)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from guoying.api import Assessment
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

HEADER = ["section", "figure", "value", "share"]
# One figure: its section, its name, a count (or yuan) and, for a part of a whole, its share.
# The share is a fraction (0.081) in CSV, a percentage in the table; None when not a part.
Row = tuple[str, str, int, float | None]


def _row(section: str, figure: str, value: int, of: int | None = None) -> Row:
    return (section, figure, value, round(value / of, 4) if of else None)


def _tiers(a: Assessment) -> list[Row]:
    from guoying.api import TIER_LABELS

    t, section = a.tiers, "等次 tiers"
    return [
        _row(section, "branches", t.active),
        *(_row(section, TIER_LABELS[tier], n, t.active) for tier, n in t.counts.items()),
        _row(section, "advanced limit", t.advanced_limit),
    ]


def _titles(a: Assessment) -> list[Row]:
    from guoying.api import TITLE_LABELS

    t, section = a.titles, "红旗党支部 titles"
    return [
        *(
            _row(section, f"branches holding: {TITLE_LABELS[level]}", n)
            for level, n in t.held.items()
        ),
        *(
            _row(section, f"branches named {a.year}: {TITLE_LABELS[level]}", n)
            for level, n in t.named.items()
        ),
        _row(section, "revoked in the year", t.revoked),
        _row(section, "downgraded in the year", t.downgraded),
    ]


def _mentoring(a: Assessment) -> list[Row]:
    m, section = a.mentoring, "帮带 mentoring"
    return [
        _row(section, "red-flag branches", m.red_flag_branches),
        _row(section, "mentors", m.mentors, m.red_flag_branches),
        _row(section, "red-flag branches mentoring fewer than the target", m.mentors_below_target),
        _row(section, "active pairs", m.active_pairs),
        _row(section, "branches mentored", m.mentees),
        _row(section, "pairs formed in the year", m.pairs_formed),
        _row(section, "pairs ended in the year", m.pairs_ended),
        _row(section, "schedules (Annex 4) due", m.schedules_due),
        _row(section, "schedules filed", m.schedules_filed, m.schedules_due),
        _row(section, "schedules filed late", m.schedules_late),
        _row(section, "schedules overdue", m.schedules_overdue),
    ]


def _ledger(a: Assessment) -> list[Row]:
    liaison, cases = a.liaison, a.rectification
    return [
        _row(
            "包保联系 liaisons", "branches with a liaison", liaison.with_liaison, liaison.branches
        ),
        _row("包保联系 liaisons", "branches without", liaison.without_liaison, liaison.branches),
        _row("整改 rectification", "cases open", cases.open),
        _row("整改 rectification", "of which overdue", cases.overdue, cases.open),
        _row("整改 rectification", "cases closed", cases.closed),
    ]


def _plans(a: Assessment) -> list[Row]:
    p, section = a.plans, "计划 plans"
    return [
        _row(section, "committees filing an implementation plan", p.committees),
        _row(section, "implementation plans accepted", p.implementation_accepted, p.committees),
        _row(section, "submitted or returned, not yet accepted", p.implementation_pending),
        _row(section, "submitted late", p.implementation_late),
        _row(section, "overdue", p.implementation_overdue),
        _row(section, "cultivation plans (Annex 2) due", p.cultivation_due),
        _row(section, "cultivation plans filed", p.cultivation_filed, p.cultivation_due),
        _row(section, "cultivation plans filed late", p.cultivation_late),
        _row(section, f"exemplars planned for {a.year}", p.exemplars),
        _row(section, "committees short of their number", p.exemplars_short),
    ]


def _oversight(a: Assessment) -> list[Row]:
    from guoying.api import TIER_LABELS

    o, section = a.oversight, "督导与奖惩 oversight"
    return [
        _row(section, "supervision visits", o.visits),
        *(_row(section, f"exchanges: {s.value.lower()}", n) for s, n in o.exchanges.items()),
        *(
            _row(section, f"special meetings: {s.value.lower()}", n)
            for s, n in o.special_meetings.items()
        ),
        _row(section, "falsifications found", o.falsifications),
        _row(section, "branches awaiting re-evaluation", o.flagged_branches),
        _row(section, "accountability findings", o.findings),
        _row(section, "linkage decisions", o.linkages),
        *(
            _row(section, f"linkage decisions: {TIER_LABELS[tier]}", n, o.linkages)
            for tier, n in o.linkages_by_tier.items()
        ),
        _row(section, "funding (yuan)", o.funding_yuan),
        _row(section, "of which Taishan Pioneer grants (yuan)", o.grants_yuan),
    ]


def assessment_rows(a: Assessment) -> list[Row]:
    return [*_tiers(a), *_titles(a), *_mentoring(a), *_ledger(a), *_plans(a), *_oversight(a)]


def print_assessment(out: Console, found: Assessment) -> None:
    title = f"{found.committee_name} {found.year}年度党建工作量化指标 (§8) [{found.committee_id}]"
    columns = [
        Column("section"),
        Column("figure", wraps=True),
        Column("value", right=True),
        Column("share", right=True),
    ]
    shown = [
        (a, b, c, f"{d:.1%}" if d is not None else "") for a, b, c, d in assessment_rows(found)
    ]
    show(out, title, columns, shown)


def assessment(
    committee: Annotated[str, typer.Option("--committee", help="the committee whose subtree")],
    year: Annotated[int, typer.Option("--year", help="the year reported on")],
    as_known_at: AsKnownAtOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.TABLE,
    bom: BomOption = False,
    store: StoreOption = None,
) -> None:
    """The figures of a committee secretary's annual report (§8): tiers, titles, mentoring,
    liaisons, rectification, plans, supervision, findings, linkage and funding of the
    committee's subtree in the year."""
    from guoying.api import to_data

    known = time_option("--as-known-at", as_known_at)
    effective = date_option("--as-of", as_of)
    with opened_store(store, create=False) as guoying:
        found = guoying.assessment(committee, year, as_known_at=known, as_of=effective)
    if fmt is Format.JSON:
        print_json(to_data(found))
    elif fmt is Format.CSV:
        rows = [(a, b, c, "" if d is None else d) for a, b, c, d in assessment_rows(found)]
        write_csv(HEADER, rows, bom=bom)
    else:
        print_assessment(console(), found)


def register(app: typer.Typer) -> None:
    app.command()(assessment)
