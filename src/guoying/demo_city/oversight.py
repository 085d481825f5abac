"""The demo city's supervision, findings, linkage and funding (§4, §7, §8, §9).

In 2017 and 2018 every base committee visits its branches twice a year by its level's
methods, the intermediate committee once, each city-managed committee twice and the
Organization Department checks unannounced; one street committee's visit to a village of
another district is refused (`org.jurisdiction`). Each city-managed committee holds an
observation exchange every half year but 泰山区委, which holds none in the second half of
2018; every committee's secretary holds a special meeting each year but 城发集团's in 2018,
for which the organs' working committee holds it to account in January 2019. Early in 2019
满庄镇 and 财源街道 link their branches' 2018 standing to allowances, commendations, funds and
recruitment plans, and 岱岳区委 tilts its dues to a red-flag branch and names its secretary
for preference. In March 2020 泰山区委 finds 邱家店镇's 2019 report falsified for two
villages, and one of them is evaluated again in April (its flag clears, the other's
stays). From 2017 to 2019 the districts fund their villages, communities and the new
economic and social organisations each year, and the organs' working committee its
branches' service to the people.

Texts are in `oversight_text`; the few draws (which branch a visit goes to, what it finds)
come from a stream of their own, so the rest of the demo stays as it was.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from guoying.api import Guoying
from guoying.application import commands as c
from guoying.demo_city import oversight_text as t
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
from guoying.demo_city.selection import Step
from guoying.demo_city.selection_summary import DemoBroken
from guoying.domain.accountability import FindingKind, FundingKind, LinkageKind
from guoying.domain.branch import Branch as Stored
from guoying.domain.branch import TierAdjusted, branch_key
from guoying.domain.person import person_key
from guoying.domain.supervision import SupervisionMethod
from guoying.domain.values import Sector, Tier
from guoying.sample_text import PROBLEMS, person_name

SEED = 2017_0901
YEARS = (2017, 2018)
# Exchanges: (month, day) of each half year's, and the one half year a committee misses.
EXCHANGE_DAYS = {2017: ((6, 27), (12, 12)), 2018: ((5, 24), (11, 20))}
MISSED_EXCHANGE = ("taishan", 2018, 1)
MISSED_MEETING = ("szjg-ctjt", 2018)
FALSIFIED_BASE = "ts-qiujiadian"
FALSIFIED_BY = "taishan"
REPORT_YEAR = 2019  # the falsified report's year, reviewed after its evaluations
LINKING_BASES = ("dy-manzhuang", "ts-caiyuan")
OUTSIDER = ("ts-caiyuan", "dy-manzhuang")  # a visit by the first to a branch of the second
FUNDED_ON = {2017: on(2017, 9, 15), 2018: on(2018, 3, 15), 2019: on(2019, 3, 15)}
_BASE_METHODS = (
    SupervisionMethod.SCHEDULED_DISPATCH,
    SupervisionMethod.SPECIAL_RESEARCH,
    SupervisionMethod.RANDOM_SPOT_CHECK,
)
_RANK = {Tier.ADVANCED: 0, Tier.MIDDLE: 1, Tier.LAGGING: 2, Tier.WEAK: 3}


def _committees() -> list[str]:
    """Every committee whose secretary holds a special meeting, from the top down."""
    return [
        CITY,
        *(cid for cid, _, _ in CITY_MANAGED),
        *(cid for cid, _, _ in INTERMEDIATE),
        *(base.committee_id for base in BASES),
    ]


def _chair(committee_id: str) -> str:
    """A base committee's secretary is its first leader; the others' are registered here."""
    return f"{committee_id}-p1"


def secretaries(rng: random.Random) -> Step:
    return Step(
        YEARS[0],
        tuple(
            c.RegisterPerson(
                actor=base_actor(committee_id),
                reason=f"{position}，主持过硬党支部建设专题会议",
                effective_on=on(2017, 6, 20),
                person_id=_chair(committee_id),
                name=person_name(rng),
                phone=f"0538-6{rng.randrange(100000, 999999)}",
            )
            for committee_id, position in t.SECRETARIES.items()
        ),
    )


def _subtree(committee_id: str, branches: dict[str, list[Branch]]) -> list[Branch]:
    return [
        b
        for own in branches.values()
        for b in own
        if city_managed_of(b.base.committee_id) == committee_id
    ]


def exchanges(branches: dict[str, list[Branch]]) -> Step:
    """`supervision.exchange`: each half year's exchange of every city-managed committee."""
    held: list[c.Command] = []
    for year, days in EXCHANGE_DAYS.items():
        for number, (committee_id, _, _) in enumerate(CITY_MANAGED):
            for half, (month, day) in enumerate(days):
                if (committee_id, year, half) == MISSED_EXCHANGE:
                    continue
                held.append(
                    c.HoldObservationExchange(
                        actor=base_actor(committee_id),
                        reason="每半年对所辖党支部书记至少进行1次集中观摩交流",
                        effective_on=on(year, month, day + number),
                        exchange_id=f"{committee_id}-{year}-gm{half + 1}",
                        committee_id=committee_id,
                        topic=t.EXCHANGE_TOPICS[(year - YEARS[0]) * 2 + half],
                        participants=len(_subtree(committee_id, branches)),
                    )
                )
    return Step(YEARS[0], tuple(held))


