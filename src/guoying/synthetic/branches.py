"""The kinds of base committee, their sector mixes, and the names and units of the
branches they lead."""

from __future__ import annotations

import random
from collections.abc import Sequence

from attrs import frozen

from guoying.domain.values import Sector, UnitKind
from guoying.sample_records import UNIT_KINDS


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
class BaseKind:
    key: str
    share: float  # of all branches
    size: int  # mean branches per base committee of this kind
    mix: tuple[tuple[Sector, int], ...]  # percentages
    parent: str  # "county", "county-lx", "county-jg", "organs", "soe"


# The shares follow the make-up of a prefecture-level city in Shandong: about 45% village
# branches, a fifth in public institutions and organs, an eighth in non-public enterprises.
KINDS = (
    BaseKind(
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
    BaseKind(
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
    BaseKind(
        "two-new",
        0.10,
        60,
        ((Sector.NON_PUBLIC_ENTERPRISE, 75), (Sector.SOCIAL_ORGANIZATION, 25)),
        "county-lx",
    ),
    BaseKind(
        "county-organ",
        0.10,
        45,
        ((Sector.PUBLIC_INSTITUTION, 75), (Sector.OTHER, 25)),
        "county-jg",
    ),
    BaseKind(
        "city-organ",
        0.11,
        40,
        ((Sector.PUBLIC_INSTITUTION, 70), (Sector.OTHER, 30)),
        "organs",
    ),
    BaseKind("soe", 0.07, 60, ((Sector.STATE_OWNED_ENTERPRISE, 100),), "soe"),
)

_PLACE_FIRST = "东西南北前后上下大小新老高石马王李张刘杨赵孙黄周吴郑冯陈褚卫蒋沈韩朱秦许何吕施"
_PLACE_SECOND = "庄家营屯店峪河岭坡洼桥口集寨园湖沟山泉林"
_COMMUNITY = "泰前岱宗东湖龙潭财源红门虎山望岳灵芝通天奈河盘龙温泉泮河迎胜金山"
_BUREAUS = ("教育", "卫生健康", "财政", "自然资源", "住房城乡建设", "交通运输", "农业农村", "水利")
_INSTITUTIONS = ("中心小学", "初级中学", "卫生院", "财政所", "农业综合服务站", "文化站", "派出所")
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


def split(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights`, by largest remainder."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: counts[i] - exact[i])
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def base_name(rng: random.Random, kind: BaseKind, parent: str, index: int) -> str:
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


def branch_plans(
    rng: random.Random, kind: BaseKind, base_id: str, size: int
) -> tuple[BranchPlan, ...]:
    counts = split(size, [share for _, share in kind.mix])
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
                    unit_kind=UNIT_KINDS[sector],
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
