"""The demo city's selection years 2017 and 2018 (§5 of the work plan, Annex 3).

Every city-managed committee is allotted places; every base committee sends its best
branches through a competitive round (岱岳区's development zone through the intermediate
两新工委 as well); the districts and the organs' working committee inspect, consult, title
their red-flag branches and propose; the Organization Department lists and the city
committee names. 2017 runs late from July, the work plan having been issued on 27 May;
2018 keeps to the calendar but for one late application and one late inspection.

What the years show besides: a provincial award marking a branch for priority; the tax
bureau's adverse answer vetoing 大汶口's enterprise branch in 2017, which is assessed
(综合分析研判) and takes part again in 2018; an objection upheld during 岱庙街道's notice; a
list made final too early, and refused; a joint branch barred by a finding against one of
its enterprises; a base committee trying to name red-flag branches itself; a 2017 Taishan
Pioneer revoked in October 2018 after a district tried to revoke it on its own; a 2018
Taishan Pioneer downgraded in December.
"""

from __future__ import annotations

import random
from datetime import date

from guoying.application import commands as c
from guoying.demo_city.layout import (
    BASES,
    CITY,
    CITY_MANAGED,
    Branch,
    base_actor,
    on,
)
from guoying.demo_city.mentoring import mentoring
from guoying.demo_city.selection import Adverse, Season, Step
from guoying.domain.nomination import nomination_id_of
from guoying.domain.policy import TAIAN_2017
from guoying.domain.values import AwardLevel, Sector, Tier, VetoPeriod
from guoying.domain.vetoes import VetoSubject

SELECTION_YEARS = (2017, 2018)
SEED = 2017_0701

# The branches the stories follow: their ids come from the layout, which no draw changes.
VETOED = "dy-dawenkou-022"  # a non-public enterprise, vetoed in 2017, rehabilitated in 2018
BARRED = "ts-fgsh-017"  # a joint branch of two small enterprises
OBJECTED_BASE = "ts-daimiao"
EARLY_BASE = "dy-zhoudian"
SELF_NAMING_BASE = "szjg-jyj"
LATE_BASE = "szjg-wjw"
LATE_COMMITTEE = "szjg"
REVOKED_FROM = "taishan"  # the district whose 2017 Taishan Pioneer is revoked
DOWNGRADED_FROM = "szjg"  # the committee whose 2018 Taishan Pioneer is downgraded
INTERMEDIATE = "dy-lxzw"

ALLOTMENTS = {
    2017: {"taishan": 2, "daiyue": 2, "szjg": 1},
    2018: {"taishan": 2, "daiyue": 3, "szjg": 1},
}
_PLACES = {base.committee_id: 2 for base in BASES} | {
    "szjg-jyj": 1,
    "szjg-wjw": 1,
    "szjg-ctjt": 1,
    INTERMEDIATE: 1,
}
PLACES = {2017: _PLACES | {"dy-zhoudian": 1}, 2018: _PLACES}
BASE_IDS = [base.committee_id for base in BASES]
# A branch's awards: (branch, award id, name, level, year, awarded by); the form's past
# honours, and provincial or higher ones mark it for priority (`selection.priority`).
AWARDS = (
    (
        "ts-daimiao-001",
        "sd-2016-xjjc",
        "全省先进基层党组织",
        AwardLevel.PROVINCIAL,
        2016,
        "中共山东省委",
    ),
    (
        "szjg-jyj-002",
        "sd-2015-jyxt",
        "全省教育系统先进基层党组织",
        AwardLevel.PROVINCIAL,
        2015,
        "中共山东省委教育工作委员会",
    ),
    (
        "ts-caiyuan-008",
        "ta-2016-wxsq",
        "全市五星级社区党组织",
        AwardLevel.CITY,
        2016,
        "中共泰安市委",
    ),
)


