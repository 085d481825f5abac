"""A small city as JSON command lines, the way a user writes them for `guoying apply`.

泰安市委 (taian) with its Organization Department (taian-zzb) and two county-level
city-managed committees, 岱岳区委 (daiyue) and 泰山区委 (taishan). Under daiyue the
township committee 满庄镇党委 (manzhuang) leads ten branches mz-01 ... mz-10, of which
mz-10 alone is ADVANCED (floor(10% x 10) = 1, `ledger.advanced_cap`); under taishan the
street committee 财源街道党工委 (caiyuan) leads two, cy-01 and cy-02. Branch mz-09 is
weak: it has a creation target, a liaison, a rectification case signed off, and its 2017
evaluation.
"""

from __future__ import annotations

from typing import Any

Line = dict[str, Any]


def actor(person_id: str, committee_id: str, role: str = "") -> dict[str, str]:
    return {"person_id": person_id, "committee_id": committee_id, "role": role}


CITY = actor("taian-clerk", "taian", "市委办公室")
DAIYUE = actor("daiyue-clerk", "daiyue", "区委组织部")
TAISHAN = actor("taishan-clerk", "taishan", "区委组织部")
MANZHUANG = actor("manzhuang-clerk", "manzhuang", "党委组织委员")
CAIYUAN = actor("caiyuan-clerk", "caiyuan", "党工委组织委员")

MZ_BRANCHES = tuple(f"mz-{n:02d}" for n in range(1, 11))
MZ_NAMES = (
    "党政办公室",
    "经济发展办公室",
    "社会事务办公室",
    "财政所",
    "农业综合服务中心",
    "便民服务中心",
    "综治中心",
    "文化站",
    "规划建设办公室",
    "安全生产监督管理站",
)
MZ_TIERS = ("MIDDLE",) * 7 + ("LAGGING", "WEAK", "ADVANCED")
WEAK_BRANCH = "mz-09"
ADVANCED_BRANCH = "mz-10"
LIAISON = ("mz-p1", "王建国", "0538-8000001", "党委书记")
FOUNDED = "2017-01-01"


def command(
    kind: str,
    by: dict[str, str],
    /,
    reason: str = "按全市过硬党支部建设工作推进方案办理",
    effective_on: str | None = "2017-06-30",
    **fields: Any,
) -> Line:
    line: Line = {"command": kind, "actor": by, "reason": reason}
    if effective_on is not None:
        line["effective_on"] = effective_on
    return line | fields


def committee(
    by: dict[str, str],
    committee_id: str,
    name: str,
    level: str,
    parent_id: str | None = None,
    county_level: bool = False,
) -> Line:
    fields: dict[str, Any] = {"committee_id": committee_id, "name": name, "level": level}
    if parent_id is not None:
        fields["parent_id"] = parent_id
    if county_level:
        fields["county_level"] = True
    # The tree is dated: a committee judges only decisions dated on or after its founding,
    # so the city's committees are founded before every dated line that follows (even the
    # evaluation of 2016, recorded on 2017-01-20, refused by the policy's years).
    return command("RegisterCommittee", by, "建立组织体系", FOUNDED, **fields)


def branch(
    by: dict[str, str],
    branch_id: str,
    name: str,
    base: str,
    units: list[str],
    tier: str,
    sector: str = "PUBLIC_INSTITUTION",
    year: int = 2017,
    **extra: Any,
) -> Line:
    return command(
        "RegisterBranch",
        by,
        "基层党委分析研判，确定初始等次",
        branch_id=branch_id,
        name=name,
        sector=sector,
        base_committee_id=base,
        unit_ids=units,
        year=year,
        tier=tier,
        **extra,
    )


def adjust_tier(
    branch_id: str,
    year: Any,
    tier: str,
    by: dict[str, str] = MANZHUANG,
    effective_on: str | None = None,
    **extra: Any,
) -> Line:
    """The evaluation of `year`, recorded on 20 January of the next year; `year` may be
    given mistyped on purpose, then `effective_on` defaults to 2019-01-20."""
    return command(
        "AdjustTier",
        by,
        f"{year}年度考评结果",
        effective_on or (f"{year + 1}-01-20" if type(year) is int else "2019-01-20"),
        branch_id=branch_id,
        year=year,
        tier=tier,
        **extra,
    )


