"""The benchmark's ratios and verdicts (`bench.steady`): each ratio the median of its
interleaved pairs with half their interquartile range as its spread, and a verdict that is
unsteady, rather than met or missed, exactly when that spread is wider than the margin to
the bound."""

from __future__ import annotations

import pytest
from bench.steady import of_ratios, paired, verdict


def test_a_ratio_is_the_median_of_its_pairs_ratios_and_its_spread_half_their_quartiles_apart():
    found = paired([(10.0, 20.0), (30.0, 20.0), (9.0, 10.0), (8.0, 10.0), (14.0, 20.0)])
    assert found["ratios"] == [0.5, 1.5, 0.9, 0.8, 0.7]
    assert found["median"] == pytest.approx(0.8)
    assert found["spread"] == pytest.approx((0.9 - 0.7) / 2)
    assert found["pairs"] == 5


def test_one_outlying_pair_moves_neither_the_median_nor_the_spread():
    steady = of_ratios([0.40, 0.41, 0.42, 0.43, 0.44])
    outlier = of_ratios([0.40, 0.41, 0.42, 0.43, 0.90])
    assert outlier["median"] == pytest.approx(steady["median"])
    assert outlier["spread"] == pytest.approx(steady["spread"])


def test_pairs_scattered_more_widely_have_a_wider_spread():
    narrow = of_ratios([0.40, 0.41, 0.42, 0.43, 0.44])
    wide = of_ratios([0.30, 0.36, 0.42, 0.48, 0.54])
    assert wide["spread"] > narrow["spread"]


def test_more_pairs_from_the_same_scatter_do_not_widen_the_spread():
    five = of_ratios([0.40, 0.41, 0.42, 0.43, 0.44])
    many = of_ratios([0.40, 0.41, 0.42, 0.43, 0.44] * 40)
    assert many["spread"] <= five["spread"]


def test_a_single_pair_has_no_spread():
    assert of_ratios([0.7])["spread"] == 0


def test_a_ratio_needs_a_pair_and_a_positive_divisor():
    with pytest.raises(ValueError, match="at least one pair"):
        paired([])
    with pytest.raises(ValueError, match="positive"):
        paired([(1.0, 0.0)])


@pytest.mark.parametrize(
    ("median", "spread", "bound", "kind", "expected"),
    [
        (0.60, 0.05, 0.5, "min", "met"),
        (0.40, 0.05, 0.5, "min", "missed"),
        (1.20, 0.10, 1.5, "max", "met"),
        (1.70, 0.10, 1.5, "max", "missed"),
        (0.55, 0.06, 0.5, "min", "unsteady"),
        (0.45, 0.06, 0.5, "min", "unsteady"),
        (1.45, 0.20, 1.5, "max", "unsteady"),
    ],
)
def test_a_verdict_is_met_or_missed_only_when_the_spread_is_within_the_margin(
    median, spread, bound, kind, expected
):
    assert verdict(median, spread, bound, kind) == expected


@pytest.mark.parametrize("kind", ["min", "max"])
@pytest.mark.parametrize("side", [-1, 1])
def test_the_verdict_flips_to_unsteady_exactly_when_the_spread_passes_the_margin(kind, side):
    bound, margin = 1.0, 0.25
    median = bound + side * margin
    settled = "met" if (side > 0) == (kind == "min") else "missed"
    assert verdict(median, margin - 1e-9, bound, kind) == settled
    assert verdict(median, margin, bound, kind) == settled
    assert verdict(median, margin + 1e-9, bound, kind) == "unsteady"


def test_a_median_on_the_bound_with_no_spread_meets_it_either_way():
    assert verdict(0.5, 0.0, 0.5, "min") == "met"
    assert verdict(1.5, 0.0, 1.5, "max") == "met"
    assert verdict(0.5, 0.01, 0.5, "min") == "unsteady"


def test_a_verdict_names_its_kind():
    with pytest.raises(ValueError, match="kind"):
        verdict(1.0, 0.0, 1.0, "at least")
