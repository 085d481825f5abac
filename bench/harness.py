"""One benchmark run: data sets, then every figure for each database, then the targets."""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import platform
import sqlite3
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench import cli_start, concurrency, measures, steady, writes
from bench.config import BenchConfig
from bench.datasets import (
    Family,
    backup,
    cache_path,
    copy_to_postgres,
    count_events,
    ensure_all,
    freshen,
    log,
    pg_conninfo,
    pg_schema,
    pg_schema_url,
    postgres_answers,
    sqlite_url,
)
from bench.measures import NotMeasured
from guoying.adapters.store import group_commit_wanted
from guoying.synthetic import GENERATOR_VERSION, CityPlan, CitySpec, plan_city

ROOT = Path(__file__).resolve().parent.parent
DATABASES = ("sqlite", "postgresql")

# The targets: (key, what, bound, "min" means the figure must be at least the bound)
TARGETS = (
    ("peer", "library write path ÷ a plain eventsourcing application", 1.0, "min"),
    ("writes", "library write path ÷ eventsourcing recorder", 0.5, "min"),
    ("rebuild", "rebuild on one process per core ÷ reading and decoding alone", 0.5, "min"),
    ("queries", "query latency at the largest history ÷ the smallest", 1.5, "max"),
    ("memory", "rebuild peak memory at the larger history ÷ the smaller", 1.2, "max"),
    ("scaling", "8 writers on different committees ÷ one writer, commands/s", 2.0, "min"),
    ("verify", "`verify` ÷ chained SHA-256 over the same bytes", 0.5, "min"),
    ("city", "county rollup and weak-branch search at the larger city ÷ the smaller", 1.3, "max"),
)
# The queries whose growth with the city's size is a target ("city" above).
CITY_TARGETS = ("ledger_rollup", "branches")
SCALING_WRITERS = 8


class Workspace:
    """Fresh copies of cached stores for one database, removed afterwards."""

    def __init__(self, database: str, admin_url: str | None, stack: contextlib.ExitStack):
        self.database = database
        self.admin_url = admin_url
        self.stack = stack
        self.folder = Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="guoying-bench-"))
        )

    def copy(self, source: Path) -> str:
        if self.database == "sqlite":
            target = self.folder / source.name
            backup(source, target)
            return sqlite_url(target)
        assert self.admin_url is not None
        schema = self.stack.enter_context(pg_schema(self.admin_url))
        copy_to_postgres(source, self.admin_url, schema)
        return pg_schema_url(self.admin_url, schema)


def _families(config: BenchConfig) -> list[Family]:
    return [Family(config.county, config.history_years), Family(config.city, (config.city_years,))]


def _dataset(spec: CitySpec, years: int, cache: Path) -> dict[str, Any]:
    events = count_events(cache_path(cache, spec, years))
    return {
        "key": spec.key,
        "seed": spec.seed,
        "branches": spec.branches,
        "years": years,
        "events": events,
        "events_per_branch": events / spec.branches,
    }


def measure_database(
    database: str, config: BenchConfig, cache: Path, admin_url: str | None
) -> dict[str, Any]:
    county = plan_city(config.county)
    city = plan_city(config.city)
    first, last = config.history_years[0], config.history_years[-1]
    found: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        space = Workspace(database, admin_url, stack)
        log(f"{database}: copying the data sets")
        county_urls = {
            y: space.copy(cache_path(cache, config.county, y)) for y in config.history_years
        }
        city_url = space.copy(cache_path(cache, config.city, config.city_years))

        log(f"{database}: queries at {len(config.history_years)} history sizes and 2 city sizes")
        stores = {str(y): (url, measures.query_target(county, y)) for y, url in county_urls.items()}
        stores["city"] = (city_url, measures.query_target(city, config.city_years))
        timed = measures.measure_queries(stores, config.query_repeats, config.query_seconds)
        by_history = {y: timed[str(y)] for y in config.history_years}
        large = timed["city"]
        found["queries"] = _query_axes(config, by_history, large)

        log(
            f"{database}: {config.pairs} rebuilds and catch-ups from empty, each paired with "
            f"reading and decoding, in child processes at {first} and {last} years"
        )
        rebuilds = {
            first: measures.rebuild_in_child(county_urls[first], config.pairs, catch_up=True),
            last: measures.rebuild_in_child(county_urls[last], config.pairs),
        }
        found["projections"] = _projections(first, last, rebuilds)
        found["memory"] = _memory(first, last, rebuilds)
        found["verification"] = _verification(
            measures.verification(county_urls[first], config.pairs)
        )

        log(f"{database}: writes, one command at a time, on the {config.city.branches:,} branches")
        pool = writes.BasePool(city)
        work = writes.plan_writes(
            city, pool, config.city_years, config.write_samples, config.bases_per_sample
        )
        found["writes"] = writes.measure_writes(
            city_url, city, work, database=database, folder=space.folder, admin_url=admin_url
        )
        if database == "postgresql":
            log(f"{database}: concurrent writers {list(config.writers)}")
            found["concurrency"] = _concurrency(config, city_url, city, pool)
        else:
            found["concurrency"] = NotMeasured(
                "concurrent writers are measured on PostgreSQL only (SQLite has one writer)"
            ).as_json()
    return found


