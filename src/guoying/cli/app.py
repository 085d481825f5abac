"""The `guoying` command line: every command takes `--store URL`.

Exit codes, the same for every command: 0 success; 1 understood but refused or not found;
2 unusable input (malformed JSON, unknown command, bad field or option, unreadable store).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from guoying.api import Command, Guoying
from guoying.cli.assessment import print_assessment
from guoying.cli.assessment import register as register_assessment
from guoying.cli.audit import register as register_audit
from guoying.cli.conventions import Typer
from guoying.cli.evaluations import register as register_evaluations
from guoying.cli.export import register as register_export
from guoying.cli.imports import register as register_imports
from guoying.cli.mentoring import register as register_mentoring
from guoying.cli.options import (
    AsKnownAtOption,
    AsOfOption,
    BomOption,
    FormatOption,
    StoreOption,
    enum_help,
    enum_option,
)
from guoying.cli.options import date_option as _date_option
from guoying.cli.options import opened_store as _opened
from guoying.cli.options import time_option as _time_option
from guoying.cli.output import (
    HISTORY_HEADER,
    REFUSAL_HEADER,
    Format,
    console,
    history_row,
    ledger_json,
    print_entries,
    print_figures,
    print_json,
    print_ledger_table,
    progress_bar,
    refusal_row,
    tier_label,
    write_ledger_csv,
)
from guoying.cli.oversight import register as register_oversight
from guoying.cli.plans import register as register_plans
from guoying.cli.publicity import register as register_publicity
from guoying.cli.selection import register as register_selection

app = Typer(
    help="guoying (过硬): an event-sourced record of solid Party-branch building.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(wanted: bool) -> None:
    if wanted:
        from importlib.metadata import version as package_version

        typer.echo(f"guoying {package_version('guoying')}")
        raise typer.Exit


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """guoying (过硬): an event-sourced record of solid Party-branch building."""


@app.command()
def demo(store: StoreOption = None) -> None:
    """Build the demo city (once) in the store and print one committee's ledger."""
    from guoying import demo_city

    with _opened(store, create=True) as guoying:
        bar, _ = progress_bar("building the demo city", None)
        [task] = bar.task_ids
        with bar:
            built = demo_city.build(
                guoying, lambda done, total: bar.update(task, completed=done, total=total)
            )
        out = console()
        if built.applied:
            out.print(f"Built the demo city: {built.applied} commands applied.")
            for line in built.summary():
                out.print(line, soft_wrap=True)
        else:
            out.print("The demo city is already in this store; nothing was added.")
        ledger = guoying.ledger(demo_city.SHOWN_COMMITTEE, demo_city.SHOWN_YEAR)
        print_ledger_table(out, ledger)
        out.print()
        print_figures(out, guoying, demo_city.SUMMARY_COMMITTEES, demo_city.SHOWN_YEAR)
        out.print()
        print_assessment(out, guoying.assessment(*demo_city.ASSESSED))


@app.command()
def ledger(
    committee: Annotated[str, typer.Option("--committee", help="committee id")],
    year: Annotated[int, typer.Option("--year", help="the ledger's year")],
    as_known_at: AsKnownAtOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.TABLE,
    bom: BomOption = False,
    store: StoreOption = None,
) -> None:
    """Print a committee's ledger (Annex 1) for a year; above base level, the rollup."""
    known = _time_option("--as-known-at", as_known_at)
    effective = _date_option("--as-of", as_of)
    with _opened(store, create=False) as guoying:
        found = guoying.ledger(committee, year, as_known_at=known, as_of=effective)
        if fmt is Format.JSON:
            print_json(ledger_json(found))
        elif fmt is Format.CSV:
            write_ledger_csv(found, bom=bom)
        else:
            print_ledger_table(console(), found)


@app.command()
def history(
    branch_id: Annotated[str, typer.Argument(help="the branch's id")],
    as_known_at: AsKnownAtOption = None,
    as_of: AsOfOption = None,
    fmt: FormatOption = Format.TABLE,
    bom: BomOption = False,
    store: StoreOption = None,
) -> None:
    """Print every decision on a branch: what, for which year, who, why, when."""
    known = _time_option("--as-known-at", as_known_at)
    effective = _date_option("--as-of", as_of)
    with _opened(store, create=False) as guoying:
        entries = guoying.history(branch_id, as_known_at=known, as_of=effective)
        print_entries(entries, fmt, f"History of {branch_id}", history_row, HISTORY_HEADER, bom=bom)


