"""Valid command sequences over a city: most examples apply most of their commands.

A strategy of arbitrary commands over a city's ids is mostly refused: a tier adjusted
before the branch exists, a committee moved under a base committee, a promotion above the
cap. `valid_command_sequences` keeps a model of what exists on each date (the tree, the
branches and their tiers, the cases, the people) and draws each decision from it: the city
is founded on a drawn date, branches are registered, then dated decisions follow in date
order (adjustments, targets, liaisons, problems and their sign-off, common problems,
renames, moves, merges, splits and dissolutions of branches, moves and mergers of
committees, dissolutions of committees left empty), each by an actor with jurisdiction.
When a decision takes a committee above `ledger.advanced_cap`, the parent's
`ApproveCapException` for that year comes just before it. Worked example::

    from hypothesis import given, settings
    from guoying import Guoying, GuoyingError
    from guoying.testing import small_city
    from guoying.testing.sequences import valid_command_sequences

    @settings(max_examples=50, deadline=None)
    @given(valid_command_sequences(city=small_city(), max_decisions=15))
    def test_counts_stay_within_the_cap(sequence):
        with Guoying("memory://") as app:
            for command in sequence.setup:
                app.execute(command)
            for command in sequence.decisions:
                try:
                    app.execute(command)
                except GuoyingError:
                    pass  # rare: the model does not know every rule
            ...

Measured over 200 examples of up to 20 decisions each, executed one by one on memory://,
every decision drawn was applied, on `small_city()` and on generated cities alike (share
1.00, about a fifth of them the parents' approvals); a property built from
`register_branch_commands` and `adjust_tier_commands` over `small_city()`'s ids applied no
command at all in half of its examples. tests/property/test_valid_sequences.py keeps the
average share above 0.6.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import TypedDict

from attrs import define, evolve, field, frozen
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from guoying.application.commands import (
    AdjustTier,
    AppointLeader,
    ApproveCapException,
    AssignLiaison,
    Command,
    DissolveBranch,
    DissolveCommittee,
    MergeBranches,
    MergeCommittees,
    MoveBranch,
    MoveCommittee,
    NewBranch,
    RecordCommonProblem,
    RecordProblem,
    RegisterBranch,
    RenameBranch,
    SetCreationTarget,
    SignOffRectification,
    SplitBranch,
)
from guoying.domain.policy import TAIAN_2017, Policy
from guoying.domain.values import Actor, CommitteeLevel, Tier
from guoying.testing import values as v
from guoying.testing.city import CityLayout, cities
from guoying.testing.recount import BranchTimeline, CityTimeline, CommitteeState

__all__ = ["CommandSequence", "cities", "valid_command_sequences"]  # cities: from city

# Advanced is drawn less often than the others: with a handful of branches the cap's limit
# is 0, so each advanced tier needs the parent's approval for each year it counts.
_TIERS = st.sampled_from([Tier.MIDDLE, Tier.MIDDLE, Tier.LAGGING, Tier.WEAK, Tier.ADVANCED])

_ALLOWED_PARENTS = {
    CommitteeLevel.BASE: (CommitteeLevel.CITY_MANAGED, CommitteeLevel.INTERMEDIATE),
    CommitteeLevel.INTERMEDIATE: (CommitteeLevel.CITY_MANAGED, CommitteeLevel.INTERMEDIATE),
}


@frozen
class CommandSequence:
    """A city, the commands that build it, and the dated decisions that follow, in the
    order to execute them (each on its own)."""

    city: CityLayout
    setup: tuple[Command, ...]
    decisions: tuple[Command, ...]

    def __iter__(self) -> Iterator[Command]:
        return iter((*self.setup, *self.decisions))

    def __len__(self) -> int:
        return len(self.setup) + len(self.decisions)


@define
class _World:
    """What exists on the date reached so far (decisions come in date order)."""

    city: CityLayout
    policy: Policy
    timeline: CityTimeline = field(factory=CityTimeline)
    people: list[str] = field(factory=list)
    cases: dict[str, list[tuple[str, bool]]] = field(factory=dict)
    approvals: set[tuple[str, int]] = field(factory=set)
    leaders: set[tuple[str, str]] = field(factory=set)
    serial: int = 0

    def fresh(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial}"

    def committees(self, on: date) -> dict[str, CommitteeState]:
        return {c: s for c, s in self.timeline.committees_on(on).items() if s.active}

    def bases(self, on: date) -> list[str]:
        return sorted(c for c, s in self.committees(on).items() if s.level is CommitteeLevel.BASE)

    def active_branches(self) -> list[BranchTimeline]:
        return [b for b in self.timeline.branches.values() if b.active]

    def over(self, *committee_ids: str, on: date) -> Actor:
        """The secretary of the nearest committee with jurisdiction over all of these."""
        lineages = [self.timeline.lineage_on(c, on) for c in committee_ids]
        common = [c for c in lineages[0] if all(c in each for each in lineages[1:])]
        return self.city.secretary(common[0] if common else self.city.city_id)

    def capped(self, on: date) -> list[str]:
        levels = (CommitteeLevel.BASE, CommitteeLevel.INTERMEDIATE, CommitteeLevel.CITY_MANAGED)
        return sorted(c for c, s in self.committees(on).items() if s.level in levels)

    def approvals_for(
        self, before: dict[tuple[str, int], tuple[int, int]], on: date, reason: str
    ) -> list[ApproveCapException] | None:
        """The parent's approvals a decision needs (None: one it cannot get)."""
        needed: list[ApproveCapException] = []
        years = range(self.policy.first_year, self.policy.last_year + 1)
        for (committee_id, year), (was_advanced, was_active) in sorted(before.items()):
            advanced, active = self.timeline.counts(committee_id, year)
            limit = self.policy.advanced_limit(active)
            if advanced <= limit or (committee_id, year) in self.approvals:
                continue
            if was_advanced > self.policy.advanced_limit(was_active) and advanced <= was_advanced:
                continue
            state = self.committees(on).get(committee_id)
            approver = self._approver(committee_id, on)
            if state is None or approver is None or year not in years:
                return None
            needed.append(
                ApproveCapException(
                    actor=self.city.secretary(approver),
                    reason=f"approved: {reason}",
                    effective_on=on,
                    committee_id=committee_id,
                    year=year,
                )
            )
        return needed

    def _approver(self, committee_id: str, on: date) -> str | None:
        state = self.committees(on).get(committee_id)
        if state is None:
            return None
        if state.level is CommitteeLevel.CITY_MANAGED:
            return self.city.organization_department_id
        return state.parent_id

    def all_counts(self) -> dict[tuple[str, int], tuple[int, int]]:
        known = set(self.timeline.changes)
        return {
            (c, y): self.timeline.counts(c, y)
            for c in known
            for y in range(self.policy.first_year, self.policy.last_year + 1)
        }


