"""Crash tests (issue 11): `guoying apply` (line by line and `--atomic`), `guoying rebuild`
and a read's catch-up are killed with SIGKILL at random points on SQLite and PostgreSQL,
then the store is opened again and checked: every command wholly in or wholly out, `verify`
passes, the views caught up by the next command equal a fresh replay, and the killed file
applied again completes what was cut off.

Bounded: two kills of `apply`, one of `apply --atomic`, one of a catch-up and one of
`rebuild` per store. The random points come from a seed printed with any failure
($GUOYING_CRASH_SEED replays one).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from guoying import Guoying
from guoying.adapters import schema
from guoying.adapters.verification import verify
from tests.e2e.city import MANZHUANG, city_lines, command
from tests.e2e.inprocess import invoke
from tests.e2e.runner import GUOYING, STORE_ENV, jsonl

SEED = int(os.environ.get("GUOYING_CRASH_SEED", str(time.time_ns() % 1_000_000)))
# Each registration of a branch under manzhuang writes exactly four events: the branch's,
# its name at manzhuang, and its placement on the counts of manzhuang and daiyue.
EVENTS_PER_LINE = 4


def registrations(prefix: str, count: int) -> list[dict[str, Any]]:
    return [
        command(
            "RegisterBranch",
            MANZHUANG,
            "分析研判",
            "2017-06-30",
            branch_id=f"{prefix}-{n:03d}",
            name=f"满庄镇{prefix}第{n}党支部",
            sector="RURAL",
            base_committee_id="manzhuang",
            unit_ids=["mz-jg"],
            year=2017,
            tier="MIDDLE",
        )
        for n in range(count)
    ]


class Crashing:
    def __init__(self, url: str, folder: Path, rng: random.Random) -> None:
        self.url, self.folder, self.rng = url, folder, rng

    def start(self, *args: str) -> subprocess.Popen[str]:
        environment = {k: v for k, v in os.environ.items() if k != STORE_ENV}
        return subprocess.Popen(
            [str(GUOYING), *args, "--store", self.url],
            cwd=self.folder,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """A command that is not killed runs in this process: only the killed ones need a
        process of their own, and each start costs seconds on a loaded machine."""
        done = invoke(*args, "--store", self.url)
        return subprocess.CompletedProcess(args, done.code, done.stdout, done.stderr)

    def kill_apply(self, lines: list[dict[str, Any]], *options: str) -> list[dict[str, Any]]:
        """Apply, and SIGKILL it after a random number of result lines and a random few
        milliseconds more; the result lines it printed first."""
        path = self.folder / f"lines-{self.rng.randrange(10**9)}.jsonl"
        path.write_text(jsonl(lines), encoding="utf-8")
        process = self.start("apply", str(path), *options)
        assert process.stdout is not None
        after = self.rng.randrange(len(lines)) if not options else 0
        printed = []
        for _ in range(after):
            line = process.stdout.readline()
            if not line:
                break
            printed.append(json.loads(line))
        if not options:
            time.sleep(self.rng.uniform(0, 0.05))
        else:
            # Nothing is printed before the unit commits: kill within its run.
            time.sleep(self.rng.uniform(1.0, 4.0))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        return printed

    def kill_after(self, seconds: float, *args: str) -> None:
        process = self.start(*args)
        time.sleep(seconds)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)


def events(url: str) -> dict[str, int]:
    """How many events each fuzzed branch's registration wrote, and the total."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(schema.events))
            rows = conn.execute(
                sa.select(schema.events.c.originator_id).where(
                    schema.events.c.originator_id.like("branch:k%")
                )
            ).scalars()
            return {"total": int(total.scalar_one()), "branches": len(list(rows))}
    finally:
        engine.dispose()


def check(url: str, baseline: int, *, caught_up: bool = True) -> None:
    """Every command wholly in or out; verify; the views after the next read equal a replay."""
    found = events(url)
    assert (found["total"] - baseline) == found["branches"] * EVENTS_PER_LINE, found
    with Guoying(url, create=False) as app:
        verdict = verify(app.store)
        assert verdict.ok, verdict
        if caught_up:
            app.catch_up()
            assert app.replay_check() == []
        ledger = app.ledger("manzhuang", 2017)
        registered = {r.branch_id for r in ledger.rows if r.branch_id.startswith("k")}
        assert len(registered) == found["branches"]


@pytest.fixture(params=["sqlite", "postgres"])
def crashing(request: pytest.FixtureRequest, tmp_path: Path) -> Crashing:
    url = (
        f"sqlite:///{tmp_path / 'crash.db'}"
        if request.param == "sqlite"
        else str(request.getfixturevalue("postgres_url"))
    )
    target = Crashing(url, tmp_path, random.Random(f"{SEED}:{request.param}"))
    (tmp_path / "city.jsonl").write_text(jsonl(city_lines()), encoding="utf-8")
    built = target.run("apply", str(tmp_path / "city.jsonl"))
    assert built.returncode == 0, built
    return target


def test_killed_commands_are_wholly_in_or_out_and_the_store_recovers(crashing: Crashing) -> None:
    url = crashing.url
    baseline = events(url)["total"]
    note = f"seed {SEED}"
    # apply, line by line, killed twice; each file applied again completes it.
    for round_ in range(2):
        lines = registrations(f"k{round_}", 12)
        printed = crashing.kill_apply(lines)
        assert all(p["status"] == "applied" for p in printed), (note, printed)
        check(url, baseline)
        again = crashing.run("apply", *_file(crashing, lines))
        statuses = [json.loads(line) for line in again.stdout.splitlines()]
        assert all(
            s["status"] == "applied" or s.get("error") == "already_exists" for s in statuses
        ), (note, statuses)
        check(url, baseline)
    # apply --atomic: all twelve or none.
    before = events(url)["branches"]
    crashing.kill_apply(registrations("ka", 12), "--atomic")
    added = events(url)["branches"] - before
    assert added in (0, 12), (note, added)
    check(url, baseline)
    # a catch-up cut short: a read killed while its views catch up on many new events.
    done = crashing.run("apply", *_file(crashing, registrations("kc", 60)))
    assert done.returncode == 0, done
    crashing.kill_after(
        crashing.rng.uniform(1.0, 4.0),
        "ledger",
        "--committee",
        "manzhuang",
        "--year",
        "2017",
    )
    check(url, baseline)
    # rebuild killed: readers keep the old views, and the next read is right.
    crashing.kill_after(crashing.rng.uniform(1.0, 4.0), "rebuild")
    check(url, baseline)
    assert crashing.run("replay", "--check").returncode == 0


def _file(crashing: Crashing, lines: list[dict[str, Any]]) -> list[str]:
    path = crashing.folder / f"again-{crashing.rng.randrange(10**9)}.jsonl"
    path.write_text(jsonl(lines), encoding="utf-8")
    return [str(path)]
