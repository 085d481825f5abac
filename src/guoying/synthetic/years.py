"""The commands of a synthetic city: the tree and policy set up first, then each base
committee's work year by year, in the order a clerk would enter it."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from datetime import date

from attrs import evolve

from guoying import sample_records as records
from guoying.application import commands as c
from guoying.domain.policy import TAIAN_2017, Policy
from guoying.domain.values import Actor, Tier
from guoying.sample_text import LEADER_POSITIONS, PROBLEMS
from guoying.synthetic.branches import BranchPlan
from guoying.synthetic.config import PLAN_YEARS_AHEAD, CitySpec
from guoying.synthetic.selection import selection_commands
from guoying.synthetic.tree import CityPlan


def _on(year: int, month: int, day: int) -> date:
    return date(year, month, day)


def _actor(committee_id: str) -> Actor:
    return Actor(f"system:synthetic:{committee_id}", committee_id, "import")


def synthetic_policy(spec: CitySpec) -> Policy:
    """The policy version the synthetic city publishes: the 2017 Tai'an values, with plan
    years long enough for any history the benchmark asks for."""
    return evolve(
        TAIAN_2017,
        version=f"synthetic-{spec.first_year}",
        effective_on=_on(spec.first_year, 6, 1),
        advanced_share=spec.advanced_share,
        first_year=spec.first_year,
        last_year=spec.first_year + PLAN_YEARS_AHEAD,
    )


def setup_commands(plan: CityPlan) -> list[c.Command]:
    """The committee tree, founded before any decision, and the synthetic policy version."""
    founded = _on(plan.spec.first_year, 6, 1)
    city_actor = _actor(plan.city_id)
    commands: list[c.Command] = [
        c.entered_from(c.RegisterCommittee, p, actor=city_actor, reason="建立组织体系", on=founded)
        for p in plan.committees
    ]
    commands.append(
        c.PublishPolicy(
            actor=_actor(plan.organization_department_id),
            reason="发布合成数据使用的政策版本",
            effective_on=founded,
            policy=synthetic_policy(plan.spec),
        )
    )
    return commands


def _leaders(base_id: str) -> list[tuple[str, str]]:
    return [(f"{base_id}-p{i + 1}", position) for i, position in enumerate(LEADER_POSITIONS)]


def _registration(plan: CityPlan, base_id: str) -> list[c.Command]:
    """The base committee's leaders, units and branches with their first assessment."""
    spec = plan.spec
    rng = random.Random(f"{spec.seed}:{base_id}:people")  # noqa: S311 - test data
    actor = _actor(base_id)
    on = _on(spec.first_year, 6, 20)
    commands: list[c.Command] = []
    for person_id, position in _leaders(base_id):
        commands.append(records.leader_registered(rng, actor, on, person_id))
        commands.append(records.leader_appointed(actor, on, base_id, person_id, position))
    own = plan.branches[base_id]
    commands += [
        records.unit_registered(actor, on, b.unit_id, b.unit_name, b.unit_kind, base_id)
        for b in own
    ]
    first = plan.tiers(base_id, 0)[0]
    commands += [
        records.branch_registered(
            actor, _on(spec.first_year, 6, 30), b, base_id, (b.unit_id,), tier
        )
        for b, tier in _advanced_last(own, first)
    ]
    return commands


def _advanced_last(
    own: Sequence[BranchPlan], tiers: Sequence[Tier]
) -> list[tuple[BranchPlan, Tier]]:
    """Decisions in an order that keeps the cap after every single one: a branch leaves
    the advanced tier before another one enters it."""
    pairs = list(zip(own, tiers, strict=True))
    return [p for p in pairs if p[1] is not Tier.ADVANCED] + [
        p for p in pairs if p[1] is Tier.ADVANCED
    ]


def _target_for(tier: Tier, offset: int) -> Tier:
    """A creation target `offset` years into a plan window: a step up each year, to the
    middle tier, and to advanced in the window's last year for branches already middle."""
    ladder = [Tier.WEAK, Tier.LAGGING, Tier.MIDDLE, Tier.ADVANCED]
    current = ladder.index(tier)
    goal = min(current + 1 + offset, 3 if offset == 2 else 2)
    return ladder[max(goal, current)]


def year_commands(plan: CityPlan, index: int, base_id: str) -> list[c.Command]:
    """One base committee's work in year `first_year + index`, in the order a clerk would
    enter it: liaisons, creation targets, problems found and signed off, common problems,
    then the year's evaluation. Year 0 also registers the committee's leaders, units and
    branches with their first assessment."""
    spec = plan.spec
    year = plan.year(index)
    rng = random.Random(f"{spec.seed}:{base_id}:{index}")  # noqa: S311 - test data
    actor = _actor(base_id)
    own = plan.branches[base_id]
    history = plan.tiers(base_id, index + 1)
    before, after = history[index], history[index + 1]
    leaders = _leaders(base_id)
    commands: list[c.Command] = _registration(plan, base_id) if index == 0 else []
    # Liaisons: everyone in the first year, a tenth of the branches change liaison later.
    for number, branch in enumerate(own):
        if index == 0 or rng.random() < 0.1:
            person_id, position = leaders[(number + index) % len(leaders)]
            liaison_on = _on(year, 7, 5) if index == 0 else _on(year, 2, 1)
            commands.append(
                records.liaison_assigned(actor, liaison_on, branch.branch_id, person_id, position)
            )
    # Creation targets for the three years of each plan window, set when it opens.
    if index % 3 == 0:
        window_on = _on(year, 7, 5) if index == 0 else _on(year, 1, 15)
        for branch, tier in zip(own, before, strict=True):
            commands += [
                records.target_set(
                    actor, window_on, branch.branch_id, year + offset, _target_for(tier, offset)
                )
                for offset in range(3)
            ]
        commands += records.common_problems(actor, window_on, base_id, f"{base_id}-common-{year}-")
    # Rectification: weak and lagging branches, and a few others, find a problem.
    found_on = _on(year, 7, 10) if index == 0 else _on(year, 3, 10)
    for number, (branch, tier) in enumerate(zip(own, before, strict=True)):
        if tier not in (Tier.WEAK, Tier.LAGGING) and rng.random() >= 0.08:
            continue
        problem = rng.choice(PROBLEMS)
        case_id = f"{branch.branch_id}-c{year}"
        deadline = _on(year, 12, 31) if rng.random() < 0.6 else _on(year + 1, 6, 30)
        commands.append(
            records.problem_found(
                actor,
                found_on,
                branch_id=branch.branch_id,
                case_id=case_id,
                problem=problem,
                owner_id=leaders[(number + index) % len(leaders)][0],
                deadline=deadline,
            )
        )
        if rng.random() < 0.8:
            signed_on = _on(deadline.year, deadline.month, 15)
            commands.append(records.signed_off(actor, signed_on, branch.branch_id, case_id))
    # The year's evaluation, decided in January of the next year.
    commands += [
        records.evaluation(actor, branch.branch_id, year, tier)
        for branch, tier in _advanced_last(own, after)
    ]
    return commands


def units(plan: CityPlan, years: int, *, start: int = 0) -> Iterator[list[c.Command]]:
    """The commands of years `start` .. `years - 1`, one unit per base committee and year
    (each judged on its end state, as an import is), then the year's selection as one unit
    (from the second year); year 0 is preceded by the tree."""
    if start == 0:
        yield setup_commands(plan)
    policy = synthetic_policy(plan.spec)
    for index in range(start, years):
        for base_id in plan.branches:
            yield year_commands(plan, index, base_id)
        selection = selection_commands(plan, index, policy)
        if selection:
            yield selection
