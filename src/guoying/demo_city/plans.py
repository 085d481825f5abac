"""The demo city's plans for the 2017-2019 window (§1, §3, Annex 2).

Every city-managed committee submits its implementation plan to the city Organization
Department and every base (and the intermediate) committee to its parent, in early July
2017; the Organization Department and the parents accept them. 邱家店镇's plan is returned
for its indicators and submitted again; the development zone's enterprise committee submits
after 10 July, recorded as late; the health commission's committee first sends its plan to
the Organization Department instead of the organs' working committee, and is refused
(`plan.filing`).

The two districts file their three-year cultivation plans (Annex 2) with at least the
policy's minimum of exemplars a year across their subtrees (岱岳区委's first filing falls
short in 2019 and is refused, `cultivation.minimum`); the organs' working committee states
its own number and files after 10 July, late. Each row's liaison is the branch's own
liaison, a leader of its base committee, with the position shown on the ledger.
"""

from __future__ import annotations

from datetime import date

from guoying.application import commands as c
from guoying.demo_city.layout import (
    BASES,
    CITY,
    CITY_MANAGED,
    INTERMEDIATE,
    ORG_DEPARTMENT,
    Branch,
    base_actor,
    on,
)
from guoying.demo_city.mentoring import city_managed_of
from guoying.demo_city.selection import PARENTS, Step
from guoying.domain.cultivation import Batch
from guoying.domain.policy import TAIAN_2017
from guoying.domain.values import Sector, Tier
from guoying.sample_text import LEADER_POSITIONS

WINDOW = (2017, 2018, 2019)
RETURNED = "ts-qiujiadian"
LATE_PLAN = "dy-kfqfg"
MISDIRECTED = "szjg-wjw"
# The committee whose Annex 2 comes in after 10 July (recorded as late), and its own number.
LATE_CULTIVATION = "szjg"
STATED_NUMBER = 15
# The districts' exemplars a year: the policy's minimum and a few more, growing each year.
ABOVE_MINIMUM = (2, 4, 6)
SHORT_FIRST = "daiyue"  # its first filing lacks SHORT_BY rows in 2019, and is refused
SHORT_BY = 4

_INDICATORS = (
    "到2019年底，先进（过硬）党支部达到所辖党支部总数的10%，不突破上限",
    "软弱涣散党支部当年整顿、当年转化，后进党支部逐年晋位升级",
    "“三会一课”、主题党日和组织生活会规范落实率达到100%",
)
_MEASURES = (
    "对照创建指标体系逐支部分析研判，分类建立台账，每年根据考评结果调整",
    "党委领导班子成员每人至少包保联系1个党支部，把联系点打造成示范点",
    "采取定期调度、专项调研、随机抽查等方式督导，问题建立清单、限期销号",
)
_RESPONSIBILITIES = (
    "党委书记履行第一责任人职责，每年至少召开1次专题会议研究部署",
    "组织委员具体负责，党建办统筹调度，每季度通报一次进展",
    "各党支部书记抓好本支部创建，确保任务落实到人",
)
_COUNTY = (
    "每年培树过硬党支部典型不少于{n}个，"
    "覆盖农村、城市社区、机关事业单位、国有企业、非公有制经济组织和社会组织"
)
_CULTIVATION_REASON = (
    "按照率先培树一批、重点培养一批、长远储备一批的原则制定三年培树计划，报市委组织部审核备案"
)
_ORGANS = "每年培树过硬党支部典型{n}个，机关事业单位和国有企业党支部全覆盖推进"
_RETURN_REASONS = (
    "创建指标未按农村、机关事业单位、非公企业等领域细化，无法对照考评",
    "推进措施缺少时间节点和责任人，请补充后重新报送",
)
_REVISED = (
    "农村党支部：2018年底前村集体经济收入全部达到5万元以上；机关事业单位党支部：党员示范岗全覆盖"
)

_BATCH_MEASURES = {
    Batch.FIRST: ("对照“五个过硬”标准查漏补缺，打造示范点", "班子成员包保联系，每季度现场指导1次"),
    Batch.FOCUS: (
        "针对存在问题制定整改清单，限期销号",
        "选派党建指导员驻点帮带，到先进党支部观摩学习",
    ),
    Batch.RESERVE: ("规范“三会一课”和主题党日", "加强支部书记和后备力量培养，纳入下一年度重点培养"),
}
_SECTOR_MEASURES = {
    Sector.RURAL: "发展壮大村集体经济，建强村级组织阵地",
    Sector.URBAN_COMMUNITY: "推行网格化服务，建立社区“大党委”共驻共建机制",
    Sector.PUBLIC_INSTITUTION: "开展党员示范岗、先锋窗口创建",
    Sector.STATE_OWNED_ENTERPRISE: "推动党建工作与生产经营深度融合",
    Sector.NON_PUBLIC_ENTERPRISE: "开展“党建强、发展强”创建，选优配强党建指导员",
    Sector.SOCIAL_ORGANIZATION: "推动党的组织和工作有效覆盖，规范党组织设置",
    Sector.OTHER: "组织离退休党员就近参加组织生活、发挥余热",
}
_RANK = {Tier.ADVANCED: 0, Tier.MIDDLE: 1, Tier.LAGGING: 2, Tier.WEAK: 3}
_SECTORS = list(Sector)


