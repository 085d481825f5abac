"""Synthetic cities for load tests and benchmarks, deterministic from a seed.

A synthetic city is a committee tree (the city committee, its Organization Department,
county-level and other city-managed committees, intermediate work committees, base
committees), branches across every sector in realistic shares, and years of decisions on
them: first assessments, annual evaluations, creation targets, liaisons, rectification cases
and common problems. Everything goes through the public commands, so the store it builds
is what a city would build; nothing is written behind the library's back.

The same seed and size give the same commands, and a longer history extends a shorter one:
the first `k` years of a 12-year city are the `k`-year city, so a store can be grown year
by year (`build(..., start=k)`). `build_parallel` writes the same events with each year's
base committees shared among worker processes, split by county, for a store in a file::

    >>> from guoying import Guoying
    >>> from guoying.synthetic import CitySpec, build, plan_city
    >>> plan = plan_city(CitySpec(branches=40, seed=7))
    >>> len(plan.branch_ids())
    40
    >>> with Guoying("memory://") as app:
    ...     report = build(app, plan, years=2)
    >>> report.years
    2

`ledger.advanced_cap` holds by construction: every base committee keeps at most
floor(share x n) advanced branches each year, and since floor is superadditive every
committee above it does too; evaluations are ordered so that a branch leaves the advanced
tier before another one enters it, so the cap also holds after every single command.

`config` holds the spec and the generator version, `branches` the kinds of base committee
and their branches, `tiers` each base committee's tiers by year, `tree` the city's plan,
`years` the commands year by year, and `generate` applies them to a store.
"""

from __future__ import annotations

from guoying.synthetic.branches import BranchPlan
from guoying.synthetic.config import CITY, GENERATOR_VERSION, PROVINCE, CitySpec
from guoying.synthetic.generate import BuildReport, build, build_parallel, county_shares
from guoying.synthetic.tree import CityPlan, CommitteePlan, plan_city
from guoying.synthetic.years import setup_commands, units, year_commands

__all__ = [
    "CITY",
    "GENERATOR_VERSION",
    "PROVINCE",
    "BranchPlan",
    "BuildReport",
    "CityPlan",
    "CitySpec",
    "CommitteePlan",
    "build",
    "build_parallel",
    "county_shares",
    "plan_city",
    "setup_commands",
    "units",
    "year_commands",
]
