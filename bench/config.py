"""What a benchmark run measures, and how big its data sets are."""

from __future__ import annotations

from attrs import evolve, frozen

from guoying.synthetic import CITY, PROVINCE, CitySpec


def _sorted_years(years: tuple[int, ...]) -> tuple[int, ...]:
    if len(years) < 2 or sorted(set(years)) != list(years) or years[0] < 1:
        raise ValueError("history sizes are at least two distinct, increasing numbers of years")
    return years


@frozen
class BenchConfig:
    """The data sets and repetitions of one run.

    `county` is grown to each of `history_years` (the same branches, more years of
    decisions); `city` is built to `history_years[0]` years, so that the two city sizes are
    compared at the same history size.
    """

    name: str
    city: CitySpec
    county: CitySpec
    history_years: tuple[int, ...]
    query_repeats: int = 5  # rounds: one call on each store per round (each round a pair)
    query_seconds: float = 1.0  # each query is timed for at least this long (max 200 rounds)
    pairs: int = 5  # interleaved pairs behind each ratio (`bench.steady`)
    write_samples: int = 5  # each a pair of the library with every other writer
    bases_per_sample: int = 2
    writers: tuple[int, ...] = (1, 2, 4, 8)
    commands_per_writer: int = 40

    def __attrs_post_init__(self) -> None:
        _sorted_years(self.history_years)

    @property
    def city_years(self) -> int:
        return self.history_years[0]


FULL = BenchConfig(
    name="city",
    city=CITY,
    county=CitySpec(branches=1_000),
    history_years=(2, 4, 8),
)
# `make bench-large`: the province in place of the city.
LARGE = evolve(FULL, name="province", city=PROVINCE)
# The harness's own smoke test: a few branches, one repetition, seconds.
SMOKE = BenchConfig(
    name="smoke",
    city=CitySpec(branches=60),
    county=CitySpec(branches=30),
    history_years=(1, 2),
    query_repeats=1,
    query_seconds=0.0,
    pairs=2,
    write_samples=2,
    bases_per_sample=1,
    writers=(1, 2),
    commands_per_writer=5,
)
CONFIGS = {"full": FULL, "large": LARGE, "smoke": SMOKE}
