"""`guoying mentoring`: a committee's pairs, its mentors' loads against the target and the
maximum (`mentoring.ratio`), the Annex 4 schedules of its city-managed committees
(`mentoring.plan`) and the coverage figures, as tables, JSON or CSV."""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from guoying.api import MentoringView, MentorLoad, PairRow, ScheduleFiling
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
from guoying.cli.output import Format, console, print_csv, print_json, write_csv
from guoying.cli.tables import Column, show


class Part(enum.StrEnum):
    ALL = "all"
    PAIRS = "pairs"
    MENTORS = "mentors"
    SCHEDULES = "schedules"


def _ended(r: PairRow) -> str:
    if r.ended is None:
        return ""
    by = r.ended.decided_by_name or r.ended.decided_by
    return f"by {by} ({r.ended.decided_by_person_id}): {r.ended.reason}"


# Short headers: a header is as wide as its column's narrowest, and names must fit at 100.
PAIR_COLUMNS = [
    Column("pair", wraps=True),
    Column("mentor 红旗党支部"),
    Column("mentee 帮带支部\n(tier when paired)"),
    Column("goal / measures / remarks", wraps=True),
    Column("dates"),
    Column("ended", wraps=True),
]


def _pair_cells(r: PairRow) -> list[object]:
    from guoying.api import TIER_LABELS

    plan = "\n".join(x for x in (r.goal, r.measures, r.remarks) if x)
    dates = f"formed {r.formed_on}\ndue    {r.deadline}"
    return [
        r.pair_id,
        f"{r.mentor_name or r.mentor_branch_id}\n{r.mentor_committee_name or ''}",
        f"{r.mentee_name or r.mentee_branch_id}\n{TIER_LABELS[r.mentee_tier]}",
        plan,
        dates + (f"\nended  {r.ended.on}" if r.ended else ""),
        _ended(r),
    ]


PAIR_CSV = [
    "pair_id",
    "mentor_branch_id",
    "mentor",
    "mentor committee",
    "mentee_branch_id",
    "mentee",
    "mentee committee",
    "mentee tier when paired",
    "goal",
    "measures",
    "deadline",
    "remarks",
    "formed_on",
    "formed by",
    "ended_on",
    "ended by",
    "ended by person",
    "end reason",
    "active",
    "mentor_committee_id",
    "mentee_committee_id",
]


def _pair_csv(r: PairRow) -> list[object]:
    from guoying.api import TIER_LABELS

    e = r.ended
    return [
        r.pair_id,
        r.mentor_branch_id,
        r.mentor_name or "",
        r.mentor_committee_name or "",
        r.mentee_branch_id,
        r.mentee_name or "",
        r.mentee_committee_name or "",
        TIER_LABELS[r.mentee_tier],
        r.goal,
        r.measures,
        r.deadline.isoformat(),
        r.remarks,
        r.formed_on.isoformat(),
        r.formed_by,
        e.on.isoformat() if e else "",
        e.decided_by if e else "",
        e.decided_by_person_id if e else "",
        e.reason if e else "",
        "yes" if r.active else "",
        r.mentor_committee_id or "",
        r.mentee_committee_id or "",
    ]


MENTOR_HEADER = [
    "branch_id",
    "mentor",
    "committee",
    "title",
    "active pairs",
    "target",
    "maximum",
    "mentoring.ratio",
    "committee_id",
]


def _state(m: MentorLoad) -> str:
    if m.over_maximum:
        return "over the maximum"
    return "below the target" if m.below_target else ""


def _mentor_cells(m: MentorLoad) -> list[object]:
    from guoying.api import TITLE_LABELS

    return [
        m.branch_id,
        m.name or "",
        m.committee_name or m.committee_id or "",
        TITLE_LABELS[m.title] if m.title else "(no title held)",
        m.active_pairs,
        m.target,
        m.maximum,
        _state(m),
        m.committee_id or "",
    ]


MENTOR_COLUMNS = [
    Column("mentor"),
    Column("title"),
    Column("active", right=True),
    Column("target / max"),
    Column("mentoring.ratio", wraps=True),
]