def set_target(
    branch_id: str,
    year: int,
    target: str,
    by: dict[str, str] = MANZHUANG,
    effective_on: str | None = "2017-07-05",
) -> Line:
    return command(
        "SetCreationTarget",
        by,
        "制定三年创建目标",
        effective_on,
        branch_id=branch_id,
        year=year,
        target=target,
    )


def organization() -> list[Line]:
    return [
        committee(CITY, "taian", "中共泰安市委员会", "CITY"),
        committee(CITY, "taian-zzb", "中共泰安市委组织部", "ORGANIZATION_DEPARTMENT", "taian"),
        committee(CITY, "daiyue", "中共泰安市岱岳区委员会", "CITY_MANAGED", "taian", True),
        committee(CITY, "taishan", "中共泰安市泰山区委员会", "CITY_MANAGED", "taian", True),
        committee(DAIYUE, "manzhuang", "中共岱岳区满庄镇委员会", "BASE", "daiyue"),
        committee(TAISHAN, "caiyuan", "中共泰山区财源街道工作委员会", "BASE", "taishan"),
    ]


def city_lines() -> list[Line]:
    person_id, name, phone, position = LIAISON
    return [
        *organization(),
        command(
            "RegisterUnit",
            MANZHUANG,
            "登记党支部所在单位",
            unit_id="mz-jg",
            name="满庄镇机关",
            kind="ORGAN",
            committee_id="manzhuang",
        ),
        command(
            "RegisterUnit",
            CAIYUAN,
            "登记党支部所在单位",
            unit_id="cy-sq",
            name="财源街道泰前社区",
            kind="COMMUNITY",
            committee_id="caiyuan",
        ),
        command(
            "RegisterPerson",
            MANZHUANG,
            "党委领导班子成员",
            person_id=person_id,
            name=name,
            phone=phone,
        ),
        *(
            branch(MANZHUANG, b, f"满庄镇{n}党支部", "manzhuang", ["mz-jg"], t)
            for b, n, t in zip(MZ_BRANCHES, MZ_NAMES, MZ_TIERS, strict=True)
        ),
        branch(
            CAIYUAN,
            "cy-01",
            "泰前社区第一党支部",
            "caiyuan",
            ["cy-sq"],
            "MIDDLE",
            "URBAN_COMMUNITY",
        ),
        branch(
            CAIYUAN,
            "cy-02",
            "泰前社区第二党支部",
            "caiyuan",
            ["cy-sq"],
            "MIDDLE",
            "URBAN_COMMUNITY",
        ),
        set_target(WEAK_BRANCH, 2018, "LAGGING"),
        command(
            "AssignLiaison",
            MANZHUANG,
            "党委书记包保软弱涣散党支部",
            "2017-07-05",
            branch_id=WEAK_BRANCH,
            person_id=person_id,
            position=position,
        ),
        command(
            "RecordProblem",
            MANZHUANG,
            "分析研判查摆问题",
            "2017-07-10",
            branch_id=WEAK_BRANCH,
            case_id="mz-09-c1",
            problem="组织生活不规范，“三会一课”记录不全",
            measure="建立组织生活纪实台账，每月检查",
            owner_id=person_id,
            deadline="2017-12-31",
        ),
        command(
            "SignOffRectification",
            MANZHUANG,
            "整改到位，验收销号",
            "2017-12-20",
            branch_id=WEAK_BRANCH,
            case_id="mz-09-c1",
            outcome="已按期整改完成",
        ),
        command(
            "RecordCommonProblem",
            MANZHUANG,
            "查摆面上共性问题",
            "2017-07-10",
            committee_id="manzhuang",
            problem_id="mz-common-1",
            year=2017,
            problem="部分支部书记抓党建主业意识不强",
            measure="开展支部书记轮训，年度述职评议全覆盖",
        ),
        adjust_tier(WEAK_BRANCH, 2017, "LAGGING"),
    ]
