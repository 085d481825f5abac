"""The shape of a synthetic city: its committee tree and the branches of each base
committee, drawn from the seed's tree stream."""

from __future__ import annotations

import random
from collections.abc import Callable

from attrs import frozen

from guoying.domain.values import CommitteeLevel, Sector, Tier
from guoying.synthetic.branches import KINDS, BranchPlan, base_name, branch_plans, split
from guoying.synthetic.config import BRANCHES_PER_COUNTY, CITY, CitySpec
from guoying.synthetic.tiers import advanced_limit, tier_history

_COUNTY_PARTS = "泰岱汶徂新肥宁东平莱蒙沂淄临青历章济鲁峄滕邹曲阳"


@frozen
class CommitteePlan:
    committee_id: str
    name: str
    level: CommitteeLevel
    parent_id: str | None
    county_level: bool = False


@frozen
class CityPlan:
    """The shape of a synthetic city: its committees (parents first) and its branches by
    base committee. The decisions of each year follow from it and the seed."""

    spec: CitySpec
    committees: tuple[CommitteePlan, ...]
    branches: dict[str, tuple[BranchPlan, ...]]  # by base committee, in tree order

    @property
    def city_id(self) -> str:
        return self.committees[0].committee_id

    @property
    def organization_department_id(self) -> str:
        return self.committees[1].committee_id

    def committee(self, committee_id: str) -> CommitteePlan:
        return self._by_id()[committee_id]

    def _by_id(self) -> dict[str, CommitteePlan]:
        return {p.committee_id: p for p in self.committees}

    def base_ids(self) -> list[str]:
        return list(self.branches)

    def branch_ids(self) -> list[str]:
        return [b.branch_id for own in self.branches.values() for b in own]

    def capped_chain(self, base_id: str) -> tuple[str, ...]:
        """The committees whose advanced cap a branch of this base committee counts towards."""
        by_id = self._by_id()
        chain: list[str] = []
        current: CommitteePlan | None = by_id[base_id]
        while current is not None:
            chain.append(current.committee_id)
            if current.level is CommitteeLevel.CITY_MANAGED:
                break
            current = by_id[current.parent_id] if current.parent_id else None
        return tuple(chain)

    def bases_by_county(self) -> dict[str, list[str]]:
        """The base committees under each county-level committee (the last of each one's
        `capped_chain`), counties and bases in tree order."""
        by_id = self._by_id()
        found: dict[str, list[str]] = {}
        for base_id in self.branches:
            current = by_id[base_id]
            while current.level is not CommitteeLevel.CITY_MANAGED and current.parent_id:
                current = by_id[current.parent_id]
            found.setdefault(current.committee_id, []).append(base_id)
        return found

    def year(self, index: int) -> int:
        return self.spec.first_year + index

    def sector_counts(self) -> dict[Sector, int]:
        counts = dict.fromkeys(Sector, 0)
        for own in self.branches.values():
            for branch in own:
                counts[branch.sector] += 1
        return counts

    def advanced_limit(self, active: int) -> int:
        """floor(share x n): how many of `active` branches may be advanced."""
        return advanced_limit(self.spec, active)

    def tiers(self, base_id: str, years: int) -> list[list[Tier]]:
        """The base committee's tiers: the first assessment, then each year's evaluation
        (`years` lists after the first). A longer history extends a shorter one."""
        return tier_history(self.spec, base_id, len(self.branches[base_id]), years)


def plan_city(spec: CitySpec = CITY) -> CityPlan:
    """The committees and branches of a synthetic city of about `spec.branches` branches."""
    rng = random.Random(f"{spec.seed}:tree")  # noqa: S311 - reproducible test data
    n = spec.branches
    counties = max(1, round(n / BRANCHES_PER_COUNTY))
    city = "city"
    committees = [
        CommitteePlan(city, "中共泰安市委员会", CommitteeLevel.CITY, None),
        CommitteePlan(
            "city-zzb", "中共泰安市委组织部", CommitteeLevel.ORGANIZATION_DEPARTMENT, city
        ),
    ]
    parents: dict[str, list[str]] = {key: [] for key in ("county", "county-lx", "county-jg")}
    county_names = _distinct_names(
        counties, lambda: rng.choice(_COUNTY_PARTS) + rng.choice(_COUNTY_PARTS)
    )
    for index, place in enumerate(county_names):
        cid = f"x{index + 1:03d}"
        suffix = ("区", "县", "市")[index % 3]
        committees += [
            CommitteePlan(
                cid,
                f"中共{place}{suffix}委员会",
                CommitteeLevel.CITY_MANAGED,
                city,
                county_level=True,
            ),
            CommitteePlan(
                f"{cid}-lx",
                f"中共{place}{suffix}委两新组织工作委员会",
                CommitteeLevel.INTERMEDIATE,
                cid,
            ),
            CommitteePlan(
                f"{cid}-jg",
                f"中共{place}{suffix}直属机关工作委员会",
                CommitteeLevel.INTERMEDIATE,
                cid,
            ),
        ]
        parents["county"].append(cid)
        parents["county-lx"].append(f"{cid}-lx")
        parents["county-jg"].append(f"{cid}-jg")
    for family, share, name in (
        ("organs", 0.11, "市直机关工作委员会"),
        ("soe", 0.07, "市国有企业工作委员会"),
    ):
        count = max(1, round(n * share / BRANCHES_PER_COUNTY))
        parents[family] = []
        for index in range(count):
            cid = f"{family}{index + 1:02d}"
            label = name if count == 1 else f"{name}（第{index + 1}）"
            committees.append(
                CommitteePlan(cid, f"中共泰安{label}", CommitteeLevel.CITY_MANAGED, city)
            )
            parents[family].append(cid)
    totals = split(n, [kind.share for kind in KINDS])
    branches: dict[str, tuple[BranchPlan, ...]] = {}
    for kind, total in zip(KINDS, totals, strict=True):
        if not total:
            continue
        bases = max(1, round(total / kind.size))
        sizes = split(total, [rng.uniform(0.6, 1.4) for _ in range(bases)])
        above = parents[kind.parent]
        for index, size in enumerate(sizes):
            if not size:
                continue
            parent = above[index % len(above)]
            base_id = f"{parent}-{kind.key}{index // len(above) + 1:02d}"
            committees.append(
                CommitteePlan(
                    base_id,
                    base_name(rng, kind, parent, index),
                    CommitteeLevel.BASE,
                    parent,
                )
            )
            branches[base_id] = branch_plans(rng, kind, base_id, size)
    return CityPlan(spec, tuple(committees), branches)


def _distinct_names(count: int, make: Callable[[], str]) -> list[str]:
    seen: list[str] = []
    while len(seen) < count:
        name = make()
        if name in seen:
            name = f"{name}{len(seen) + 1}"
        seen.append(name)
    return seen