def _rates(child: dict[str, Any], key: str) -> list[float]:
    return [child["events"] / s if s else 0.0 for s in child[f"{key}_seconds"]]


def _rate(child: dict[str, Any], key: str) -> dict[str, Any]:
    rates = _rates(child, key)
    return {
        "events": child["events"],
        "events_per_s": statistics.median(rates),
        "seconds": child[f"{key}_seconds"],
    }


def _projections(first: int, last: int, rebuilds: dict[int, dict[str, Any]]) -> dict[str, Any]:
    def ratio(years: int, key: str = "rebuild") -> dict[str, Any]:
        child = rebuilds[years]
        return steady.paired(list(zip(_rates(child, key), _rates(child, "decode"), strict=True)))

    return {
        "history_years": first,
        "events": rebuilds[first]["events"],
        "catch_up": _rate(rebuilds[first], "catch_up"),
        # On one process per core (`rebuild_workers`): what the target is judged on.
        "rebuild": _rate(rebuilds[first], "rebuild"),
        "rebuild_largest_history": _rate(rebuilds[last], "rebuild"),
        "rebuild_workers": rebuilds[first]["rebuild_workers"],
        # In one process, as before the parallel rebuild.
        "rebuild_serial": _rate(rebuilds[first], "rebuild_serial"),
        "rebuild_serial_largest_history": _rate(rebuilds[last], "rebuild_serial"),
        "decode": _rate(rebuilds[first], "decode"),
        "decode_largest_history": _rate(rebuilds[last], "decode"),
        "ratio_catch_up_to_decode": ratio(first, "catch_up"),
        "ratio_rebuild_to_decode": ratio(first),
        "ratio_rebuild_to_decode_largest_history": ratio(last),
        "ratio_rebuild_serial_to_decode": ratio(first, "rebuild_serial"),
        "ratio_rebuild_serial_to_decode_largest_history": ratio(last, "rebuild_serial"),
    }


def _memory(first: int, last: int, rebuilds: dict[int, dict[str, Any]]) -> dict[str, Any]:
    # The first rebuild's figures are a fresh process's; later rounds start from what the
    # process already holds (Python keeps freed memory), so their growth is near nothing.
    def mib(years: int, key: str) -> float:
        return float(rebuilds[years][key][0]) / 1024

    # Round i of the larger history against round i of the smaller: memory does not move
    # with the machine's load, so the pairs need not run at the same time.
    pairs = list(zip(rebuilds[last]["peak_rss_kib"], rebuilds[first]["peak_rss_kib"], strict=True))
    return {
        "history_years": [first, last],
        "peak_rss_mib": [mib(y, "peak_rss_kib") for y in (first, last)],
        "rss_before_mib": [mib(y, "rss_before_kib") for y in (first, last)],
        "growth_mib": [mib(y, "peak_rss_kib") - mib(y, "rss_before_kib") for y in (first, last)],
        "peak_rss_mib_each_round": {
            str(y): [kib / 1024 for kib in rebuilds[y]["peak_rss_kib"]] for y in (first, last)
        },
        "peak_reset_each_round": all(rebuilds[y].get("peak_reset", False) for y in (first, last)),
        "ratio": steady.paired([(float(a), float(b)) for a, b in pairs]),
    }


def _verification(found: dict[str, Any] | NotMeasured) -> dict[str, Any]:
    if isinstance(found, NotMeasured):
        return {"verify": found.as_json()}
    return {
        "verify": found["verify"],
        "hash_alone": found["hash_alone"],
        "ratio": steady.paired(found["pairs"]),
    }


