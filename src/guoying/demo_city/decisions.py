"""The demo city's decisions: first-year records, the yearly evaluations, the 2019 policy
version, the life of the organisation (a founding, a merger, a move, a dissolution, a new
leader), the one approved exception to the advanced cap and one corrected record.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal

from attrs import evolve

from guoying import sample_records as records
from guoying.api import Guoying
from guoying.application import commands as c
from guoying.demo_city.layout import (
    ORG_DEPARTMENT,
    SHOWN_COMMITTEE,
    BaseCommittee,
    Branch,
    on,
)
from guoying.domain.branch import TierAdjusted
from guoying.domain.policy import TAIAN_2017
from guoying.domain.values import Actor, Sector, Tier, UnitKind
from guoying.sample_text import PROBLEMS

YEARS = (2017, 2018, 2019)
SHOWN_YEAR = 2019  # the year whose ledger `guoying demo` prints


def tiers(rng: random.Random, count: int, previous: list[Tier] | None) -> list[Tier]:
    """A year's tiers for a base committee's branches, keeping advanced within its cap."""
    limit = TAIAN_2017.advanced_limit(count)
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
    tiers = records.moved_on(rng, previous, up=0.5, to_lagging=0.06)
    advanced = [i for i, t in enumerate(tiers) if t is Tier.ADVANCED]
    middles = [i for i, t in enumerate(tiers) if t is Tier.MIDDLE]
    if advanced and rng.random() < 0.5 and middles:
        # One advanced branch slips back and a middle one takes its place.
        tiers[advanced[0]] = Tier.MIDDLE
        tiers[rng.choice(middles)] = Tier.ADVANCED
    return tiers


def evaluations(actor: Actor, own: list[Branch], year: int, tiers: list[Tier]) -> list[c.Command]:
    """The base committee's evaluation of `year`, decided in January of the next year."""
    return [
        records.evaluation(actor, b.branch_id, year, tier)
        for b, tier in zip(own, tiers, strict=True)
    ]


def first_year_records(
    rng: random.Random,
    base: BaseCommittee,
    own: list[Branch],
    first: list[Tier],
    leaders: list[tuple[str, str]],
    actor: Actor,
) -> Iterator[c.Command]:
    for index, (branch, tier) in enumerate(zip(own, first, strict=True)):
        person_id, position = leaders[index % len(leaders)]
        yield records.liaison_assigned(actor, on(2017, 7, 5), branch.branch_id, person_id, position)
        for year, target in zip(YEARS, _targets(tier), strict=True):
            yield records.target_set(actor, on(2017, 7, 5), branch.branch_id, year, target)
        if tier in (Tier.WEAK, Tier.LAGGING) or rng.random() < 0.2:
            problem = rng.choice(PROBLEMS)
            case_id = f"{branch.branch_id}-c1"
            deadline = on(2017, 12, 31) if rng.random() < 0.6 else on(2018, 6, 30)
            yield records.problem_found(
                actor,
                on(2017, 7, 10),
                branch_id=branch.branch_id,
                case_id=case_id,
                problem=problem,
                owner_id=person_id,
                deadline=deadline,
            )
            if rng.random() < 0.7:
                closed = on(2017, 12, 20) if deadline.year == 2017 else on(2018, 6, 15)
                yield records.signed_off(actor, closed, branch.branch_id, case_id)
    yield from records.common_problems(
        actor, on(2017, 7, 10), base.committee_id, f"{base.committee_id}-common-"
    )


def _targets(tier: Tier) -> tuple[Tier, Tier, Tier]:
    """A branch's targets for 2017-2019: a step up a year to the middle tier, or hold.
    Only the advanced branches aim to stay advanced: `tiers` fills each committee's cap
    with them, so a middle branch aiming higher would take the committee's targets above
    `ledger.advanced_cap`, which no committee may report."""
    match tier:
        case Tier.WEAK:
            return Tier.LAGGING, Tier.MIDDLE, Tier.MIDDLE
        case Tier.LAGGING:
            return Tier.MIDDLE, Tier.MIDDLE, Tier.MIDDLE
        case _:
            return tier, tier, tier


def policy_2019() -> c.Command:
    """From 2019 the city names a weak-and-lax share and consults the agencies as they were
    reorganised in 2018 (the 610 office abolished, family planning merged into health)."""
    always = tuple(
        a for a in TAIAN_2017.agencies_always if a not in ("610 office", "family planning")
    )
    return c.PublishPolicy(
        actor=Actor("system:demo", ORG_DEPARTMENT, "import"),
        reason="机构改革后调整征求意见单位，明确软弱涣散党支部比例",
        effective_on=on(2019, 1, 1),
        policy=evolve(
            TAIAN_2017,
            version="taian-2019",
            effective_on=on(2019, 1, 1),
            weak_share=Decimal("0.05"),
            agencies_always=always,
            last_year=POLICY_2019_LAST_YEAR,
        ),
    )


