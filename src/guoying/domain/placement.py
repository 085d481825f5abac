"""Where a branch counts for `ledger.advanced_cap`: for each committee, the years and tiers.

A branch counts in year Y if its first assessment is for Y or earlier and it had not ended
by Y; it counts under its base committee as it stood at the end of Y and every committee
above that one up to its city-managed committee, in the tree as it stood at the end of Y
(or on its registration, for a branch registered after the year it was first assessed);
with the tier in effect for Y. This is the recount every count must equal, computed for one
branch; nothing here depends on the order the decisions were recorded in.
"""

from __future__ import annotations

from guoying.domain.advanced_cap import Placement
from guoying.domain.branch import Branch
from guoying.domain.organization import OrgTree
from guoying.domain.values import Tier, year_end


def _years_that_change(tree: OrgTree, branch: Branch) -> list[int]:
    first = branch.registered_year
    years = {first}
    years |= {year for year, _ in branch.tiers}
    years |= {since.year for since, _ in branch.memberships}
    years |= tree.change_years()
    if branch.ended_on is not None:
        years.add(branch.ended_on.year)
    return sorted(year for year in years if year >= first)


def placements(tree: OrgTree, branch: Branch) -> dict[str, Placement]:
    """Every committee the branch ever counts under, with its placement there."""
    registered_on = branch.memberships[0][0] if branch.memberships else None
    found: dict[str, list[tuple[int, Tier | None]]] = {}
    for year in _years_that_change(tree, branch):
        ended = branch.ended_on is not None and branch.ended_on.year <= year
        on = year_end(year)
        if registered_on is not None and registered_on > on:
            on = registered_on
        tier = branch.tier_for(year)
        chain = [] if ended or tier is None else tree.capped_chain_on(on, branch.base_on(on))
        # In chain order, base committee first: the order the counts are then judged in.
        for committee_id in [*found, *(c for c in chain if c not in found)]:
            steps = found.setdefault(committee_id, [])
            value = tier if committee_id in chain else None
            if (steps[-1][1] if steps else None) != value:
                steps.append((year, value))
    return {committee_id: tuple(steps) for committee_id, steps in found.items() if steps}
