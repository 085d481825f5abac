"""A rebuild on several processes ends as the serial one does: the same rows in every view,
the same tracked positions, and on a failure the same error with the old views intact.
(`memory://` rebuilds serially: its one connection is the whole database.)"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from guoying.adapters import schema
from guoying.adapters.store import StoredRecord
from guoying.application.errors import StoreDamaged
from guoying.domain.events import AnyEvent
from guoying.projections import parallel, runner
from guoying.projections.catalogue import PROJECTIONS
from guoying.projections.writer import ViewWriter
from tests.integration.builders import (
    build_small_city,
    event_rows,
    open_app,
    views_snapshot,
)

_failing_metadata = sa.MetaData()
_failing_rows = sa.Table(
    "view_test_failing", _failing_metadata, sa.Column("position", sa.Integer, primary_key=True)
)


class FailingProjection:
    """Fails on the third event it handles, as a damaged stored event would fail the
    rebuild. Found by its module in the other process, where it runs."""

    name = "test_failing"
    version = 1
    metadata = _failing_metadata
    weight = 1.0

    def handle(self, views: ViewWriter, record: StoredRecord, event: AnyEvent) -> None:
        if record.position >= 3:
            raise StoreDamaged(f"the event at position {record.position} is damaged", 3)
        views.insert(_failing_rows, {"position": record.position})


@pytest.fixture(params=["fork", "fresh"])
def start(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways the other processes start: a copy of this one, and a fresh interpreter."""
    monkeypatch.setattr(parallel, "START", request.param)
    return str(request.param)


def test_a_rebuild_on_two_processes_writes_the_views_and_positions_of_a_serial_one(
    store_url: str, start: str
) -> None:
    with open_app(store_url) as app:
        build_small_city(app)
        events = len(event_rows(app))
        read: list[int] = []
        serial_applied = app.rebuild_views(workers=1)
        serial = views_snapshot(app)

        applied = app.rebuild_views(read.append, workers=2)

        assert views_snapshot(app) == serial
        assert applied == serial_applied == len(app.projections) * events
        assert sum(read) == events
        assert all(rows for name, rows in serial.items() if name == schema.tracking.name)


@pytest.fixture(params=["sqlite", "postgres"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_url"))


def test_a_rebuild_failing_in_the_other_process_raises_the_serial_error_and_keeps_the_old_views(
    shared_url: str, start: str
) -> None:
    """The ledger is rebuilt in this process and the failing projection in the other (the
    heavier group stays here): the ledger's rebuilt rows must not be kept either."""
    ledger = next(p for p in PROJECTIONS if p.name == "ledger")
    with open_app(shared_url) as app:
        build_small_city(app)
        app.catch_up()
        # Old views that a rebuild would change: the ledger's branches gone.
        with app.store.engine.begin() as conn:
            conn.execute(sa.delete(ledger.metadata.tables["view_branches"]))
        before = views_snapshot(app)
        assert before["view_branches"] == []
        app.projections = (ledger, FailingProjection())
        with pytest.raises(StoreDamaged) as serial:
            app.rebuild_views(workers=1)

        with pytest.raises(StoreDamaged) as parallel:
            app.rebuild_views(workers=2)

        assert str(parallel.value) == str(serial.value)
        assert parallel.value.position == serial.value.position == 3
        app.projections = PROJECTIONS
        after = views_snapshot(app)
        # The failing projection's own tracking row, made before either rebuild began.
        tracking = schema.tracking.name
        after[tracking] = [row for row in after[tracking] if row[0] != "test_failing@1"]
        assert after == before


def _with_name(url: str, name: str) -> str:
    url_ = sa.engine.make_url(url).update_query_dict({"application_name": name})
    return url_.render_as_string(hide_password=False)


@pytest.mark.parametrize("other", ["catch-up", "serial rebuild"])
def test_a_catch_up_or_a_serial_rebuild_beside_a_parallel_rebuild_on_postgresql_hangs_neither(
    postgres_url: str, start: str, monkeypatch: pytest.MonkeyPatch, other: str
) -> None:
    """A reader's catch-up (or a rebuild in one process) holds the ledger's tracking row
    when a rebuild on two processes starts; it then asks for the history's row, which the
    rebuild's other process locks. The two processes wait for each other through a pipe,
    which PostgreSQL's deadlock detector does not see, so the parallel rebuild must wait
    for the work in flight before it starts, and the other work for the rebuild: both end,
    and the views are the serial rebuild's."""
    ledger, history = (next(p for p in PROJECTIONS if p.name == n) for n in ("ledger", "history"))
    first = parallel.groups(list(PROJECTIONS), 2)[0]
    assert (ledger in first) != (history in first), "the two are rebuilt by different processes"
    rebuilder = _with_name(postgres_url, "test-rebuilder")
    with open_app(postgres_url) as app:
        build_small_city(app)
        app.rebuild_views(workers=1)
        serial = views_snapshot(app)
    admin = sa.create_engine(postgres_url)

    def someone_else_holds_history_or_the_rebuild_waits() -> bool:
        with admin.connect() as conn:
            if conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                    "WHERE a.application_name = 'test-rebuilder' AND l.locktype = 'advisory' "
                    "AND NOT l.granted"
                )
            ).scalar_one():
                return True
        try:
            with admin.begin() as conn:
                conn.execute(
                    sa.select(schema.tracking.c.position)
                    .where(schema.tracking.c.projection == runner.tracking_key(history))
                    .with_for_update(nowait=True)
                )
        except sa.exc.OperationalError:
            return True
        return False

    holding = threading.Event()
    position = runner._position

    def paused_position(conn: sa.Connection, name: str, *, lock: bool) -> int:
        found = position(conn, name, lock=lock)
        if lock and name == runner.tracking_key(ledger) and threading.current_thread() is reader:
            holding.set()
            for _ in range(200):
                if someone_else_holds_history_or_the_rebuild_waits():
                    break
                time.sleep(0.05)
        return found

    monkeypatch.setattr(runner, "_position", paused_position)
    failures: list[BaseException] = []

    def run(work: Any) -> None:
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            failures.append(error)

    with open_app(_with_name(postgres_url, "test-reader")) as reading, open_app(rebuilder) as app:
        work = reading.catch_up if other == "catch-up" else lambda: reading.rebuild_views(workers=1)
        reader = threading.Thread(target=run, args=(work,), daemon=True)
        reader.start()
        assert holding.wait(30), f"the {other} never locked the ledger's tracking row"
        rebuild = threading.Thread(
            target=run, args=(lambda: app.rebuild_views(workers=2),), daemon=True
        )
        rebuild.start()
        for thread in (reader, rebuild):
            thread.join(60)
        hung = reader.is_alive() or rebuild.is_alive()
        if hung:
            # Break the wait so that the test run goes on, then fail.
            with admin.connect() as conn:
                conn.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = 'test-reader'"
                    )
                )
            reader.join(30)
            rebuild.join(30)
        assert not hung, f"the {other} and the parallel rebuild waited for each other"
        assert failures == []
        assert views_snapshot(app) == serial
    admin.dispose()