def plan(
    branches: dict[str, list[Branch]], standing: dict[int, dict[str, Tier]], leave: set[str]
) -> list[Step]:
    """Both years' steps in the order of their dates. `standing` is each branch's tier when
    each year began; `leave` the branches a later merger, move or dissolution ends."""
    by_id = {b.branch_id: b for own in branches.values() for b in own}
    _require_story_branches(by_id)
    honours = {
        branch_id: f"{year}年获评{name}（{by}）" for branch_id, _, name, _, year, by in AWARDS
    }
    priority = frozenset(
        branch_id
        for branch_id, _, _, level, _, _ in AWARDS
        if level.rank >= AwardLevel.PROVINCIAL.rank
    )
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    secretaries: set[str] = set()
    seasons = [
        Season(
            year,
            TAIAN_2017,
            by_id,
            standing[year],
            honours,
            priority,
            frozenset({VETOED}),
            secretaries,
            rng,
        )
        for year in SELECTION_YEARS
    ]
    first, second = seasons
    awards(first)
    year_2017(first, frozenset(leave | {BARRED}))
    named = {n.removesuffix("-2017") for n in first.listed[CITY]}
    year_2018(second, frozenset(leave | {BARRED} | named))
    # The revocation of a 2017 title and the downgrade of a 2018 one come after both
    # years' rounds, in the order of their dates.
    ran = len(first.steps), len(second.steps)
    after_2018(first, second)
    paired, later = mentoring(first, second, frozenset(leave))
    return [
        *first.steps[: ran[0]],
        *second.steps[: ran[1]],
        *paired,
        *first.steps[ran[0] :],
        *second.steps[ran[1] :],
        *later,
    ]


def _require_story_branches(by_id: dict[str, Branch]) -> None:
    """The stories need an enterprise branch and a joint branch where the layout puts them."""
    vetoed, barred = by_id.get(VETOED), by_id.get(BARRED)
    if vetoed is None or vetoed.sector is not Sector.NON_PUBLIC_ENTERPRISE:
        raise ValueError(f"the demo's layout has no non-public enterprise branch {VETOED!r}")
    if barred is None or len(barred.unit_ids) != 2:
        raise ValueError(f"the demo's layout has no joint branch {BARRED!r}")


def awards(season: Season) -> None:
    season.apply(
        [
            c.RecordAward(
                actor=base_actor(season.branches[branch_id].base.committee_id),
                reason="录入党支部曾受表彰情况",
                effective_on=on(2017, 7, 3),
                branch_id=branch_id,
                award_id=award_id,
                name=name,
                level=level,
                year=year,
                awarded_by=by,
            )
            for branch_id, award_id, name, level, year, by in AWARDS
        ]
    )


def base_rounds(season: Season, leave: frozenset[str], applied_on: date, reason: str) -> list[str]:
    """The allotments and places, then each base committee's best branches apply; the
    nominations that applied late."""
    year = season.year
    season.places(
        on(year, 1, 10) if year > 2017 else on(2017, 7, 3), ALLOTMENTS[year], PLACES[year]
    )
    chosen = {
        base.committee_id: season.pool(
            base.committee_id, PLACES[year][base.committee_id] + 1, leave
        )
        for base in BASES
    }
    if year == 2018:
        late = chosen[LATE_BASE].pop()
        season.applications(applied_on, chosen, reason)
        season.refuse(season.application(BARRED, applied_on, reason), "selection.veto")
        season.applications(on(2018, 4, 2), {LATE_BASE: [late]}, "因单位机构改革延误，4月初补报")
        return [nomination_id_of(late, year)]
    season.applications(applied_on, chosen, reason)
    return []


def decide_bases(season: Season, decided_on: date) -> None:
    for base in BASE_IDS:
        passed = season.live(base)[: PLACES[season.year][base]]
        if season.year == 2018 and base == SELF_NAMING_BASE:
            season.refuse(
                season.decision(
                    base,
                    decided_on,
                    passed,
                    titled=passed,
                    reason="党委会研究，命名为本系统红旗党支部并推荐",
                ),
                "selection.title_levels",
            )
        season.decide(base, decided_on, passed)


