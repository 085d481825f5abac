"""`guoying export`: one annex of the work plan as a file people file - XLSX or DOCX in the
annex's layout, or its CSV or JSON - written whole or not at all (`guoying.forms`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from guoying.api import GuoyingError
from guoying.cli.options import StoreOption, opened_store
from guoying.forms.formats import FileFormat

# The option that supplied each field an error names.
OPTIONS = {
    "annex": "--annex",
    "committee_id": "--committee",
    "year": "--year",
    "nomination_id": "--nomination",
    "out": "--out",
}


def _fail(error: GuoyingError) -> None:
    message = str(error)
    field = getattr(error, "field", None)
    if isinstance(field, str) and field in OPTIONS and message.startswith(f"{field}: "):
        message = f"{OPTIONS[field]}: {message.removeprefix(f'{field}: ')}"
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(error.exit_code)


def export(
    annex: Annotated[
        int,
        typer.Option(
            "--annex",
            help="1 ledger (台账), 2 cultivation plan (培树计划), 3 recommendation form "
            "(推荐审批表), 4 mentoring schedule (帮带配档表)",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="the file to write", dir_okay=False)],
    committee: Annotated[
        str | None,
        typer.Option("--committee", help="committee id (Annexes 1, 2, 4; its subtree)"),
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="the year")] = None,
    nomination: Annotated[
        str | None, typer.Option("--nomination", help="nomination id, BRANCH-YEAR (Annex 3)")
    ] = None,
    file_format: Annotated[
        FileFormat, typer.Option("--format", help="xlsx, docx, csv or json")
    ] = FileFormat.XLSX,
    bom: Annotated[
        bool,
        typer.Option("--bom", help="start a CSV with the UTF-8 byte-order mark"),
    ] = False,
    store: StoreOption = None,
) -> None:
    """Write an annex of the work plan to a file: XLSX or DOCX in the annex's layout (title,
    filing committee and date, the Chinese headers, merged cells, notes), or CSV or JSON.
    The file is written through a temporary file and renamed, so a failure leaves none."""
    from guoying.api import GuoyingError
    from guoying.forms import ANNEXES, export_annex

    if annex not in ANNEXES:
        typer.echo(f"error: --annex: no Annex {annex}: the work plan has Annexes 1 to 4", err=True)
        raise typer.Exit(2)
    with opened_store(store, create=False) as guoying:
        try:
            done = export_annex(
                guoying,
                annex,
                out,
                file_format,
                committee_id=committee,
                year=year,
                nomination_id=nomination,
                bom=bom,
            )
        except GuoyingError as error:
            _fail(error)
    typer.echo(f"wrote Annex {done.annex} ({done.rows} rows) to {done.path}")


def register(app: typer.Typer) -> None:
    app.command()(export)
