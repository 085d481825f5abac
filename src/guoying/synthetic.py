"""Synthetic cities for load tests and benchmarks, deterministic from a seed.

A synthetic city is a committee tree (the city committee, its Organization Department,
county-level and other city-managed committees, intermediate work committees, base
committees), branches across every sector in realistic shares, and years of decisions on
them: first assessments, annual evaluations, creation targets, liaisons, rectification cases
and common problems. Everything goes through the public commands, so the store it builds
is what a city would build; nothing is written behind the library's back.

The same seed and size give the same commands, and a longer history extends a shorter one:
the first `k` years of a 12-year city are the `k`-year city, so a store can be grown year
by year (`build(..., start=k)`)::

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
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from attrs import evolve, field, frozen

from guoying.api import Guoying
from guoying.application import commands as c
from guoying.domain.policy import TAIAN_2017, Policy
from guoying.domain.values import Actor, CommitteeLevel, Sector, Tier, UnitKind
from guoying.sample_text import COMMON_PROBLEMS, LEADER_POSITIONS, PROBLEMS, person_name

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
    "plan_city",
    "setup_commands",
    "year_commands",
]

# Raise whenever the commands generated for a spec change: cached stores are keyed by it.
GENERATOR_VERSION = 1

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


@frozen
class CommitteePlan:
    committee_id: str
    name: str
    level: CommitteeLevel
    parent_id: str | None
    county_level: bool = False


@frozen
class BranchPlan:
    branch_id: str
    name: str
    sector: Sector
    base_committee_id: str
    unit_id: str
    unit_name: str
    unit_kind: UnitKind
    financial: bool = False


@frozen
class _BaseKind:
    key: str
    share: float  # of all branches
    size: int  # mean branches per base committee of this kind
    mix: tuple[tuple[Sector, int], ...]  # percentages
    parent: str  # "county", "county-lx", "county-jg", "organs", "soe"


# The shares follow the make-up of a prefecture-level city in Shandong: about 45% village
# branches, a fifth in public institutions and organs, an eighth in non-public enterprises.
_KINDS = (
    _BaseKind(
        "town",
        0.48,
        80,
        (
            (Sector.RURAL, 85),
            (Sector.PUBLIC_INSTITUTION, 7),
            (Sector.NON_PUBLIC_ENTERPRISE, 4),
            (Sector.OTHER, 4),
        ),
        "county",
    ),
    _BaseKind(
        "street",
        0.14,
        60,
        (
            (Sector.URBAN_COMMUNITY, 45),
            (Sector.RURAL, 20),
            (Sector.PUBLIC_INSTITUTION, 15),
            (Sector.NON_PUBLIC_ENTERPRISE, 12),
            (Sector.SOCIAL_ORGANIZATION, 3),
            (Sector.OTHER, 5),
        ),
        "county",
    ),
    _BaseKind(
        "two-new",
        0.10,
        60,
        ((Sector.NON_PUBLIC_ENTERPRISE, 75), (Sector.SOCIAL_ORGANIZATION, 25)),
        "county-lx",
    ),
    _BaseKind(
        "county-organ",
        0.10,
        45,
        ((Sector.PUBLIC_INSTITUTION, 75), (Sector.OTHER, 25)),
        "county-jg",
    ),
    _BaseKind(
        "city-organ",
        0.11,
        40,
        ((Sector.PUBLIC_INSTITUTION, 70), (Sector.OTHER, 30)),
        "organs",
    ),
    _BaseKind("soe", 0.07, 60, ((Sector.STATE_OWNED_ENTERPRISE, 100),), "soe"),
)

_UNIT_KIND = {
    Sector.RURAL: UnitKind.VILLAGE,
    Sector.URBAN_COMMUNITY: UnitKind.COMMUNITY,
    Sector.PUBLIC_INSTITUTION: UnitKind.INSTITUTION,
    Sector.STATE_OWNED_ENTERPRISE: UnitKind.ENTERPRISE,
    Sector.NON_PUBLIC_ENTERPRISE: UnitKind.ENTERPRISE,
    Sector.SOCIAL_ORGANIZATION: UnitKind.ORGANIZATION,
    Sector.OTHER: UnitKind.OTHER,
}

_PLACE_FIRST = "东西南北前后上下大小新老高石马王李张刘杨赵孙黄周吴郑冯陈褚卫蒋沈韩朱秦许何吕施"
_PLACE_SECOND = "庄家营屯店峪河岭坡洼桥口集寨园湖沟山泉林"
_COUNTY_PARTS = "泰岱汶徂新肥宁东平莱蒙沂淄临青历章济鲁峄滕邹曲阳"
_COMMUNITY = "泰前岱宗东湖龙潭财源红门虎山望岳灵芝通天奈河盘龙温泉泮河迎胜金山"
_INSTITUTIONS = ("中心小学", "初级中学", "卫生院", "财政所", "农业综合服务站", "文化站", "派出所")
_BUREAUS = ("教育", "卫生健康", "财政", "自然资源", "住房城乡建设", "交通运输", "农业农村", "水利")
_ENTERPRISE_FIRST = "泰岱鲁汶岳华鑫金绿蓝东丰盛源和联"
_ENTERPRISE_SECOND = (
    "钢铁",
    "纺织",
    "机械",
    "农业",
    "物流",
    "建材",
    "电子",
    "食品",
    "化工",
    "商贸",
)
_SOCIAL = (
    "志愿者协会",
    "个体劳动者协会",
    "物流行业协会",
    "义工联合会",
    "养老服务中心",
    "书法家协会",
)


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
        return _limit(self.spec, active)

    def tiers(self, base_id: str, years: int) -> list[list[Tier]]:
        """The base committee's tiers: the first assessment, then each year's evaluation
        (`years` lists after the first). A longer history extends a shorter one."""
        return _tier_history(self.spec, base_id, len(self.branches[base_id]), years)


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
    totals = _split(n, [kind.share for kind in _KINDS])
    branches: dict[str, tuple[BranchPlan, ...]] = {}
    for kind, total in zip(_KINDS, totals, strict=True):
        if not total:
            continue
        bases = max(1, round(total / kind.size))
        sizes = _split(total, [rng.uniform(0.6, 1.4) for _ in range(bases)])
        above = parents[kind.parent]
        for index, size in enumerate(sizes):
            if not size:
                continue
            parent = above[index % len(above)]
            base_id = f"{parent}-{kind.key}{index // len(above) + 1:02d}"
            committees.append(
                CommitteePlan(
                    base_id,
                    _base_name(rng, kind, parent, index),
                    CommitteeLevel.BASE,
                    parent,
                )
            )
            branches[base_id] = _branches(rng, kind, base_id, size)
    return CityPlan(spec, tuple(committees), branches)


def _distinct_names(count: int, make: Callable[[], str]) -> list[str]:
    seen: list[str] = []
    while len(seen) < count:
        name = make()
        if name in seen:
            name = f"{name}{len(seen) + 1}"
        seen.append(name)
    return seen


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights`, by largest remainder."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: counts[i] - exact[i])
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _base_name(rng: random.Random, kind: _BaseKind, parent: str, index: int) -> str:
    place = rng.choice(_PLACE_FIRST) + rng.choice(_PLACE_SECOND)
    match kind.key:
        case "town":
            return f"中共{place}镇委员会"
        case "street":
            return f"中共{place}街道工作委员会"
        case "two-new":
            return f"中共{place}经济开发区非公有制企业委员会"
        case "county-organ" | "city-organ":
            bureau = _BUREAUS[index % len(_BUREAUS)]
            return f"中共{parent}{bureau}局委员会"
        case _:
            return f"中共泰安{place}集团有限公司委员会"


def _branches(
    rng: random.Random, kind: _BaseKind, base_id: str, size: int
) -> tuple[BranchPlan, ...]:
    counts = _split(size, [share for _, share in kind.mix])
    found: list[BranchPlan] = []
    seen: set[str] = set()
    for (sector, _), count in zip(kind.mix, counts, strict=True):
        for _ in range(count):
            number = len(found) + 1
            unit_name, proposed = _branch_name(rng, sector, number)
            name = proposed
            if name in seen:
                name = proposed.removesuffix("党支部") + f"第{number}党支部"
            seen.add(name)
            branch_id = f"{base_id}-{number:03d}"
            found.append(
                BranchPlan(
                    branch_id=branch_id,
                    name=name,
                    sector=sector,
                    base_committee_id=base_id,
                    unit_id=f"{branch_id}-u",
                    unit_name=unit_name,
                    unit_kind=_UNIT_KIND[sector],
                    financial=sector is Sector.STATE_OWNED_ENTERPRISE and rng.random() < 0.1,
                )
            )
    return tuple(found)


def _branch_name(rng: random.Random, sector: Sector, number: int) -> tuple[str, str]:
    """The unit's name and its branch's name."""
    match sector:
        case Sector.RURAL:
            unit = rng.choice(_PLACE_FIRST) + rng.choice(_PLACE_FIRST) + rng.choice(_PLACE_SECOND)
            return f"{unit}村", f"{unit}村党支部"
        case Sector.URBAN_COMMUNITY:
            unit = rng.choice(_COMMUNITY) + rng.choice(_COMMUNITY) + "社区"
            return unit, f"{unit}党支部"
        case Sector.PUBLIC_INSTITUTION:
            unit = rng.choice(_PLACE_FIRST) + rng.choice(_PLACE_SECOND) + rng.choice(_INSTITUTIONS)
            return unit, f"{unit}党支部"
        case Sector.STATE_OWNED_ENTERPRISE:
            unit = f"第{number}分公司"
            return unit, f"{unit}党支部"
        case Sector.NON_PUBLIC_ENTERPRISE:
            unit = (
                rng.choice(_ENTERPRISE_FIRST)
                + rng.choice(_ENTERPRISE_FIRST)
                + rng.choice(_ENTERPRISE_SECOND)
                + "有限公司"
            )
            return unit, f"{unit}党支部"
        case Sector.SOCIAL_ORGANIZATION:
            unit = rng.choice(_PLACE_FIRST) + rng.choice(_PLACE_SECOND) + rng.choice(_SOCIAL)
            return unit, f"{unit}党支部"
        case _:
            unit = f"离退休党员{number}"
            return unit, f"离退休党员第{number}党支部"


def _limit(spec: CitySpec, active: int) -> int:
    return int((spec.advanced_share * active).to_integral_value(ROUND_FLOOR))


def _tier_history(spec: CitySpec, base_id: str, count: int, years: int) -> list[list[Tier]]:
    """The first assessment and `years` evaluations, each within the base's advanced cap.

    One random stream per base committee, consumed year by year, so that the first years
    of a long history are the short history."""
    rng = random.Random(f"{spec.seed}:{base_id}:tiers")  # noqa: S311 - reproducible test data
    limit = _limit(spec, count)
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
    ladder = [Tier.WEAK, Tier.LAGGING, Tier.MIDDLE, Tier.ADVANCED]
    for _ in range(years):
        previous = history[-1]
        tiers = list(previous)
        for index, tier in enumerate(previous):
            roll = rng.random()
            if tier in (Tier.WEAK, Tier.LAGGING) and roll < 0.45:
                tiers[index] = ladder[ladder.index(tier) + 1]
            elif tier is Tier.MIDDLE and roll < 0.05:
                tiers[index] = Tier.LAGGING
            elif tier is Tier.MIDDLE and roll < 0.06:
                tiers[index] = Tier.WEAK
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


def _on(year: int, month: int, day: int) -> date:
    return date(year, month, day)


def _actor(committee_id: str) -> Actor:
    return Actor(f"system:synthetic:{committee_id}", committee_id, "import")


def synthetic_policy(spec: CitySpec) -> Policy:
    """The policy version the synthetic city publishes: the 2017 Tai'an values, with plan
    years long enough for any history the benchmark asks for."""
    return evolve(
        TAIAN_2017,
        version=f"synthetic-{spec.first_year}",
        effective_on=_on(spec.first_year, 6, 1),
        advanced_share=spec.advanced_share,
        first_year=spec.first_year,
        last_year=spec.first_year + PLAN_YEARS_AHEAD,
    )


def setup_commands(plan: CityPlan) -> list[c.Command]:
    """The committee tree, founded before any decision, and the synthetic policy version."""
    founded = _on(plan.spec.first_year, 6, 1)
    city_actor = _actor(plan.city_id)
    commands: list[c.Command] = [
        c.RegisterCommittee(
            actor=city_actor,
            reason="建立组织体系",
            effective_on=founded,
            committee_id=p.committee_id,
            name=p.name,
            level=p.level,
            parent_id=p.parent_id,
            county_level=p.county_level,
        )
        for p in plan.committees
    ]
    commands.append(
        c.PublishPolicy(
            actor=_actor(plan.organization_department_id),
            reason="发布合成数据使用的政策版本",
            effective_on=founded,
            policy=synthetic_policy(plan.spec),
        )
    )
    return commands


def _leaders(base_id: str) -> list[tuple[str, str]]:
    return [(f"{base_id}-p{i + 1}", position) for i, position in enumerate(LEADER_POSITIONS)]


def _registration(plan: CityPlan, base_id: str) -> list[c.Command]:
    """The base committee's leaders, units and branches with their first assessment."""
    spec = plan.spec
    rng = random.Random(f"{spec.seed}:{base_id}:people")  # noqa: S311 - test data
    actor = _actor(base_id)
    on = _on(spec.first_year, 6, 20)
    commands: list[c.Command] = []
    for person_id, position in _leaders(base_id):
        name = person_name(rng)
        commands.append(
            c.RegisterPerson(
                actor=actor,
                reason="党委领导班子成员",
                effective_on=on,
                person_id=person_id,
                name=name,
                phone=f"0538-8{rng.randrange(100000, 999999)}",
            )
        )
        commands.append(
            c.AppointLeader(
                actor=actor,
                reason="党委领导班子成员分工",
                effective_on=on,
                committee_id=base_id,
                person_id=person_id,
                position=position,
            )
        )
    own = plan.branches[base_id]
    commands += [
        c.RegisterUnit(
            actor=actor,
            reason="登记党支部所在单位",
            effective_on=on,
            unit_id=b.unit_id,
            name=b.unit_name,
            kind=b.unit_kind,
            committee_id=base_id,
        )
        for b in own
    ]
    first = plan.tiers(base_id, 0)[0]
    commands += [
        c.RegisterBranch(
            actor=actor,
            reason="基层党委分析研判，确定初始等次",
            effective_on=_on(spec.first_year, 6, 30),
            branch_id=b.branch_id,
            name=b.name,
            sector=b.sector,
            base_committee_id=base_id,
            unit_ids=(b.unit_id,),
            is_financial_institution=b.financial,
            year=spec.first_year,
            tier=tier,
        )
        for b, tier in _advanced_last(own, first)
    ]
    return commands


