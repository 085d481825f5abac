"""Concurrent writers on PostgreSQL: throughput, conflicts retried, and whether caps held.

Each writer is a process of its own with its own `Guoying`, executing commands one at a
time; all start together at a barrier once they have opened the store and read the tree
and the ledgers they will decide on. Conflicts are counted where the handler meets them
(a save that loses the race on an aggregate's version, then decided again); refusals and
give-ups are counted per command, and the slowest command's time from its first decision
to its outcome. Afterwards the ledgers are read back, without any cache,
and every committee a writer touched must be within floor(share x n) advanced.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.writes import BasePool
from guoying import Guoying
from guoying.adapters.schema import events
from guoying.application import commands as c
from guoying.application.errors import Conflict, Refused
from guoying.application.ports import ConcurrencyConflict
from guoying.domain.advanced_cap import cap_key
from guoying.domain.organization import TREE_KEY
from guoying.domain.values import Actor, Tier
from guoying.synthetic import CityPlan, year_commands


def _writer(
    url: str,
    commands: Sequence[c.Command],
    chain: Sequence[str],
    barrier: Any,
    results: Any,
) -> None:
    conflicts = held = 0
    with Guoying(url) as app:
        save = app.store.save

        def counting_save(*args: Any, **kwargs: Any) -> list[int]:
            nonlocal conflicts
            try:
                return save(*args, **kwargs)
            except ConcurrencyConflict:
                conflicts += 1
                raise

        app.store.save = counting_save  # type: ignore[method-assign]
        holding_head = app.store.holding_head

        @contextmanager
        def counting_holds() -> Iterator[None]:
            nonlocal held
            held += 1
            with holding_head():
                yield

        app.store.holding_head = counting_holds  # type: ignore[method-assign]
        app.store.get(TREE_KEY)
        for committee_id in chain:
            app.store.get(cap_key(committee_id))
        barrier.wait()
        began = time.monotonic()
        cpu_began = time.process_time()
        done = capped = refused = gave_up = promoted = 0
        slowest = 0.0
        for command in commands:
            started = time.monotonic()
            try:
                app.execute(command)
                done += 1
                promoted += isinstance(command, c.AdjustTier) and command.tier is Tier.ADVANCED
            except Refused as refusal:
                if refusal.rule_id == "ledger.advanced_cap":
                    capped += 1
                else:
                    refused += 1
            except Conflict:
                gave_up += 1
            slowest = max(slowest, time.monotonic() - started)
        ended = time.monotonic()
        cpu = time.process_time() - cpu_began
    results.put(
        {
            "began": began,
            "ended": ended,
            "commands": len(commands),
            "applied": done,
            "refused_by_cap": capped,
            "refused_otherwise": refused,
            "gave_up": gave_up,
            "conflicts_retried": conflicts,
            "promoted": promoted,
            "slowest_s": slowest,
            "decided_holding_head": held,
            "cpu_s": cpu,
        }
    )


def _machine_busy_s() -> float:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat: every state but
    idle and waiting for I/O)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def run_writers(
    url: str, jobs: Sequence[tuple[Sequence[c.Command], Sequence[str]]]
) -> dict[str, Any]:
    with Guoying(url) as app:
        before = app.store.last_position()
    context = get_context("spawn")
    # The parent passes the barrier too, to read the machine's CPU time from the start.
    barrier = context.Barrier(len(jobs) + 1)
    results = context.Queue()
    processes = [
        context.Process(target=_writer, args=(url, list(cmds), list(chain), barrier, results))
        for cmds, chain in jobs
    ]
    for process in processes:
        process.start()
    barrier.wait()
    busy_began, clock_began = _machine_busy_s(), time.monotonic()
    found = [results.get(timeout=900) for _ in processes]
    busy = _machine_busy_s() - busy_began
    wall = time.monotonic() - clock_began
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a writer process failed with exit code {process.exitcode}")
    seconds = max(r["ended"] for r in found) - min(r["began"] for r in found)
    commands = sum(r["commands"] for r in found)
    with Guoying(url) as app, app.store.engine.connect() as conn:
        # One recorded time per transaction: the commits that the commands' events took.
        commits = conn.execute(
            sa.select(sa.func.count(sa.distinct(events.c.recorded_at))).where(events.c.id > before)
        ).scalar_one()
    return {
        "writers": len(jobs),
        "commands": commands,
        "applied": sum(r["applied"] for r in found),
        "refused_by_cap": sum(r["refused_by_cap"] for r in found),
        "refused_otherwise": sum(r["refused_otherwise"] for r in found),
        "gave_up": sum(r["gave_up"] for r in found),
        "conflicts_retried": sum(r["conflicts_retried"] for r in found),
        # Commands that lost their races and were decided holding the store's head.
        "decided_holding_head": sum(r["decided_holding_head"] for r in found),
        "promoted": sum(r["promoted"] for r in found),
        # Transactions that wrote the applied commands' events (group commit shares them).
        "commits": int(commits),
        # CPU: the writer processes' own per command, and the whole machine's (writers, the
        # database server and anything else running) per command and in cores kept busy.
        "writer_cpu_ms_per_command": 1000 * sum(r["cpu_s"] for r in found) / commands,
        "machine_cpu_ms_per_command": 1000 * busy / commands,
        "machine_busy_cores": busy / wall if wall else 0.0,
        "cores": os.cpu_count() or 1,
        # The longest any one command took, from its first decision to its outcome.
        "slowest_command_ms": 1000 * max(r["slowest_s"] for r in found),
        "seconds": seconds,
        "commands_per_s": commands / seconds if seconds else 0.0,
    }


def caps_held(url: str, committee_ids: Sequence[str], year: int) -> dict[str, Any]:
    """Every committee's advanced count for the year within its limit, read from the
    ledgers themselves (a fresh store, no cache)."""
    rows: list[dict[str, Any]] = []
    with Guoying(url) as app:
        policy = app.policy_for_year(year)
        for committee_id in dict.fromkeys(committee_ids):
            ledger = app.store.get(cap_key(committee_id))
            assert ledger is not None
            advanced, active = ledger.counts().at(year)
            rows.append(
                {
                    "committee_id": committee_id,
                    "advanced": advanced,
                    "active": active,
                    "limit": policy.advanced_limit(active),
                }
            )
    return {"held": all(r["advanced"] <= r["limit"] for r in rows), "committees": rows}


def different_committees(
    url: str, plan: CityPlan, pool: BasePool, year_index: int, writers: int, per_writer: int
) -> dict[str, Any]:
    """Each writer enters the year's work of a base committee under a different
    city-managed committee, so no two writers share a ledger."""
    bases = pool.take(writers, distinct_tops=True)
    jobs = [(year_commands(plan, year_index, b)[:per_writer], plan.capped_chain(b)) for b in bases]
    result = run_writers(url, jobs)
    chains = [cid for b in bases for cid in plan.capped_chain(b)]
    result["caps"] = caps_held(url, chains, plan.year(year_index))
    result["committees"] = bases
    return result


def same_committee(
    url: str, plan: CityPlan, pool: BasePool, year_index: int, writers: int, per_writer: int
) -> dict[str, Any] | None:
    """Every writer re-evaluates branches of one base committee that is one short of its
    cap, and each tries to promote one branch: one promotion fits, the others must be
    refused however the writers interleave."""
    base_id = pool.take_largest(minimum_branches=max(10, writers * 3 + 2))
    if base_id is None:
        return None
    year = plan.year(year_index)
    own = plan.branches[base_id]
    carried = plan.tiers(base_id, year_index)[year_index]
    limit = plan.advanced_limit(len(own))
    actor = year_commands(plan, year_index, base_id)[-1].actor
    tiers = list(carried)
    setup: list[c.Command] = []
    advanced = [i for i, t in enumerate(tiers) if t is Tier.ADVANCED]
    for index in advanced[max(limit - 1, 0) :]:
        tiers[index] = Tier.MIDDLE
    while sum(t is Tier.ADVANCED for t in tiers) < limit - 1:
        tiers[tiers.index(Tier.MIDDLE)] = Tier.ADVANCED
    for branch, old, new in zip(own, carried, tiers, strict=True):
        if old is not new:
            setup.append(_adjust(actor, branch.branch_id, year, new, "调整至接近上限"))
    with Guoying(url) as app:
        if setup:
            app.execute_unit(setup)
    free = [b.branch_id for b, t in zip(own, tiers, strict=True) if t is not Tier.ADVANCED]
    per = min(per_writer, len(free) // writers)
    jobs = []
    for w in range(writers):
        mine = free[w * per : (w + 1) * per]
        commands = [_adjust(actor, b, year, Tier.MIDDLE, "年度考评结果") for b in mine[1:]]
        commands.insert(len(commands) // 2, _adjust(actor, mine[0], year, Tier.ADVANCED, "争先"))
        jobs.append((commands, plan.capped_chain(base_id)))
    result = run_writers(url, jobs)
    result["caps"] = caps_held(url, plan.capped_chain(base_id), year)
    result["committees"] = [base_id]
    result["limit"] = limit
    return result


def _adjust(actor: Actor, branch_id: str, year: int, tier: Tier, reason: str) -> c.AdjustTier:
    return c.AdjustTier(
        actor=actor,
        reason=reason,
        effective_on=date(year + 1, 1, 20),
        branch_id=branch_id,
        year=year,
        tier=tier,
    )
