"""Reading figures: catch-up, rebuild, queries, verification and memory.

A figure that cannot be measured yet is a `NotMeasured` with its reason, never a number.
Adding one is one function: an entry in `QUERIES` (or `VERIFY`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from attrs import evolve, frozen

from guoying import Guoying
from guoying.adapters import chain, schema
from guoying.adapters.serialization import decode_event
from guoying.domain.values import Tier
from guoying.projections import runner
from guoying.synthetic import CityPlan

ROOT = Path(__file__).resolve().parent.parent


@frozen
class NotMeasured:
    reason: str

    def as_json(self) -> dict[str, str]:
        return {"not_measured": self.reason}


@frozen
class Target:
    """What a query asks about: a base committee, its county-level committee, one of its
    branches, the last year evaluated, and a recorded time for the as-known-at forms (the
    store's last: the bitemporal reading over every row)."""

    base_id: str
    top_id: str
    branch_id: str
    year: int
    known_at: datetime = datetime(2000, 1, 1, tzinfo=UTC)


def query_target(plan: CityPlan, years: int) -> Target:
    base_id = next(b for b in plan.base_ids() if "-town" in b)
    return Target(
        base_id,
        plan.capped_chain(base_id)[-1],
        plan.branches[base_id][0].branch_id,
        plan.year(years - 1),
    )


def last_recorded(app: Guoying) -> datetime:
    with app.store.engine.connect() as conn:
        found = conn.execute(sa.select(sa.func.max(schema.events.c.recorded_at))).scalar()
    return datetime.fromtimestamp(int(found or 0) / 1_000_000, tz=UTC)


Query = Callable[[Guoying, Target], object]


@frozen
class QuerySpec:
    key: str
    label: str
    run: Query | NotMeasured
    target: bool = True  # counts towards "latency at the largest history within 1.5x"


QUERIES: tuple[QuerySpec, ...] = (
    QuerySpec("ledger", "ledger of one base committee", lambda a, t: a.ledger(t.base_id, t.year)),
    QuerySpec(
        "ledger_rollup",
        "ledger rolled up for a county-level committee",
        lambda a, t: a.ledger(t.top_id, t.year),
    ),
    QuerySpec("history", "history of one branch", lambda a, t: a.history(t.branch_id)),
    QuerySpec(
        "ledger_known_at",
        "ledger of one base committee as known at a recorded time",
        lambda a, t: a.ledger(t.base_id, t.year, as_known_at=t.known_at),
    ),
    QuerySpec(
        "history_known_at",
        "history of one branch as known at a recorded time",
        lambda a, t: a.history(t.branch_id, as_known_at=t.known_at),
    ),
    QuerySpec(
        "branches",
        "weak branches of a county-level committee",
        lambda a, t: a.branches(committee_id=t.top_id, tier=Tier.WEAK, year=t.year),
    ),
    QuerySpec(
        "title_register",
        "title register at the end of the last year (every title named so far)",
        lambda a, t: a.titles(t.year),
    ),
    QuerySpec(
        "selection_board",
        "selection board of the last year for a county-level committee",
        lambda a, t: a.selection_board(t.year, t.top_id),
    ),
    QuerySpec(
        "catch_up_check",
        "catching up a store already caught up (every query above does it first)",
        lambda a, _: a.catch_up(),
        target=False,
    ),
)


def _timing(times: list[float]) -> dict[str, Any]:
    # Each round's time, in round order, so that stores can be compared round by round.
    return {
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "max_ms": max(times),
        "runs": len(times),
        "times_ms": times,
    }


def measure_queries(
    stores: dict[str, tuple[str, Target]], repeats: int, seconds: float
) -> dict[str, dict[str, Any]]:
    """Every query on every store, interleaved: one call on each store in turn, round after
    round, so that whatever else the machine does meanwhile falls on all of them alike.
    Each query gets a warm-up call per store, then at least `repeats` rounds and at least
    `seconds` of them (at most 200). Milliseconds by store, then by query."""
    found: dict[str, dict[str, Any]] = {name: {} for name in stores}
    with contextlib.ExitStack() as stack:
        opened: dict[str, tuple[Guoying, Target]] = {}
        for name, (url, target) in stores.items():
            app = stack.enter_context(Guoying(url))
            app.catch_up()
            opened[name] = (app, evolve(target, known_at=last_recorded(app)))
        for spec in QUERIES:
            if isinstance(spec.run, NotMeasured):
                for name in stores:
                    found[name][spec.key] = spec.run.as_json()
                continue
            times: dict[str, list[float]] = {name: [] for name in stores}
            for app, target in opened.values():
                spec.run(app, target)
            spent, rounds = 0.0, 0
            while rounds < repeats or (spent < seconds and rounds < 200):
                for name, (app, target) in opened.items():
                    began = time.perf_counter()
                    spec.run(app, target)
                    took = time.perf_counter() - began
                    spent += took
                    times[name].append(took * 1000)
                rounds += 1
            for name in stores:
                found[name][spec.key] = _timing(times[name])
    return found


def decode_all(app: Guoying) -> tuple[int, float]:
    """Reading every event in the store's order and decoding it, with no projection: the
    recorder's select in the runner's batch size, then the converter. Events and seconds."""
    recorder = app.store.recorder
    began = time.perf_counter()
    count, position = 0, None
    while records := recorder.select_records(position, runner.BATCH):
        for r in records:
            decode_event(r.topic, r.state, r.originator_id, r.originator_version)
        count += len(records)
        position = records[-1].position
    return count, time.perf_counter() - began


def _row_bytes(row: dict[str, Any]) -> bytes:
    return b"|".join(
        (
            str(row["id"]).encode(),
            str(row["originator_id"]).encode(),
            str(row["originator_version"]).encode(),
            str(row["topic"]).encode(),
            bytes(row["state"]),
            str(row["recorded_at"]).encode(),
        )
    )


def _verify(app: Guoying) -> int:
    """`verify` over the whole store; the number of chain entries checked."""
    from guoying.adapters.verification import verify

    verdict = verify(app.store)
    if not verdict.ok:
        raise RuntimeError(f"verify failed on a benchmark store: {verdict.problem}")
    return verdict.count


VERIFY: Callable[[Guoying], int] | NotMeasured = _verify


def verification(url: str, pairs: int) -> dict[str, Any] | NotMeasured:
    """`verify` over the whole store against hashing the bytes it checks alone (every
    stored column of every event, read into memory first, then chained SHA-256: each digest
    covers the previous one), in interleaved pairs; and the chain's own digest and link over
    the same rows in memory. Events per second, each pair's and their medians."""
    if isinstance(VERIFY, NotMeasured):
        return VERIFY
    with Guoying(url) as app:
        with app.store.engine.connect() as conn:
            mappings = [dict(r._mapping) for r in conn.execute(sa.select(schema.events))]
        rows = [_row_bytes(r) for r in mappings]
        verified, hashed, chained = [], [], []
        for _ in range(pairs):
            began = time.perf_counter()
            count = VERIFY(app)
            verified.append(count / (time.perf_counter() - began))
            began = time.perf_counter()
            digest = b""
            for row in rows:
                digest = hashlib.sha256(digest + row).digest()
            hashed.append(len(rows) / (time.perf_counter() - began))
            began = time.perf_counter()
            current = bytes.fromhex(schema.GENESIS)
            for mapping in mappings:
                columns = (mapping[c] for c in chain.EVENT_COLUMNS)
                current = chain.event_v2(current, mapping["id"], *columns)
            chained.append(len(rows) / (time.perf_counter() - began))
    return {
        "verify": {"events_per_s": statistics.median(verified), "events": count},
        "hash_alone": {
            "events_per_s": statistics.median(hashed),
            "events": len(rows),
            "chain_digest_events_per_s": statistics.median(chained),
        },
        "pairs": list(zip(verified, hashed, strict=True)),
    }


def rebuild_in_child(url: str, rounds: int, *, catch_up: bool = False) -> dict[str, Any]:
    """Full rebuilds in a process of their own, each followed by reading and decoding the
    same events alone and, with `catch_up`, by every view dropped and caught up from the
    first event (`bench.child`): their times and each rebuild's peak resident memory, so
    that nothing else this run holds in memory counts towards it."""
    paths = [os.environ.get("PYTHONPATH", ""), str(ROOT)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "bench.child",
            "rebuild",
            url,
            str(rounds),
            *(["catch-up"] if catch_up else []),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=env,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the rebuild child failed:\n{done.stderr}")
    found: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return found
