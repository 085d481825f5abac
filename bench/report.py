"""The Markdown table of a run, from its JSON."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench import cli_start
from bench.harness import DATABASES, TARGETS

Cell = Callable[[dict[str, Any]], str]
NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _n(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _ratio(value: float) -> str:
    return f"{value:.3f}" if value < 0.1 else f"{value:.2f}"


def _paired(ratio: dict[str, Any]) -> str:
    """A paired ratio: its median ± its spread (`bench.steady`)."""
    return f"{_ratio(ratio['median'])} ± {_ratio(ratio['spread'])}"


VERDICTS = {"met": "met", "missed": "MISSED", "unsteady": "unsteady"}


def _not_measured(figure: Any) -> str | None:
    if isinstance(figure, dict) and "not_measured" in figure:
        return f"not measured: {figure['not_measured']}"
    return None


def _target(result: dict[str, Any], key: str, figure: str | None = None) -> str:
    rows = [
        t
        for t in result.get("targets", [])
        if t["target"] == key and (figure is None or t["figure"] == figure)
    ]
    if not rows:
        return ""
    bound = rows[0]["bound"]
    sign = "≥" if rows[0]["kind"] == "min" else "≤"
    marks = ", ".join(f"{NAMES[t['database']]} {VERDICTS[t['verdict']]}" for t in rows)
    return f"{sign} {bound:g}: {marks}"


class _Table:
    """The figures table: one row per figure, one column per database."""

    def __init__(self, result: dict[str, Any]) -> None:
        self.result = result
        self.dbs: dict[str, Any] = result["databases"]
        names = [NAMES[d] for d in DATABASES if d in self.dbs]
        self.lines = [
            "| Figure | " + " | ".join(names) + " | Target |",
            "|---|" + "---|" * (len(names) + 1),
        ]

    def row(self, label: str, cell: Cell, target: str = "") -> None:
        cells = []
        for database in DATABASES:
            if database not in self.dbs:
                continue
            figures = self.dbs[database]
            missing = _not_measured(figures)
            if missing is not None:
                cells.append(missing)
                continue
            try:
                cells.append(cell(figures))
            except (KeyError, TypeError, ZeroDivisionError):
                cells.append("—")
        self.lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")


def _header(result: dict[str, Any]) -> list[str]:
    history = result["datasets"]["history"]
    city = result["datasets"]["city"]
    years = "/".join(str(d["years"]) for d in history)
    return [
        f"### guoying benchmarks ({result['config']}), {result['started']}",
        "",
        _machine(result["machine"]),
        "",
        "Data (synthetic, `guoying.synthetic`, generator version "
        f"{result['generator_version']}): history sizes on a city of "
        f"{history[0]['branches']:,} branches at {years} years ("
        + ", ".join(f"{d['events_per_branch']:.1f}" for d in history)
        + " events per branch; "
        + ", ".join(f"{d['events']:,}" for d in history)
        + f" events); city sizes {city[0]['branches']:,} and {city[1]['branches']:,} branches "
        f"at {city[1]['years']} years ({city[1]['events']:,} events in the larger).",
        "",
    ]


def _writes(side: str, unit: str) -> Cell:
    return lambda f: _n(f["writes"][side][unit])


def _write_rows(table: _Table) -> None:
    table.row(
        "**Writes**, library (command, decision, atomic save): commands/s",
        _writes("library", "commands_per_s"),
    )
    table.row("Writes, library: events/s", _writes("library", "events_per_s"))
    table.row(
        "Writes, library, faster opt-in (SQLite `?synchronous=normal`: acknowledged writes can "
        "be lost on power loss): commands/s (÷ the default)",
        lambda f: (
            f"{_n(f['writes']['library_synchronous_normal']['commands_per_s'])} "
            f"(×{_paired(f['writes']['synchronous_normal_gain'])})"
            if "library_synchronous_normal" in f["writes"]
            else "no opt-in: every commit is durable"
        ),
    )
    table.row(
        "Writes, a plain eventsourcing `Application` (bench/peer.py: its own recorder, "
        "repository and cache; no chain, caps or refusal log), same commands: commands/s",
        _writes("peer", "commands_per_s"),
    )
    table.row("Writes, the plain application: events/s", _writes("peer", "events_per_s"))
    table.row(
        "Writes, eventsourcing recorder, same events, one `insert_events` per command: events/s",
        _writes("raw_recorder", "events_per_s"),
    )
    table.row(
        "Writes, database driver, same rows, one transaction per command: events/s",
        _writes("driver", "events_per_s"),
    )
    table.row(
        "Writes, library ÷ the plain application (commands/s)",
        lambda f: _paired(f["writes"]["ratio_to_peer"]),
        _target(table.result, "peer"),
    )
    table.row(
        "Writes, library ÷ eventsourcing recorder",
        lambda f: _paired(f["writes"]["ratio_to_recorder"]),
        _target(table.result, "writes"),
    )
    table.row("Writes, library ÷ driver", lambda f: _paired(f["writes"]["ratio_to_driver"]))


def _projection_rows(table: _Table) -> None:
    history = table.result["datasets"]["history"]
    table.row(
        f"**Catch-up** from empty, all projections, at {history[0]['years']} years: events/s",
        lambda f: _n(f["projections"]["catch_up"]["events_per_s"]),
    )
    table.row(
        f"**Rebuild**, all projections, at {history[0]['years']} years, one process per "
        "core: events/s",
        lambda f: _n(f["projections"]["rebuild"]["events_per_s"]),
    )
    table.row(
        "Rebuild in one process: events/s",
        lambda f: _n(f["projections"]["rebuild_serial"]["events_per_s"]),
    )
    table.row(
        "Reading and decoding the same events, no projection: events/s",
        lambda f: _n(f["projections"]["decode"]["events_per_s"]),
    )
    table.row(
        "Catch-up ÷ reading and decoding",
        lambda f: _paired(f["projections"]["ratio_catch_up_to_decode"]),
    )
    table.row(
        "Rebuild, one process per core ÷ reading and decoding",
        lambda f: _paired(f["projections"]["ratio_rebuild_to_decode"]),
        _target(table.result, "rebuild"),
    )
    table.row(
        f"Rebuild, one process per core ÷ reading and decoding, at {history[-1]['years']} years",
        lambda f: _paired(f["projections"]["ratio_rebuild_to_decode_largest_history"]),
    )
    table.row(
        "Rebuild in one process ÷ reading and decoding",
        lambda f: _paired(f["projections"]["ratio_rebuild_serial_to_decode"]),
    )
    table.row(
        f"Rebuild in one process ÷ reading and decoding, at {history[-1]['years']} years",
        lambda f: _paired(f["projections"]["ratio_rebuild_serial_to_decode_largest_history"]),
    )


def _query_rows(table: _Table) -> None:
    history = table.result["datasets"]["history"]
    city = table.result["datasets"]["city"]
    years = "/".join(str(d["years"]) for d in history)
    queries: dict[str, Any] = {}
    for figures in table.dbs.values():
        queries = queries or figures.get("queries", {})
    for key, axis in queries.items():
        label = axis["label"]
        if "not_measured" in axis:
            table.row(f"**Query**: {label}", _query_cell(key, None))
            continue
        table.row(
            f"**Query**: {label}, median ms at {years} years (largest ÷ smallest)",
            _query_cell(key, "history"),
            _target(table.result, "queries", key) if axis.get("target", True) else "",
        )
        table.row(
            f"Query: {label}, median ms at {city[0]['branches']:,} / {city[1]['branches']:,} "
            "branches (ratio)",
            _query_cell(key, "city"),
            _target(table.result, "city", key),
        )


def _other_rows(table: _Table) -> None:
    history = table.result["datasets"]["history"]
    table.row(
        f"**Verification**: `verify`, at {history[0]['years']} years: events/s",
        lambda f: (
            _not_measured(f["verification"]["verify"])
            or _n(f["verification"]["verify"]["events_per_s"])
        ),
    )
    table.row(
        "Hashing the same bytes alone (every stored column, chained SHA-256): events/s",
        lambda f: _n(f["verification"]["hash_alone"]["events_per_s"]),
    )
    table.row(
        "The chain's own digest and link over the same rows in memory: events/s",
        lambda f: _n(f["verification"]["hash_alone"]["chain_digest_events_per_s"]),
    )
    table.row(
        "`verify` ÷ hashing alone",
        lambda f: _not_measured(f["verification"]["verify"]) or _paired(f["verification"]["ratio"]),
        _target(table.result, "verify"),
    )
    table.row(
        f"**Memory**: rebuild peak RSS, MiB at {history[0]['years']} / "
        f"{history[-1]['years']} years (ratio; growth over the RSS before it), the first "
        "rebuild in one process in its process",
        lambda f: (
            " / ".join(_n(v) for v in f["memory"]["peak_rss_mib"])
            + f" (×{_paired(f['memory']['ratio'])}; +"
            + " / +".join(_n(v) for v in f["memory"]["growth_mib"])
            + ")"
        ),
        _target(table.result, "memory"),
    )


def render(result: dict[str, Any]) -> str:
    table = _Table(result)
    _write_rows(table)
    _projection_rows(table)
    _query_rows(table)
    _other_rows(table)
    lines = _header(result) + table.lines
    lines += _concurrency(result["databases"].get("postgresql"))
    lines += cli_start.render(result["cli_start"]) if "cli_start" in result else []
    lines += ["", _targets(result)]
    seconds = result.get("seconds", {})
    if seconds:
        lines += [
            "",
            (
                f"Wall time {seconds['total'] / 60:.1f} min, of which generating data sets "
                f"{seconds['generation'] / 60:.1f} min (0 when cached)."
            ),
        ]
    return "\n".join(lines) + "\n"


def _query_cell(key: str, axis: str | None) -> Cell:
    def cell(figures: dict[str, Any]) -> str:
        query = figures["queries"][key]
        if axis is None:
            return f"not measured: {query['not_measured']}"
        latencies = " / ".join(_n(v) for v in query[f"{axis}_ms"].values())
        return f"{latencies} (×{_paired(query[f'{axis}_ratio'])})"

    return cell


def _machine(machine: dict[str, Any]) -> str:
    packages = ", ".join(f"{k} {v}" for k, v in machine["packages"].items() if v)
    busy = ""
    during = machine.get("load_average_while_measuring")
    if during and machine["cores"]:
        busy = (
            f" Load average (1 min) while measuring: mean {during['mean']:.1f}, "
            f"max {during['max']:.1f}"
        ) + (
            f" (this run alone keeps it near 1-1.5): other work shared the {machine['cores']} "
            "cores, so the figures are pessimistic."
            if during["mean"] > machine["cores"]
            else " (this run alone keeps it near 1-1.5)."
        )
    return (
        f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB; "
        f"{machine['os']}; Python {machine['python']}, SQLite {machine['sqlite']}, "
        f"PostgreSQL {machine['postgresql'] or '—'}; {packages}; commit {machine['commit']}." + busy
    )


def _concurrency(figures: dict[str, Any] | None) -> list[str]:
    if figures is None:
        return []
    missing = _not_measured(figures)
    if missing is not None:
        return ["", f"Concurrent writers on PostgreSQL: {missing}"]
    found = figures["concurrency"]
    lines = [
        "",
        "Concurrent writers on PostgreSQL, one process each, commands one at a time:",
        "",
        (
            "| Writers | On | Commands | Commands/s | Commits | CPU ms per command: writers "
            "/ machine | Cores busy | Conflicts retried | Refused by the cap | Refused otherwise "
            "| Gave up after retries | Every cap held |"
        ),
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for scenario, label in (
        ("different_committees", "different committees"),
        ("same_committee_near_cap", "one committee, one short of its cap"),
    ):
        for run in found[scenario]:
            if "not_measured" in run:
                lines.append(
                    f"| {run['writers']} | {label} | not measured: {run['not_measured']} |"
                )
                continue
            lines.append(
                f"| {run['writers']} | {label} | {run['commands']} | {_n(run['commands_per_s'])} "
                f"| {run.get('commits', '-')} | {_cpu(run)} | {_busy(run)} "
                f"| {run['conflicts_retried']} "
                f"| {run['refused_by_cap']} "
                f"({run['promoted']} promoted) | {run['refused_otherwise']} | {run['gave_up']} "
                f"| {'yes' if run['caps']['held'] else 'NO'} |"
            )
    scaling = found.get("scaling")
    if scaling is not None:
        missing = _not_measured(scaling)
        writers = scaling.get("writers", 8)
        lines += ["", f"{writers} writers on different committees against one, commands/s:"]
        if missing is not None:
            lines.append(missing)
        else:
            shared = "×" + _paired(scaling["shared_over_one"])
            alone = "×" + _paired(scaling["alone_over_one"])
            default = "sharing" if scaling["commits"] == "shared" else "alone"
            lines += [
                "",
                f"- {writers} writers sharing commits (`?group_commit=on`) ÷ one writer: {shared}",
                f"- {writers} writers each committing alone ÷ one writer: {alone}",
                f"- sharing ÷ alone: ×{_paired(scaling['shared_over_alone'])}",
                "",
                (
                    f"Each the median of {scaling['pairs']} interleaved rounds (one writer, "
                    f"{writers} sharing, {writers} alone), each run on committees of its own "
                    f"(load {scaling['load']} as the last round ended); the store's default "
                    f"is {default}."
                ),
            ]
    return lines


def _cpu(run: dict[str, Any]) -> str:
    if "machine_cpu_ms_per_command" not in run:
        return "-"
    return f"{_n(run['writer_cpu_ms_per_command'])} / {_n(run['machine_cpu_ms_per_command'])}"


def _busy(run: dict[str, Any]) -> str:
    if "machine_busy_cores" not in run:
        return "-"
    return f"{run['machine_busy_cores']:.2f} of {run['cores']}"


def _targets(result: dict[str, Any]) -> str:
    rows = result.get("targets", [])
    if not rows:
        return "Targets: not evaluated (no database measured)."
    parts = []
    for key, what, bound, kind in TARGETS:
        mine = [t for t in rows if t["target"] == key]
        if not mine:
            continue
        sign = "≥" if kind == "min" else "≤"
        others = [t for t in mine if t["verdict"] != "met"]
        if not others:
            parts.append(f"{what} {sign} {bound:g}: met")
            continue
        found = ", ".join(
            f"{NAMES[t['database']]} {t['figure']} {VERDICTS[t['verdict']]} "
            f"{_ratio(t['value'])} ± {_ratio(t['spread'])}"
            for t in others
        )
        parts.append(f"{what} {sign} {bound:g}: {found}")
    pairs = min(t["pairs"] for t in rows)
    return (
        f"Targets (each ratio the median of {pairs} or more interleaved pairs ± half their "
        "interquartile range; unsteady: that spread is wider than the margin to the bound): "
        + "; ".join(parts)
        + "."
    )