def _advanced_last(
    own: Sequence[BranchPlan], tiers: Sequence[Tier]
) -> list[tuple[BranchPlan, Tier]]:
    """Decisions in an order that keeps the cap after every single one: a branch leaves
    the advanced tier before another one enters it."""
    pairs = list(zip(own, tiers, strict=True))
    return [p for p in pairs if p[1] is not Tier.ADVANCED] + [
        p for p in pairs if p[1] is Tier.ADVANCED
    ]


def _target_for(tier: Tier, offset: int) -> Tier:
    """A creation target `offset` years into a plan window: a step up each year, to the
    middle tier, and to advanced in the window's last year for branches already middle."""
    ladder = [Tier.WEAK, Tier.LAGGING, Tier.MIDDLE, Tier.ADVANCED]
    current = ladder.index(tier)
    goal = min(current + 1 + offset, 3 if offset == 2 else 2)
    return ladder[max(goal, current)]


def year_commands(plan: CityPlan, index: int, base_id: str) -> list[c.Command]:
    """One base committee's work in year `first_year + index`, in the order a clerk would
    enter it: liaisons, creation targets, problems found and signed off, common problems,
    then the year's evaluation. Year 0 also registers the committee's leaders, units and
    branches with their first assessment."""
    spec = plan.spec
    year = plan.year(index)
    rng = random.Random(f"{spec.seed}:{base_id}:{index}")  # noqa: S311 - test data
    actor = _actor(base_id)
    own = plan.branches[base_id]
    history = plan.tiers(base_id, index + 1)
    before, after = history[index], history[index + 1]
    leaders = _leaders(base_id)
    commands: list[c.Command] = _registration(plan, base_id) if index == 0 else []
    # Liaisons: everyone in the first year, a tenth of the branches change liaison later.
    for number, branch in enumerate(own):
        if index == 0 or rng.random() < 0.1:
            person_id, position = leaders[(number + index) % len(leaders)]
            commands.append(
                c.AssignLiaison(
                    actor=actor,
                    reason="党委班子成员联系包保",
                    effective_on=_on(year, 7, 5) if index == 0 else _on(year, 2, 1),
                    branch_id=branch.branch_id,
                    person_id=person_id,
                    position=position,
                )
            )
    # Creation targets for the three years of each plan window, set when it opens.
    if index % 3 == 0:
        window_on = _on(year, 7, 5) if index == 0 else _on(year, 1, 15)
        for branch, tier in zip(own, before, strict=True):
            commands += [
                c.SetCreationTarget(
                    actor=actor,
                    reason="制定三年创建目标",
                    effective_on=window_on,
                    branch_id=branch.branch_id,
                    year=year + offset,
                    target=_target_for(tier, offset),
                )
                for offset in range(3)
            ]
        commands += [
            c.RecordCommonProblem(
                actor=actor,
                reason="查摆面上共性问题",
                effective_on=window_on,
                committee_id=base_id,
                problem_id=f"{base_id}-common-{year}-{number}",
                year=year,
                problem=problem,
                measure=measure,
            )
            for number, (problem, measure) in enumerate(COMMON_PROBLEMS, start=1)
        ]
    # Rectification: weak and lagging branches, and a few others, find a problem.
    found_on = _on(year, 7, 10) if index == 0 else _on(year, 3, 10)
    for number, (branch, tier) in enumerate(zip(own, before, strict=True)):
        if tier not in (Tier.WEAK, Tier.LAGGING) and rng.random() >= 0.08:
            continue
        problem, measure = rng.choice(PROBLEMS)
        case_id = f"{branch.branch_id}-c{year}"
        deadline = _on(year, 12, 31) if rng.random() < 0.6 else _on(year + 1, 6, 30)
        commands.append(
            c.RecordProblem(
                actor=actor,
                reason="分析研判查摆问题",
                effective_on=found_on,
                branch_id=branch.branch_id,
                case_id=case_id,
                problem=problem,
                measure=measure,
                owner_id=leaders[(number + index) % len(leaders)][0],
                deadline=deadline,
            )
        )
        if rng.random() < 0.8:
            commands.append(
                c.SignOffRectification(
                    actor=actor,
                    reason="整改到位，验收销号",
                    effective_on=_on(deadline.year, deadline.month, 15),
                    branch_id=branch.branch_id,
                    case_id=case_id,
                    outcome="已按期整改完成",
                )
            )
    # The year's evaluation, decided in January of the next year.
    commands += [
        c.AdjustTier(
            actor=actor,
            reason=f"{year}年度考评结果",
            effective_on=_on(year + 1, 1, 20),
            branch_id=branch.branch_id,
            year=year,
            tier=tier,
        )
        for branch, tier in _advanced_last(own, after)
    ]
    return commands