def meetings() -> Step:
    """`supervision.special_meeting`: each committee's secretary's meeting of each year."""
    held: list[c.Command] = []
    for year in YEARS:
        for number, committee_id in enumerate(_committees()):
            if (committee_id, year) == MISSED_MEETING:
                continue
            held.append(
                c.HoldSpecialMeeting(
                    actor=base_actor(committee_id),
                    reason="党委书记每年至少召开1次专题会议，研究部署过硬党支部建设工作",
                    effective_on=on(year, 7, 20 + number % 10)
                    if year == 2017
                    else on(year, 3, 5 + number),
                    meeting_id=f"{committee_id}-{year}-zt",
                    committee_id=committee_id,
                    chaired_by=_chair(committee_id),
                    topic=t.MEETING_TOPICS[year],
                )
            )
    return Step(YEARS[0], tuple(held))


def _visit(
    rng: random.Random,
    by: str,
    branch: Branch,
    method: SupervisionMethod,
    year: int,
    day: tuple[int, int],
    n: int,
) -> c.RecordSupervisionVisit:
    if rng.random() < 0.35:
        findings, follow_up = rng.choice(t.IN_ORDER), t.KEEP_UP
    else:
        problem, measure = rng.choice(PROBLEMS)
        findings, follow_up = problem, t.FOLLOW_UP.format(measure=measure, by="督导单位")
    return c.RecordSupervisionVisit(
        actor=base_actor(by),
        reason=t.VISIT_REASON[method],
        effective_on=on(year, *day),
        visit_id=f"{by}-{year}-dd{n}",
        branch_id=branch.branch_id,
        method=method,
        findings=findings,
        follow_up=follow_up,
    )


def visits(
    rng: random.Random, branches: dict[str, list[Branch]], later: set[str]
) -> Iterator[Step]:
    """`supervision.methods`: every level's visits of 2017 and 2018, by its own methods."""
    staying = {base: [b for b in own if b.branch_id not in later] for base, own in branches.items()}
    everywhere = [b for own in staying.values() for b in own]
    for year in YEARS:
        made: list[c.Command] = []
        for number, base in enumerate(BASES):
            for k, month in enumerate((4, 10) if year == 2018 else (9, 11)):
                method = _BASE_METHODS[(number + k) % len(_BASE_METHODS)]
                branch = rng.choice(staying[base.committee_id])
                made.append(
                    _visit(rng, base.committee_id, branch, method, year, (month, 3 + number), k + 1)
                )
        for committee_id, _, _ in INTERMEDIATE:
            # An intermediate committee supervises as the base committees do (ADR 009).
            own = [b for b in everywhere if b.base.parent_id == committee_id]
            method = SupervisionMethod.SPECIAL_RESEARCH
            day = (9, 20) if year == 2017 else (6, 8)
            made.append(_visit(rng, committee_id, rng.choice(own), method, year, day, 1))
        for number, (committee_id, _, _) in enumerate(CITY_MANAGED):
            own = [b for b in everywhere if city_managed_of(b.base.committee_id) == committee_id]
            for k, method in enumerate(
                (SupervisionMethod.PICK_BRANCH_POINT_PROBLEM, SupervisionMethod.ON_SITE_AND_ONLINE)
            ):
                day = (7 + 4 * k, 10 + number)
                made.append(_visit(rng, committee_id, rng.choice(own), method, year, day, k + 1))
        for k, day in enumerate(((11, 23), (12, 6)) if year == 2017 else ((6, 19), (12, 11))):
            method = SupervisionMethod.UNANNOUNCED_CHECK
            made.append(
                _visit(rng, ORG_DEPARTMENT, rng.choice(everywhere), method, year, day, k + 1)
            )
        yield Step(year, tuple(made))
        if year == 2018:
            by, other = OUTSIDER
            stray = _visit(
                rng, by, staying[other][0], SupervisionMethod.RANDOM_SPOT_CHECK, year, (4, 10), 9
            )
            yield Step(year, (stray,), refused_by="org.jurisdiction")