def _mentor_table_cells(m: MentorLoad) -> list[object]:
    from guoying.api import TITLE_LABELS

    return [
        f"{m.name or m.branch_id}\n{m.committee_name or m.committee_id or ''}\n{m.branch_id}",
        TITLE_LABELS[m.title] if m.title else "(no title held)",
        m.active_pairs,
        f"{m.target} / {m.maximum}",
        _state(m),
    ]


def _filing(s: ScheduleFiling) -> str:
    if s.filed_on is None:
        return f"not filed; due {s.due_on}" + (" (overdue)" if s.overdue else "")
    return f"filed on {s.filed_on}, due {s.due_on}" + (" (late)" if s.late else "")


def print_mentoring(out: Console, view: MentoringView, part: Part = Part.ALL) -> None:
    """The view as tables: pairs, mentors, each schedule as Annex 4, and the figures."""
    from guoying.api import MENTORING_HEADERS, MENTORING_TITLE
    from guoying.forms.annex4 import KEYS as ANNEX_KEYS
    from guoying.forms.annex4 import schedule_cells

    where = f"{view.committee.name} ({view.committee.committee_id})"
    if part in {Part.ALL, Part.PAIRS}:
        title = f"{view.year}年 帮带 mentoring pairs under {where}, active in the year to {view.on}"
        show(out, title, PAIR_COLUMNS, [_pair_cells(r) for r in view.pairs])
    if part in {Part.ALL, Part.MENTORS}:
        title = (
            f"mentors on {view.on}: active pairs against the target of {view.target} "
            f"and the maximum of {view.maximum}"
        )
        show(out, title, MENTOR_COLUMNS, [_mentor_table_cells(m) for m in view.mentors])
    if part in {Part.ALL, Part.SCHEDULES}:
        for s in view.schedules:
            title = (
                f"{MENTORING_TITLE}\n{MENTORING_HEADERS['filed_by']}：{s.committee_name}"
                f"    {s.year}年    {_filing(s)}"
            )
            columns = [
                Column(MENTORING_HEADERS[k], wraps=k not in {"mentor", "mentee", "deadline"})
                for k in ANNEX_KEYS
            ]
            show(out, title, columns, [schedule_cells(e) for e in s.entries])
    c = view.coverage
    out.print(
        f"{c.red_flag_branches} red-flag branches, {c.mentors} mentoring; {c.active_pairs} "
        f"active pairs, {c.mentees} branches mentored; {c.mentors_below_target} below the "
        f"target (mentoring.ratio); {c.pairs_formed} formed and {c.pairs_ended} ended in "
        f"{c.year}; schedules {c.schedules_filed} of {c.schedules_due} filed, "
        f"{c.schedules_late} late, {c.schedules_overdue} overdue"
    )


def mentoring(
    committee: Annotated[str, typer.Option("--committee", help="committee id (its subtree)")],
    year: Annotated[int, typer.Option("--year", help="the year")],
    part: Annotated[
        Part,
        typer.Option("--part", help="all (table and JSON only), pairs, mentors or schedules"),
    ] = Part.ALL,
    as_known_at: AsKnownAtOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.TABLE,
    bom: BomOption = False,
    store: StoreOption = None,
) -> None:
    """Mentoring (帮带, Annex 4) under a committee in a year: the pairs active in the year,
    each mentor's active pairs against the target and the maximum, each city-managed
    committee's schedule, and the figures. CSV prints one part (pairs by default)."""
    from guoying.forms import mentoring_data, mentoring_table

    known = time_option("--as-known-at", as_known_at)
    effective = date_option("--as-of", as_of)
    with opened_store(store, create=False) as guoying:
        view = guoying.mentoring(committee, year, as_known_at=known, as_of=effective)
    if fmt is Format.JSON:
        print_json(mentoring_data(view))
    elif fmt is Format.CSV:
        if part is Part.MENTORS:
            write_csv(MENTOR_HEADER, [_mentor_cells(m) for m in view.mentors], bom=bom)
        elif part is Part.SCHEDULES:
            print_csv(mentoring_table(view), bom=bom)
        else:
            write_csv(PAIR_CSV, [_pair_csv(r) for r in view.pairs], bom=bom)
    else:
        print_mentoring(console(), view, part)


def register(app: typer.Typer) -> None:
    app.command()(mentoring)
