"""`audit`: every decision and refusal that matches, in store order, as a table, JSON, CSV
or JSON Lines written as each entry is read."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer

from guoying.cli.options import BomOption, StoreOption, date_option, opened_store, time_option
from guoying.cli.output import AUDIT_HEADER, Format, audit_row, print_entries


class AuditKind(StrEnum):
    EVENT = "event"
    REFUSAL = "refusal"


class AuditFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    JSONL = "jsonl"


def audit(
    branch: Annotated[str | None, typer.Option("--branch", help="branch id")] = None,
    committee: Annotated[str | None, typer.Option("--committee", help="its subtree")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="actor's person id")] = None,
    rule: Annotated[
        str | None,
        typer.Option(
            "--rule",
            help="a rule id: the refusals by it and the decisions judged under it (each "
            "entry's judged_under), not every decision that merely lists it; "
            "ledger.advanced_cap judges only what could take a committee over its limit (a "
            "branch counted advanced, or one branch fewer counted) and its exceptions",
        ),
    ] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="effective on or after")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="effective on or before")] = None,
    recorded_from: Annotated[
        str | None,
        typer.Option("--recorded-from", help="recorded at or after this time (with an offset)"),
    ] = None,
    recorded_to: Annotated[
        str | None,
        typer.Option("--recorded-to", help="recorded at or before this time (with an offset)"),
    ] = None,
    kind: Annotated[
        AuditKind | None, typer.Option("--kind", help="only decisions (event) or refusals")
    ] = None,
    what: Annotated[
        list[str] | None,
        typer.Option(
            "--type",
            help="an event type (TierAdjusted) or a refused command (AdjustTier); repeatable",
        ),
    ] = None,
    fmt: Annotated[
        AuditFormat, typer.Option("--format", help="table, json, csv or jsonl (streamed)")
    ] = AuditFormat.TABLE,
    bom: BomOption = False,
    store: StoreOption = None,
) -> None:
    """Every decision and refusal that matches, in order: who, why, under which rules and
    policy, from when. --from/--to filter effective_on, --recorded-* the recorded time;
    --format jsonl writes each entry as it is read, for a store of any size.

    Each entry lists the rules its command applies (rules) and those it was judged under
    (judged under), which --rule matches: a refusal's is the rule that refused it."""
    from guoying.api import AuditFilter, to_data

    wanted = AuditFilter(
        branch_id=branch,
        actor_person_id=actor,
        rule_id=rule,
        effective_from=date_option("--from", date_from),
        effective_to=date_option("--to", date_to),
        recorded_from=time_option("--recorded-from", recorded_from),
        recorded_to=time_option("--recorded-to", recorded_to),
        kind=kind.value if kind is not None else None,
        types=frozenset(what) if what else None,
    )
    with opened_store(store, create=False) as guoying:
        found = guoying.audit(wanted, committee_id=committee)
        if fmt is AuditFormat.JSONL:
            for entry in found:
                typer.echo(json.dumps(to_data(entry), ensure_ascii=False, default=str))
            return
        entries = list(found)
    print_entries(entries, Format(fmt.value), "Audit trail", audit_row, AUDIT_HEADER, bom=bom)


def register(app: typer.Typer) -> None:
    app.command()(audit)