def _query_axes(
    config: BenchConfig, by_history: dict[int, dict[str, Any]], large: dict[str, Any]
) -> dict[str, Any]:
    first, last = config.history_years[0], config.history_years[-1]
    axes: dict[str, Any] = {}
    for spec in measures.QUERIES:
        if isinstance(spec.run, NotMeasured):
            axes[spec.key] = {"label": spec.label, **spec.run.as_json()}
            continue
        history = {str(y): by_history[y][spec.key]["median_ms"] for y in config.history_years}
        small, big = by_history[first][spec.key]["median_ms"], large[spec.key]["median_ms"]
        # Each round calls every store once: the round's calls are the pairs.
        rounds = {y: by_history[y][spec.key].pop("times_ms") for y in config.history_years}
        city_rounds = large[spec.key].pop("times_ms")
        axes[spec.key] = {
            "label": spec.label,
            "history_ms": history,
            "history_ratio": steady.paired(list(zip(rounds[last], rounds[first], strict=True))),
            "target": spec.target,
            "city_ms": {str(config.county.branches): small, str(config.city.branches): big},
            "city_ratio": steady.paired(list(zip(city_rounds, rounds[first], strict=True))),
            "detail": {
                "by_history": {str(y): by_history[y][spec.key] for y in config.history_years},
                "large_city": large[spec.key],
            },
        }
    return axes


def _concurrency(
    config: BenchConfig, url: str, plan: CityPlan, pool: writes.BasePool
) -> dict[str, Any]:
    # Each scenario takes committees of its own from the pool, so every writer's work is
    # new: the year after the store's history, for committees nobody has written it for.
    results: dict[str, Any] = {"different_committees": [], "same_committee_near_cap": []}
    for count in config.writers:
        if len(pool.tops()) < count:
            results["different_committees"].append(
                {
                    "writers": count,
                    **NotMeasured(
                        "too few county-level committees with a base committee left"
                    ).as_json(),
                }
            )
            continue
        results["different_committees"].append(
            concurrency.different_committees(
                url, plan, pool, config.city_years, count, config.commands_per_writer
            )
        )
    results["scaling"] = _scaling(config, url, plan, pool)
    for count in config.writers:
        found = concurrency.same_committee(
            url, plan, pool, config.city_years, count, config.commands_per_writer
        )
        results["same_committee_near_cap"].append(
            found
            if found is not None
            else {
                "writers": count,
                **NotMeasured("no base committee left that is big enough").as_json(),
            }
        )
    return results


def _scaling(
    config: BenchConfig, url: str, plan: CityPlan, pool: writes.BasePool
) -> dict[str, Any]:
    """Eight writers ÷ one, and eight writers sharing commits ÷ eight committing alone, in
    interleaved rounds (one writer, eight sharing, eight alone), each run on committees of
    its own."""
    joined = url + ("&" if "?" in url else "?")
    shared_url, alone_url = joined + "group_commit=on", joined + "group_commit=off"
    rounds: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = []
    for _ in range(config.pairs):
        if len(pool.tops()) < SCALING_WRITERS:
            break
        one, shared, alone = (
            concurrency.different_committees(
                run_url, plan, pool, config.city_years, count, config.commands_per_writer
            )
            for run_url, count in (
                (url, 1),
                (shared_url, SCALING_WRITERS),
                (alone_url, SCALING_WRITERS),
            )
        )
        rounds.append((one, shared, alone))
    if len(rounds) < steady.MIN_PAIRS:
        return NotMeasured(
            f"only {len(rounds)} rounds: too few county-level committees with base committees left"
        ).as_json()
    rate = [tuple(run["commands_per_s"] for run in r) for r in rounds]
    default = "shared" if group_commit_wanted(url) else "alone"
    return {
        **steady.paired(
            [(shared if default == "shared" else alone, one) for one, shared, alone in rate]
        ),
        "writers": SCALING_WRITERS,
        "commits": default,
        "shared_over_one": steady.paired([(shared, one) for one, shared, _ in rate]),
        "alone_over_one": steady.paired([(alone, one) for one, _, alone in rate]),
        "shared_over_alone": steady.paired([(shared, alone) for _, shared, alone in rate]),
        "runs": [run for r in rounds for run in r],
    }


