"""What a synthetic city is generated from: the spec, the standard sizes, and the generator
version that names cached stores."""

from __future__ import annotations

from decimal import Decimal

from attrs import field, frozen

# Raise whenever the commands generated for a spec change: cached stores are keyed by it.
GENERATOR_VERSION = 2

# How many branches one county-level committee leads, and one base committee of each kind.
BRANCHES_PER_COUNTY = 1_500
PLAN_YEARS_AHEAD = 49  # the synthetic policy version covers first_year .. first_year + 49


@frozen
class CitySpec:
    """What to generate: about `branches` branches, from `seed`, starting in `first_year`."""

    branches: int = field(default=12_000)
    seed: int = 2017
    first_year: int = 2017
    advanced_share: Decimal = Decimal("0.10")

    @branches.validator
    def _positive(self, _: object, value: int) -> None:
        if value < 1:
            raise ValueError("a city needs at least one branch")

    @property
    def key(self) -> str:
        """A name for caches: generator version, seed, size and first year."""
        return f"g{GENERATOR_VERSION}-s{self.seed}-b{self.branches}-y{self.first_year}"


CITY = CitySpec(branches=12_000)  # a prefecture-level city
PROVINCE = CitySpec(branches=200_000)  # a province's worth of branches under one tree