Decide = Callable[[st.DrawFn, _World, date], Command | None]


def _pick(draw: st.DrawFn, items: list[BranchTimeline], label: str) -> BranchTimeline | None:
    return draw(st.sampled_from(items), label=label) if items else None


class _ByBase(TypedDict):
    actor: Actor
    reason: str
    effective_on: date
    branch_id: str


def _by_base(world: _World, branch: BranchTimeline, on: date, reason: str) -> _ByBase:
    """A decision on `branch` by its own base committee's secretary, on `on`."""
    return {
        "actor": world.city.secretary(branch.base_on(on)),
        "reason": reason,
        "effective_on": on,
        "branch_id": branch.branch_id,
    }


def _register(draw: st.DrawFn, world: _World, on: date) -> Command | None:
    base = draw(st.sampled_from(world.bases(on)), label="base committee")
    units = list(world.city.units_of(base)) or [u.unit_id for u in world.city.units]
    branch_id = world.fresh("b")
    command = RegisterBranch(
        actor=world.city.secretary(base),
        reason="first assessment",
        effective_on=on,
        branch_id=branch_id,
        name=f"{branch_id} 党支部",
        sector=draw(v.sectors(), label="sector"),
        base_committee_id=base,
        unit_ids=tuple(draw(st.lists(st.sampled_from(units), min_size=1, max_size=2, unique=True))),
        year=on.year,
        tier=draw(_TIERS, label="tier"),
    )
    world.timeline.branches[branch_id] = BranchTimeline(
        branch_id, on, on.year, [(on, base)], {on.year: command.tier}, command.name
    )
    return command


