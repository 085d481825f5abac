"""Two tier decisions a town's clerk gets wrong, which the rules refuse, and what the
demo's ledger came to.

大汶口镇's clerk rates a third village advanced in the 2019 evaluation, for a provincial
model-village award, although the town already holds its two (`ledger.advanced_cap`: the
district approved no exception, as it did for 满庄镇). 满庄镇's clerk enters the 2018 result
of the village it takes over from 粥店街道 with its own evaluations in January 2019, before
the move takes effect in March (`org.jurisdiction`).
"""

from __future__ import annotations

from collections.abc import Iterator

from guoying.api import Guoying
from guoying.application import commands as c
from guoying.demo_city.decisions import YEARS, moved_village
from guoying.demo_city.layout import (
    CITY_MANAGED,
    SHOWN_COMMITTEE,
    Branch,
    base_actor,
    capped_committee_ids,
    on,
)
from guoying.demo_city.selection import Step
from guoying.demo_city.selection_summary import DemoBroken
from guoying.domain.values import Sector, Tier

CAPPED_TOWN = "dy-dawenkou"


def ledger_refusals(
    branches: dict[str, list[Branch]], standing: dict[int, dict[str, Tier]]
) -> Iterator[Step]:
    """The two steps, each a command its rule refuses; `standing` is each year's tiers
    as the evaluations left them (the year after the one evaluated)."""
    last = YEARS[-1]
    rated = standing[last + 1]
    village = next(
        b
        for b in branches[CAPPED_TOWN]
        if b.sector is Sector.RURAL and rated[b.branch_id] is Tier.MIDDLE
    )
    yield Step(
        last,
        (
            c.AdjustTier(
                actor=base_actor(CAPPED_TOWN),
                reason=f"{last}年度考评：该村获评省级美丽乡村示范村，评定为先进（过硬）",
                effective_on=on(last + 1, 1, 20),
                branch_id=village.branch_id,
                year=last,
                tier=Tier.ADVANCED,
            ),
        ),
        refused_by="ledger.advanced_cap",
    )
    moved = moved_village(branches)
    year = YEARS[1]
    yield Step(
        year,
        (
            c.AdjustTier(
                actor=base_actor(SHOWN_COMMITTEE),
                reason=f"{year}年度考评结果（该村区划调整后划归我镇）",
                effective_on=on(year + 1, 1, 20),
                branch_id=moved.branch_id,
                year=year,
                tier=standing[year + 1][moved.branch_id],
            ),
        ),
        refused_by="org.jurisdiction",
    )


def ledger_line(guoying: Guoying, refused: list[str]) -> str:
    """What the ledgers of the last year came to: the advanced targets and tiers, within
    `ledger.advanced_cap` in every committee it applies to (DemoBroken otherwise), and the
    refusals meant."""
    year = YEARS[-1]
    targets = rated = 0
    above: list[str] = []
    for committee in capped_committee_ids():
        ledger = guoying.ledger(committee, year)
        aimed = sum(row.targets.get(year) is Tier.ADVANCED for row in ledger.rows)
        figures = ledger.figures
        if committee in {cid for cid, _, _ in CITY_MANAGED}:
            targets, rated = targets + aimed, rated + figures.counts[Tier.ADVANCED]
        if max(aimed, figures.counts[Tier.ADVANCED]) <= figures.advanced_limit:
            continue
        if not any(e.committee_id == committee and year in e.years for e in ledger.cap_exceptions):
            raise DemoBroken(f"{committee} is above ledger.advanced_cap in {year}")
        above.append(committee)
    return (
        f"Ledger {year}: {targets} branches target the advanced tier and {rated} are rated "
        f"advanced, within ledger.advanced_cap in every committee but "
        f"{', '.join(above) or 'none'} (by an approved exception); refused as intended: "
        f"{', '.join(refused) or 'none'}."
    )