@app.command()
def refusals(
    committee: Annotated[str | None, typer.Option("--committee", help="committee id")] = None,
    fmt: FormatOption = Format.TABLE,
    bom: BomOption = False,
    store: StoreOption = None,
) -> None:
    """Print the refusal log: every command refused by a rule or by authority."""
    with _opened(store, create=False) as guoying:
        entries = guoying.refusals(committee)
        print_entries(entries, fmt, "Refusal log", refusal_row, REFUSAL_HEADER, bom=bom)


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
    from guoying.api import InvalidCommand, parse_command

    commands: list[tuple[int, Command]] = []
    problems: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            commands.append((number, parse_command(line)))
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
    with _opened(store, create=True) as guoying:
        # An empty file is no unit: nothing to apply and no result line, with --atomic too.
        units = ([commands] if commands else []) if atomic else [[c] for c in commands]
        # Results go to stdout line by line: a bar redrawn on the same terminal would break
        # them, so it shows only when they go to a file or a pipe.
        bar, advance = progress_bar("applying", len(units), quiet=sys.stdout.isatty())
        with bar:
            refused = _apply_units(guoying, units, advance)
    if refused:
        raise typer.Exit(1)


def _apply_units(
    guoying: Guoying, units: list[list[tuple[int, Command]]], advance: Callable[[int], None]
) -> int:
    """Apply each unit and print its result line; how many were refused."""
    from guoying.api import GuoyingError

    refused = 0
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
            advance(1)
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
        advance(1)
    return refused


@app.command()
def branches(
    committee: Annotated[
        str | None, typer.Option("--committee", help="within this subtree")
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="a part of the name, e.g. 北店")
    ] = None,
    sector: Annotated[
        str | None,
        typer.Option("--sector", help=enum_help("a sector")),
    ] = None,
    tier: Annotated[str | None, typer.Option("--tier", help=enum_help("a tier"))] = None,
    year: Annotated[int | None, typer.Option("--year", help="as at the end of this year")] = None,
    fmt: FormatOption = Format.TABLE,
    bom: BomOption = False,
    store: StoreOption = None,
) -> None:
    """Find branches by committee, name, sector and tier, so that no id is needed."""
    from guoying.api import SECTOR_LABELS, TIER_LABELS, Sector, Tier

    with _opened(store, create=False) as guoying:
        found = guoying.branches(
            committee_id=committee,
            name=name,
            sector=enum_option("--sector", sector, Sector, SECTOR_LABELS),
            tier=enum_option("--tier", tier, Tier, TIER_LABELS),
            year=year,
        )
        print_entries(
            found,
            fmt,
            "Branches",
            lambda b: [
                b.branch_id,
                b.name,
                SECTOR_LABELS[b.sector],
                tier_label(b.tier),
                b.base_committee_id,
                b.base_committee_name,
                "" if b.active else "ended",
            ],
            ["branch_id", "name", "sector", "tier", "committee_id", "committee", "state"],
            bom=bom,
        )


@app.command()
def committees(
    name: Annotated[
        str | None, typer.Option("--name", help="a part of the name, e.g. 满庄")
    ] = None,
    fmt: FormatOption = Format.TABLE,
    bom: BomOption = False,
    store: StoreOption = None,
) -> None:
    """Find committees by name."""
    from guoying.api import LEVEL_LABELS

    with _opened(store, create=False) as guoying:
        found = guoying.committees(name=name)
        print_entries(
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
            bom=bom,
        )


@app.command()
def coverage(
    committee: Annotated[str, typer.Option("--committee", help="committee id")],
    year: Annotated[int, typer.Option("--year", help="the year")],
    fmt: FormatOption = Format.TABLE,
    bom: BomOption = False,
    store: StoreOption = None,
) -> None:
    """Liaison coverage (ledger.liaison_coverage) of the committee's subtree: each
    committee's leaders against the branches under it, the leaders who liaise with none of
    them and the branches without a liaison, by name; exit 1 when any committee of the
    subtree falls short."""
    from guoying.api import to_data

    with _opened(store, create=False) as guoying:
        found = guoying.liaison_coverage(committee, year)
    if fmt is Format.JSON:
        print_json({**to_data(found), "met": found.met})
    else:
        # One row per committee with its counts as numbers, then the people and branches
        # that fall short, each naming its committee.
        rows: list[list[object]] = [
            [
                "committee",
                c.committee_id,
                c.name,
                "",
                c.committee_id,
                c.leaders,
                len(c.uncovered_leaders),
                c.branches,
                c.branches_without_liaison,
                "met" if c.met else "NOT met",
            ]
            for c in found.committees
        ]
        rows += [
            ["leader", u.person_id, u.name or "", u.position, u.committee_id, "", "", "", "", ""]
            for u in found.uncovered_leaders
        ]
        rows += [
            ["branch", b, n, "", "", "", "", "", "", ""] for b, n in found.branches_without_liaison
        ]
        print_entries(
            rows,
            fmt,
            f"ledger.liaison_coverage {committee} {year}: "
            f"{found.leaders} leaders, {found.branches} branches in the subtree, "
            f"{'met' if found.met else 'NOT met'}",
            list,
            [
                "kind",
                "id",
                "name",
                "position",
                "committee",
                "leaders",
                "leaders liaising with none",
                "branches",
                "branches without a liaison",
                "met",
            ],
            bom=bom,
        )
    if not found.met:
        raise typer.Exit(1)