def _adjust(draw: st.DrawFn, world: _World, on: date) -> Command | None:
    branch = _pick(draw, [b for b in world.active_branches() if max(b.tiers) <= on.year], "branch")
    if branch is None:
        return None
    tier = draw(_TIERS, label="tier")
    branch.tiers[on.year] = tier
    return AdjustTier(
        **_by_base(world, branch, on, "annual evaluation"),
        year=on.year,
        tier=tier,
    )


def _target(draw: st.DrawFn, world: _World, on: date) -> Command | None:
    branch = _pick(draw, world.active_branches(), "branch")
    if branch is None:
        return None
    return SetCreationTarget(
        **_by_base(world, branch, on, "creation target"),
        year=on.year,
        target=draw(v.tiers(), label="target"),
    )


def _liaison(draw: st.DrawFn, world: _World, on: date) -> Command | None:
    branch = _pick(draw, world.active_branches(), "branch")
    if branch is None or not world.people:
        return None
    return AssignLiaison(
        **_by_base(world, branch, on, "contracted"),
        person_id=draw(st.sampled_from(world.people), label="person"),
        position=draw(v.positions(), label="position"),
    )


def _problem(draw: st.DrawFn, world: _World, on: date) -> Command | None:
    branch = _pick(draw, world.active_branches(), "branch")
    if branch is None or not world.people:
        return None
    case_id = world.fresh("case-")
    world.cases.setdefault(branch.branch_id, []).append((case_id, False))
    return RecordProblem(
        **_by_base(world, branch, on, "analysis"),
        case_id=case_id,
        problem=draw(v.texts(max_size=20), label="problem"),
        measure=draw(v.texts(max_size=20), label="measure"),
        owner_id=draw(st.sampled_from(world.people), label="owner"),
        deadline=on + timedelta(days=draw(st.integers(0, 200), label="days")),
    )


def _sign_off(draw: st.DrawFn, world: _World, on: date) -> Command | None:
    open_cases = [
        (b, c)
        for b, cases in world.cases.items()
        for c, closed in cases
        if not closed and world.timeline.branches[b].active
    ]
    if not open_cases:
        return None
    branch_id, case_id = draw(st.sampled_from(open_cases), label="case")
    world.cases[branch_id] = [(c, closed or c == case_id) for c, closed in world.cases[branch_id]]
    branch = world.timeline.branches[branch_id]
    return SignOffRectification(
        **_by_base(world, branch, on, "rectified"),
        case_id=case_id,
        outcome="整改完成",
    )


def _common_problem(draw: st.DrawFn, world: _World, on: date) -> Command | None:
    committee = draw(st.sampled_from(world.capped(on)), label="committee")
    return RecordCommonProblem(
        actor=world.city.secretary(committee),
        reason="analysis",
        effective_on=on,
        committee_id=committee,
        problem_id=world.fresh("cp-"),
        year=on.year,
        problem=draw(v.texts(max_size=20), label="problem"),
        measure=draw(v.texts(max_size=20), label="measure"),
    )


def _leader(draw: st.DrawFn, world: _World, on: date) -> Command | None:
    committee = draw(st.sampled_from(world.capped(on)), label="committee")
    free = [p for p in world.people if (committee, p) not in world.leaders]
    if not free:
        return None
    person = draw(st.sampled_from(free), label="person")
    world.leaders.add((committee, person))
    return AppointLeader(
        actor=world.city.secretary(committee),
        reason="appointed",
        effective_on=on,
        committee_id=committee,
        person_id=person,
        position=draw(v.positions(), label="position"),
    )


def _rename(draw: st.DrawFn, world: _World, on: date) -> Command | None:
    branch = _pick(draw, world.active_branches(), "branch")
    if branch is None:
        return None
    branch.name = f"{branch.branch_id} {world.fresh('新')}"
    return RenameBranch(
        **_by_base(world, branch, on, "renamed"),
        name=branch.name,
    )


def _move(draw: st.DrawFn, world: _World, on: date) -> Command | None:
    branch = _pick(draw, world.active_branches(), "branch")
    if branch is None:
        return None
    others = [b for b in world.bases(on) if b != branch.base_on(on)]
    if not others or branch.memberships[-1][0] > on:
        return None
    to = draw(st.sampled_from(others), label="to")
    actor = world.over(branch.base_on(on), to, on=on)
    branch.memberships.append((on, to))
    return MoveBranch(
        actor=actor, reason="moved", effective_on=on, branch_id=branch.branch_id, to_committee_id=to
    )


