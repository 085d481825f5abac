"""How the CLI shows results: rich tables for people, JSON and CSV for machines, and the
form's Chinese headers and names from the API's one table of labels."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from guoying.api import (
    LEDGER_HEADERS,
    LEDGER_TITLE,
    SECTOR_LABELS,
    TIER_LABELS,
    AuditEntry,
    Guoying,
    HistoryEntry,
    Ledger,
    LedgerRow,
    RefusalEntry,
    Tier,
    cases_label,
    to_data,
)
from guoying.forms import CsvTable, csv_text, ledger_data, ledger_table
from guoying.forms.files import as_rows


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def console() -> Console:
    return Console(width=None if sys.stdout.isatty() else 240)


def tier_label(tier: Tier | None) -> str:
    return TIER_LABELS[tier] if tier else ""


def _numbered(items: Sequence[str]) -> str:
    return "\n".join(f"{i}、{item}" for i, item in enumerate(items, start=1))


def write_csv(
    header: Sequence[str], rows: Sequence[Sequence[object]], *, bom: bool = False
) -> None:
    """A CSV on standard output (`bom`: led by the UTF-8 byte-order mark), written by the
    forms' one CSV writer."""
    print_csv(CsvTable(tuple(header), as_rows(rows)), bom=bom)


def print_csv(table: CsvTable, *, bom: bool = False) -> None:
    sys.stdout.write(csv_text(table, bom=bom))


def print_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def print_entries(
    entries: Sequence[Any],
    fmt: Format,
    title: str,
    to_row: Callable[[Any], list[object]],
    header: list[str],
    *,
    bom: bool = False,
) -> None:
    if fmt is Format.JSON:
        print_json(to_data(list(entries)))
    elif fmt is Format.CSV:
        write_csv(header, [to_row(e) for e in entries], bom=bom)
    elif not entries:
        # An empty frame reads as a broken table: say there is nothing, in one line.
        typer.echo(f"{title}: none")
    else:
        table = Table(title=title)
        for column in header:
            table.add_column(column)
        for entry in entries:
            table.add_row(*(str(cell) for cell in to_row(entry)))
        console().print(table)


