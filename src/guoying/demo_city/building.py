"""Building the demo city into a store: the whole sequence of units, in the order one seed
fixes, then the selection years; and whether a store already holds the city."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

from attrs import define, field, frozen

from guoying.api import Guoying
from guoying.application import commands as c
from guoying.application.errors import GuoyingError
from guoying.demo_city.decisions import (
    YEARS,
    correction,
    evaluations,
    exception_case,
    first_year_records,
    organisation_life,
    policy_2019,
    tiers,
)
from guoying.demo_city.layout import (
    BASES,
    Branch,
    base_actor,
    branches,
    committee_ids,
    committees,
    leadership,
    registrations,
)
from guoying.demo_city.ledger_refusals import ledger_line, ledger_refusals
from guoying.demo_city.mentoring import mentoring_line
from guoying.demo_city.oversight import oversight
from guoying.demo_city.plans import plans
from guoying.demo_city.selection import Step
from guoying.demo_city.selection_summary import YearSummary, run
from guoying.demo_city.selection_years import SELECTION_YEARS, plan
from guoying.demo_city.work_summary import run_work, work_line
from guoying.domain.organization import TREE_KEY, OrgTree
from guoying.domain.values import Tier

SEED = 2017


class OtherCityError(GuoyingError):
    """The store already holds a city that is not the demo city."""

    kind = "other_city"


def is_built(guoying: Guoying) -> bool:
    """Whether the store holds the demo city; OtherCityError if it holds another city."""
    tree = guoying.store.get(TREE_KEY)
    if not isinstance(tree, OrgTree):
        return False
    if all(tree.get(cid) is not None for cid in committee_ids()):
        return True
    raise OtherCityError(
        "this store holds another city, not the demo city; run the demo in a store of its "
        "own, e.g. --store sqlite:///demo.db"
    )


@frozen
class Built:
    """What a build applied: the number of commands (0 when the city was already there)
    and what each selection year came to."""

    applied: int
    selection: tuple[YearSummary, ...] = ()
    mentoring: str = ""
    work: str = ""
    ledger: str = ""
    refused: int = 0

    def summary(self) -> list[str]:
        pointer = (
            f"{self.refused} commands refused as intended: `guoying refusals` lists them, "
            "`guoying audit --kind refusal` with who decided and why."
        )
        return [
            *(year.line() for year in self.selection),
            *filter(None, [self.mentoring, self.work, self.ledger]),
            *([pointer] if self.refused else []),
        ]


@define
class Drawn:
    """What the demo's random stream drew that the selection reads: the branches of each
    base committee and the tier each branch stood at when each year's selection began."""

    branches: dict[str, list[Branch]] = field(factory=dict)
    standing: dict[int, dict[str, Tier]] = field(factory=dict)

    def stood(self, year: int, own: list[Branch], tiers: list[Tier]) -> None:
        self.standing.setdefault(year, {}).update(
            (b.branch_id, tier) for b, tier in zip(own, tiers, strict=True)
        )


# The commands done so far and the number known to come, for a progress bar.
Progress = Callable[[int, int], None]


@define
class _Tally:
    report: Progress
    total: int = 0
    done: int = 0

    def expect(self, commands: int) -> None:
        self.total += commands
        self.report(self.done, self.total)

    def advance(self, commands: int) -> None:
        self.done += commands
        self.report(self.done, self.total)

    def counting(self, steps: list[Step]) -> Iterator[Step]:
        for step in steps:
            yield step
            self.advance(len(step.commands))


def build(guoying: Guoying, progress: Progress | None = None) -> Built:
    """Build the city unless it is already in the store: the commands applied and the
    summary of each selection year. `progress` hears of the commands done of those known
    to come: all but the plans and oversight from the start, which read the store first."""
    if is_built(guoying):
        return Built(0)
    tally = _Tally(progress or (lambda _done, _total: None))
    applied = 0
    drawn = Drawn()
    # Drawing the units and the selection touches no store, so both are counted first.
    organisation = list(units(drawn))
    later = {
        command.branch_id
        for unit in organisation_life(drawn.branches)
        for command in unit
        if isinstance(command, c.MergeBranches | c.MoveBranch | c.DissolveBranch)
    }
    selection = plan(drawn.branches, drawn.standing, later)
    tally.expect(sum(map(len, organisation)) + 1 + sum(len(s.commands) for s in selection))
    for unit in organisation:
        guoying.execute_unit(unit)
        applied += len(unit)
        tally.advance(len(unit))
    # The correction names the event it corrects, so it can only be made once the
    # evaluation it corrects is stored.
    guoying.execute(correction(guoying))
    applied += 1
    tally.advance(1)
    selected, years = run(guoying, tally.counting(selection), SELECTION_YEARS)
    # The plans and oversight come last: the linkage and the falsification read the 2018
    # standing the evaluations and the selection left in the store.
    work_steps = [
        *plans(drawn.branches, drawn.standing[YEARS[0]], later),
        *oversight(guoying, drawn.branches, later),
    ]
    tally.expect(sum(len(s.commands) for s in work_steps))
    work = run_work(guoying, tally.counting(work_steps))
    # Last, the clerks' mistakes on the ledger, which read the tiers of 2018 and 2019.
    mistake_steps = list(ledger_refusals(drawn.branches, drawn.standing))
    tally.expect(sum(len(s.commands) for s in mistake_steps))
    mistakes = run_work(guoying, tally.counting(mistake_steps))
    guoying.catch_up()
    return Built(
        applied + selected + work.applied + mistakes.applied,
        tuple(years),
        mentoring_line(guoying),
        work_line(guoying, work),
        ledger_line(guoying, mistakes.refused),
        len(guoying.refusals()),
    )


def units(drawn: Drawn | None = None) -> Iterator[list[c.Command]]:
    """Every unit of the demo city but the correction and the selection, in order; what
    the selection reads of them is noted in `drawn`.

    One random stream feeds the names, the people and the tiers, so the calls below must
    stay in this order for the demo to stay the same."""
    drawn = drawn if drawn is not None else Drawn()
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    yield committees()
    yield [policy_2019()]
    found = branches(rng)
    drawn.branches = found
    for base in BASES:
        actor = base_actor(base.committee_id)
        own = found[base.committee_id]
        people, leaders = leadership(rng, base, actor)
        first = tiers(rng, len(own), None)
        drawn.stood(YEARS[0], own, first)
        yield [*people, *registrations(base, own, first, actor)]
        yield list(first_year_records(rng, base, own, first, leaders, actor))
        previous = first
        for year in YEARS:
            current = tiers(rng, len(own), previous)
            drawn.stood(year + 1, own, current)
            yield evaluations(actor, own, year, current)
            previous = current
    yield exception_case(found)
    yield from organisation_life(found)
