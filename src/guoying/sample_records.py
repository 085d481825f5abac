"""The records the demo city and the synthetic cities both enter, the same way and for the
same reasons: a base committee's leaders, units and branches, and its yearly work (liaisons,
creation targets, problems and their sign-off, common problems, the evaluation).

Each builder takes what differs between the cities (who enters it, when, which ids); the
reason a clerk gives is the same in both. Randomness is drawn from the caller's generator
in the order the cities always drew it, so their commands are unchanged.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from typing import Protocol

from guoying.application import commands as c
from guoying.domain.values import Actor, Sector, Tier, UnitKind
from guoying.sample_text import COMMON_PROBLEMS, person_name

# The kind of unit a branch of each sector sits in.
UNIT_KINDS = {
    Sector.RURAL: UnitKind.VILLAGE,
    Sector.URBAN_COMMUNITY: UnitKind.COMMUNITY,
    Sector.PUBLIC_INSTITUTION: UnitKind.INSTITUTION,
    Sector.STATE_OWNED_ENTERPRISE: UnitKind.ENTERPRISE,
    Sector.NON_PUBLIC_ENTERPRISE: UnitKind.ENTERPRISE,
    Sector.SOCIAL_ORGANIZATION: UnitKind.ORGANIZATION,
    Sector.OTHER: UnitKind.OTHER,
}
_LADDER = (Tier.WEAK, Tier.LAGGING, Tier.MIDDLE, Tier.ADVANCED)


def leader_registered(
    rng: random.Random, actor: Actor, on: date, person_id: str
) -> c.RegisterPerson:
    """A member of the base committee's leadership, with a drawn name and telephone."""
    name = person_name(rng)
    return c.RegisterPerson(
        actor=actor,
        reason="党委领导班子成员",
        effective_on=on,
        person_id=person_id,
        name=name,
        phone=f"0538-8{rng.randrange(100000, 999999)}",
    )


def leader_appointed(
    actor: Actor, on: date, committee_id: str, person_id: str, position: str
) -> c.AppointLeader:
    return c.AppointLeader(
        actor=actor,
        reason="党委领导班子成员分工",
        effective_on=on,
        committee_id=committee_id,
        person_id=person_id,
        position=position,
    )


def unit_registered(
    actor: Actor, on: date, unit_id: str, name: str, kind: UnitKind, committee_id: str
) -> c.RegisterUnit:
    return c.RegisterUnit(
        actor=actor,
        reason="登记党支部所在单位",
        effective_on=on,
        unit_id=unit_id,
        name=name,
        kind=kind,
        committee_id=committee_id,
    )


class PlannedBranch(Protocol):
    """What both cities plan of a branch before it is registered."""

    @property
    def branch_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def sector(self) -> Sector: ...
    @property
    def financial(self) -> bool: ...


def branch_registered(
    actor: Actor,
    on: date,
    branch: PlannedBranch,
    base_committee_id: str,
    unit_ids: tuple[str, ...],
    tier: Tier,
) -> c.RegisterBranch:
    """A branch with its first assessment, for the year it is registered in."""
    return c.RegisterBranch(
        actor=actor,
        reason="基层党委分析研判，确定初始等次",
        effective_on=on,
        branch_id=branch.branch_id,
        name=branch.name,
        sector=branch.sector,
        base_committee_id=base_committee_id,
        unit_ids=unit_ids,
        is_financial_institution=branch.financial,
        year=on.year,
        tier=tier,
    )


def liaison_assigned(
    actor: Actor, on: date, branch_id: str, person_id: str, position: str
) -> c.AssignLiaison:
    return c.AssignLiaison(
        actor=actor,
        reason="党委班子成员联系包保",
        effective_on=on,
        branch_id=branch_id,
        person_id=person_id,
        position=position,
    )


def target_set(
    actor: Actor, on: date, branch_id: str, year: int, target: Tier
) -> c.SetCreationTarget:
    return c.SetCreationTarget(
        actor=actor,
        reason="制定三年创建目标",
        effective_on=on,
        branch_id=branch_id,
        year=year,
        target=target,
    )


def problem_found(
    actor: Actor,
    on: date,
    *,
    branch_id: str,
    case_id: str,
    problem: tuple[str, str],
    owner_id: str,
    deadline: date,
) -> c.RecordProblem:
    """A problem and its measure (one of `PROBLEMS`), owned by a leader."""
    return c.RecordProblem(
        actor=actor,
        reason="分析研判查摆问题",
        effective_on=on,
        branch_id=branch_id,
        case_id=case_id,
        problem=problem[0],
        measure=problem[1],
        owner_id=owner_id,
        deadline=deadline,
    )


def signed_off(actor: Actor, on: date, branch_id: str, case_id: str) -> c.SignOffRectification:
    return c.SignOffRectification(
        actor=actor,
        reason="整改到位，验收销号",
        effective_on=on,
        branch_id=branch_id,
        case_id=case_id,
        outcome="已按期整改完成",
    )


def common_problems(
    actor: Actor, on: date, committee_id: str, id_prefix: str
) -> list[c.RecordCommonProblem]:
    """Every one of `COMMON_PROBLEMS` for the year of `on`, numbered from 1 after
    `id_prefix`."""
    return [
        c.RecordCommonProblem(
            actor=actor,
            reason="查摆面上共性问题",
            effective_on=on,
            committee_id=committee_id,
            problem_id=f"{id_prefix}{number}",
            year=on.year,
            problem=problem,
            measure=measure,
        )
        for number, (problem, measure) in enumerate(COMMON_PROBLEMS, start=1)
    ]


def evaluation(actor: Actor, branch_id: str, year: int, tier: Tier) -> c.AdjustTier:
    """The evaluation of `year`, decided in January of the next year."""
    return c.AdjustTier(
        actor=actor,
        reason=f"{year}年度考评结果",
        effective_on=date(year + 1, 1, 20),
        branch_id=branch_id,
        year=year,
        tier=tier,
    )


def moved_on(
    rng: random.Random,
    previous: Sequence[Tier],
    *,
    up: float,
    to_lagging: float,
    to_weak: float | None = None,
) -> list[Tier]:
    """A year's tiers from last year's, one draw a branch: weak and lagging branches rise a
    step with chance `up`; a middle one falls to lagging below `to_lagging`, or to weak
    below `to_weak` (if given)."""
    tiers = list(previous)
    for index, tier in enumerate(previous):
        roll = rng.random()
        if tier in (Tier.WEAK, Tier.LAGGING) and roll < up:
            tiers[index] = _LADDER[_LADDER.index(tier) + 1]
        elif tier is Tier.MIDDLE and roll < to_lagging:
            tiers[index] = Tier.LAGGING
        elif tier is Tier.MIDDLE and to_weak is not None and roll < to_weak:
            tiers[index] = Tier.WEAK
    return tiers
