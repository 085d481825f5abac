"""The `guoying` command line: every command takes `--store URL`.

Exit codes, the same for every command: 0 success; 1 understood but refused or not found;
2 unusable input (malformed JSON, unknown command, bad field or option, unreadable store).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.exc import DatabaseError

from guoying import demo_city
from guoying.adapters.serialization import CONVERTER, read_command
from guoying.adapters.verification import Checkpoint, CheckpointMismatch, take_checkpoint
from guoying.adapters.verification import verify as run_verify
from guoying.api import Guoying, default_store_url
from guoying.application.commands import Command, ErasePerson
from guoying.application.errors import GuoyingError, InvalidCommand, StoreUnavailable
from guoying.domain.labels import (
    LEDGER_HEADERS,
    LEDGER_TITLE,
    LEVEL_LABELS,
    SECTOR_LABELS,
    TIER_LABELS,
    cases_label,
)
from guoying.domain.values import Actor, Sector, Tier
from guoying.projections.audit import AuditEntry, AuditFilter
from guoying.projections.ledger import Ledger
from guoying.projections.queries import HistoryEntry, RefusalEntry

app = typer.Typer(
    help="guoying (过硬): an event-sourced record of solid Party-branch building.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Store URL: sqlite:///PATH (default sqlite:///guoying.db or "
        "$GUOYING_STORE), memory://, postgresql+psycopg://USER@HOST:PORT/DB",
    ),
]
FormatOption = Annotated[Format, typer.Option("--format", help="table, json or csv")]
AsKnownAtOption = Annotated[
    str | None,
    typer.Option(
        "--as-known-at",
        help="what the store held at this recorded time, e.g. "
        "2020-03-01T09:00:00+08:00 (a UTC offset is required)",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="what was in effect on this business date, YYYY-MM-DD"),
]


def _console() -> Console:
    return Console(width=None if sys.stdout.isatty() else 240)


def _fail(error: GuoyingError) -> NoReturn:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(error.exit_code)


@contextmanager
def _opened(store: str | None, *, create: bool = True) -> Iterator[Guoying]:
    try:
        guoying = Guoying(store or default_store_url(), create=create)
    except GuoyingError as error:
        _fail(error)
    try:
        yield guoying
    except GuoyingError as error:
        _fail(error)
    except DatabaseError as error:
        # A damaged database (a truncated file, a corrupt page) is an unusable store.
        _fail(StoreUnavailable(store_problem(error)))
    finally:
        guoying.close()


# What a database error means for the user, by SQLite's error name or PostgreSQL's SQLSTATE
# (class or code), so that a full disk is not reported as an unreadable store.
_STORE_PROBLEMS = {
    "SQLITE_READONLY": "the store is read-only (no permission to write it, or a read-only "
    "file system)",
    "SQLITE_FULL": "the disk is full: nothing was written",
    "SQLITE_BUSY": "the store is locked by another writer; try again",
    "SQLITE_LOCKED": "the store is locked by another writer; try again",
    "SQLITE_CORRUPT": "the store is damaged (restore it from a backup; guoying verify names "
    "what it can)",
    "SQLITE_NOTADB": "the store is damaged or not a guoying store",
    "SQLITE_IOERR": "the store's file could not be read or written (an I/O error)",
    "SQLITE_CANTOPEN": "the store's file cannot be opened",
    "25006": "the store is read-only (a read-only transaction or a standby server)",
    "42501": "no permission to use the store's tables",
    "53": "the database server is out of resources (disk full or out of memory): nothing "
    "was written",
    "55P03": "the store is locked by another writer; try again",
    "40P01": "the store is locked by another writer; try again",
    "XX": "the store is damaged (the server reports corrupt data)",
    "08": "the database server cannot be reached",
}


def store_problem(error: DatabaseError) -> str:
    """A message that says what happened to the store, with the driver's own first line."""
    original = getattr(error, "orig", None)
    # SQLITE_IOERR_WRITE and other extended codes fall under their primary code.
    name = "_".join(str(getattr(original, "sqlite_errorname", "")).split("_")[:2])
    sqlstate = str(getattr(original, "sqlstate", "") or "")
    said = (str(original or error).splitlines() or [""])[0]
    for key in (name, sqlstate, sqlstate[:2]):
        if key and key in _STORE_PROBLEMS:
            return f"{_STORE_PROBLEMS[key]}: {said}"
    return f"the store cannot be read: {said}"


