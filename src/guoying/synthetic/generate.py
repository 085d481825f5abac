"""Generating a synthetic city into a store through the library's own unit of work."""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen

from guoying.api import Guoying
from guoying.synthetic.selection import taking_part
from guoying.synthetic.tree import CityPlan
from guoying.synthetic.years import synthetic_policy, units


@frozen
class BuildReport:
    years: int
    units: int
    commands: int
    events: int


Progress = Callable[[int, int], None]  # (units done, units in all)


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
    if years < 1 or not 0 <= start <= years:
        raise ValueError("years must be at least 1 and start within 0..years")
    policy = synthetic_policy(plan.spec)
    selections = sum(1 for i in range(max(start, 1), years) if taking_part(plan, i, policy))
    total = (start == 0) + (years - start) * len(plan.branches) + selections
    done = commands = events = 0
    for unit in units(plan, years, start=start):
        outcome = app.execute_unit(unit)
        done += 1
        commands += len(unit)
        events += len(outcome.events)
        if progress is not None:
            progress(done, total)
    return BuildReport(years, done, commands, events)