_KILLED_CALLER = """
import os, signal, sys
from guoying import Guoying
from guoying.projections import parallel

parallel.START = "fork"
ready = parallel._Rebuild._await_ready


def killed_once_ready(self):
    ready(self)
    with open(sys.argv[2], "w") as pids:
        print(*(w.process.process.pid for w in self.workers), file=pids)
    os.kill(os.getpid(), signal.SIGKILL)


parallel._Rebuild._await_ready = killed_once_ready
Guoying(sys.argv[1]).rebuild_views(workers=2)
"""


def test_a_forked_rebuild_process_whose_caller_is_killed_gives_up_and_unlocks_the_views(
    postgres_url: str, tmp_path: Path
) -> None:
    """The calling process is killed (SIGKILL, out of memory) while the other process waits,
    its group rebuilt, for the word to commit: the other process hears its pipe close,
    rolls back and ends, so that the tracking rows it locked are free for the next
    catch-up."""
    with open_app(postgres_url) as app:
        build_small_city(app)
        app.catch_up()
        before = views_snapshot(app)
    pids = tmp_path / "workers"
    # No pipes: the other process would hold them open after the caller's death.
    caller = subprocess.Popen(
        [sys.executable, "-c", _KILLED_CALLER, postgres_url, str(pids)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    assert caller.wait(120) == -signal.SIGKILL
    workers = [int(pid) for pid in pids.read_text().split()]
    assert workers
    try:
        for _ in range(200):
            if not any(_alive(pid) for pid in workers):
                break
            time.sleep(0.05)
        assert not any(_alive(pid) for pid in workers), "the rebuild process outlived its caller"
        with open_app(postgres_url) as app:
            app.catch_up()
            assert views_snapshot(app) == before
    finally:
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child of the killed caller, reparented: a zombie until reaped is gone too.
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


def test_a_rebuild_asked_for_while_this_thread_holds_the_stores_head_runs_in_its_transaction(
    shared_url: str, start: str
) -> None:
    """Other processes could neither read what the held transaction has not committed nor
    lock what it holds: the rebuild runs in one process, in that transaction."""
    with open_app(shared_url) as app:
        build_small_city(app)
        app.rebuild_views(workers=1)
        serial = views_snapshot(app)
        done: list[int] = []
        worker = threading.Thread(
            target=lambda: _rebuild_holding_head(app, done), daemon=True, name="holder"
        )
        worker.start()
        worker.join(60)
        assert not worker.is_alive(), "the rebuild waited for its own transaction"
        assert done == [len(app.projections) * len(event_rows(app))]
        assert views_snapshot(app) == serial


def _rebuild_holding_head(app: Any, done: list[int]) -> None:
    with app.store.holding_head():
        done.append(app.rebuild_views(workers=2))