def _tier(tier: Tier | None) -> str:
    return TIER_LABELS[tier] if tier else ""


def _numbered(items: Sequence[str]) -> str:
    return "\n".join(f"{i}、{item}" for i, item in enumerate(items, start=1))


def _write_csv(header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    sys.stdout.write(buffer.getvalue())


def _print_json(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@app.command()
def demo(store: StoreOption = None) -> None:
    """Build the demo city (once) in the store and print one committee's ledger."""
    with _opened(store) as guoying:
        built = demo_city.build(guoying)
        console = _console()
        if built:
            console.print(f"Built the demo city: {built} commands applied.")
        else:
            console.print("The demo city is already in this store; nothing was added.")
        ledger = guoying.ledger(demo_city.SHOWN_COMMITTEE, demo_city.SHOWN_YEAR)
        _print_ledger_table(console, ledger)
        console.print()
        _print_figures(console, guoying, demo_city.SUMMARY_COMMITTEES, demo_city.SHOWN_YEAR)


def _print_figures(
    console: Console, guoying: Guoying, committees: Sequence[str], year: int
) -> None:
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
    console.print(table)


def _print_ledger_table(console: Console, ledger: Ledger) -> None:
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
        table.add_row(
            SECTOR_LABELS[row.sector],
            str(row.sequence),
            row.name,
            _tier(row.tier),
            *(_tier(row.targets[y]) for y in ledger.window),
            _numbered(row.problems),
            _numbered(row.measures),
            *(_tier(row.results[y]) for y in ledger.window),
            row.liaison_name or "",
            row.liaison_position or "",
            row.liaison_contact or "",
            cases_label(row.cases_open, row.cases_overdue, row.cases_closed),
        )
    console.print(table)
    if ledger.common_problems:
        common = Table(title=f"{h['common_problems']} / {h['common_measures']}")
        common.add_column(h["common_problems"])
        common.add_column(h["common_measures"])
        for problem in ledger.common_problems:
            common.add_row(problem.problem, problem.measure)
        console.print(common)
    f = ledger.figures
    console.print(
        f"{len(ledger.rows)} branches; advanced {f.counts[Tier.ADVANCED]} "
        f"(limit {f.advanced_limit}, share {f.advanced_share:.1%}); weak {f.counts[Tier.WEAK]} "
        f"(share {f.weak_share:.1%}); without a liaison {len(ledger.without_liaison)}"
        + "".join(f"\n  no liaison: {row.sequence} {row.name}" for row in ledger.without_liaison)
    )
    for granted in ledger.cap_exceptions:
        console.print(
            f"approved exception to ledger.advanced_cap for {granted.committee_id} in "
            f"{', '.join(map(str, granted.years))}, approved by {granted.approved_by_committee_id}"
            f" ({granted.approved_by_person_id}): {granted.justification}"
        )


def _ledger_json(ledger: Ledger) -> dict[str, Any]:
    data: dict[str, Any] = CONVERTER.unstructure(ledger)
    data["figures"]["advanced_share"] = ledger.figures.advanced_share
    data["figures"]["weak_share"] = ledger.figures.weak_share
    data["without_liaison"] = [row.branch_id for row in ledger.without_liaison]
    return data


@app.command()
def ledger(
    committee: Annotated[str, typer.Option("--committee", help="committee id")],
    year: Annotated[int, typer.Option("--year", help="the ledger's year")],
    as_known_at: AsKnownAtOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.TABLE,
    store: StoreOption = None,
) -> None:
    """Print a committee's ledger (Annex 1) for a year; above base level, the rollup."""
    known = _time_option("--as-known-at", as_known_at)
    effective = _date_option("--as-of", as_of)
    with _opened(store) as guoying:
        found = guoying.ledger(committee, year, as_known_at=known, as_of=effective)
        if fmt is Format.JSON:
            _print_json(_ledger_json(found))
        elif fmt is Format.CSV:
            h = LEDGER_HEADERS
            header = [
                h["sector"],
                h["sequence"],
                h["name"],
                h["tier"],
                *(f"{h['target']}{y}" for y in found.window),
                h["problems"],
                h["measures"],
                *(f"{h['result']}{y}" for y in found.window),
                h["liaison"],
                h["position"],
                h["contact"],
                h["cases"],
            ]
            _write_csv(
                header,
                [
                    [
                        SECTOR_LABELS[r.sector],
                        r.sequence,
                        r.name,
                        _tier(r.tier),
                        *(_tier(r.targets[y]) for y in found.window),
                        _numbered(r.problems),
                        _numbered(r.measures),
                        *(_tier(r.results[y]) for y in found.window),
                        r.liaison_name or "",
                        r.liaison_position or "",
                        r.liaison_contact or "",
                        cases_label(r.cases_open, r.cases_overdue, r.cases_closed),
                    ]
                    for r in found.rows
                ],
            )
        else:
            _print_ledger_table(_console(), found)


@app.command()
def history(
    branch_id: Annotated[str, typer.Argument(help="the branch's id")],
    as_known_at: AsKnownAtOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.TABLE,
    store: StoreOption = None,
) -> None:
    """Print every decision on a branch: what, for which year, who, why, when."""
    known = _time_option("--as-known-at", as_known_at)
    effective = _date_option("--as-of", as_of)
    with _opened(store) as guoying:
        entries = guoying.history(branch_id, as_known_at=known, as_of=effective)
        _print_entries(
            entries,
            fmt,
            f"History of {branch_id}",
            _history_row,
            [
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
            ],
        )


def _history_row(e: HistoryEntry) -> list[object]:
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


def _refusal_row(e: RefusalEntry) -> list[object]:
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


def _print_entries(
    entries: Sequence[Any],
    fmt: Format,
    title: str,
    to_row: Callable[[Any], list[object]],
    header: list[str],
) -> None:
    if fmt is Format.JSON:
        _print_json(CONVERTER.unstructure(list(entries)))
    elif fmt is Format.CSV:
        _write_csv(header, [to_row(e) for e in entries])
    else:
        table = Table(title=title)
        for column in header:
            table.add_column(column)
        for entry in entries:
            table.add_row(*(str(cell) for cell in to_row(entry)))
        _console().print(table)


@app.command()
def refusals(
    committee: Annotated[str | None, typer.Option("--committee", help="committee id")] = None,
    fmt: FormatOption = Format.TABLE,
    store: StoreOption = None,
) -> None:
    """Print the refusal log: every command refused by a rule or by authority."""
    with _opened(store) as guoying:
        entries = guoying.refusals(committee)
        _print_entries(
            entries,
            fmt,
            "Refusal log",
            _refusal_row,
            [
                "position",
                "recorded_at",
                "command",
                "actor",
                "actor committee",
                "committee",
                "rule",
                "message",
                "reason",
            ],
        )


def _read_lines(source: str) -> list[str]:
    # A byte-order mark, as some editors write, is not part of the first command. Lines end
    # at "\n" alone: str.splitlines would also cut at U+2028 and other separators that JSON
    # strings may hold unescaped.
    try:
        raw = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        return raw.decode("utf-8-sig").split("\n")
    except (OSError, UnicodeDecodeError) as error:
        where = "standard input" if source == "-" else source
        typer.echo(f"error: cannot read {where}: {error}", err=True)
        raise typer.Exit(2) from error


def parse_lines(lines: Sequence[str]) -> tuple[list[tuple[int, Command]], list[dict[str, Any]]]:
    """Read every line first; the commands, and a problem report per unusable line."""
    commands: list[tuple[int, Command]] = []
    problems: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            # Size, nesting, duplicate keys, NaN and every field's limits: one reading.
            commands.append((number, read_command(line)))
        except InvalidCommand as error:
            problems.append({"line": number, "status": "invalid", "errors": error.problems})
    return commands, problems


@app.command()
def apply(
    source: Annotated[str, typer.Argument(help="a JSON Lines file of commands, or - for stdin")],
    atomic: Annotated[
        bool,
        typer.Option(
            "--atomic", help="apply all lines as one unit judged on its end state: all or none"
        ),
    ] = False,
    store: StoreOption = None,
) -> None:
    """Apply commands, one JSON object per line; one JSON result line per command.

    Every line is read first: if any is unusable, every such line is reported and none is
    applied (exit 2). A refused line changes nothing but the refusal log, and the lines
    after it still run (exit 1 if any was refused).
    """
    commands, problems = parse_lines(_read_lines(source))
    if problems:
        for problem in problems:
            typer.echo(json.dumps(problem, ensure_ascii=False))
        typer.echo(f"error: {len(problems)} unusable line(s); nothing was applied", err=True)
        raise typer.Exit(2)
    refused = 0
    with _opened(store) as guoying:
        # An empty file is no unit: nothing to apply and no result line, with --atomic too.
        units = ([commands] if commands else []) if atomic else [[c] for c in commands]
        for unit in units:
            lines = [number for number, _ in unit]
            try:
                outcome = guoying.execute_unit([command for _, command in unit])
            except GuoyingError as error:
                if error.exit_code != 1:
                    raise
                refused += 1
                typer.echo(
                    json.dumps(
                        {
                            "line": lines[0] if len(lines) == 1 else lines,
                            "status": "refused",
                            **error.as_dict(),
                        },
                        ensure_ascii=False,
                    )
                )
                continue
            typer.echo(
                json.dumps(
                    {
                        "line": lines[0] if len(lines) == 1 else lines,
                        "status": "applied",
                        "events": outcome.event_ids,
                        "positions": list(outcome.positions),
                    },
                    ensure_ascii=False,
                )
            )
    if refused:
        raise typer.Exit(1)


@app.command()
def branches(
    committee: Annotated[
        str | None, typer.Option("--committee", help="within this subtree")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="a part of the name, e.g. 北店")
    ] = None,
    sector: Annotated[Sector | None, typer.Option("--sector", case_sensitive=False)] = None,
    tier: Annotated[Tier | None, typer.Option("--tier", case_sensitive=False)] = None,
    year: Annotated[int | None, typer.Option("--year", help="as at the end of this year")] = None,
    fmt: FormatOption = Format.TABLE,
    store: StoreOption = None,
) -> None:
    """Find branches by committee, name, sector and tier, so that no id is needed."""
    with _opened(store) as guoying:
        found = guoying.branches(
            committee_id=committee, name=name, sector=sector, tier=tier, year=year
        )
        _print_entries(
            found,
            fmt,
            "Branches",
            lambda b: [
                b.branch_id,
                b.name,
                SECTOR_LABELS[b.sector],
                _tier(b.tier),
                b.base_committee_id,
                b.base_committee_name,
                "" if b.active else "ended",
            ],
            ["branch_id", "name", "sector", "tier", "committee_id", "committee", "state"],
        )


@app.command()
def committees(
    name: Annotated[
        str | None, typer.Option("--name", help="a part of the name, e.g. 满庄")
    ] = None,
    fmt: FormatOption = Format.TABLE,
    store: StoreOption = None,
) -> None:
    """Find committees by name."""
    with _opened(store) as guoying:
        found = guoying.committees(name=name)
        _print_entries(
            found,
            fmt,
            "Committees",
            lambda c: [
                c.committee_id,
                c.name,
                LEVEL_LABELS[c.level],
                c.parent_id or "",
                "county-level" if c.county_level else "",
                "" if c.active else "dissolved",
            ],
            ["committee_id", "name", "level", "parent_id", "county", "state"],
        )


@app.command()
def coverage(
    committee: Annotated[str, typer.Option("--committee", help="committee id")],
    year: Annotated[int, typer.Option("--year", help="the year")],
    fmt: FormatOption = Format.TABLE,
    store: StoreOption = None,
) -> None:
    """Liaison coverage (ledger.liaison_coverage): branches without a liaison and leaders
    who liaise with no branch, by name; exit 1 when coverage is not met."""
    with _opened(store) as guoying:
        found = guoying.liaison_coverage(committee, year)
    if fmt is Format.JSON:
        _print_json({**CONVERTER.unstructure(found), "met": found.met})
    else:
        rows = [["leader", u.person_id, u.name or "", u.position] for u in found.uncovered_leaders]
        rows += [["branch", b, n, ""] for b, n in found.branches_without_liaison]
        _print_entries(
            rows,
            fmt,
            f"ledger.liaison_coverage {committee} {year}: "
            f"{found.leaders} leaders, {found.branches} branches, "
            f"{'met' if found.met else 'NOT met'}",
            list,
            ["uncovered", "id", "name", "position"],
        )
    if not found.met:
        raise typer.Exit(1)


policy_app = typer.Typer(help="Policy versions (publish one with `apply` and PublishPolicy).")
app.add_typer(policy_app, name="policy")


@policy_app.command("show")
def policy_show(
    on: Annotated[str | None, typer.Option("--on", help="a date, YYYY-MM-DD")] = None,
    fmt: FormatOption = Format.TABLE,
    store: StoreOption = None,
) -> None:
    """Show the policy version in effect on a date (today by default), and all versions."""
    try:
        when = date.fromisoformat(on) if on else None
    except ValueError as error:
        typer.echo(f"error: --on: expected a date YYYY-MM-DD, not {on!r}", err=True)
        raise typer.Exit(2) from error
    with _opened(store) as guoying:
        policy = guoying.policy(when)
        versions = guoying.policy_book().versions
    data = CONVERTER.unstructure(policy)
    if fmt is Format.JSON:
        _print_json(
            {
                "in_effect": data,
                "versions": [
                    {"version": v.version, "effective_on": v.effective_on.isoformat()}
                    for v in versions
                ],
            }
        )
        return
    _print_entries(
        [[k, v] for k, v in data.items()],
        fmt,
        f"Policy {policy.version} in effect on {when or 'today'}",
        list,
        ["parameter", "value"],
    )
    if fmt is Format.TABLE:
        _console().print(
            "versions: " + ", ".join(f"{v.version} (from {v.effective_on})" for v in versions)
        )


@app.command()
def checkpoint(store: StoreOption = None) -> None:
    """Print the store's chain head (store id, count, root hash, time) to keep elsewhere."""
    with _opened(store, create=False) as guoying:
        typer.echo(take_checkpoint(guoying.store).to_json())


@app.command()
def verify(
    checkpoint_file: Annotated[
        Path | None,
        typer.Option("--checkpoint", help="a checkpoint kept outside the database"),
    ] = None,
    store: StoreOption = None,
) -> None:
    """Check that no stored event or refusal was altered, removed, inserted or reordered;
    exit 1 naming the first bad position. Writes nothing."""
    kept = None
    if checkpoint_file is not None:
        try:
            kept = Checkpoint.from_json(checkpoint_file.read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError) as error:
            typer.echo(f"error: --checkpoint {checkpoint_file}: {error}", err=True)
            raise typer.Exit(2) from error
    with _opened(store, create=False) as guoying:
        try:
            with _progress() as bar:
                task = bar.add_task("verifying", total=None)
                verdict = run_verify(guoying.store, kept, lambda n: bar.advance(task, n))
        except CheckpointMismatch as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from error
    if not verdict.ok:
        where = f" at position {verdict.position}" if verdict.position is not None else ""
        typer.echo(f"FAILED{where}: {verdict.problem}")
        raise typer.Exit(1)
    against = f" and the checkpoint of {kept.count} entries" if kept else ""
    typer.echo(f"verified {verdict.count} entries{against}; root {verdict.root}")


def _date_option(name: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        typer.echo(f"error: {name}: expected a date YYYY-MM-DD, not {value!r}", err=True)
        raise typer.Exit(2) from error


def _time_option(name: str, value: str | None) -> datetime | None:
    """Timestamps given at the CLI must carry a UTC offset (rules.md 9a)."""
    if value is None:
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError as error:
        typer.echo(
            f"error: {name}: expected a timestamp such as 2019-07-01T09:00:00+08:00, not {value!r}",
            err=True,
        )
        raise typer.Exit(2) from error
    if found.tzinfo is None:
        typer.echo(f"error: {name}: {value!r} has no UTC offset (add e.g. +08:00)", err=True)
        raise typer.Exit(2)
    return found


def _audit_row(e: AuditEntry) -> list[object]:
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
        e.policy_version or "",
    ]


@app.command()
def audit(
    branch: Annotated[str | None, typer.Option("--branch", help="branch id")] = None,
    committee: Annotated[str | None, typer.Option("--committee", help="its subtree")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="actor's person id")] = None,
    rule: Annotated[str | None, typer.Option("--rule", help="a rule id")] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="effective on or after")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="effective on or before")] = None,
    recorded_from: Annotated[str | None, typer.Option("--recorded-from")] = None,
    recorded_to: Annotated[str | None, typer.Option("--recorded-to")] = None,
    fmt: FormatOption = Format.TABLE,
    store: StoreOption = None,
) -> None:
    """Every decision and refusal that matches, in order: who, why, under which rules and
    policy, from when. --from/--to filter effective_on, --recorded-* the recorded time."""
    wanted = AuditFilter(
        branch_id=branch,
        actor_person_id=actor,
        rule_id=rule,
        effective_from=_date_option("--from", date_from),
        effective_to=_date_option("--to", date_to),
        recorded_from=_time_option("--recorded-from", recorded_from),
        recorded_to=_time_option("--recorded-to", recorded_to),
    )
    with _opened(store, create=False) as guoying:
        entries = list(guoying.audit(wanted, committee_id=committee))
    _print_entries(
        entries,
        fmt,
        "Audit trail",
        _audit_row,
        [
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
            "policy",
        ],
    )