def progress(*, quiet: bool = False) -> Progress:
    """A progress bar on stderr when a person watches it, with the count done of the total
    and the time left; silent in pipes and logs, and when `quiet`."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        transient=True,
        console=Console(stderr=True),
        disable=quiet or not sys.stderr.isatty(),
    )


def progress_bar(
    label: str, total: int | None, *, quiet: bool = False
) -> tuple[Progress, Callable[[int], None]]:
    bar = progress(quiet=quiet)
    task = bar.add_task(label, total=total)
    return bar, lambda n: bar.advance(task, n)


# The ledger (Annex 1)


def print_figures(out: Console, guoying: Guoying, committees: Sequence[str], year: int) -> None:
    table = Table(title=f"{year} 等次分布 (tier counts and shares)")
    for column in (
        "committee",
        "branches",
        *(TIER_LABELS[t] for t in Tier),
        "advanced limit",
        "advanced share",
        "weak share",
    ):
        table.add_column(column)
    for committee_id in committees:
        f = guoying.figures(committee_id, year)
        table.add_row(
            committee_id,
            str(f.active),
            *(str(f.counts[t]) for t in Tier),
            str(f.advanced_limit),
            f"{f.advanced_share:.1%}",
            f"{f.weak_share:.1%}",
        )
    out.print(table)


def print_ledger_table(out: Console, ledger: Ledger) -> None:
    h = LEDGER_HEADERS
    table = Table(
        title=f"{LEDGER_TITLE}\n{h['filed_by']}：{ledger.committee.name}    {ledger.year}年",
        show_lines=True,
        expand=False,
    )
    table.add_column(h["sector"])
    table.add_column(h["sequence"], justify="right")
    table.add_column(h["name"])
    table.add_column(h["tier"])
    for year in ledger.window:
        table.add_column(f"{h['target']}\n{year}年")
    table.add_column(h["problems"])
    table.add_column(h["measures"])
    for year in ledger.window:
        table.add_column(f"{h['result']}\n{year}年")
    table.add_column(h["liaison"])
    table.add_column(h["position"])
    table.add_column(h["contact"])
    table.add_column(h["cases"])
    for row in ledger.rows:
        table.add_row(*(str(cell) for cell in _ledger_cells(ledger, row)))
    out.print(table)
    if ledger.common_problems:
        common = Table(title=f"{h['common_problems']} / {h['common_measures']}")
        common.add_column(h["common_problems"])
        common.add_column(h["common_measures"])
        for problem in ledger.common_problems:
            common.add_row(problem.problem, problem.measure)
        out.print(common)
    f = ledger.figures
    out.print(
        f"{len(ledger.rows)} branches; advanced {f.counts[Tier.ADVANCED]} "
        f"(limit {f.advanced_limit}, share {f.advanced_share:.1%}); weak {f.counts[Tier.WEAK]} "
        f"(share {f.weak_share:.1%}); without a liaison {len(ledger.without_liaison)}"
        + "".join(f"\n  no liaison: {row.sequence} {row.name}" for row in ledger.without_liaison)
    )
    for granted in ledger.cap_exceptions:
        out.print(
            f"approved exception to ledger.advanced_cap for {granted.committee_id} in "
            f"{', '.join(map(str, granted.years))}, approved by {granted.approved_by_committee_id}"
            f" ({granted.approved_by_person_id}): {granted.justification}"
        )


def _ledger_cells(ledger: Ledger, row: LedgerRow) -> list[object]:
    """One row of Annex 1 as the terminal table shows it (the CSV is `guoying.forms`')."""
    return [
        SECTOR_LABELS[row.sector],
        row.sequence,
        row.name,
        tier_label(row.tier),
        *(tier_label(row.targets[y]) for y in ledger.window),
        _numbered(row.problems),
        _numbered(row.measures),
        *(tier_label(row.results[y]) for y in ledger.window),
        row.liaison_name or "",
        row.liaison_position or "",
        row.liaison_contact or "",
        cases_label(row.cases_open, row.cases_overdue, row.cases_closed),
    ]


def write_ledger_csv(ledger: Ledger, *, bom: bool = False) -> None:
    """Annex 1's CSV (`guoying.forms.ledger_table`): ids and case counts in their own
    columns."""
    print_csv(ledger_table(ledger), bom=bom)


def ledger_json(ledger: Ledger) -> dict[str, Any]:
    return ledger_data(ledger)


# Rows of the history, the refusal log and the audit trail

HISTORY_HEADER = [
    "branch",
    "version",
    "event",
    "year",
    "detail",
    "actor",
    "committee",
    "reason",
    "rules",
    "policy",
    "effective_on",
    "recorded_at",
]


def history_row(e: HistoryEntry) -> list[object]:
    detail = ", ".join(f"{k}={v}" for k, v in e.detail.items() if k != "year")
    return [
        e.branch_id,
        e.version,
        e.event,
        e.year or "",
        detail,
        e.actor_person_id,
        e.actor_committee_id,
        e.reason,
        " ".join(e.rule_ids),
        e.policy_version,
        e.effective_on.isoformat(),
        e.recorded_at.isoformat(),
    ]


REFUSAL_HEADER = [
    "position",
    "recorded_at",
    "command",
    "actor",
    "actor committee",
    "committee",
    "rule",
    "message",
    "reason",
]


def refusal_row(e: RefusalEntry) -> list[object]:
    return [
        e.position,
        e.recorded_at.isoformat(),
        e.command,
        e.actor_person_id,
        e.actor_committee_id,
        e.subject_committee_id or "",
        e.rule_id,
        e.message,
        e.reason,
    ]


AUDIT_HEADER = [
    "position",
    "recorded_at",
    "effective_on",
    "what",
    "subject",
    "committee",
    "actor",
    "actor committee",
    "reason",
    "rules",
    "judged under",
    "policy",
]


def audit_row(e: AuditEntry) -> list[object]:
    return [
        e.position,
        e.recorded_at.isoformat(),
        e.effective_on or "",
        e.what,
        e.subject,
        e.committee_id or "",
        e.actor_person_id,
        e.actor_committee_id,
        e.reason,
        " ".join(e.rule_ids),
        " ".join(e.judged_under),
        e.policy_version or "",
    ]
