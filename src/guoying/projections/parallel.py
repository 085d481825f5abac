"""Rebuild the views on several cores: the projections split into groups, each rebuilt by
a process of its own (the calling one takes the heaviest group) up to the same store
position, so that every projection ends at the same place.

Each process reads and decodes the events itself: handing decoded events to another
process (pickled) was measured to cost half as much as decoding them, so only the
projections are divided, never the events.

- PostgreSQL: each group empties and refills its tables in a transaction of its own in the
  store. A group ready to commit waits until every group is, then all commit; a failure in
  any group rolls every group back, so the old views stay. The commits are not one atomic
  step: for a moment a reader may find some projections rebuilt and others still old, but
  each projection is either old or rebuilt, never empty. The groups' processes wait for
  each other through pipes, which the database's deadlock detector cannot see, so while a
  rebuild runs no catch-up locks a tracking row (`runner.holding_catch_ups`).
- SQLite has one writer: the calling process rebuilds its group straight into the store in
  a write transaction (held, as the serial rebuild holds it, until the end), each other
  group writes its tables into a scratch SQLite file of its own, and the calling process
  copies those into the store in the same transaction (ATTACH, empty, INSERT ... SELECT,
  tracked positions), so a reader sees the old views or the rebuilt ones, never a gap. The
  scratch files go when the rebuild ends, however it ends.
- `memory://` (one connection is the whole database), a store too small to repay more
  processes, one projection or no idle core: the serial rebuild of `runner.rebuild`.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection as Pipe
from multiprocessing.connection import wait
from pathlib import Path
from typing import Final, Literal, Protocol

from attrs import define, field

from guoying.adapters.store import MEMORY_URL, SqlStore
from guoying.adapters.view_copy import attachable, copy_from, scratch_engine
from guoying.application.errors import OutOfRange
from guoying.projections import runner
from guoying.projections.runner import Progress, Projection

# Below these many events more processes cost more than they save (an explicit `workers`
# overrides it): each reads and decodes every event again (about half of a rebuild in one
# process) and, on SQLite, its rows are copied once more; a fresh interpreter also takes
# about half a second to start, while one process rebuilds some 20,000 events a second.
FORKED_FROM = 10_000
FRESH_FROM = 40_000
# How the other processes start (`START`): "fresh" interpreters running this module's `work`
# (as multiprocessing's `spawn` would, about half a second each before they read an event),
# so that no lock, thread or connection of the caller's is carried into them; unlike
# `spawn` they do not import the caller's main module, so a script without an
# `if __name__ == "__main__"` guard is not run again in them. "fork" copies the caller, in
# milliseconds, with the library already imported; it is used on Linux when the caller runs
# one thread alone (no other thread's lock can be copied held) and the other processes
# open the store anew, never touching the caller's connections, and leave by `os._exit`.
# "auto": "fork" where it is safe, else "fresh".
START: Literal["auto", "fork", "fresh"] = "auto"
WORKER_MODULE: Final = "guoying.projections.rebuild_process"


def parallel_from() -> int:
    """How many events a store holds at least before a rebuild uses every core unasked."""
    return FORKED_FROM if _forks() else FRESH_FROM


def cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than the
    machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def spare_cores(load: float | None = None) -> int:
    """The cores that other work leaves idle, by the load average of the last minute."""
    if load is None:
        try:
            load = os.getloadavg()[0]
        except OSError:  # no load average on this system: take the machine as idle
            load = 0.0
    return max(0, int(cores() - load))


def worker_count(
    requested: int | None, projections: int, events: int, *, load: float | None = None
) -> int:
    """How many processes rebuild: `requested`, else, once the store is large enough to
    repay starting them, this one and one per core other work leaves idle (`load`: the
    load average, read when None); never more than there are projections. Several
    processes do more work in all than one (each decodes every event), so on a busy
    machine they finish later than one would: measured, about a third later."""
    if requested is not None and requested < 1:
        raise OutOfRange("workers", f"{requested}; at least 1 process rebuilds")
    if requested is None:
        requested = min(cores(), 1 + spare_cores(load)) if events >= parallel_from() else 1
    return max(1, min(requested, projections))


def groups(projections: Sequence[Projection], count: int) -> list[list[Projection]]:
    """The projections in `count` groups of about equal weight, heaviest group first (the
    largest first into the lightest group so far)."""
    found: list[list[Projection]] = [[] for _ in range(count)]
    loads = [0.0] * count
    for projection in sorted(projections, key=_weight, reverse=True):
        lightest = loads.index(min(loads))
        found[lightest].append(projection)
        loads[lightest] += _weight(projection)
    order = sorted(range(count), key=lambda i: loads[i], reverse=True)
    return [found[i] for i in order if found[i]]


def _weight(projection: Projection) -> float:
    # A projection may say what share of a rebuild's handling it takes; else all weigh alike.
    return float(getattr(projection, "weight", 1.0))


def _parallel_store(store: SqlStore) -> bool:
    """Whether other processes can open this store by its URL (and hear this one over a
    socket, which `multiprocessing.connection` wraps on POSIX systems alone)."""
    if store.url == MEMORY_URL or os.name != "posix":
        return False
    if store.recorder.held is not None:
        # Inside a transaction of its own thread's: the other processes could not read
        # what it has not committed, and would wait on its locks.
        return False
    url = store.engine.url
    if url.get_backend_name() == "sqlite":
        return url.database not in (None, "", ":memory:")
    return url.get_backend_name() == "postgresql"


def rebuild(
    store: SqlStore,
    projections: Sequence[Projection],
    progress: Progress | None = None,
    *,
    workers: int | None = None,
) -> int:
    """Empty every view and replay all events into them, on several processes when it
    pays (see the module's note), so that a reader sees the old views or the rebuilt ones,
    never a gap; how many events were applied, counting each projection's own."""
    stop = store.last_position()
    count = worker_count(workers, len(projections), stop)
    if count < 2 or not _parallel_store(store):
        return runner.rebuild(store, projections, progress)
    return _Rebuild(store, groups(projections, count), stop, progress).run()


class _Process(Protocol):
    def finish(self, timeout: float | None) -> int | None:
        """Wait up to `timeout` seconds for it to end; its exit code, None if still running."""

    def terminate(self) -> None: ...


@define
class _Fresh:
    popen: subprocess.Popen[bytes]

    def finish(self, timeout: float | None) -> int | None:
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def terminate(self) -> None:
        self.popen.terminate()


@define
class _Forked:
    process: multiprocessing.process.BaseProcess

    def finish(self, timeout: float | None) -> int | None:
        self.process.join(timeout)
        return self.process.exitcode

    def terminate(self) -> None:
        self.process.terminate()


def _forks() -> bool:
    if START != "auto":
        return START == "fork"
    return sys.platform == "linux" and threading.active_count() == 1


@define
class _Worker:
    process: _Process
    pipe: Pipe
    read: int = 0
    applied: int | None = None  # set once the worker is ready to commit
    done: bool = False


@define
class _Rebuild:
    """One parallel rebuild, seen from the calling process: group 0 is rebuilt here."""

    store: SqlStore
    groups: list[list[Projection]]
    stop: int
    progress: Progress | None
    workers: list[_Worker] = field(factory=list)
    read: int = 0  # events read by this process
    reported: int = 0

    def run(self) -> int:
        sqlite = self.store.engine.dialect.name == "sqlite"
        runner.prepare_rebuild(self.store, [p for g in self.groups for p in g])
        with contextlib.ExitStack() as stack:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="guoying-")))
            # Group 0 is this process's own, written straight into the store.
            files = [
                folder / f"group-{i}.db" if sqlite and i else None for i in range(len(self.groups))
            ]
            stack.enter_context(runner.holding_catch_ups(self.store))
            stack.callback(self._end_workers)
            self._start(files)
            applied = self._rebuild_own(files)
            self._await_done()
            return applied + sum(w.applied or 0 for w in self.workers)

    def _rebuild_own(self, files: Sequence[Path | None]) -> int:
        """This process's group, in a write transaction of the store; on SQLite the other
        groups' files are then copied into the same transaction, so that every view changes
        at one commit. It commits once every other process is ready."""
        own = self.groups[0]
        with self.store.engine.connect() as conn, attachable(conn) as attached:
            conn.execution_options(guoying_write=True)
            with conn.begin():
                runner.empty_views(conn, own)
                applied, position = runner.replay(
                    self.store, conn, own, stop=self.stop, read=conn, progress=self._read
                )
                runner.set_positions(conn, own, position)
                self._await_ready()
                for path, group in zip(files[1:], self.groups[1:], strict=True):
                    if path is not None:
                        runner.empty_views(conn, group)
                        copy_from(
                            conn,
                            attached,
                            path,
                            [t for p in group for t in p.metadata.sorted_tables],
                        )
                        runner.set_positions(conn, group, position)
                # Every group is ready: the others commit with this one.
                self._tell_all("commit")
        return applied

    # The other processes

    def _start(self, files: Sequence[Path | None]) -> None:
        fork = _forks()
        for group, path in zip(self.groups[1:], files[1:], strict=True):
            process, pipe = _forked([w.pipe for w in self.workers]) if fork else _fresh()
            self.workers.append(_Worker(process, pipe))
            pipe.send((self.store.url, group, self.stop, path))

    def _read(self, events: int) -> None:
        """This process read a batch: report progress, and hear from the others (a failure
        among them stops the rebuild here too)."""
        self.read += events
        self._hear(block=False)
        self._report()

    def _report(self) -> None:
        # The slowest process says how far the rebuild is.
        slowest = min([self.read, *(w.read for w in self.workers)])
        if self.progress is not None and slowest > self.reported:
            self.progress(slowest - self.reported)
        self.reported = max(self.reported, slowest)

    def _hear(self, *, block: bool) -> None:
        pending = [w for w in self.workers if not w.done]
        if not pending:
            return
        for ready in wait([w.pipe for w in pending], timeout=None if block else 0):
            self._receive(next(w for w in pending if w.pipe is ready))

    def _receive(self, worker: _Worker) -> None:
        try:
            while not worker.done and worker.pipe.poll():
                kind, value = worker.pipe.recv()
                if kind == "read":
                    worker.read += value
                elif kind == "ready":
                    worker.applied = value
                elif kind == "done":
                    worker.done = True
                else:
                    raise _error(value)
        except EOFError:
            # Its end of the socket closed before it said it was done: it has stopped.
            code = worker.process.finish(None)
            worker.done = True
            raise RuntimeError(
                f"a rebuild process stopped before it finished (exit code {code}); "
                "the views are as they were"
            ) from None
        self._report()

    def _await_ready(self) -> None:
        while any(w.applied is None for w in self.workers):
            self._hear(block=True)

    def _await_done(self) -> None:
        while any(not w.done for w in self.workers):
            self._hear(block=True)

    def _tell_all(self, word: str) -> None:
        for worker in self.workers:
            worker.pipe.send(word)

    def _end_workers(self) -> None:
        """However the rebuild ends: a process waiting for the word to commit is told to give
        up (rolling its transaction back), one still replaying is stopped at once (its
        connection closes, which rolls it back), and any not gone within a few seconds too."""
        for worker in self.workers:
            if worker.done:
                continue
            if worker.applied is None:
                worker.process.terminate()
            with contextlib.suppress(OSError):
                worker.pipe.send("abort")
        for worker in self.workers:
            if worker.process.finish(5) is None:
                worker.process.terminate()
                worker.process.finish(None)
            worker.pipe.close()


