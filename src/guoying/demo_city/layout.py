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
from guoying.demo_city.names import Names
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


# The institutions of a town or street, named after it.
TOWN_INSTITUTIONS = (
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
STATE_COMPANIES = (
    "城建公司",
    "水务公司",
    "金融控股公司",
    "交通投资公司",
    "置业公司",
    "燃气公司",
    "热力公司",
    "公交公司",
    "文化旅游公司",
    "建设工程公司",
    "物业公司",
    "资产运营公司",
)


@frozen
class BaseCommittee:
    """A base committee; `place` is the short name its joint branch is named after, and
    its public institutions are `institutions` in order, each named after `seat` (the town
    or department, by default the committee's name without its party words)."""

    committee_id: str
    name: str
    parent_id: str
    mix: tuple[tuple[Sector, int], ...]
    place: str
    institutions: tuple[str, ...] = TOWN_INSTITUTIONS
    seat: str | None = None

    @property
    def town(self) -> str:
        return self.name.removeprefix("中共").removesuffix("委员会").removesuffix("工作")


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
        place="财源街道",
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
        place="岱庙街道",
    ),
    BaseCommittee(
        "ts-qiujiadian",
        "中共泰山区邱家店镇委员会",
        "taishan",
        ((Sector.RURAL, 16), (Sector.PUBLIC_INSTITUTION, 3), (Sector.NON_PUBLIC_ENTERPRISE, 2)),
        place="邱家店镇",
    ),
    BaseCommittee(
        "ts-fgsh",
        "中共泰山区非公有制经济组织和社会组织委员会",
        "taishan",
        ((Sector.NON_PUBLIC_ENTERPRISE, 10), (Sector.SOCIAL_ORGANIZATION, 6)),
        place="泰山区",
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
        place="满庄镇",
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
        place="大汶口镇",
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
        place="粥店街道",
    ),
    BaseCommittee(
        "dy-kfqfg",
        "中共岱岳经济开发区非公有制企业委员会",
        "dy-lxzw",
        ((Sector.NON_PUBLIC_ENTERPRISE, 11), (Sector.SOCIAL_ORGANIZATION, 3)),
        place="岱岳经济开发区",
    ),
    BaseCommittee(
        "szjg-jyj",
        "中共泰安市教育局委员会",
        "szjg",
        ((Sector.PUBLIC_INSTITUTION, 14),),
        place="市教育局",
        seat="泰安市",
        institutions=(
            "教育局机关第一",
            "教育局机关第二",
            "教育局教学研究室",
            "电化教育馆",
            "教育招生考试中心",
            "实验学校",
            "第二实验学校",
            "外国语学校",
            "特殊教育学校",
            "职业中等专业学校",
            "实验幼儿园",
            "青少年宫",
            "教育服务中心",
            "学生资助管理中心",
        ),
    ),
    BaseCommittee(
        "szjg-wjw",
        "中共泰安市卫生和计划生育委员会委员会",
        "szjg",
        ((Sector.PUBLIC_INSTITUTION, 11), (Sector.OTHER, 1)),
        place="市卫生计生委",
        seat="泰安市",
        institutions=(
            "卫生计生委机关第一",
            "卫生计生委机关第二",
            "中医医院",
            "妇幼保健院",
            "疾病预防控制中心",
            "精神卫生中心",
            "急救中心",
            "卫生计生监督所",
            "中心血站",
            "传染病医院",
            "卫生学校",
        ),
    ),
    BaseCommittee(
        "szjg-ctjt",
        "中共泰安市城市发展投资集团委员会",
        "szjg",
        ((Sector.STATE_OWNED_ENTERPRISE, 12),),
        place="泰安城发集团",
    ),
)


@frozen
class Branch:
    branch_id: str
    base: BaseCommittee
    name: str
    sector: Sector
    unit_ids: tuple[str, ...]
    financial: bool
    # The name of each unit in `unit_ids`.
    unit_names: tuple[str, ...]


def committee_ids() -> list[str]:
    return [CITY, ORG_DEPARTMENT, *capped_committee_ids()]


def capped_committee_ids() -> list[str]:
    """The committees `ledger.advanced_cap` applies to: the city-managed ones and every
    committee under them."""
    return [
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
    rng: random.Random, names: Names, base: BaseCommittee, sector: Sector, count: int
) -> Iterator[tuple[str, str]]:
    """(unit name, branch name) of each of `count` branches of a sector."""
    town, seat = base.town, base.seat or base.town
    for index in range(count):
        match sector:
            case Sector.RURAL:
                unit = names.village(rng)
            case Sector.URBAN_COMMUNITY:
                unit = names.community()
            case Sector.PUBLIC_INSTITUTION:
                unit = names.own(f"{seat}{base.institutions[index]}")
            case Sector.STATE_OWNED_ENTERPRISE:
                unit = names.own(f"{town}{STATE_COMPANIES[index]}")
            case Sector.NON_PUBLIC_ENTERPRISE:
                unit = names.enterprise()
            case Sector.SOCIAL_ORGANIZATION:
                unit = names.association()
            case Sector.OTHER:
                unit = names.own(f"{town}离退休党员{index + 1}")
                yield unit, f"{town}离退休党员第{index + 1}党支部"
                continue
        yield unit, f"{unit}党支部"


def branches(rng: random.Random) -> dict[str, list[Branch]]:
    names = Names()
    found: dict[str, list[Branch]] = {}
    for base in BASES:
        own: list[Branch] = []
        for sector, count in base.mix:
            for unit_name, name in _branch_names(rng, names, base, sector, count):
                branch_id = f"{base.committee_id}-{len(own) + 1:03d}"
                own.append(
                    Branch(
                        branch_id,
                        base,
                        name,
                        sector,
                        (f"{branch_id}-u",),
                        sector is Sector.STATE_OWNED_ENTERPRISE and "金融" in unit_name,
                        (unit_name,),
                    )
                )
        # A joint branch: two small enterprises share one branch (org.unit).
        if any(s is Sector.NON_PUBLIC_ENTERPRISE for s, _ in base.mix):
            branch_id = f"{base.committee_id}-{len(own) + 1:03d}"
            own.append(
                Branch(
                    branch_id,
                    base,
                    names.own(f"{base.place}小微企业联合党支部"),
                    Sector.NON_PUBLIC_ENTERPRISE,
                    (f"{branch_id}-u", f"{branch_id}-v"),
                    financial=False,
                    unit_names=(names.enterprise(), names.enterprise()),
                )
            )
        found[base.committee_id] = own
    return found


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
            unit_name,
            records.UNIT_KINDS.get(branch.sector, UnitKind.OTHER),
            base.committee_id,
        )
        for branch in own
        for unit_id, unit_name in zip(branch.unit_ids, branch.unit_names, strict=True)
    ]
    branched = [
        records.branch_registered(actor, on(2017, 6, 30), b, base.committee_id, b.unit_ids, tier)
        for b, tier in zip(own, first, strict=True)
    ]
    return [*units, *branched]
