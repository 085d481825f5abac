"""What an import of a form reports: each command it records with the row and column it
comes from, and each row that cannot be read or breaks a rule."""

from __future__ import annotations

from typing import Any

from attrs import frozen

from guoying.api import Command
from guoying.api.imports import command_data


@frozen
class ImportIssue:
    """A row (or the file) that cannot be read or breaks a rule: its row and column as the
    spreadsheet shows them, the rule id, the kind of error and the message."""

    row: int | None
    column: str | None
    rule_id: str | None
    kind: str
    message: str

    @property
    def unreadable(self) -> bool:
        """Read problems make the file unusable as given (exit 2); the rest were refused."""
        return self.kind in READ_KINDS


@frozen
class PlannedCommand:
    """A command the import records, with the row and column it comes from."""

    row: int | None
    column: str | None
    command: Command


@frozen
class ImportReport:
    file: str
    committee_id: str
    year: int
    dry_run: bool
    partial: bool
    # What was recorded (or, in a dry run or a refused import, what would have been).
    planned: tuple[PlannedCommand, ...]
    issues: tuple[ImportIssue, ...]
    written: bool
    event_ids: tuple[str, ...] = ()

    @property
    def exit_code(self) -> int:
        """0 when every row passed, 2 when something could not be read, 1 when a rule (or
        authority) refused a row; with `--partial` the good rows were written all the same."""
        if any(i.unreadable for i in self.issues):
            return 2
        return 1 if self.issues else 0


READ_KINDS = frozenset(
    {
        "not_a_spreadsheet",
        "header",
        "tier",
        "sector",
        "name",
        "duplicate_name",
        "merged_cell",
        "year_text",
        "formula",
        "numbered_lines",
    }
)


def _status(report: ImportReport) -> str:
    if report.written:
        return "recorded"
    return "would record" if report.dry_run else "not recorded"


def report_lines(report: ImportReport) -> list[dict[str, Any]]:
    """The report as JSON-ready lines: one per command (its status, row, column and the
    command as `guoying apply` takes it), one per issue, then a summary."""
    status = _status(report)
    lines: list[dict[str, Any]] = [
        {"status": status, "row": p.row, "column": p.column, "command": command_data(p.command)}
        for p in report.planned
    ]
    lines += [
        {
            "status": "unreadable" if i.unreadable else "refused",
            "row": i.row,
            "column": i.column,
            "rule_id": i.rule_id,
            "error": i.kind,
            "message": i.message,
        }
        for i in report.issues
    ]
    lines.append(
        {
            "status": "summary",
            "file": report.file,
            "committee_id": report.committee_id,
            "year": report.year,
            "dry_run": report.dry_run,
            "partial": report.partial,
            "written": report.written,
            "commands": len(report.planned),
            "issues": len(report.issues),
            "events": list(report.event_ids),
        }
    )
    return lines
