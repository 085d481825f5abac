"""The tiers of a base committee's branches year by year, each year within its advanced
cap: the first assessment and the annual evaluations the commands then record."""

from __future__ import annotations

import random
from decimal import ROUND_FLOOR

from guoying.domain.values import Tier
from guoying.sample_records import moved_on
from guoying.synthetic.config import CitySpec


def advanced_limit(spec: CitySpec, active: int) -> int:
    """floor(share x n): how many of `active` branches may be advanced."""
    return int((spec.advanced_share * active).to_integral_value(ROUND_FLOOR))


def tier_history(spec: CitySpec, base_id: str, count: int, years: int) -> list[list[Tier]]:
    """The first assessment and `years` evaluations, each within the base's advanced cap.

    One random stream per base committee, consumed year by year, so that the first years
    of a long history are the short history."""
    rng = random.Random(f"{spec.seed}:{base_id}:tiers")  # noqa: S311 - reproducible test data
    limit = advanced_limit(spec, count)
    tiers = [Tier.MIDDLE] * count
    order = list(range(count))
    rng.shuffle(order)
    advanced = max(0, limit - (rng.random() < 0.3))
    weak = max(1, count // 20) if count >= 5 else 0
    lagging = max(1, count // 8) if count >= 3 else 0
    for position, index in enumerate(order):
        if position < advanced:
            tiers[index] = Tier.ADVANCED
        elif position < advanced + weak:
            tiers[index] = Tier.WEAK
        elif position < advanced + weak + lagging:
            tiers[index] = Tier.LAGGING
    history = [tiers]
    for _ in range(years):
        tiers = moved_on(rng, history[-1], up=0.45, to_lagging=0.05, to_weak=0.06)
        now_advanced = [i for i, t in enumerate(tiers) if t is Tier.ADVANCED]
        middles = [i for i, t in enumerate(tiers) if t is Tier.MIDDLE]
        if now_advanced and middles and rng.random() < 0.5:
            # One advanced branch slips back and a middle one takes its place.
            tiers[rng.choice(now_advanced)] = Tier.MIDDLE
            tiers[rng.choice(middles)] = Tier.ADVANCED
        elif len(now_advanced) < limit and middles and rng.random() < 0.3:
            tiers[rng.choice(middles)] = Tier.ADVANCED
        history.append(tiers)
    return history