class _LoadSampler(threading.Thread):
    """The 1-minute load average every few seconds while measuring: on a shared machine,
    other work running at the same time makes every figure pessimistic."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(5.0):
            self.samples.append(os.getloadavg()[0])

    def stop(self) -> dict[str, float]:
        self.done.set()
        self.join()
        samples = self.samples or [os.getloadavg()[0]]
        return {"mean": sum(samples) / len(samples), "max": max(samples)}


def machine(admin_url: str | None) -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gib = 0.0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = int(line.split()[1]) / 1024 / 1024
    postgres = None
    if admin_url is not None and postgres_answers(admin_url) is None:
        with psycopg.connect(pg_conninfo(admin_url)) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            postgres = str(row[0]) if row else None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_gib, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres,
        "packages": {
            name: _version(name) for name in ("guoying", "eventsourcing", "SQLAlchemy", "psycopg")
        },
        "commit": _commit(),
    }


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _commit() -> str | None:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}{' (with uncommitted changes)' if dirty else ''}"


def targets(databases: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target of the issue, per database: the figure (a paired ratio's median), its
    spread, the bound, and the verdict: met, missed, or unsteady (`bench.steady`)."""
    found: list[dict[str, Any]] = []
    for database, figures in databases.items():
        if "not_measured" in figures:
            continue
        for key, what, bound, kind in TARGETS:
            values: list[tuple[str, dict[str, Any]]] = []
            if key == "peer":
                values = [("writes", figures["writes"]["ratio_to_peer"])]
            elif key == "writes":
                values = [("writes", figures["writes"]["ratio_to_recorder"])]
            elif key == "rebuild":
                values = [("rebuild", figures["projections"]["ratio_rebuild_to_decode"])]
            elif key == "memory":
                values = [("rebuild", figures["memory"]["ratio"])]
            elif key == "scaling":
                scaling = figures.get("concurrency", {}).get("scaling", {})
                values = [("writers", scaling)] if "median" in scaling else []
            elif key == "verify":
                ratio = figures["verification"].get("ratio", {})
                values = [("verify", ratio)] if "median" in ratio else []
            elif key == "city":
                values = [
                    (name, figures["queries"][name]["city_ratio"])
                    for name in CITY_TARGETS
                    if "city_ratio" in figures["queries"].get(name, {})
                ]
            else:
                values = [
                    (name, axis["history_ratio"])
                    for name, axis in figures["queries"].items()
                    if "history_ratio" in axis and axis.get("target", True)
                ]
            for name, ratio in values:
                found.append(
                    {
                        "database": database,
                        "target": key,
                        "figure": name,
                        "what": what,
                        "value": ratio["median"],
                        "spread": ratio["spread"],
                        "pairs": ratio["pairs"],
                        "load": ratio.get("load"),
                        "bound": bound,
                        "kind": kind,
                        "verdict": steady.verdict(ratio["median"], ratio["spread"], bound, kind),
                    }
                )
    return found


def run(
    config: BenchConfig,
    *,
    databases: Sequence[str],
    cache: Path,
    admin_url: str | None,
    parallel: bool = True,
) -> dict[str, Any]:
    began = time.perf_counter()
    started = datetime.now(tz=UTC)
    ensure_all(_families(config), cache, parallel=parallel)
    freshen([cache_path(cache, f.spec, y) for f in _families(config) for y in f.years])
    generated = time.perf_counter() - began
    result: dict[str, Any] = {
        "generator_version": GENERATOR_VERSION,
        "config": config.name,
        "started": started.isoformat(timespec="seconds"),
        "machine": machine(admin_url),
        "datasets": {
            "history": [_dataset(config.county, y, cache) for y in config.history_years],
            "city": [
                _dataset(config.county, config.city_years, cache),
                _dataset(config.city, config.city_years, cache),
            ],
        },
        "databases": {},
    }
    result["machine"]["load_average_at_start"] = list(os.getloadavg())
    sampler = _LoadSampler()
    sampler.start()
    for database in databases:
        why = None
        if database == "postgresql":
            why = "no PostgreSQL URL given" if admin_url is None else postgres_answers(admin_url)
        if why is not None:
            result["databases"][database] = NotMeasured(f"PostgreSQL: {why}").as_json()
            continue
        result["databases"][database] = measure_database(database, config, cache, admin_url)
    result["cli_start"] = cli_start.measure()
    result["machine"]["load_average_at_end"] = list(os.getloadavg())
    result["machine"]["load_average_while_measuring"] = sampler.stop()
    result["targets"] = targets(result["databases"])
    result["seconds"] = {"generation": generated, "total": time.perf_counter() - began}
    return result