def _filers() -> list[str]:
    """The committees that file an implementation plan, city-managed ones first."""
    return [
        *(cid for cid, _, _ in CITY_MANAGED),
        *(cid for cid, _, _ in INTERMEDIATE),
        *(base.committee_id for base in BASES),
    ]


def _body(committee_id: str) -> str:
    """Who reviews the committee's plan (`plan.filing`)."""
    return ORG_DEPARTMENT if PARENTS[committee_id] == CITY else PARENTS[committee_id]


def _submit(committee_id: str, day: date, to: str, indicators: tuple[str, ...]) -> c.Command:
    return c.SubmitImplementationPlan(
        actor=base_actor(committee_id),
        reason="按照《全市过硬党支部建设工作推进方案》制定过硬党支部建设实施方案，报上一级审核备案",
        effective_on=day,
        committee_id=committee_id,
        year=WINDOW[0],
        submitted_to=to,
        indicators=indicators,
        measures=_MEASURES,
        responsibilities=_RESPONSIBILITIES,
    )


def _accept(committee_id: str, day: date) -> c.Command:
    return c.AcceptImplementationPlan(
        actor=base_actor(_body(committee_id)),
        reason="实施方案经审核符合要求，予以备案",
        effective_on=day,
        committee_id=committee_id,
        year=WINDOW[0],
    )


def _indicators(committee_id: str, counts: dict[str, list[int]]) -> tuple[str, ...]:
    if committee_id in counts:
        text = _ORGANS if committee_id == LATE_CULTIVATION else _COUNTY
        return (*_INDICATORS, text.format(n=min(counts[committee_id])))
    return _INDICATORS


def implementation_plans(counts: dict[str, list[int]]) -> list[Step]:
    """Each committee's plan submitted and reviewed; `counts` are the exemplars a year the
    city-managed committees plan, which their indicators state."""
    steps: list[Step] = []
    filers = _filers()
    for number, committee_id in enumerate(filers):
        day = on(2017, 7, 3 + number % 6)
        if committee_id == LATE_PLAN:
            day = on(2017, 7, 17)
        elif committee_id == MISDIRECTED:
            # Sent to the Organization Department, not to its parent: refused, and sent
            # again to the organs' working committee two days later.
            wrong = _submit(committee_id, on(2017, 7, 5), ORG_DEPARTMENT, _INDICATORS)
            steps.append(Step(WINDOW[0], (wrong,), refused_by="plan.filing"))
            day = on(2017, 7, 7)
        indicators = _indicators(committee_id, counts)
        steps.append(
            Step(WINDOW[0], (_submit(committee_id, day, _body(committee_id), indicators),))
        )
    reviews: list[c.Command] = []
    for committee_id in filers:
        if committee_id == RETURNED:
            reviews.append(
                c.ReturnImplementationPlan(
                    actor=base_actor(_body(committee_id)),
                    reason="实施方案审核未通过，退回修改",
                    effective_on=on(2017, 7, 12),
                    committee_id=committee_id,
                    year=WINDOW[0],
                    reasons=_RETURN_REASONS,
                )
            )
        else:
            reviews.append(
                _accept(committee_id, on(2017, 7, 20 if committee_id == LATE_PLAN else 14))
            )
    steps.append(Step(WINDOW[0], tuple(reviews)))
    revised = (*_INDICATORS, _REVISED)
    steps.append(
        Step(
            WINDOW[0],
            (
                _submit(RETURNED, on(2017, 7, 19), _body(RETURNED), revised),
                _accept(RETURNED, on(2017, 7, 21)),
            ),
        )
    )
    return steps


# The three-year cultivation plan (Annex 2)


def _liaisons(branches: dict[str, list[Branch]]) -> dict[str, tuple[str, str]]:
    """Each branch's liaison as the ledger has it: the base committee's leaders in turn
    (`decisions.first_year_records`)."""
    found: dict[str, tuple[str, str]] = {}
    for base_id, own in branches.items():
        for index, branch in enumerate(own):
            turn = index % len(LEADER_POSITIONS)
            found[branch.branch_id] = (f"{base_id}-p{turn + 1}", LEADER_POSITIONS[turn])
    return found


