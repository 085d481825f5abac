"""Generating a synthetic city into a store through the library's own unit of work,
in this process (`build`) or with each year's base committees shared among worker
processes (`build_parallel`)."""

from __future__ import annotations

import pickle
from collections.abc import Callable, Sequence
from multiprocessing import get_context
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from types import TracebackType
from typing import Self

from attrs import define, frozen

from guoying.api import Guoying
from guoying.synthetic.selection import selection_commands, taking_part
from guoying.synthetic.tree import CityPlan
from guoying.synthetic.years import setup_commands, synthetic_policy, units, year_commands


@frozen
class BuildReport:
    years: int
    units: int
    commands: int
    events: int
    workers: int = 1


Progress = Callable[[int, int], None]  # (units done, units in all)


def _check(years: int, start: int) -> None:
    if years < 1 or not 0 <= start <= years:
        raise ValueError("years must be at least 1 and start within 0..years")


def _units_in_all(plan: CityPlan, years: int, start: int) -> int:
    policy = synthetic_policy(plan.spec)
    selections = sum(1 for i in range(max(start, 1), years) if taking_part(plan, i, policy))
    return (start == 0) + (years - start) * len(plan.branches) + selections


@define
class _Tally:
    total: int
    progress: Progress | None
    units: int = 0
    commands: int = 0
    events: int = 0

    def add(self, commands: int, events: int) -> None:
        self.units += 1
        self.commands += commands
        self.events += events
        if self.progress is not None:
            self.progress(self.units, self.total)


def build(
    app: Guoying,
    plan: CityPlan,
    *,
    years: int,
    start: int = 0,
    progress: Progress | None = None,
) -> BuildReport:
    """Apply years `start` .. `years - 1` of the city to a store through `execute_unit`.

    A store holding the first `start` years of the same plan is extended; `start=0` needs
    an empty store. Raises the library's error if any unit is refused (a generator bug)."""
    _check(years, start)
    tally = _Tally(_units_in_all(plan, years, start), progress)
    for unit in units(plan, years, start=start):
        outcome = app.execute_unit(unit)
        tally.add(len(unit), len(outcome.events))
    return BuildReport(years, tally.units, tally.commands, tally.events)


def county_shares(plan: CityPlan, workers: int) -> list[list[str]]:
    """The base committees split into at most `workers` shares of whole counties, balanced
    by branch count (largest county first, to the lightest share), each share's bases in
    tree order. Every command writes its base committee's and its county's counts, so
    workers that never share a county never contend for a stream."""
    counties = plan.bases_by_county()
    weight = {c: sum(len(plan.branches[b]) for b in bases) for c, bases in counties.items()}
    shares: list[list[str]] = [[] for _ in range(max(1, min(workers, len(counties))))]
    loads = [0] * len(shares)
    for county in sorted(counties, key=lambda c: -weight[c]):
        lightest = loads.index(min(loads))
        shares[lightest].append(county)
        loads[lightest] += weight[county]
    owner = {b: i for i, share in enumerate(shares) for county in share for b in counties[county]}
    return [[b for b in plan.branches if owner[b] == i] for i in range(len(shares))]


def build_parallel(
    url: str,
    plan: CityPlan,
    *,
    years: int,
    start: int = 0,
    workers: int = 2,
    progress: Progress | None = None,
) -> BuildReport:
    """What `build` writes, with each year's base committees shared among `workers`
    processes of their own (spawned; each opens the store at `url`), split by county
    (`county_shares`). The tree is set up first; each year's selection is decided here
    once every worker has finished the year, as `build` orders it. The same events go to
    every stream as with `build`; only their positions in the store and recorded times
    differ. One worker (or one county) builds in this process.

    Raises the library's error of a refused unit (a generator bug), with a note naming
    the unit, once the workers are stopped; a worker that dies raises RuntimeError."""
    _check(years, start)
    if url.startswith("memory://"):
        raise ValueError("url: a memory:// store lives in one process; workers need a file")
    shares = county_shares(plan, workers)
    if len(shares) == 1:
        with Guoying(url) as app:
            return build(app, plan, years=years, start=start, progress=progress)
    tally = _Tally(_units_in_all(plan, years, start), progress)
    policy = synthetic_policy(plan.spec)
    with Guoying(url) as app:
        if start == 0:
            setup = setup_commands(plan)
            tally.add(len(setup), len(app.execute_unit(setup).events))
        with _Crew(url, plan, len(shares)) as crew:
            for index in range(start, years):
                crew.run_year(index, shares, tally)
                selection = selection_commands(plan, index, policy)
                if selection:
                    tally.add(len(selection), len(app.execute_unit(selection).events))
    return BuildReport(years, tally.units, tally.commands, tally.events, len(shares))