def _progress() -> Progress:
    """A progress bar on stderr when a person watches it; silent in pipes and logs."""
    return Progress(transient=True, console=Console(stderr=True), disable=not sys.stderr.isatty())


def _progress_bar(label: str) -> tuple[Progress, Callable[[int], None]]:
    bar = _progress()
    task = bar.add_task(label, total=None)
    return bar, lambda n: bar.advance(task, n)


@app.command()
def rebuild(store: StoreOption = None) -> None:
    """Rebuild every projection from the events; readers see the old views until done."""
    with _opened(store, create=False) as guoying:
        bar, advance = _progress_bar("rebuilding")
        read: list[int] = []

        def progress(events: int) -> None:
            read.append(events)
            advance(events)

        with bar:
            guoying.rebuild_views(progress)
    typer.echo(f"rebuilt every view from {sum(read)} events")


@app.command()
def replay(
    check: Annotated[
        bool, typer.Option("--check", help="compare a fresh replay with the views")
    ] = False,
    store: StoreOption = None,
) -> None:
    """With --check: replay every event into fresh tables and list every difference from
    the views kept incrementally; exit 1 if there is any. Writes nothing to the store."""
    if not check:
        typer.echo("error: replay only checks: use `guoying replay --check`", err=True)
        raise typer.Exit(2)
    with _opened(store, create=False) as guoying:
        bar, advance = _progress_bar("replaying")
        with bar:
            differences = guoying.replay_check(advance)
    for difference in differences:
        typer.echo(json.dumps(CONVERTER.unstructure(difference), ensure_ascii=False))
    if differences:
        typer.echo(
            f"{len(differences)} difference(s) between the kept views and a replay", err=True
        )
        raise typer.Exit(1)
    typer.echo("the kept views equal a fresh replay of every event")


@app.command("erase-person")
def erase_person(
    person_id: Annotated[str, typer.Argument(help="the person's id")],
    reason: Annotated[str, typer.Option("--reason", help="why the data is erased")],
    actor: Annotated[str, typer.Option("--actor", help="the deciding person's id")],
    committee: Annotated[str, typer.Option("--committee", help="the committee the actor acts for")],
    store: StoreOption = None,
) -> None:
    """Erase one person's name and telephone number, recording the erasure as an event;
    every event keeps naming the person by id, so verify still passes."""
    if not reason.strip():
        typer.echo("error: --reason must not be blank", err=True)
        raise typer.Exit(2)
    with _opened(store, create=False) as guoying:
        outcome = guoying.execute(
            ErasePerson(actor=Actor(actor, committee), reason=reason, person_id=person_id)
        )
    typer.echo(json.dumps({"status": "applied", "events": outcome.event_ids}))


def main() -> None:
    app()