def _merge(draw: st.DrawFn, world: _World, on: date) -> Command | None:
    active = world.active_branches()
    if len(active) < 2:
        return None
    absorbed, survivor = draw(st.permutations(active), label="branches")[:2]
    absorbed.ended_on = on
    actor = world.over(absorbed.base_on(on), survivor.base_on(on), on=on)
    return MergeBranches(
        actor=actor,
        reason="merged",
        effective_on=on,
        branch_id=absorbed.branch_id,
        into_branch_id=survivor.branch_id,
    )


def _split(draw: st.DrawFn, world: _World, on: date) -> Command | None:
    branch = _pick(draw, world.active_branches(), "branch")
    if branch is None:
        return None
    base = branch.base_on(on)
    units = list(world.city.units_of(base)) or [u.unit_id for u in world.city.units]
    founded = []
    for _ in range(draw(st.integers(1, 2), label="new branches")):
        branch_id = world.fresh("b")
        new = NewBranch(
            branch_id=branch_id,
            name=f"{branch_id} 党支部",
            sector=draw(v.sectors()),
            unit_ids=(draw(st.sampled_from(units)),),
            tier=draw(_TIERS, label="tier"),
        )
        founded.append(new)
        world.timeline.branches[branch_id] = BranchTimeline(
            branch_id, on, on.year, [(on, base)], {on.year: new.tier}, new.name
        )
    dissolve = draw(st.booleans(), label="dissolve original")
    if dissolve:
        branch.ended_on = on
    return SplitBranch(
        actor=world.city.secretary(base),
        reason="split",
        effective_on=on,
        branch_id=branch.branch_id,
        new_branches=tuple(founded),
        dissolve_original=dissolve,
    )


def _dissolve(draw: st.DrawFn, world: _World, on: date) -> Command | None:
    branch = _pick(draw, world.active_branches(), "branch")
    if branch is None:
        return None
    branch.ended_on = on
    return DissolveBranch(
        **_by_base(world, branch, on, "dissolved"),
    )


def _move_committee(draw: st.DrawFn, world: _World, on: date) -> Command | None:
    committees = world.committees(on)
    moves = [
        (c, p)
        for c, s in committees.items()
        if s.level in _ALLOWED_PARENTS
        for p, ps in committees.items()
        if ps.level in _ALLOWED_PARENTS[s.level]
        and p != s.parent_id
        and c not in world.timeline.lineage_on(p, on)
    ]
    if not moves:
        return None
    committee_id, parent_id = draw(st.sampled_from(sorted(moves)), label="committee move")
    old_parent = committees[committee_id].parent_id
    assert old_parent is not None
    actor = world.over(old_parent, parent_id, on=on)
    world.timeline.move(committee_id, parent_id, on)
    return MoveCommittee(
        actor=actor, reason="moved", effective_on=on, committee_id=committee_id, parent_id=parent_id
    )


def _merge_committees(draw: st.DrawFn, world: _World, on: date) -> Command | None:
    committees = world.committees(on)
    pairs = [
        (a, b)
        for a, s in committees.items()
        for b, t in committees.items()
        if a != b
        and s.level is t.level
        and s.level in _ALLOWED_PARENTS
        and a not in world.timeline.lineage_on(b, on)
    ]
    if not pairs:
        return None
    absorbed, survivor = draw(st.sampled_from(sorted(pairs)), label="committees")
    parents = [committees[absorbed].parent_id, committees[survivor].parent_id]
    actor = world.over(*(p for p in parents if p is not None), on=on)
    for child, state in committees.items():
        if state.parent_id == absorbed:
            world.timeline.move(child, survivor, on)
    for branch in world.active_branches():
        if branch.base_on(on) == absorbed:
            branch.memberships.append((on, survivor))
    world.timeline.dissolve(absorbed, on)
    return MergeCommittees(
        actor=actor,
        reason="merged",
        effective_on=on,
        committee_id=absorbed,
        into_committee_id=survivor,
    )


