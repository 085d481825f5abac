"""How the CLI shows results: rich tables for people, JSON and CSV for machines, and the
form's Chinese headers and names from the API's one table of labels."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from guoying.cli.tables import Column, output_width, show, table_columns

if TYPE_CHECKING:
    from guoying.api import AuditEntry, Guoying, HistoryEntry, Ledger, LedgerRow, RefusalEntry, Tier
    from guoying.forms import CsvTable


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


def console() -> Console:
    """The console of results on standard output, as wide as `output_width` says."""
    return Console(width=output_width())


def tier_label(tier: Tier | None) -> str:
    from guoying.api import TIER_LABELS

    return TIER_LABELS[tier] if tier else ""


def _numbered(items: Sequence[str]) -> str:
    return "\n".join(f"{i}、{item}" for i, item in enumerate(items, start=1))


def write_csv(
    header: Sequence[str], rows: Sequence[Sequence[object]], *, bom: bool = False
) -> None:
    """A CSV on standard output (`bom`: led by the UTF-8 byte-order mark), written by the
    forms' one CSV writer."""
    from guoying.forms import CsvTable
    from guoying.forms.files import as_rows

    print_csv(CsvTable(tuple(header), as_rows(rows)), bom=bom)


def print_csv(table: CsvTable, *, bom: bool = False) -> None:
    from guoying.forms import csv_text

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
    from guoying.api import to_data

    if fmt is Format.JSON:
        print_json(to_data(list(entries)))
    elif fmt is Format.CSV:
        write_csv(header, [to_row(e) for e in entries], bom=bom)
    elif not entries:
        # An empty frame reads as a broken table: say there is nothing, in one line.
        typer.echo(f"{title}: none")
    else:
        rows = [to_row(entry) for entry in entries]
        show(console(), title, table_columns(header, rows), rows)


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
    from guoying.api import TIER_LABELS, Tier

    rows: list[list[object]] = []
    for committee_id in committees:
        f = guoying.figures(committee_id, year)
        rows.append(
            [
                committee_id,
                f.active,
                *(f.counts[t] for t in Tier),
                f.advanced_limit,
                f"{f.advanced_share:.1%}",
                f"{f.weak_share:.1%}",
            ]
        )
    header = [
        "committee",
        "branches",
        *(TIER_LABELS[t] for t in Tier),
        "advanced limit",
        "advanced share",
        "weak share",
    ]
    show(out, f"{year} 等次分布 (tier counts and shares)", table_columns(header, rows), rows)


def print_ledger_table(out: Console, ledger: Ledger) -> None:
    from guoying.api import LEDGER_HEADERS, LEDGER_TITLE, Tier

    h = LEDGER_HEADERS
    columns = [
        Column(h["sector"]),
        Column(h["sequence"], right=True),
        Column(h["name"]),
        Column(h["tier"]),
        *(Column(f"{h['target']}\n{year}年") for year in ledger.window),
        Column(h["problems"], wraps=True),
        Column(h["measures"], wraps=True),
        *(Column(f"{h['result']}\n{year}年") for year in ledger.window),
        Column(h["liaison"]),
        Column(h["position"]),
        Column(h["contact"]),
        Column(h["cases"], wraps=True),
    ]
    title = f"{LEDGER_TITLE}\n{h['filed_by']}：{ledger.committee.name}    {ledger.year}年"
    show(out, title, columns, [_ledger_cells(ledger, row) for row in ledger.rows])
    if ledger.common_problems:
        show(
            out,
            f"{h['common_problems']} / {h['common_measures']}",
            [Column(h["common_problems"], wraps=True), Column(h["common_measures"], wraps=True)],
            [(problem.problem, problem.measure) for problem in ledger.common_problems],
        )
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
    from guoying.api import SECTOR_LABELS, cases_label

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
    from guoying.forms import ledger_table

    print_csv(ledger_table(ledger), bom=bom)


def ledger_json(ledger: Ledger) -> dict[str, Any]:
    from guoying.forms import ledger_data

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
    "branch",
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
        e.branch_id or "",
        e.committee_id or "",
        e.actor_person_id,
        e.actor_committee_id,
        e.reason,
        " ".join(e.rule_ids),
        " ".join(e.judged_under),
        e.policy_version or "",
    ]