policy_app = Typer(help="Policy versions (publish one with `apply` and PublishPolicy).")
app.add_typer(policy_app, name="policy")


@policy_app.command("show")
def policy_show(
    on: Annotated[str | None, typer.Option("--on", help="a date, YYYY-MM-DD")] = None,
    fmt: FormatOption = Format.TABLE,
    bom: BomOption = False,
    store: StoreOption = None,
) -> None:
    """Show the policy version in effect on a date (today by default), and all versions."""
    from guoying.api import to_data

    when = _date_option("--on", on)
    with _opened(store, create=False) as guoying:
        policy = guoying.policy(when)
        versions = guoying.policy_book().versions
    data = to_data(policy)
    if fmt is Format.JSON:
        print_json(
            {
                "in_effect": data,
                "versions": [
                    {"version": v.version, "effective_on": v.effective_on.isoformat()}
                    for v in versions
                ],
            }
        )
        return
    print_entries(
        [[k, v] for k, v in data.items()],
        fmt,
        f"Policy {policy.version} in effect on {when or 'today'}",
        list,
        ["parameter", "value"],
        bom=bom,
    )
    if fmt is Format.TABLE:
        console().print(
            "versions: " + ", ".join(f"{v.version} (from {v.effective_on})" for v in versions)
        )


@app.command()
def checkpoint(store: StoreOption = None) -> None:
    """Print the store's chain head (store id, count, root hash, time) to keep elsewhere."""
    with _opened(store, create=False) as guoying:
        typer.echo(guoying.checkpoint().to_json())


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
    from guoying.api import Checkpoint, CheckpointMismatch

    kept = None
    if checkpoint_file is not None:
        try:
            kept = Checkpoint.from_json(checkpoint_file.read_text(encoding="utf-8"))
        except (OSError, ValueError, TypeError) as error:
            typer.echo(f"error: --checkpoint {checkpoint_file}: {error}", err=True)
            raise typer.Exit(2) from error
    with _opened(store, create=False) as guoying:
        try:
            bar, advance = progress_bar("verifying", guoying.checkpoint().count)
            with bar:
                verdict = guoying.verify(kept, advance)
        except CheckpointMismatch as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(2) from error
    if not verdict.ok:
        where = f" at position {verdict.position}" if verdict.position is not None else ""
        typer.echo(f"FAILED{where}: {verdict.problem}")
        raise typer.Exit(1)
    against = f" and the checkpoint of {kept.count} entries" if kept else ""
    typer.echo(f"verified {verdict.count} entries{against}; root {verdict.root}")


@app.command()
def rebuild(
    store: StoreOption = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="processes to split the projections among (default: one per core once "
            "the store is large enough to repay starting them; 1: this process alone)",
        ),
    ] = None,
) -> None:
    """Rebuild every projection from the events; readers see the old views until done."""
    with _opened(store, create=False) as guoying:
        bar, advance = progress_bar("rebuilding", guoying.store.last_position())
        read: list[int] = []

        def progress(events: int) -> None:
            read.append(events)
            advance(events)

        with bar:
            guoying.rebuild_views(progress, workers=workers)
    typer.echo(f"rebuilt every view from {sum(read)} events")


@app.command()
def replay(
    check: Annotated[
        bool,
        typer.Option("--check", help="the only mode, and the default; kept for scripts"),
    ] = True,
    store: StoreOption = None,
) -> None:
    """Replay every event into fresh tables and list every difference from the views kept
    incrementally; exit 1 if there is any. Writes nothing to the store."""
    from guoying.api import to_data

    del check  # replay only ever compares
    with _opened(store, create=False) as guoying:
        bar, advance = progress_bar("replaying", guoying.store.last_position())
        with bar:
            differences = guoying.replay_check(advance)
    for difference in differences:
        typer.echo(json.dumps(to_data(difference), ensure_ascii=False))
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
    from guoying.api import Actor, ErasePerson

    if not reason.strip():
        typer.echo("error: --reason must not be blank", err=True)
        raise typer.Exit(2)
    with _opened(store, create=False) as guoying:
        outcome = guoying.execute(
            ErasePerson(actor=Actor(actor, committee), reason=reason, person_id=person_id)
        )
    typer.echo(json.dumps({"status": "applied", "events": outcome.event_ids}))


@app.command()
def migrate(store: StoreOption = None) -> None:
    """Carry a store written by guoying 0.1 over to this release's streams, once; nothing
    stored is changed or removed, and a store already carried over is left as it is."""
    with _opened(store, create=False) as guoying:
        outcome = guoying.migrate()
    if outcome is None:
        typer.echo("the store already follows this release's layout; nothing to do")
        return
    typer.echo(f"carried the store over in one write of {len(outcome.events)} events")


register_selection(app)
register_mentoring(app)
register_evaluations(app)
register_oversight(app)
register_plans(app)
register_assessment(app)
register_audit(app)
register_publicity(app)
register_imports(app)
register_export(app)


def main() -> None:
    app()
