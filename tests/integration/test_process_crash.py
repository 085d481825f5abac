"""The process that ends a revoked mentor's pairs (`mentoring.eligibility`) reacts to each
revocation exactly once, across a crash and a restart, on SQLite and PostgreSQL.

Two mentors have their titles revoked by writers that stop right after (no process runs),
as if the program died there. A process runner is then killed with SIGKILL inside the
transaction of its first reaction, and again inside its second; a last run completes the
work. Each pair ends once, the position moves only with what was decided, the refusal log
stays empty and the chain verifies.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from datetime import date
from pathlib import Path

import pytest

from guoying import Guoying
from guoying.application import commands as cmd
from guoying.domain.mentoring import MentoringPairEnded, pair_key
from guoying.domain.nomination import TitleRevoked
from tests.unit import selection_builders as sb
from tests.unit.builders import CITY, fixed_clock, setup_commands
from tests.unit.test_mentoring import MENTEES, MENTOR, pair

REVOKED_ON = date(sb.YEAR, 9, 1)
SECOND_MENTOR = sb.PROPOSALS[1].removesuffix(f"-{sb.YEAR}")  # a committee-level title
PAIRS = {"p1": MENTOR, "p2": MENTOR, "p3": SECOND_MENTOR}
PROCESS = "mentoring.pairs-ended-on-revocation"

# Each pair is ended by the first reaction that finds its mentor untitled: here the
# reaction to its own forming, read after both revocations were stored.
# A runner whose Nth reaction that writes events is killed inside that reaction's
# transaction, after its events are inserted and its position moved, before the commit.
RUNNER = textwrap.dedent(
    """
    import os, signal, sys
    from guoying import Guoying
    from guoying.adapters import process_tracking, store

    url, kill_at = sys.argv[1], int(sys.argv[2])
    original, inserting = process_tracking.advance, store.SqlRecorder.insert_events
    moves, inside = 0, False

    def insert_events(self, *args, **kwargs):
        global inside
        inside = True
        try:
            return inserting(self, *args, **kwargs)
        finally:
            inside = False

    def advance(conn, step):
        global moves
        original(conn, step)
        if inside:
            moves += 1
            if moves == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    store.SqlRecorder.insert_events = insert_events
    process_tracking.advance = advance
    with Guoying(url) as app:
        app.react()
    """
)


@pytest.fixture(params=["sqlite", "postgres"])
def durable_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_url"))


def revoked_without_reaction(url: str) -> None:
    """Both mentors paired, then both titles revoked by a writer that runs no process."""
    with Guoying(url, clock=fixed_clock) as app:
        handler = app.handler
        handler.execute_unit(setup_commands())
        sb.run(handler, sb.whole_year())
        for pair_id, mentee in zip(PAIRS, MENTEES, strict=False):
            handler.execute(pair(pair_id, mentee, mentor=PAIRS[pair_id]))
        for nomination in (sb.NAMED[0], sb.PROPOSALS[1]):
            handler.execute(sb.command(cmd.RevokeTitle, CITY, REVOKED_ON, nomination_id=nomination))


def killed_runner(url: str, kill_at: int, folder: Path) -> None:
    script = folder / "runner.py"
    script.write_text(RUNNER)
    done = subprocess.run(
        [sys.executable, str(script), url, str(kill_at)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    assert done.returncode == -signal.SIGKILL, done.stderr


def endings(app: Guoying) -> dict[str, int]:
    return {
        pair_id: sum(
            isinstance(e, MentoringPairEnded) for e in app.store.events(pair_key(pair_id).id)
        )
        for pair_id in PAIRS
    }


def test_mentoring_eligibility_pairs_end_exactly_once_across_a_crash_and_a_restart(
    durable_url: str, tmp_path: Path
) -> None:
    revoked_without_reaction(durable_url)
    with Guoying(durable_url) as app:
        assert endings(app) == {"p1": 0, "p2": 0, "p3": 0}
        [(first, _), (second, _)] = app.store.events_after(0, (TitleRevoked,), 10)

    # Killed inside its first reaction that ends pairs: neither those endings nor the move
    # past the revocation were kept (the pairs' own forming, which called for nothing, was).
    killed_runner(durable_url, 1, tmp_path)
    with Guoying(durable_url) as app:
        assert endings(app) == {"p1": 0, "p2": 0, "p3": 0}
        assert app.store.process_position(PROCESS) < first

    # Killed inside its second: the first pair's ending kept, with the position at the
    # event it reacted to, the second's not.
    killed_runner(durable_url, 2, tmp_path)
    with Guoying(durable_url) as app:
        assert endings(app) == {"p1": 1, "p2": 0, "p3": 0}
        kept = app.store.process_position(PROCESS)
        assert 0 < kept < first

    # The restart takes up the second revocation only; more runs change nothing.
    with Guoying(durable_url) as app:
        done = app.react()
        assert done is not None
        assert (done.commands, done.refused) == (2, 0)
        assert app.react() is not None
        assert endings(app) == {"p1": 1, "p2": 1, "p3": 1}
        assert app.store.process_position(PROCESS) >= second
        assert app.refusals() == []
        assert app.verify().ok


def test_mentoring_eligibility_racing_runners_on_postgres_end_each_pair_once(
    postgres_url: str,
) -> None:
    """Four runners, each with its own connection, react to the same revocations at once:
    one wins each step, the others stand down without writing or logging a refusal."""
    revoked_without_reaction(postgres_url)
    barrier = threading.Barrier(4)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with Guoying(postgres_url) as app:
                barrier.wait()
                app.react()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with Guoying(postgres_url) as app:
        assert endings(app) == {"p1": 1, "p2": 1, "p3": 1}
        assert app.refusals() == []