def funding(branches: dict[str, list[Branch]]) -> Step:
    """`resources.funding`: each city-managed committee's funds of each year, by kind."""
    recorded: list[c.Command] = []
    for year, day in FUNDED_ON.items():
        for committee_id, _, county in CITY_MANAGED:
            own = _subtree(committee_id, branches)
            funds: list[tuple[FundingKind, int, str]] = []
            if county:
                for kind, (sectors, rate, reason) in t.FUNDS.items():
                    rise = t.VILLAGE_RISE * (year - YEARS[0])
                    per = rate + rise if kind is FundingKind.VILLAGE_OPERATING else rate
                    served = sum(1 for b in own if b.sector in sectors)
                    funds.append((kind, per * served, reason))
            else:
                kind, rate, reason = t.ORGANS_FUND
                funds.append((kind, rate * len(own), reason))
            recorded += [
                c.RecordFunding(
                    actor=base_actor(committee_id),
                    reason=reason,
                    effective_on=day,
                    funding_id=f"{committee_id}-{year}-{kind.value.lower()}",
                    committee_id=committee_id,
                    year=year,
                    fund=kind,
                    amount_yuan=amount,
                )
                for kind, amount, reason in funds
                if amount > 0
            ]
    return Step(YEARS[-1], tuple(recorded))


def accountability() -> Step:
    """`accountability.findings`: the organs' working committee holds 城发集团's committee
    and its secretary to account for the special meeting it did not hold in 2018."""
    committee_id, _ = MISSED_MEETING
    return Step(
        2019,
        (
            c.IssueAccountabilityFinding(
                actor=base_actor("szjg"),
                reason=t.MISSED_MEETING,
                effective_on=on(2019, 1, 15),
                finding_id=f"{committee_id}-2019-wz1",
                committee_id=committee_id,
                held_for=FindingKind.POOR_EXECUTION,
                person_ids=(_chair(committee_id),),
                decision=t.FINDING_DECISION,
            ),
        ),
    )


def _stored(guoying: Guoying, branch_id: str) -> Stored:
    found = guoying.store.get(branch_key(branch_id))
    if not isinstance(found, Stored):
        raise DemoBroken(f"branch {branch_id!r} is not in the store")
    return found


def _tier(guoying: Guoying, branch_id: str, year: int) -> Tier:
    tier = _stored(guoying, branch_id).tier_for(year)
    if tier is None:
        raise DemoBroken(f"branch {branch_id!r} has no tier for {year}")
    return tier


def _linked(
    by: str, kind: LinkageKind, branch: Branch, n: int, measure: str, person: str | None = None
) -> c.Command:
    return c.DecideRewardLinkage(
        actor=base_actor(by),
        reason=t.LINKAGE_REASON,
        effective_on=on(2019, 2, 18 + n % 8),
        decision_id=f"{by}-2018-gg{n}",
        linked_to=kind,
        branch_id=branch.branch_id,
        person_id=person,
        year=2018,
        measure=measure,
    )