def units(plan: CityPlan, years: int, *, start: int = 0) -> Iterator[list[c.Command]]:
    """The commands of years `start` .. `years - 1`, one unit per base committee and year
    (each judged on its end state, as an import is); year 0 is preceded by the tree."""
    if start == 0:
        yield setup_commands(plan)
    for index in range(start, years):
        for base_id in plan.branches:
            yield year_commands(plan, index, base_id)


@frozen
class BuildReport:
    years: int
    units: int
    commands: int
    events: int


Progress = Callable[[int, int], None]  # (units done, units in all)


def build(
    app: Guoying,
    plan: CityPlan,
    *,
    years: int,
    start: int = 0,
    progress: Progress | None = None,
) -> BuildReport:
    """Apply years `start` .. `years - 1` of the city to a store through `execute_unit`.

    A store holding the first `start` years of the same plan is extended; `start=0` needs
    an empty store. Raises the library's error if any unit is refused (a generator bug)."""
    if years < 1 or not 0 <= start <= years:
        raise ValueError("years must be at least 1 and start within 0..years")
    total = (start == 0) + (years - start) * len(plan.branches)
    done = commands = events = 0
    for unit in units(plan, years, start=start):
        outcome = app.execute_unit(unit)
        done += 1
        commands += len(unit)
        events += len(outcome.events)
        if progress is not None:
            progress(done, total)
    return BuildReport(years, done, commands, events)