def organisation_life(branches: dict[str, list[Branch]]) -> Iterator[list[c.Command]]:
    """A founding, a merger, a move, a dissolution and a new leader without a liaison."""
    caiyuan = Actor("system:demo:ts-caiyuan", "ts-caiyuan", "import")
    yield [
        c.RegisterUnit(
            actor=caiyuan,
            reason="新建小区",
            effective_on=on(2018, 5, 10),
            unit_id="ts-caiyuan-new-u",
            name="泰安东城新区社区",
            kind=UnitKind.COMMUNITY,
            committee_id="ts-caiyuan",
        ),
        c.RegisterBranch(
            actor=caiyuan,
            reason="新建社区成立党支部，基层党委分析研判确定初始等次",
            effective_on=on(2018, 5, 10),
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
            effective_on=on(2018, 9, 1),
            branch_id=qiujiadian[1].branch_id,
            into_branch_id=qiujiadian[0].branch_id,
        ),
    ]
    moved = moved_village(branches)
    yield [
        c.MoveBranch(
            actor=Actor("system:demo:daiyue", "daiyue", "import"),
            reason="区划调整，该村划归满庄镇管理",
            effective_on=on(2019, 3, 1),
            branch_id=moved.branch_id,
            to_committee_id=SHOWN_COMMITTEE,
        ),
    ]
    fgsh = branches["ts-fgsh"]
    yield [
        c.DissolveBranch(
            actor=Actor("system:demo:ts-fgsh", "ts-fgsh", "import"),
            reason="企业注销，党员组织关系转出",
            effective_on=on(2019, 6, 30),
            branch_id=fgsh[2].branch_id,
        ),
    ]
    manzhuang = Actor(f"system:demo:{SHOWN_COMMITTEE}", SHOWN_COMMITTEE, "import")
    yield [
        c.RegisterPerson(
            actor=manzhuang,
            reason="新任党委副书记",
            effective_on=on(2019, 9, 1),
            person_id=f"{SHOWN_COMMITTEE}-p6",
            name="韩振华",
            phone="0538-8300611",
        ),
        c.AppointLeader(
            actor=manzhuang,
            reason="新任党委副书记",
            effective_on=on(2019, 9, 1),
            committee_id=SHOWN_COMMITTEE,
            person_id=f"{SHOWN_COMMITTEE}-p6",
            position="党委副书记",
        ),
    ]


POLICY_2019_LAST_YEAR = 2021


def moved_village(branches: dict[str, list[Branch]]) -> Branch:
    """The village 粥店街道 hands over to 满庄镇 in March 2019."""
    return next(b for b in branches["dy-zhoudian"] if b.sector is Sector.RURAL)


def exception_case(branches: dict[str, list[Branch]]) -> list[c.Command]:
    """A third advanced branch in 满庄镇 for 2019, above its cap: the request and the
    district's own approvals travel as one unit (`ledger.advanced_cap`). An approval covers
    one year and the tier carries into the years after, so the district approves each year
    the policy in force covers from 2019 on."""
    own = branches[SHOWN_COMMITTEE]
    chosen = own[-2]
    return [
        c.AdjustTier(
            actor=Actor(f"system:demo:{SHOWN_COMMITTEE}", SHOWN_COMMITTEE, "import"),
            reason="2019年度考评：获评省级先进基层党组织，申请破格认定为先进",
            effective_on=on(2020, 2, 10),
            branch_id=chosen.branch_id,
            year=2019,
            tier=Tier.ADVANCED,
        ),
        *(
            c.ApproveCapException(
                actor=Actor("daiyue-secretary", "daiyue", "区委书记"),
                reason="该支部2019年获评全省先进基层党组织，成绩突出",
                effective_on=on(2020, 2, 10),
                committee_id=SHOWN_COMMITTEE,
                year=year,
            )
            for year in range(2019, POLICY_2019_LAST_YEAR + 1)
        ),
    ]


CORRECTED_BRANCH = "dy-dawenkou-004"


def correction(guoying: Guoying) -> c.Command:
    """The 2018 evaluation of one branch was entered wrongly and is corrected."""
    stored = guoying.store.event_store.get(f"branch:{CORRECTED_BRANCH}")
    wrong = next(e for e in stored if isinstance(e, TierAdjusted) and e.year == 2018)
    corrected = Tier.LAGGING if wrong.new_tier is not Tier.LAGGING else Tier.MIDDLE
    return c.CorrectRecord(
        actor=Actor("system:demo:dy-dawenkou", "dy-dawenkou", "import"),
        reason="2018年度考评结果录入有误，经核实予以更正",
        effective_on=on(2019, 4, 8),
        branch_id=CORRECTED_BRANCH,
        corrects=f"{wrong.originator_id}@{wrong.originator_version}",
        tier=corrected,
    )
