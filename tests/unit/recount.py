"""The counts `ledger.advanced_cap` is decided on, read back and recounted from scratch.

`recount` counts every branch of a store again straight from the rule (rules.md
`ledger.advanced_cap`): a branch counts in year Y when its first assessment is for Y or
earlier and it had not ended by Y, under its base committee at the end of Y and every
committee above it up to its city-managed committee in the tree as it stood then (on its
registration, for a branch registered after that year), with the tier in effect for Y. It
walks the tree with `OrgTree.at(...).capped_chain`, not with the placements the handler
keeps, so a count that drifts from the truth shows up here.
"""

from __future__ import annotations

from collections import Counter

from guoying.domain.advanced_cap import cap_key
from guoying.domain.branch import Branch, branch_key
from guoying.domain.organization import TREE_KEY, OrgTree
from guoying.domain.values import Tier, year_end
from tests.unit.fakes import FakeEventStore

YEARS = range(2016, 2022)


def counts(store: FakeEventStore, committee_id: str, year: int) -> tuple[int, int]:
    """(advanced, active) branches under a committee in a year, from its AdvancedCount."""
    count = store.get(cap_key(committee_id))
    return count.counts().at(year) if count else (0, 0)


def by_year(
    store: FakeEventStore, committee_id: str, years: tuple[int, ...] = (2017, 2018, 2019)
) -> list[tuple[int, int]]:
    return [counts(store, committee_id, year) for year in years]


def branches(store: FakeEventStore) -> list[Branch]:
    found = []
    for stream_id in store.stream_ids("branch:"):
        branch = store.get(branch_key(stream_id.removeprefix("branch:")))
        assert branch is not None
        found.append(branch)
    return found


def recount(tree: OrgTree, every: list[Branch]) -> dict[tuple[str, int], tuple[int, int]]:
    """(committee, year) -> (advanced, active), counted from the rule's own words."""
    advanced: Counter[tuple[str, int]] = Counter()
    active: Counter[tuple[str, int]] = Counter()
    for branch in every:
        registered_on = branch.memberships[0][0]
        for year in YEARS:
            tier = branch.tier_for(year)
            if tier is None or (branch.ended_on is not None and branch.ended_on.year <= year):
                continue
            on = max(year_end(year), registered_on)
            view = tree.at(on)
            for committee in view.capped_chain(branch.base_on(on)):
                active[committee.committee_id, year] += 1
                advanced[committee.committee_id, year] += tier is Tier.ADVANCED
    return {key: (advanced[key], active[key]) for key in active}


def assert_counts_equal_a_recount(store: FakeEventStore) -> None:
    """Every committee's AdvancedCount, every year, equals a recount of every branch."""
    tree = store.get(TREE_KEY)
    assert tree is not None
    expected = recount(tree, branches(store))
    for committee_id in tree.committees:
        for year in YEARS:
            assert counts(store, committee_id, year) == expected.get(
                (committee_id, year), (0, 0)
            ), (committee_id, year)
