"""The demo city: a small, deterministic, realistic Tai'an for trying guoying out.

Three city-managed committees (two county-level district committees and the committee of
the city's organs), eleven base committees (one of them under an intermediate committee),
about two hundred branches across every sector, and 2017-2019 with first assessments,
creation targets, liaisons, rectification cases, common problems, annual evaluations and
one approved exception to the advanced cap. Everything is synthetic; names are composed
from common place-name parts and surnames, telephone numbers are not real.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from attrs import evolve, frozen

from guoying.api import Guoying
from guoying.application import commands as c
from guoying.application.errors import GuoyingError
from guoying.domain.branch import TierAdjusted
from guoying.domain.organization import TREE_KEY, OrgTree
from guoying.domain.policy import TAIAN_2017
from guoying.domain.values import Actor, CommitteeLevel, Sector, Tier, UnitKind
from guoying.sample_text import COMMON_PROBLEMS, LEADER_POSITIONS, PROBLEMS, person_name

SEED = 2017
CITY = "taian"
ORG_DEPARTMENT = "taian-zzb"
SHOWN_COMMITTEE = "dy-manzhuang"
SHOWN_YEAR = 2019
SUMMARY_COMMITTEES = ("taishan", "daiyue", "dy-lxzw", "szjg", "dy-manzhuang", "ts-caiyuan")
YEARS = (2017, 2018, 2019)

CITY_ACTOR = Actor("system:demo", CITY, "import")


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
class _Branch:
    branch_id: str
    base: BaseCommittee
    name: str
    sector: Sector
    unit_ids: tuple[str, ...]
    financial: bool


def _demo_committee_ids() -> list[str]:
    return [
        CITY,
        ORG_DEPARTMENT,
        *(cid for cid, _, _ in CITY_MANAGED),
        *(cid for cid, _, _ in INTERMEDIATE),
        *(base.committee_id for base in BASES),
    ]


class OtherCityError(GuoyingError):
    """The store already holds a city that is not the demo city."""

    kind = "other_city"


def is_built(guoying: Guoying) -> bool:
    """Whether the store holds the demo city; OtherCityError if it holds another city."""
    tree = guoying.store.get(TREE_KEY)
    if not isinstance(tree, OrgTree):
        return False
    if all(tree.get(cid) is not None for cid in _demo_committee_ids()):
        return True
    raise OtherCityError(
        "this store holds another city, not the demo city; run the demo in a store of its "
        "own, e.g. --store sqlite:///demo.db"
    )


def build(guoying: Guoying) -> int:
    """Build the city unless it is already in the store; the number of commands applied."""
    if is_built(guoying):
        return 0
    applied = 0
    for unit in _units():
        guoying.execute_unit(unit)
        applied += len(unit)
    guoying.execute(_correction(guoying))
    guoying.catch_up()
    applied += 1
    return applied


def _on(year: int, month: int, day: int) -> date:
    return date(year, month, day)


def _committees() -> list[c.Command]:
    founded = _on(2017, 6, 1)
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


def _branches(rng: random.Random) -> dict[str, list[_Branch]]:
    found: dict[str, list[_Branch]] = {}
    for base in BASES:
        branches: list[_Branch] = []
        seen: set[str] = set()
        for sector, count in base.mix:
            for unit_name, _kind, proposed in _branch_names(rng, base, sector, count):
                name = proposed
                if name in seen:
                    name = name.replace("党支部", f"第{len(seen) + 1}党支部")
                seen.add(name)
                number = len(branches) + 1
                branch_id = f"{base.committee_id}-{number:03d}"
                branches.append(
                    _Branch(
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
            number = len(branches) + 1
            branch_id = f"{base.committee_id}-{number:03d}"
            branches.append(
                _Branch(
                    branch_id,
                    base,
                    f"{base.name[2:4]}小微企业联合党支部",
                    Sector.NON_PUBLIC_ENTERPRISE,
                    (f"{branch_id}-u", f"{branch_id}-v"),
                    financial=False,
                )
            )
        found[base.committee_id] = branches
    return found


def _unit_name(branch: _Branch, unit_id: str) -> str:
    if unit_id.endswith("-v"):
        return f"{branch.name.removesuffix('联合党支部')}乙公司"
    return branch.name.removesuffix("党支部")


def _tiers(rng: random.Random, count: int, previous: list[Tier] | None) -> list[Tier]:
    """A year's tiers for a base committee's branches, keeping advanced within its cap."""
    limit = count // 10
    if previous is None:
        tiers = [Tier.MIDDLE] * count
        picks = rng.sample(
            range(count), k=min(count, limit + max(1, count // 8) + max(1, count // 20))
        )
        for i, index in enumerate(picks):
            tiers[index] = (
                Tier.ADVANCED
                if i < limit
                else (Tier.LAGGING if i < len(picks) - max(1, count // 20) else Tier.WEAK)
            )
        return tiers
    ladder = [Tier.WEAK, Tier.LAGGING, Tier.MIDDLE, Tier.ADVANCED]
    tiers = list(previous)
    for index, tier in enumerate(previous):
        roll = rng.random()
        if tier in (Tier.WEAK, Tier.LAGGING) and roll < 0.5:
            tiers[index] = ladder[ladder.index(tier) + 1]
        elif tier is Tier.MIDDLE and roll < 0.06:
            tiers[index] = Tier.LAGGING
    advanced = [i for i, t in enumerate(tiers) if t is Tier.ADVANCED]
    middles = [i for i, t in enumerate(tiers) if t is Tier.MIDDLE]
    if advanced and rng.random() < 0.5 and middles:
        # One advanced branch slips back and a middle one takes its place.
        tiers[advanced[0]] = Tier.MIDDLE
        tiers[rng.choice(middles)] = Tier.ADVANCED
    return tiers


def _units() -> Iterator[list[c.Command]]:
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    yield _committees()
    yield [_policy_2019()]
    branches = _branches(rng)
    leaders: dict[str, list[tuple[str, str]]] = {}
    for base in BASES:
        actor = Actor(f"system:demo:{base.committee_id}", base.committee_id, "import")
        registered = _on(2017, 6, 20)
        people: list[c.RegisterPerson] = []
        for index in range(len(LEADER_POSITIONS)):
            person_id = f"{base.committee_id}-p{index + 1}"
            name = person_name(rng)
            phone = f"0538-8{rng.randrange(100000, 999999)}"
            people.append(
                c.RegisterPerson(
                    actor=actor,
                    reason="党委领导班子成员",
                    effective_on=registered,
                    person_id=person_id,
                    name=name,
                    phone=phone,
                )
            )
        roster: list[c.Command] = [
            c.AppointLeader(
                actor=actor,
                reason="党委领导班子成员分工",
                effective_on=registered,
                committee_id=base.committee_id,
                person_id=person.person_id,
                position=position,
            )
            for person, position in zip(people, LEADER_POSITIONS, strict=True)
        ]
        leaders[base.committee_id] = [
            (p.person_id, pos) for p, pos in zip(people, LEADER_POSITIONS, strict=True)
        ]
        units: list[c.Command] = []
        own = branches[base.committee_id]
        for branch in own:
            kind = {
                Sector.RURAL: UnitKind.VILLAGE,
                Sector.URBAN_COMMUNITY: UnitKind.COMMUNITY,
                Sector.PUBLIC_INSTITUTION: UnitKind.INSTITUTION,
                Sector.STATE_OWNED_ENTERPRISE: UnitKind.ENTERPRISE,
                Sector.NON_PUBLIC_ENTERPRISE: UnitKind.ENTERPRISE,
                Sector.SOCIAL_ORGANIZATION: UnitKind.ORGANIZATION,
            }.get(branch.sector, UnitKind.OTHER)
            units += [
                c.RegisterUnit(
                    actor=actor,
                    reason="登记党支部所在单位",
                    effective_on=registered,
                    unit_id=unit_id,
                    name=_unit_name(branch, unit_id),
                    kind=kind,
                    committee_id=base.committee_id,
                )
                for unit_id in branch.unit_ids
            ]
        first = _tiers(rng, len(own), None)
        registrations = [
            c.RegisterBranch(
                actor=actor,
                reason="基层党委分析研判，确定初始等次",
                effective_on=_on(2017, 6, 30),
                branch_id=b.branch_id,
                name=b.name,
                sector=b.sector,
                base_committee_id=base.committee_id,
                unit_ids=b.unit_ids,
                is_financial_institution=b.financial,
                year=2017,
                tier=tier,
            )
            for b, tier in zip(own, first, strict=True)
        ]
        yield [*people, *roster, *units, *registrations]
        yield list(_first_year_records(rng, base, own, first, leaders[base.committee_id], actor))
        previous = first
        for year in YEARS:
            tiers = _tiers(rng, len(own), previous)
            evaluations: list[c.Command] = [
                c.AdjustTier(
                    actor=actor,
                    reason=f"{year}年度考评结果",
                    effective_on=_on(year + 1, 1, 20),
                    branch_id=b.branch_id,
                    year=year,
                    tier=tier,
                )
                for b, tier in zip(own, tiers, strict=True)
            ]
            yield evaluations
            previous = tiers
    yield _exception_case(branches)
    yield from _organisation_life(branches)


def _policy_2019() -> c.Command:
    """From 2019 the city names a weak-and-lax share and consults the agencies as they were
    reorganised in 2018 (the 610 office abolished, family planning merged into health)."""
    always = tuple(
        a for a in TAIAN_2017.agencies_always if a not in ("610 office", "family planning")
    )
    return c.PublishPolicy(
        actor=Actor("system:demo", ORG_DEPARTMENT, "import"),
        reason="机构改革后调整征求意见单位，明确软弱涣散党支部比例",
        effective_on=_on(2019, 1, 1),
        policy=evolve(
            TAIAN_2017,
            version="taian-2019",
            effective_on=_on(2019, 1, 1),
            weak_share=Decimal("0.05"),
            agencies_always=always,
            last_year=2021,
        ),
    )


def _organisation_life(branches: dict[str, list[_Branch]]) -> Iterator[list[c.Command]]:
    """A founding, a merger, a move, a dissolution and a new leader without a liaison."""
    caiyuan = Actor("system:demo:ts-caiyuan", "ts-caiyuan", "import")
    yield [
        c.RegisterUnit(
            actor=caiyuan,
            reason="新建小区",
            effective_on=_on(2018, 5, 10),
            unit_id="ts-caiyuan-new-u",
            name="泰安东城新区社区",
            kind=UnitKind.COMMUNITY,
            committee_id="ts-caiyuan",
        ),
        c.RegisterBranch(
            actor=caiyuan,
            reason="新建社区成立党支部，基层党委分析研判确定初始等次",
            effective_on=_on(2018, 5, 10),
            branch_id="ts-caiyuan-new",
            name="东城新区社区党支部",
            sector=Sector.URBAN_COMMUNITY,
            base_committee_id="ts-caiyuan",
            unit_ids=("ts-caiyuan-new-u",),
            year=2018,
            tier=Tier.MIDDLE,
        ),
    ]
    qiujiadian = branches["ts-qiujiadian"]
    yield [
        c.MergeBranches(
            actor=Actor("system:demo:ts-qiujiadian", "ts-qiujiadian", "import"),
            reason="合村并居，两村党支部合并",
            effective_on=_on(2018, 9, 1),
            branch_id=qiujiadian[1].branch_id,
            into_branch_id=qiujiadian[0].branch_id,
        ),
    ]
    zhoudian = branches["dy-zhoudian"]
    moved = next(b for b in zhoudian if b.sector is Sector.RURAL)
    yield [
        c.MoveBranch(
            actor=Actor("system:demo:daiyue", "daiyue", "import"),
            reason="区划调整，该村划归满庄镇管理",
            effective_on=_on(2019, 3, 1),
            branch_id=moved.branch_id,
            to_committee_id=SHOWN_COMMITTEE,
        ),
    ]
    fgsh = branches["ts-fgsh"]
    yield [
        c.DissolveBranch(
            actor=Actor("system:demo:ts-fgsh", "ts-fgsh", "import"),
            reason="企业注销，党员组织关系转出",
            effective_on=_on(2019, 6, 30),
            branch_id=fgsh[2].branch_id,
        ),
    ]
    manzhuang = Actor(f"system:demo:{SHOWN_COMMITTEE}", SHOWN_COMMITTEE, "import")
    yield [
        c.RegisterPerson(
            actor=manzhuang,
            reason="新任党委副书记",
            effective_on=_on(2019, 9, 1),
            person_id=f"{SHOWN_COMMITTEE}-p6",
            name="韩振华",
            phone="0538-8300611",
        ),
        c.AppointLeader(
            actor=manzhuang,
            reason="新任党委副书记",
            effective_on=_on(2019, 9, 1),
            committee_id=SHOWN_COMMITTEE,
            person_id=f"{SHOWN_COMMITTEE}-p6",
            position="党委副书记",
        ),
    ]


CORRECTED_BRANCH = "dy-dawenkou-004"


def _correction(guoying: Guoying) -> c.Command:
    """The 2018 evaluation of one branch was entered wrongly and is corrected."""
    stored = guoying.store.event_store.get(f"branch:{CORRECTED_BRANCH}")
    wrong = next(e for e in stored if isinstance(e, TierAdjusted) and e.year == 2018)
    corrected = Tier.LAGGING if wrong.new_tier is not Tier.LAGGING else Tier.MIDDLE
    return c.CorrectRecord(
        actor=Actor("system:demo:dy-dawenkou", "dy-dawenkou", "import"),
        reason="2018年度考评结果录入有误，经核实予以更正",
        effective_on=_on(2019, 4, 8),
        branch_id=CORRECTED_BRANCH,
        corrects=f"{wrong.originator_id}@{wrong.originator_version}",
        tier=corrected,
    )


def _first_year_records(
    rng: random.Random,
    base: BaseCommittee,
    own: list[_Branch],
    first: list[Tier],
    leaders: list[tuple[str, str]],
    actor: Actor,
) -> Iterator[c.Command]:
    for index, (branch, tier) in enumerate(zip(own, first, strict=True)):
        person_id, position = leaders[index % len(leaders)]
        yield c.AssignLiaison(
            actor=actor,
            reason="党委班子成员联系包保",
            effective_on=_on(2017, 7, 5),
            branch_id=branch.branch_id,
            person_id=person_id,
            position=position,
        )
        for year, target in zip(YEARS, _targets(tier), strict=True):
            yield c.SetCreationTarget(
                actor=actor,
                reason="制定三年创建目标",
                effective_on=_on(2017, 7, 5),
                branch_id=branch.branch_id,
                year=year,
                target=target,
            )
        if tier in (Tier.WEAK, Tier.LAGGING) or rng.random() < 0.2:
            problem, measure = rng.choice(PROBLEMS)
            case_id = f"{branch.branch_id}-c1"
            deadline = _on(2017, 12, 31) if rng.random() < 0.6 else _on(2018, 6, 30)
            yield c.RecordProblem(
                actor=actor,
                reason="分析研判查摆问题",
                effective_on=_on(2017, 7, 10),
                branch_id=branch.branch_id,
                case_id=case_id,
                problem=problem,
                measure=measure,
                owner_id=person_id,
                deadline=deadline,
            )
            if rng.random() < 0.7:
                closed = _on(2017, 12, 20) if deadline.year == 2017 else _on(2018, 6, 15)
                yield c.SignOffRectification(
                    actor=actor,
                    reason="整改到位，验收销号",
                    effective_on=closed,
                    branch_id=branch.branch_id,
                    case_id=case_id,
                    outcome="已按期整改完成",
                )
    for number, (problem, measure) in enumerate(COMMON_PROBLEMS, start=1):
        yield c.RecordCommonProblem(
            actor=actor,
            reason="查摆面上共性问题",
            effective_on=_on(2017, 7, 10),
            committee_id=base.committee_id,
            problem_id=f"{base.committee_id}-common-{number}",
            year=2017,
            problem=problem,
            measure=measure,
        )


def _targets(tier: Tier) -> tuple[Tier, Tier, Tier]:
    match tier:
        case Tier.WEAK:
            return Tier.LAGGING, Tier.MIDDLE, Tier.MIDDLE
        case Tier.LAGGING:
            return Tier.MIDDLE, Tier.MIDDLE, Tier.MIDDLE
        case Tier.MIDDLE:
            return Tier.MIDDLE, Tier.MIDDLE, Tier.ADVANCED
        case _:
            return Tier.ADVANCED, Tier.ADVANCED, Tier.ADVANCED


def _exception_case(branches: dict[str, list[_Branch]]) -> list[c.Command]:
    """A third advanced branch in 满庄镇 for 2019, above its cap: the request and the
    district's own approval travel as one unit (`ledger.advanced_cap`)."""
    own = branches[SHOWN_COMMITTEE]
    chosen = own[-2]
    return [
        c.AdjustTier(
            actor=Actor(f"system:demo:{SHOWN_COMMITTEE}", SHOWN_COMMITTEE, "import"),
            reason="2019年度考评：获评省级先进基层党组织，申请破格认定为先进",
            effective_on=_on(2020, 2, 10),
            branch_id=chosen.branch_id,
            year=2019,
            tier=Tier.ADVANCED,
        ),
        c.ApproveCapException(
            actor=Actor("daiyue-secretary", "daiyue", "区委书记"),
            reason="该支部2019年获评全省先进基层党组织，成绩突出",
            effective_on=_on(2020, 2, 10),
            committee_id=SHOWN_COMMITTEE,
            year=2019,
        ),
    ]