def intermediate_round(
    season: Season, consulted_on: date, decided_on: date, final_on: date
) -> None:
    season.consult(INTERMEDIATE, consulted_on)
    season.decide(
        INTERMEDIATE, decided_on, season.live(INTERMEDIATE)[: PLACES[season.year][INTERMEDIATE]]
    )
    season.finalise([INTERMEDIATE], final_on)


def city_managed_round(
    season: Season,
    committee_id: str,
    dates: tuple[date, date, date, date, date],
    number: int,
    adverse: dict[str, Adverse] | None = None,
) -> None:
    """Site inspections, consultation, the committee's titles (all its live candidates but
    the last) and its proposals among them (at most `candidates_per_place` per allotted
    place), the notice, the titles conferred and the formal submission."""
    inspected, consulted, decided, final, submitted = dates
    season.site_inspections(committee_id, inspected)
    season.consult(committee_id, consulted, adverse=adverse)
    live = season.live(committee_id)
    titled = live[:-1]
    season.decide(
        committee_id,
        decided,
        titled[: season.policy.candidates_per_place * ALLOTMENTS[season.year][committee_id]],
        titled,
    )
    season.finalise([committee_id], final)
    season.submit(committee_id, submitted, number)


def city_round(season: Season, consulted: date, decided: date, named: date, granted: date) -> None:
    season.consult(CITY, consulted)
    season.decide(CITY, decided, season.city_list(ALLOTMENTS[season.year]))
    season.name(named)
    season.grant(granted)


def year_2017(season: Season, leave: frozenset[str]) -> None:
    """Everything after the plan was issued on 27 May: the applications, the inspections
    and the lists of the city-managed committees and the city are all late."""
    base_rounds(season, leave, on(2017, 7, 5), "推进方案印发后首次申报，党支部对照标准自愿申报")
    applied = [n for base in BASE_IDS for n in season.entered[base]]
    season.base_steps(applied, on(2017, 7, 10), on(2017, 7, 12))
    for base in BASE_IDS:
        season.consult(base, on(2017, 7, 14))
    decide_bases(season, on(2017, 7, 17))
    objected = season.listed[OBJECTED_BASE][-1]
    season.uphold_objection(
        OBJECTED_BASE,
        objected,
        on(2017, 7, 19),
        "公示期间群众反映该支部换届选举程序不规范，经核查属实，取消推荐资格",
    )
    season.refuse(season.finalisation(EARLY_BASE, on(2017, 7, 19)), "selection.public_notice")
    season.finalise(BASE_IDS, on(2017, 7, 21))
    intermediate_round(season, on(2017, 7, 24), on(2017, 7, 25), on(2017, 7, 29))
    veto = {
        nomination_id_of(VETOED, 2017): Adverse(
            "tax",
            "dy-2017-tax-01",
            "税收征管：该企业少缴税款，被税务机关追缴并处罚款",
            "区税务局回复：该企业2017年少缴税款被查处，按规定实行一票否决",
        )
    }
    dates = (on(2017, 7, 31), on(2017, 8, 2), on(2017, 8, 7), on(2017, 8, 11), on(2017, 8, 15))
    for number, (committee_id, _, _) in enumerate(CITY_MANAGED, start=21):
        city_managed_round(
            season, committee_id, dates, number, veto if committee_id == "daiyue" else None
        )
    city_round(season, on(2017, 8, 18), on(2017, 8, 21), on(2017, 8, 27), on(2017, 9, 5))


