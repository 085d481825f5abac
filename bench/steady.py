"""Ratios that hold still on a shared machine, and the verdict they support.

Every ratio the benchmarks report is taken from interleaved pairs: one block of A, then one
of B, then A again, and so on, so that whatever else the machine does meanwhile falls on
both alike. The ratio is the median of the pairs' ratios; its spread is half their
interquartile range, so that one pair caught by a burst of other work does not widen it,
and it does not grow with the number of pairs (a range would: queries run up to 200
rounds). A target is met or missed only when the spread is no wider than the margin between
the median and the bound: otherwise the verdict is "unsteady", since another run on the
same machine could as well have landed on the other side of the bound.
"""

from __future__ import annotations

import os
import statistics
from collections.abc import Sequence
from typing import Any, Literal

# The issue asks for at least five pairs per ratio in `make bench`.
MIN_PAIRS = 5

Verdict = Literal["met", "missed", "unsteady"]


def paired(pairs: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """The ratio a ÷ b of interleaved pairs (a, b): median, spread and each pair's ratio."""
    if not pairs:
        raise ValueError("a ratio needs at least one pair")
    if any(b <= 0 or a < 0 for a, b in pairs):
        raise ValueError("a pair's figures are positive (a ≥ 0, b > 0)")
    return of_ratios([a / b for a, b in pairs])


def of_ratios(ratios: Sequence[float]) -> dict[str, Any]:
    """Median and spread of ratios already taken pair by pair."""
    if not ratios:
        raise ValueError("a ratio needs at least one pair")
    quartiles = (
        statistics.quantiles(ratios, n=4, method="inclusive")
        if len(ratios) > 1
        else [ratios[0]] * 3
    )
    return {
        "median": statistics.median(ratios),
        "spread": (quartiles[2] - quartiles[0]) / 2,
        "pairs": len(ratios),
        "ratios": [round(r, 5) for r in ratios],
        # The 1-minute load average as the last pair ended: on a shared machine, what else
        # ran meanwhile.
        "load": round(os.getloadavg()[0], 2),
    }


def verdict(median: float, spread: float, bound: float, kind: str) -> Verdict:
    """Met or missed when the spread is within the margin to the bound, else unsteady."""
    if kind not in ("min", "max"):
        raise ValueError(f"kind: 'min' or 'max', not {kind!r}")
    if spread > abs(median - bound):
        return "unsteady"
    met = median >= bound if kind == "min" else median <= bound
    return "met" if met else "missed"