def linkage(guoying: Guoying, branches: dict[str, list[Branch]], later: set[str]) -> Step:
    """`reward.linkage`: each linking base committee's decisions on its 2018 standing, one
    branch of each tier for each kind that applies to it; and 岱岳区委's on the red-flag
    branch of 满庄镇 whose secretary the selection registered."""
    decided: list[c.Command] = []
    for base in LINKING_BASES:
        own = [b for b in branches[base] if b.branch_id not in later]
        tiers = {b.branch_id: _tier(guoying, b.branch_id, 2018) for b in own}
        kinds = (
            (LinkageKind.ALLOWANCE, (Sector.RURAL, Sector.URBAN_COMMUNITY)),
            (LinkageKind.COMMENDATION, tuple(Sector)),
            (
                LinkageKind.PARTY_BUILDING_FUNDS,
                (Sector.NON_PUBLIC_ENTERPRISE, Sector.SOCIAL_ORGANIZATION),
            ),
            (LinkageKind.RECRUITMENT_PLAN, tuple(Sector)),
        )
        for kind, sectors in kinds:
            for tier in Tier:
                branch = next(
                    (b for b in own if b.sector in sectors and tiers[b.branch_id] is tier), None
                )
                if branch is not None:
                    n = len(decided) + 1
                    decided.append(_linked(base, kind, branch, n, t.LINKED[kind][tier]))
    titled = [
        b
        for b in branches[LINKING_BASES[0]]
        if b.branch_id not in later
        and guoying.store.get(person_key(f"{b.branch_id}-sj")) is not None
    ]
    if not titled:
        raise DemoBroken(
            f"no branch of {LINKING_BASES[0]} has a secretary registered by the selection"
        )
    chosen = min(titled, key=lambda b: (_RANK[_tier(guoying, b.branch_id, 2018)], b.branch_id))
    district = city_managed_of(chosen.base.committee_id)
    decided += [
        _linked(district, LinkageKind.DUES_TILT, chosen, 1, t.DUES_TILT),
        _linked(
            district,
            LinkageKind.CADRE_PREFERENCE,
            chosen,
            2,
            t.CADRE_PREFERENCE,
            f"{chosen.branch_id}-sj",
        ),
    ]
    return Step(2018, tuple(decided))


def falsification(
    guoying: Guoying, branches: dict[str, list[Branch]], later: set[str]
) -> list[Step]:
    """`accountability.falsification`: two villages of 邱家店镇 whose 2019 results were
    inflated are flagged when 泰山区委 reviews the report in March 2020, after every
    evaluation of theirs; the first is evaluated again in April (a correction of its 2019
    result, recorded after the finding) and its flag clears, the second's stays."""
    villages = [
        b
        for b in branches[FALSIFIED_BASE][2:]  # the first two merge in 2018
        if b.sector is Sector.RURAL and b.branch_id not in later
    ]
    tiers = {b.branch_id: _tier(guoying, b.branch_id, REPORT_YEAR) for b in villages}
    named = sorted(
        (b for b in villages if tiers[b.branch_id] in (Tier.ADVANCED, Tier.MIDDLE)),
        key=lambda b: (_RANK[tiers[b.branch_id]], b.branch_id),
    )[:2]
    if len(named) < 2:
        raise DemoBroken(
            f"{FALSIFIED_BASE} has fewer than two villages evaluated advanced or middle"
        )
    found = c.RecordFalsification(
        actor=base_actor(FALSIFIED_BY),
        reason=t.FALSIFICATION_REASON,
        effective_on=on(2020, 3, 18),
        finding_id=f"{FALSIFIED_BASE}-{REPORT_YEAR}-zj1",
        committee_id=FALSIFIED_BASE,
        year=REPORT_YEAR,
        report=t.FALSIFIED_REPORT.format(year=REPORT_YEAR, names="、".join(b.name for b in named)),
        branch_ids=tuple(b.branch_id for b in named),
    )
    again = named[0]
    stored = guoying.store.event_store.get(f"branch:{again.branch_id}")
    wrong = [e for e in stored if isinstance(e, TierAdjusted) and e.year == REPORT_YEAR][-1]
    lower = {Tier.ADVANCED: Tier.MIDDLE, Tier.MIDDLE: Tier.LAGGING}[tiers[again.branch_id]]
    corrected = c.CorrectRecord(
        actor=base_actor(FALSIFIED_BASE),
        reason=t.REEVALUATION_REASON.format(year=REPORT_YEAR),
        effective_on=on(2020, 4, 20),
        branch_id=again.branch_id,
        corrects=f"{wrong.originator_id}@{wrong.originator_version}",
        tier=lower,
    )
    return [Step(REPORT_YEAR, (found,)), Step(REPORT_YEAR, (corrected,))]


def oversight(guoying: Guoying, branches: dict[str, list[Branch]], later: set[str]) -> list[Step]:
    """Every step of the supervision, findings, linkage and funding, in the order of their
    stories; `later` are the branches a merger, move or dissolution ends."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not secrets
    return [
        secretaries(rng),
        exchanges(branches),
        meetings(),
        *visits(rng, branches, later),
        funding(branches),
        accountability(),
        linkage(guoying, branches, later),
        *falsification(guoying, branches, later),
    ]
