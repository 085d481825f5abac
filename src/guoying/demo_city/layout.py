"""The layout of the demo city: its committees, their leaders, units and branches.

Names are composed from common place-name parts and surnames drawn from the demo's one
random stream, so the order of the calls here is part of the demo's output.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date

from attrs import frozen

from guoying import sample_records as records
from guoying.application import commands as c
from guoying.domain.values import Actor, CommitteeLevel, Sector, Tier, UnitKind
from guoying.sample_text import LEADER_POSITIONS

CITY = "taian"
ORG_DEPARTMENT = "taian-zzb"
# What `guoying demo` prints: one base committee's ledger, and a summary of these.
SHOWN_COMMITTEE = "dy-manzhuang"
SUMMARY_COMMITTEES = ("taishan", "daiyue", "dy-lxzw", "szjg", "dy-manzhuang", "ts-caiyuan")

CITY_ACTOR = Actor("system:demo", CITY, "import")


def on(year: int, month: int, day: int) -> date:
    return date(year, month, day)


@frozen
class BaseCommittee:
    committee_id: str
    name: str
    parent_id: str
    mix: tuple[tuple[Sector, int], ...]


CITY_MANAGED = (
    ("taishan", "中共泰安市泰山区委员会", True),
    ("daiyue", "中共泰安市岱岳区委员会", True),
    ("szjg", "中共泰安市直属机关工作委员会", False),
)
INTERMEDIATE = (("dy-lxzw", "中共岱岳区委两新组织工作委员会", "daiyue"),)
BASES = (
    BaseCommittee(
        "ts-caiyuan",
        "中共泰山区财源街道工作委员会",
        "taishan",
        (
            (Sector.URBAN_COMMUNITY, 9),
            (Sector.PUBLIC_INSTITUTION, 4),
            (Sector.NON_PUBLIC_ENTERPRISE, 4),
            (Sector.OTHER, 2),
        ),
    ),
    BaseCommittee(
        "ts-daimiao",
        "中共泰山区岱庙街道工作委员会",
        "taishan",
        (
            (Sector.URBAN_COMMUNITY, 8),
            (Sector.PUBLIC_INSTITUTION, 3),
            (Sector.SOCIAL_ORGANIZATION, 3),
            (Sector.OTHER, 1),
        ),
    ),
    BaseCommittee(
        "ts-qiujiadian",
        "中共泰山区邱家店镇委员会",
        "taishan",
        ((Sector.RURAL, 16), (Sector.PUBLIC_INSTITUTION, 3), (Sector.NON_PUBLIC_ENTERPRISE, 2)),
    ),
    BaseCommittee(
        "ts-fgsh",
        "中共泰山区非公有制经济组织和社会组织委员会",
        "taishan",
        ((Sector.NON_PUBLIC_ENTERPRISE, 10), (Sector.SOCIAL_ORGANIZATION, 6)),
    ),
    BaseCommittee(
        "dy-manzhuang",
        "中共岱岳区满庄镇委员会",
        "daiyue",
        (
            (Sector.RURAL, 18),
            (Sector.PUBLIC_INSTITUTION, 3),
            (Sector.NON_PUBLIC_ENTERPRISE, 3),
            (Sector.SOCIAL_ORGANIZATION, 1),
        ),
    ),
    BaseCommittee(
        "dy-dawenkou",
        "中共岱岳区大汶口镇委员会",
        "daiyue",
        (
            (Sector.RURAL, 17),
            (Sector.PUBLIC_INSTITUTION, 3),
            (Sector.STATE_OWNED_ENTERPRISE, 1),
            (Sector.NON_PUBLIC_ENTERPRISE, 2),
        ),
    ),
    BaseCommittee(
        "dy-zhoudian",
        "中共岱岳区粥店街道工作委员会",
        "daiyue",
        (
            (Sector.URBAN_COMMUNITY, 6),
            (Sector.RURAL, 8),
            (Sector.PUBLIC_INSTITUTION, 2),
            (Sector.OTHER, 1),
        ),
    ),
    BaseCommittee(
        "dy-kfqfg",
        "中共岱岳经济开发区非公有制企业委员会",
        "dy-lxzw",
        ((Sector.NON_PUBLIC_ENTERPRISE, 11), (Sector.SOCIAL_ORGANIZATION, 3)),
    ),
    BaseCommittee("szjg-jyj", "中共泰安市教育局委员会", "szjg", ((Sector.PUBLIC_INSTITUTION, 14),)),
    BaseCommittee(
        "szjg-wjw",
        "中共泰安市卫生和计划生育委员会委员会",
        "szjg",
        ((Sector.PUBLIC_INSTITUTION, 11), (Sector.OTHER, 1)),
    ),
    BaseCommittee(
        "szjg-ctjt",
        "中共泰安市城市发展投资集团委员会",
        "szjg",
        ((Sector.STATE_OWNED_ENTERPRISE, 12),),
    ),
)

_PLACE_FIRST = "东西南北前后上下大小新老高石马王李张刘杨赵孙"
_PLACE_SECOND = "庄家营屯店峪河岭坡洼桥口集寨园湖沟"
_COMMUNITY = (
    "泰前",
    "岱宗",
    "东湖",
    "龙潭",
    "财源",
    "红门",
    "虎山",
    "望岳",
    "青年路",
    "灵芝",
    "擂鼓石",
    "通天",
    "奈河",
    "盘龙",
    "温泉",
    "泮河",
    "迎胜",
    "金山",
)
_ENTERPRISE = (
    "泰山钢铁",
    "岱银纺织",
    "鲁泰机械",
    "汶阳农业",
    "泰和物流",
    "岳华建材",
    "东岳电子",
    "泰丰食品",
    "蓝天化工",
    "鑫源置业",
    "华联商贸",
    "泰盛玻纤",
    "金泰电缆",
    "绿源环保",
)
_SOCIAL = (
    "泰山志愿者协会",
    "岱岳区个体劳动者协会",
    "泰安市物流行业协会",
    "泰安市慈善义工联合会",
    "泰山区社区养老服务中心",
    "泰安市书法家协会",
    "泰安市青年创业促进会",
)


@frozen
class Branch:
    branch_id: str
    base: BaseCommittee
    name: str
    sector: Sector
    unit_ids: tuple[str, ...]
    financial: bool


def committee_ids() -> list[str]:
    return [
        CITY,
        ORG_DEPARTMENT,
        *(cid for cid, _, _ in CITY_MANAGED),
        *(cid for cid, _, _ in INTERMEDIATE),
        *(base.committee_id for base in BASES),
    ]


def committees() -> list[c.Command]:
    founded = on(2017, 6, 1)
    commands: list[c.Command] = [
        c.RegisterCommittee(
            actor=CITY_ACTOR,
            reason="市委按全市过硬党支部建设工作推进方案建立组织体系",
            effective_on=founded,
            committee_id=CITY,
            name="中共泰安市委员会",
            level=CommitteeLevel.CITY,
        ),
        c.RegisterCommittee(
            actor=CITY_ACTOR,
            reason="市委组织部负责审核备案和督导",
            effective_on=founded,
            committee_id=ORG_DEPARTMENT,
            name="中共泰安市委组织部",
            level=CommitteeLevel.ORGANIZATION_DEPARTMENT,
            parent_id=CITY,
        ),
    ]
    commands += [
        c.RegisterCommittee(
            actor=CITY_ACTOR,
            reason="市管党委",
            effective_on=founded,
            committee_id=cid,
            name=name,
            level=CommitteeLevel.CITY_MANAGED,
            parent_id=CITY,
            county_level=county,
        )
        for cid, name, county in CITY_MANAGED
    ]
    commands += [
        c.RegisterCommittee(
            actor=Actor("system:demo", parent, "import"),
            reason="设立两新工委",
            effective_on=founded,
            committee_id=cid,
            name=name,
            level=CommitteeLevel.INTERMEDIATE,
            parent_id=parent,
        )
        for cid, name, parent in INTERMEDIATE
    ]
    commands += [
        c.RegisterCommittee(
            actor=Actor("system:demo", base.parent_id, "import"),
            reason="基层党委",
            effective_on=founded,
            committee_id=base.committee_id,
            name=base.name,
            level=CommitteeLevel.BASE,
            parent_id=base.parent_id,
        )
        for base in BASES
    ]
    return commands


def _branch_names(
    rng: random.Random, base: BaseCommittee, sector: Sector, count: int
) -> Iterator[tuple[str, UnitKind, str]]:
    town = base.name.removeprefix("中共").removesuffix("委员会").removesuffix("工作")
    for index in range(count):
        match sector:
            case Sector.RURAL:
                place = rng.choice(_PLACE_FIRST) + rng.choice(_PLACE_SECOND)
                yield f"{place}村", UnitKind.VILLAGE, f"{place}村党支部"
            case Sector.URBAN_COMMUNITY:
                name = _COMMUNITY[index % len(_COMMUNITY)]
                yield f"{name}社区", UnitKind.COMMUNITY, f"{name}社区党支部"
            case Sector.PUBLIC_INSTITUTION:
                kinds: tuple[str, ...] = (
                    "中心小学",
                    "中学",
                    "卫生院",
                    "便民服务中心",
                    "机关第一",
                    "机关第二",
                    "人民医院",
                    "疾控中心",
                    "实验学校",
                    "职业学校",
                )
                kind = kinds[index % len(kinds)]
                yield f"{town}{kind}", UnitKind.INSTITUTION, f"{town}{kind}党支部"
            case Sector.STATE_OWNED_ENTERPRISE:
                kinds = (
                    "城建公司",
                    "水务公司",
                    "金融控股公司",
                    "交通投资公司",
                    "置业公司",
                    "燃气公司",
                )
                kind = kinds[index % len(kinds)]
                yield f"{town}{kind}", UnitKind.ENTERPRISE, f"{town}{kind}党支部"
            case Sector.NON_PUBLIC_ENTERPRISE:
                name = _ENTERPRISE[(index + len(town)) % len(_ENTERPRISE)]
                yield f"{name}有限公司", UnitKind.ENTERPRISE, f"{name}有限公司党支部"
            case Sector.SOCIAL_ORGANIZATION:
                name = _SOCIAL[(index + len(town)) % len(_SOCIAL)]
                yield name, UnitKind.ORGANIZATION, f"{name}党支部"
            case Sector.OTHER:
                yield (
                    f"{town}离退休党员{index + 1}",
                    UnitKind.OTHER,
                    f"{town}离退休党员第{index + 1}党支部",
                )


def branches(rng: random.Random) -> dict[str, list[Branch]]:
    found: dict[str, list[Branch]] = {}
    for base in BASES:
        own: list[Branch] = []
        seen: set[str] = set()
        for sector, count in base.mix:
            for unit_name, _kind, proposed in _branch_names(rng, base, sector, count):
                name = proposed
                if name in seen:
                    name = name.replace("党支部", f"第{len(seen) + 1}党支部")
                seen.add(name)
                number = len(own) + 1
                branch_id = f"{base.committee_id}-{number:03d}"
                own.append(
                    Branch(
                        branch_id,
                        base,
                        name,
                        sector,
                        (f"{branch_id}-u",),
                        sector is Sector.STATE_OWNED_ENTERPRISE and "金融" in unit_name,
                    )
                )
        # A joint branch: two small enterprises share one branch (org.unit).
        if any(s is Sector.NON_PUBLIC_ENTERPRISE for s, _ in base.mix):
            number = len(own) + 1
            branch_id = f"{base.committee_id}-{number:03d}"
            own.append(
                Branch(
                    branch_id,
                    base,
                    f"{base.name[2:4]}小微企业联合党支部",
                    Sector.NON_PUBLIC_ENTERPRISE,
                    (f"{branch_id}-u", f"{branch_id}-v"),
                    financial=False,
                )
            )
        found[base.committee_id] = own
    return found


def _unit_name(branch: Branch, unit_id: str) -> str:
    if unit_id.endswith("-v"):
        return f"{branch.name.removesuffix('联合党支部')}乙公司"
    return branch.name.removesuffix("党支部")


def base_actor(committee_id: str) -> Actor:
    """The clerk of a committee who enters its records."""
    return Actor(f"system:demo:{committee_id}", committee_id, "import")


def leadership(
    rng: random.Random, base: BaseCommittee, actor: Actor
) -> tuple[list[c.Command], list[tuple[str, str]]]:
    """The base committee's leaders registered and appointed, and (person, position) pairs
    for the liaisons they become."""
    registered = on(2017, 6, 20)
    people = [
        records.leader_registered(rng, actor, registered, f"{base.committee_id}-p{index + 1}")
        for index in range(len(LEADER_POSITIONS))
    ]
    leaders = [(p.person_id, pos) for p, pos in zip(people, LEADER_POSITIONS, strict=True)]
    roster: list[c.Command] = [
        records.leader_appointed(actor, registered, base.committee_id, person_id, position)
        for person_id, position in leaders
    ]
    return [*people, *roster], leaders


def registrations(
    base: BaseCommittee, own: list[Branch], first: list[Tier], actor: Actor
) -> list[c.Command]:
    """The units of the base committee's branches, then the branches with their first
    assessment."""
    registered = on(2017, 6, 20)
    units: list[c.Command] = [
        records.unit_registered(
            actor,
            registered,
            unit_id,
            _unit_name(branch, unit_id),
            records.UNIT_KINDS.get(branch.sector, UnitKind.OTHER),
            base.committee_id,
        )
        for branch in own
        for unit_id in branch.unit_ids
    ]
    branched = [
        records.branch_registered(actor, on(2017, 6, 30), b, base.committee_id, b.unit_ids, tier)
        for b, tier in zip(own, first, strict=True)
    ]
    return [*units, *branched]