def _pool(
    committee_id: str,
    branches: dict[str, list[Branch]],
    standing: dict[str, Tier],
    later: set[str],
) -> list[Branch]:
    """The subtree's branches that can be exemplars (all but the weak and lax), strongest
    first; within a tier the sectors take turns, so that the first rows cover them all."""
    own = sorted(
        (
            b
            for bs in branches.values()
            for b in bs
            if city_managed_of(b.base.committee_id) == committee_id
            and standing[b.branch_id] is not Tier.WEAK
            and b.branch_id not in later
        ),
        key=lambda b: (_RANK[standing[b.branch_id]], b.branch_id),
    )
    turn: dict[tuple[Tier, Sector], int] = {}
    ranked = []
    for b in own:
        key = (standing[b.branch_id], b.sector)
        turn[key] = turn.get(key, 0) + 1
        ranked.append(((_RANK[key[0]], turn[key], _SECTORS.index(b.sector), b.branch_id), b))
    return [b for _, b in sorted(ranked, key=lambda pair: pair[0])]


def _rows(
    pool: list[Branch], per_year: list[int], liaisons: dict[str, tuple[str, str]]
) -> tuple[c.CultivationRow, ...]:
    """Each year's first `per_year` branches of the pool, by batch and then in the ledger's
    sector order. The first and the second quarter of the pool are the batches cultivated
    first and with focus, the rest the reserve; a branch keeps its batch each year."""
    quarter = -(-len(pool) // 4)
    batches = (Batch.FIRST, Batch.FOCUS, Batch.RESERVE)
    rows: list[c.CultivationRow] = []
    for year, count in zip(WINDOW, per_year, strict=True):
        placed = [(min(i // quarter, 2), i) for i in range(count)]
        placed.sort(key=lambda bi: (bi[0], _SECTORS.index(pool[bi[1]].sector), bi[1]))
        for number, index in placed:
            branch, batch = pool[index], batches[number]
            person_id, position = liaisons[branch.branch_id]
            rows.append(
                c.CultivationRow(
                    year=year,
                    batch=batch,
                    branch_id=branch.branch_id,
                    measures=(*_BATCH_MEASURES[batch], _SECTOR_MEASURES[branch.sector]),
                    person_id=person_id,
                    position=position,
                )
            )
    return tuple(rows)


def exemplar_counts(pools: dict[str, list[Branch]]) -> dict[str, list[int]]:
    """How many exemplars each city-managed committee plans a year."""
    minimum = TAIAN_2017.county_exemplars_minimum
    counts: dict[str, list[int]] = {}
    for committee_id, _, county in CITY_MANAGED:
        wanted = [minimum + extra if county else STATED_NUMBER for extra in ABOVE_MINIMUM]
        counts[committee_id] = [min(n, len(pools[committee_id])) for n in wanted]
    return counts


def _filing(committee_id: str, day: date, rows: tuple[c.CultivationRow, ...]) -> c.Command:
    county = next(county for cid, _, county in CITY_MANAGED if cid == committee_id)
    return c.FileCultivationPlan(
        actor=base_actor(committee_id),
        reason=_CULTIVATION_REASON,
        effective_on=day,
        committee_id=committee_id,
        year=WINDOW[0],
        rows=rows,
        stated_number=None if county else STATED_NUMBER,
    )


def cultivation_plans(
    branches: dict[str, list[Branch]], pools: dict[str, list[Branch]], counts: dict[str, list[int]]
) -> list[Step]:
    """Each city-managed committee's Annex 2; 岱岳区委's first filing, short in the last year,
    is refused (`cultivation.minimum`) before the one that stands."""
    liaisons = _liaisons(branches)
    steps: list[Step] = []
    for number, (committee_id, _, _) in enumerate(CITY_MANAGED):
        pool, per_year = pools[committee_id], counts[committee_id]
        if committee_id == SHORT_FIRST:
            short = [*per_year[:-1], TAIAN_2017.county_exemplars_minimum - SHORT_BY]
            first = _filing(committee_id, on(2017, 7, 6), _rows(pool, short, liaisons))
            steps.append(Step(WINDOW[0], (first,), refused_by="cultivation.minimum"))
        late = committee_id == LATE_CULTIVATION
        filed = on(2017, 7, 21) if late else on(2017, 7, 7 + 3 * number)
        steps.append(
            Step(WINDOW[0], (_filing(committee_id, filed, _rows(pool, per_year, liaisons)),))
        )
    return steps


def plans(
    branches: dict[str, list[Branch]], standing: dict[str, Tier], later: set[str]
) -> list[Step]:
    """The implementation plans, then the cultivation plans. `standing` is each branch's
    tier when 2017 began; `later` are the branches a merger, move or dissolution ends, which
    the plans leave out (a plan names a branch that is active when the demo files it)."""
    pools = {
        committee_id: _pool(committee_id, branches, standing, later)
        for committee_id, _, _ in CITY_MANAGED
    }
    counts = exemplar_counts(pools)
    return [*implementation_plans(counts), *cultivation_plans(branches, pools, counts)]