# The worker processes. Each receives (year index, base committee ids), answers
# ("unit", commands, events) for each unit it writes, then ("done",); on an error it
# answers ("failed", error) and ends. None asks it to close its store and end.


def _portable(error: BaseException) -> BaseException:
    """The error itself when it crosses a pipe intact, else a RuntimeError with its text."""
    try:
        pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, just made
    except Exception:  # noqa: BLE001 - any error that does not survive the trip
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def _work(url: str, plan: CityPlan, conn: Connection) -> None:
    where = "opening the store"
    try:
        with Guoying(url) as app:
            while (task := conn.recv()) is not None:
                index, base_ids = task
                for base_id in base_ids:
                    where = f"in the unit of base committee {base_id}, year {plan.year(index)}"
                    unit = year_commands(plan, index, base_id)
                    outcome = app.execute_unit(unit)
                    conn.send(("unit", len(unit), len(outcome.events)))
                conn.send(("done",))
    except Exception as error:  # noqa: BLE001 - handed to the parent, which raises it
        error.add_note(f"{where}, in a generation worker")
        conn.send(("failed", _portable(error)))


class _Crew:
    """Worker processes for one build, stopped on leaving (terminated after an error)."""

    def __init__(self, url: str, plan: CityPlan, size: int) -> None:
        context = get_context("spawn")
        self.conns: list[Connection] = []
        self.processes: list[BaseProcess] = []
        for _ in range(size):
            ours, theirs = context.Pipe()
            process = context.Process(target=_work, args=(url, plan, theirs), daemon=True)
            process.start()
            theirs.close()  # so that a worker's death reads as the end of its pipe
            self.conns.append(ours)
            self.processes.append(process)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for conn, process in zip(self.conns, self.processes, strict=True):
            if kind is None and process.is_alive():
                conn.send(None)
            else:
                process.terminate()
        for conn, process in zip(self.conns, self.processes, strict=True):
            process.join()
            conn.close()

    def run_year(self, index: int, shares: Sequence[Sequence[str]], tally: _Tally) -> None:
        """Each worker writes its share of year `index`; returns when all have."""
        for i, (conn, share) in enumerate(zip(self.conns, shares, strict=True)):
            try:
                conn.send((index, list(share)))
            except OSError:
                # It ended between two years.
                raise self._died(i) from None
        busy = set(range(len(self.conns)))
        while busy:
            waiting = [self.conns[i] for i in busy] + [self.processes[i].sentinel for i in busy]
            ready = wait(waiting)
            for i in sorted(busy):
                conn = self.conns[i]
                if conn in ready or conn.poll():
                    try:
                        message = conn.recv()
                    except EOFError:
                        raise self._died(i) from None
                    if message[0] == "unit":
                        tally.add(message[1], message[2])
                    elif message[0] == "done":
                        busy.discard(i)
                    else:
                        raise message[1]
                elif self.processes[i].sentinel in ready:
                    raise self._died(i)

    def _died(self, i: int) -> RuntimeError:
        process = self.processes[i]
        process.join(timeout=5)
        return RuntimeError(f"generation worker {i} ended with exit code {process.exitcode}")
