"""`guoying import`: a ledger kept in the Annex 1 spreadsheet layout recorded as ordinary
commands, or with `--dry-run` only reported."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from guoying.forms import ImportReport
from guoying.cli.options import StoreOption, fail, opened_store
from guoying.cli.output import console
from guoying.cli.tables import Column, show

IMPORTABLE_ANNEXES = (1,)


class ReportFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def _cell(line: dict[str, Any]) -> str:
    row, column = line.get("row"), line.get("column")
    return f"{column or ''}{row or ''}" or "-"


def _print_table(report: ImportReport) -> None:
    from guoying.forms import report_lines

    rows: list[list[object]] = []
    for line in report_lines(report)[:-1]:
        if "command" in line:
            command = dict(line["command"])
            name = command.pop("command")
            shown = {
                k: v for k, v in command.items() if k not in ("actor", "reason", "effective_on")
            }
            what = f"{name} {json.dumps(shown, ensure_ascii=False)}"
        else:
            what = f"{line['rule_id'] or ''} {line['error']}: {line['message']}"
        rows.append([line["status"], _cell(line), what])
    title = f"{report.file}: {report.committee_id} {report.year}"
    show(console(), title, [Column("status"), Column("cell"), Column("what", wraps=True)], rows)


def _summary(report: ImportReport) -> str:
    count = len(report.planned)
    if report.written:
        done = f"recorded {count} command(s) in one unit ({len(report.event_ids)} events)"
    elif report.dry_run:
        done = f"dry run: {count} command(s) would be recorded; nothing was written"
    elif report.issues:
        done = "nothing was written"
    else:
        done = "nothing to record: the store already holds what the file says"
    if report.issues:
        done += f"; {len(report.issues)} problem(s) by row and column above"
    return done


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_file(
        file: Annotated[Path, typer.Argument(help="the XLSX file in the annex's layout")],
        annex: Annotated[int, typer.Option("--annex", help="the annex the file follows: 1")],
        committee: Annotated[
            str,
            typer.Option(
                "--committee",
                help="the committee importing: a base committee, or a higher one whose rows "
                "name their base committee (所属基层党委)",
            ),
        ],
        year: Annotated[int, typer.Option("--year", help="the ledger's year")],
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="report what would be recorded; write nothing")
        ] = False,
        partial: Annotated[
            bool,
            typer.Option(
                "--partial", help="record the good rows in one unit and report the others"
            ),
        ] = False,
        output: Annotated[
            ReportFormat, typer.Option("--format", help="table, or json (one line each)")
        ] = ReportFormat.TABLE,
        store: StoreOption = None,
    ) -> None:
        """Record a ledger kept as a spreadsheet in the Annex 1 layout as ordinary commands
        (branches, tiers, targets, problems and measures, liaisons, common problems), only
        what the store does not hold yet, decided as one unit under the usual rules.

        Every row that cannot be read or breaks a rule is reported by row, column and rule
        id, and nothing is written (with --partial the good rows are). Exit 0 when every row
        passed, 1 when a rule refused a row or the committee or year has no ledger, 2 when
        the file or a cell cannot be read.
        """
        from guoying.api import GuoyingError
        from guoying.forms import import_annex1, report_lines

        if annex not in IMPORTABLE_ANNEXES:
            typer.echo(f"error: --annex: only annex 1 can be imported, not {annex}", err=True)
            raise typer.Exit(2)
        with opened_store(store, create=False) as guoying:
            try:
                report = import_annex1(
                    guoying, file, committee, year, dry_run=dry_run, partial=partial
                )
            except GuoyingError as error:
                fail(error)
        if output is ReportFormat.JSON:
            for line in report_lines(report):
                typer.echo(json.dumps(line, ensure_ascii=False))
        else:
            _print_table(report)
            typer.echo(_summary(report), err=bool(report.issues))
        if report.exit_code:
            raise typer.Exit(report.exit_code)