def _fresh() -> tuple[_Process, Pipe]:
    # The caller's import path, as `spawn` passes it on: a projection is found there.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    ours, theirs = socket.socketpair()
    with theirs:
        popen = subprocess.Popen(  # noqa: S603 - this interpreter, our module
            [sys.executable, "-m", WORKER_MODULE, str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL,
            env=env,
        )
    return _Fresh(popen), Pipe(ours.detach())


def _forked(others: Sequence[Pipe]) -> tuple[_Process, Pipe]:
    """A copy of this process; `others` are the calling process's ends of the pipes to
    the copies made before it."""
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    process = context.Process(
        target=_work_forked, args=(theirs, [ours, *others]), name="guoying-rebuild"
    )
    # Whatever the caller holds is out of the copy's collector's reach: no connection of the
    # caller's left for garbage is closed (and with it the caller's session) by the copy.
    gc.freeze()
    try:
        process.start()
    finally:
        gc.unfreeze()
    theirs.close()
    return _Forked(process), ours


def _error(payload: tuple[bytes | None, str, str]) -> BaseException:
    """The error a worker raised, as the serial rebuild would have raised it (its type and
    message), with the worker's traceback as its cause."""
    pickled, name, text = payload
    cause = _WorkerTraceback(text)
    if pickled is not None:
        error: BaseException = pickle.loads(pickled)  # noqa: S301 - our own worker's
    else:
        error = RuntimeError(f"a rebuild process failed: {name}")
    error.__cause__ = cause
    return error


class _WorkerTraceback(Exception):
    """Where a rebuild process failed, as its traceback."""


def _replay_into_file(
    store: SqlStore,
    projections: Sequence[Projection],
    stop: int,
    path: Path,
    progress: Progress,
) -> tuple[int, int]:
    """Rebuild `projections` into fresh tables in a scratch SQLite file, reading the events
    in one read transaction of the store."""
    engine = scratch_engine(path)
    try:
        for projection in projections:
            projection.metadata.create_all(engine)
        with engine.begin() as views, store.engine.connect() as read:
            return runner.replay(store, views, projections, stop=stop, read=read, progress=progress)
    finally:
        engine.dispose()


def _work_forked(pipe: Pipe, callers: Sequence[Pipe]) -> None:
    # The copy holds the calling process's ends of the pipes too: closed here, so that the
    # calling process's death closes its pipe and the copy gives up instead of waiting (with
    # its transaction, and the tracking rows it locked) for ever.
    for end in callers:
        end.close()
    work(pipe)


def work(pipe: Pipe) -> None:
    """A rebuild process (`rebuild_process`): what to rebuild comes over `pipe`; its group
    rebuilt, it is ready to commit, then commits or gives up as the calling process says."""
    try:
        url, projections, stop, path = pipe.recv()
        with _opened(url) as store:
            if path is not None:
                applied, _ = _replay_into_file(
                    store, projections, stop, path, lambda n: pipe.send(("read", n))
                )
                pipe.send(("ready", applied))
                _await_commit(pipe)
            else:
                _work_in_store(store, projections, stop, pipe)
        pipe.send(("done", None))
    except _GiveUp:
        pass
    except Exception as error:  # noqa: BLE001 - every failure goes to the calling process
        pipe.send(("failed", _payload(error)))
    finally:
        pipe.close()


def _work_in_store(
    store: SqlStore, projections: Sequence[Projection], stop: int, pipe: Pipe
) -> None:
    with store.recorder.writing() as conn:
        runner.empty_views(conn, projections)
        applied, position = runner.replay(
            store,
            conn,
            projections,
            stop=stop,
            read=conn,
            progress=lambda n: pipe.send(("read", n)),
        )
        runner.set_positions(conn, projections, position)
        pipe.send(("ready", applied))
        # Raising rolls the transaction back.
        _await_commit(pipe)


def _await_commit(pipe: Pipe) -> None:
    try:
        word = pipe.recv()
    except EOFError:
        # The calling process is gone: nothing is to be committed.
        raise _GiveUp from None
    if word != "commit":
        raise _GiveUp


class _GiveUp(Exception):
    """The calling process said to give up: roll back."""


@contextlib.contextmanager
def _opened(url: str) -> Iterator[SqlStore]:
    store = SqlStore(url, create=False)
    try:
        yield store
    finally:
        store.close()


def _payload(error: Exception) -> tuple[bytes | None, str, str]:
    """The error pickled when it comes back whole (an error whose constructor takes other
    arguments than its message does not), its type's name and message, and the traceback."""
    name = f"{type(error).__name__}: {error}"
    text = "".join(traceback.format_exception(error))
    try:
        pickled = pickle.dumps(error)
        back = pickle.loads(pickled)  # noqa: S301 - what this process just pickled
    except Exception:  # noqa: BLE001 - any error that cannot travel goes by name
        return None, name, text
    whole = type(back) is type(error) and str(back) == str(error)
    return (pickled if whole else None), name, text