def _dissolve_committee(draw: st.DrawFn, world: _World, on: date) -> Command | None:
    committees = world.committees(on)
    leading = {
        c
        for b in world.timeline.branches.values()
        if b.ended_on is None or b.ended_on > on
        for c in world.timeline.lineage_on(b.base_on(on), on)
    }
    parents = {s.parent_id for s in committees.values()}
    empty = sorted(
        c
        for c, s in committees.items()
        if s.level in _ALLOWED_PARENTS and c not in leading and c not in parents
    )
    if not empty:
        return None
    committee_id = draw(st.sampled_from(empty), label="committee")
    parent = committees[committee_id].parent_id
    assert parent is not None
    world.timeline.dissolve(committee_id, on)
    return DissolveCommittee(
        actor=world.city.secretary(parent),
        reason="dissolved",
        effective_on=on,
        committee_id=committee_id,
    )


# How often each kind of decision is drawn, relative to the others.
_DECISIONS: tuple[tuple[Decide, int], ...] = (
    (_register, 3),
    (_adjust, 6),
    (_target, 2),
    (_liaison, 2),
    (_problem, 2),
    (_sign_off, 2),
    (_common_problem, 1),
    (_leader, 1),
    (_rename, 1),
    (_move, 2),
    (_merge, 1),
    (_split, 1),
    (_dissolve, 1),
    (_move_committee, 1),
    (_merge_committees, 1),
    (_dissolve_committee, 1),
)
_WEIGHTED = [decide for decide, weight in _DECISIONS for _ in range(weight)]


@st.composite
def _sequences(
    draw: st.DrawFn,
    cities: SearchStrategy[CityLayout],
    policy: Policy,
    min_decisions: int,
    max_decisions: int,
) -> CommandSequence:
    city = draw(cities, label="city")
    founded = date(policy.first_year, 1, 1) + timedelta(
        days=draw(st.integers(0, 59), label="founded")
    )
    world = _World(city, policy, people=list(city.person_ids))
    for spec in city.committees:
        world.timeline.found(CommitteeState(spec.committee_id, spec.level, spec.parent_id), founded)
    end = date(policy.last_year, 12, 31)
    count = draw(st.integers(min_decisions, max_decisions), label="decisions")
    offsets = sorted(
        draw(
            st.lists(st.integers(1, (end - founded).days), min_size=count, max_size=count),
            label="dates",
        )
    )
    registrations = draw(st.integers(1, 4), label="first registrations")
    decisions: list[Command] = []
    for index, offset in enumerate(offsets):
        on = founded + timedelta(days=offset)
        decide = (
            _register if index < registrations else draw(st.sampled_from(_WEIGHTED), label="kind")
        )
        before = world.all_counts()
        saved = evolve(
            world,
            timeline=_copy(world.timeline),
            cases={k: list(c) for k, c in world.cases.items()},
            leaders=set(world.leaders),
        )
        command = decide(draw, world, on)
        approvals = None if command is None else world.approvals_for(before, on, command.reason)
        if command is None or approvals is None:
            world = saved  # a decision the model cannot make valid: none is drawn
            continue
        world.approvals.update((a.committee_id, a.year) for a in approvals)
        decisions.extend([*approvals, command])
    setup = tuple(city.setup_commands(founded))
    return CommandSequence(city, setup, tuple(decisions))


def _copy(timeline: CityTimeline) -> CityTimeline:
    copied = CityTimeline(
        {c: list(ch) for c, ch in timeline.changes.items()}, {}, timeline._sequence
    )
    for branch_id, b in timeline.branches.items():
        copied.branches[branch_id] = evolve(b, memberships=list(b.memberships), tiers=dict(b.tiers))
    return copied


def valid_command_sequences(
    city: CityLayout | SearchStrategy[CityLayout] | None = None,
    *,
    policy: Policy = TAIAN_2017,
    min_decisions: int = 1,
    max_decisions: int = 20,
) -> SearchStrategy[CommandSequence]:
    """A city (the given one, one drawn from a strategy, or `cities()`), the commands that
    build it on a drawn date, then up to `max_decisions` dated decisions drawn from a model
    of what exists, each valid when the ones before it were applied."""
    if city is None:
        source = cities()
    elif isinstance(city, CityLayout):
        source = st.just(city)
    else:
        source = city
    return _sequences(source, policy, min_decisions, max_decisions)
