"""The selection's reading commands: `selection` (the board of a year), `titles` (the title
register) and `form` (Annex 3), each as a table, JSON or CSV."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from guoying.api import BoardRow, TitleEntry, TitleLevel
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

YearOption = Annotated[int, typer.Option("--year", help="the selection year")]

# Keyed by each BoardStatus's value (the StrEnum member looks itself up by it), so that
# the module imports no view before a command runs.
STATUS_WORDS: dict[str, str] = {
    "CANDIDATE": "candidate",
    "LISTED": "on a list, awaiting its notice",
    "FORWARDED": "forwarded",
    "TITLED": "titled",
    "NAMED": "named",
    "NOT_PASSED": "not passed",
    "VETOED": "vetoed",
    "OBJECTION_UPHELD": "objection upheld",
    "TITLE_REVOKED": "out of the running: its red-flag title revoked",
}


def _title(level: TitleLevel | None) -> str:
    from guoying.api import TITLE_LABELS

    return TITLE_LABELS[level] if level else ""


# The board of a year

BOARD_HEADER = [
    "nomination_id",
    "branch",
    "base committee",
    "city-managed committee",
    "round now",
    "status",
    "title",
    "answers awaited",
    "vetoes",
    "objections",
    "late",
    "priority awards",
    "branch_id",
    "base_committee_id",
    "city_managed_committee_id",
]


def _status(r: BoardRow) -> str:
    """The status, with where and when the nomination stopped, if it did."""
    from guoying.api import BoardStatus

    status = STATUS_WORDS[r.status]
    if r.ended is None:
        return status
    at = f"at {r.ended.committee_id} on {r.ended.on}"
    if r.status.value == r.ended.outcome:
        return f"{status} {at}"
    return f"{status}; {STATUS_WORDS[BoardStatus(r.ended.outcome)]} {at}"


def board_row(r: BoardRow) -> list[object]:
    return [
        r.nomination_id,
        r.branch_name or r.branch_id,
        r.base_committee_name or r.base_committee_id,
        r.city_managed_committee_name or r.city_managed_committee_id or "",
        r.round_committee_name or r.round_committee_id or "",
        _status(r),
        _title(r.title),
        ", ".join(r.awaited),
        "; ".join(
            f"{v.finding_id} of {v.issuing_agency}, vetoed at {v.committee_id} by "
            f"{v.vetoed_by_committee_id} ({v.vetoed_by_person_id}) on {v.on}: {v.finding}"
            for v in r.vetoes
        ),
        "; ".join(
            f"upheld at {o.committee_id} by {o.upheld_by_person_id} on {o.on}: {o.reason}"
            for o in r.objections
        ),
        "; ".join(
            f"{s.what} at {s.committee_id} on {s.on}" + (f" (due {s.due_on})" if s.due_on else "")
            for s in r.late
        ),
        ", ".join(r.priority_awards),
        r.branch_id,
        r.base_committee_id,
        r.city_managed_committee_id or "",
    ]


def selection(
    year: YearOption,
    committee: Annotated[
        str | None,
        typer.Option("--committee", help="under this committee, or at its round"),
    ] = None,
    as_known_at: AsKnownAtOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.TABLE,
    bom: BomOption = False,
    store: StoreOption = None,
) -> None:
    """The board of a selection year: each nomination's round, status, answers awaited,
    vetoes, objections and late steps."""
    from guoying.api import to_data

    known = time_option("--as-known-at", as_known_at)
    effective = date_option("--as-of", as_of)
    with opened_store(store, create=False) as guoying:
        board = guoying.selection_board(year, committee, as_known_at=known, as_of=effective)
    if fmt is Format.JSON:
        print_json(to_data(board))
        return
    where = f" under {committee}" if committee else ""
    print_entries(
        board.rows,
        fmt,
        f"{year}年红旗党支部评选 selection board{where}",
        board_row,
        BOARD_HEADER,
        bom=bom,
    )


# The title register

TITLES_HEADER = [
    "title",
    "branch",
    "branch_id",
    "named",
    "conferred by",
    "since",
    "state",
    "reward (yuan)",
    "representative priority",
    "veto findings since conferral",
    "conferred_by_id",
]


def _state(e: TitleEntry) -> str:
    from guoying.api import TitleEnd

    if e.ended is None:
        return "held"
    how = "revoked" if e.ended.how is TitleEnd.REVOKED else "downgraded"
    by = e.ended.decided_by_name or e.ended.decided_by
    return f"{how} by {by} on {e.ended.on}: {e.ended.cause}"


def title_row(e: TitleEntry) -> list[object]:
    return [
        _title(e.level),
        e.branch_name or e.branch_id,
        e.branch_id,
        e.year,
        e.conferred_by_name or e.conferred_by,
        e.since.isoformat(),
        _state(e),
        e.reward_yuan or "",
        "yes" if e.representative_priority else "",
        "; ".join(
            f"{f.finding_id} of {f.issuing_agency} against {f.subject.lower()} {f.subject_id} "
            f"({f.area}), recorded {f.recorded_on}"
            for f in e.flags
        ),
        e.conferred_by,
    ]


def titles(
    year: YearOption,
    as_known_at: AsKnownAtOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.TABLE,
    bom: BomOption = False,
    store: StoreOption = None,
) -> None:
    """The title register: the red-flag titles held at the end of the year (or on --as-of),
    whatever year each was named in, and those revoked or downgraded during it."""
    from guoying.api import to_data

    known = time_option("--as-known-at", as_known_at)
    effective = date_option("--as-of", as_of)
    with opened_store(store, create=False) as guoying:
        register = guoying.titles(year, as_known_at=known, as_of=effective)
    if fmt is Format.JSON:
        print_json(to_data(register))
        return
    print_entries(
        register.entries,
        fmt,
        f"{year}年红旗党支部名录 title register on {register.on}",
        title_row,
        TITLES_HEADER,
        bom=bom,
    )


# The form (Annex 3)


def _print_form(fields: Sequence[tuple[str, str]], nomination_id: str) -> None:
    from guoying.api import FORM_HEADERS, FORM_TITLE

    rows = [(FORM_HEADERS[key], value) for key, value in fields]
    columns = [Column(""), Column("", wraps=True)]
    show(console(), f"{FORM_TITLE}\n{nomination_id}", columns, rows, show_header=False)


def form(
    nomination_id: Annotated[str, typer.Argument(help="the nomination's id, BRANCH-YEAR")],
    as_known_at: AsKnownAtOption = None,
    fmt: FormatOption = Format.TABLE,
    bom: BomOption = False,
    store: StoreOption = None,
) -> None:
    """The recommendation and approval form of a nomination (Annex 3) with its four
    sealed, dated opinions; an opinion not given yet is shown as such."""
    from guoying.api import to_data
    from guoying.forms import form_fields, form_table

    known = time_option("--as-known-at", as_known_at)
    with opened_store(store, create=False) as guoying:
        found = guoying.form(nomination_id, as_known_at=known)
    fields = form_fields(found)
    if fmt is Format.JSON:
        print_json(to_data(found))
    elif fmt is Format.CSV:
        print_csv(form_table(found), bom=bom)
    else:
        _print_form(fields, nomination_id)


def register(app: typer.Typer) -> None:
    app.command()(selection)
    app.command()(titles)
    app.command()(form)