def year_2018(season: Season, leave: frozenset[str]) -> None:
    """On the calendar: applications in March, base lists in April, inspections by 31 May
    (the organs' working committee a day late), naming before 1 July."""
    season.apply(
        [
            c.RecordVetoFinding(
                actor=base_actor("ts-fgsh"),
                reason="区环保局通报：该企业超标排放被责令停产整治",
                effective_on=on(2018, 1, 22),
                finding_id="ts-2018-hb-01",
                subject=VetoSubject.UNIT,
                subject_id=f"{BARRED}-v",
                area="环境保护：超标排放，被责令停产整治",
                issuing_agency="environmental protection",
                found_on=on(2018, 1, 19),
                period=VetoPeriod.CALENDAR_YEAR,
            ),
            c.AssessRehabilitation(
                actor=base_actor(season.branches[VETOED].base.committee_id),
                reason="该企业已补缴税款、完成整改，不良影响已消除，党支部工作表现突出，"
                "经综合分析研判，同意其参加2018年度评选",
                effective_on=on(2018, 2, 26),
                branch_id=VETOED,
            ),
        ]
    )
    late = base_rounds(season, leave, on(2018, 3, 6), "党支部对照标准自愿申报")
    on_time = [n for base in BASE_IDS for n in season.entered[base] if n not in late]
    season.base_steps(on_time, on(2018, 3, 20), on(2018, 3, 23))
    season.base_steps(late, on(2018, 4, 3), on(2018, 4, 4))
    for base in BASE_IDS:
        season.consult(base, on(2018, 4, 4))
    decide_bases(season, on(2018, 4, 9))
    season.finalise(BASE_IDS, on(2018, 4, 13))
    intermediate_round(season, on(2018, 4, 16), on(2018, 4, 17), on(2018, 4, 21))
    on_time_dates = (
        on(2018, 5, 8),
        on(2018, 5, 14),
        on(2018, 5, 18),
        on(2018, 5, 22),
        on(2018, 5, 28),
    )
    late_dates = (on(2018, 6, 1), on(2018, 6, 2), on(2018, 6, 4), on(2018, 6, 8), on(2018, 6, 11))
    for number, (committee_id, _, _) in enumerate(CITY_MANAGED, start=9):
        dates = late_dates if committee_id == LATE_COMMITTEE else on_time_dates
        city_managed_round(season, committee_id, dates, number)
    city_round(season, on(2018, 6, 12), on(2018, 6, 15), on(2018, 6, 28), on(2018, 7, 6))


def after_2018(first: Season, second: Season) -> None:
    """A 2017 Taishan Pioneer's secretary is disciplined: the finding is recorded, the
    district's own revocation refused (`title.revocation`: only the city committee, which
    conferred it, decides), and the city committee revokes. A 2018 Taishan Pioneer is
    downgraded after an accident at its unit."""
    revoked = first.named[REVOKED_FROM][-1]
    branch = first.branch_of(revoked)
    base = branch.base.committee_id
    first.apply(
        [
            c.RecordVetoFinding(
                actor=base_actor(base),
                reason="区纪委通报：该支部书记违规发放补贴，受到党内严重警告处分",
                effective_on=on(2018, 10, 12),
                finding_id=f"{base}-2018-jw-01",
                subject=VetoSubject.BRANCH,
                subject_id=branch.branch_id,
                area="党风廉政：支部书记违规发放补贴",
                issuing_agency="discipline inspection",
                found_on=on(2018, 10, 10),
                period=VetoPeriod.CALENDAR_YEAR,
            )
        ]
    )
    cause = "该支部书记违反廉洁纪律受到党内严重警告处分，造成不良影响，撤销“泰山先锋”红旗党支部称号"
    first.refuse(
        first.command(c.RevokeTitle, REVOKED_FROM, on(2018, 10, 22), cause, nomination_id=revoked),
        "title.revocation",
    )
    first.apply(
        [first.command(c.RevokeTitle, CITY, on(2018, 10, 26), cause, nomination_id=revoked)]
    )
    downgraded = second.named[DOWNGRADED_FROM][0]
    second.apply(
        [
            second.command(
                c.DowngradeTitle,
                CITY,
                on(2018, 12, 5),
                "该支部所在单位发生安全生产责任事故，造成不良影响，降级为红旗党支部",
                nomination_id=downgraded,
            )
        ]
    )
