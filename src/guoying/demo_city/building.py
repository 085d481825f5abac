"""Building the demo city into a store: the whole sequence of units, in the order one seed
fixes, and whether a store already holds the city."""

from __future__ import annotations

import random
from collections.abc import Iterator

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
    base_actor,
    branches,
    committee_ids,
    committees,
    leadership,
    registrations,
)
from guoying.domain.organization import TREE_KEY, OrgTree

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


def build(guoying: Guoying) -> int:
    """Build the city unless it is already in the store; the number of commands applied."""
    if is_built(guoying):
        return 0
    applied = 0
    for unit in units():
        guoying.execute_unit(unit)
        applied += len(unit)
    # The correction names the event it corrects, so it can only be made once the
    # evaluation it corrects is stored.
    guoying.execute(correction(guoying))
    guoying.catch_up()
    applied += 1
    return applied


def units() -> Iterator[list[c.Command]]:
    """Every unit of the demo city but the correction, in order.

    One random stream feeds the names, the people and the tiers, so the calls below must
    stay in this order for the demo to stay the same."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    yield committees()
    yield [policy_2019()]
    found = branches(rng)
    for base in BASES:
        actor = base_actor(base.committee_id)
        own = found[base.committee_id]
        people, leaders = leadership(rng, base, actor)
        first = tiers(rng, len(own), None)
        yield [*people, *registrations(base, own, first, actor)]
        yield list(first_year_records(rng, base, own, first, leaders, actor))
        previous = first
        for year in YEARS:
            current = tiers(rng, len(own), previous)
            yield evaluations(actor, own, year, current)
            previous = current
    yield exception_case(found)
    yield from organisation_life(found)
