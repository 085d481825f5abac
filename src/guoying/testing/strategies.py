"""Hypothesis strategies for guoying's values, commands and events.

Every command strategy takes the ids it may use, so that it produces commands that mean
something against a given city: pass a sequence of ids (drawn from with `sampled_from`) or
a strategy of ids; leave it out for arbitrary ids. Dates fall in the year of the decision,
and years in the years the policy covers, unless you pass other strategies::

    from hypothesis import given
    from guoying.testing import strategies as gs

    @given(gs.adjust_tier_commands(branch_ids=["b1", "b2"], committee_ids=["base-a"]))
    def test_an_adjustment_names_its_rules(command):
        ...

Text never holds control characters (PostgreSQL refuses NUL in text), is never blank and
has no surrounding whitespace, so what is stored reads back exactly as it was given.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ParamSpec, TypeVar, cast

import attrs
from attrs import frozen
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from guoying.application.commands import (
    COMMAND_TYPES,
    AdjustTier,
    AppointLeader,
    AssignLiaison,
    Command,
    CorrectRecord,
    DissolveBranch,
    DissolveCommittee,
    EndLeadership,
    MergeBranches,
    MergeCommittees,
    MoveBranch,
    MoveCommittee,
    NewBranch,
    PublishPolicy,
    RecordCommonProblem,
    RecordProblem,
    RegisterBranch,
    RegisterCommittee,
    RegisterPerson,
    RegisterUnit,
    RenameBranch,
    RenameCommittee,
    SetCreationTarget,
    SignOffRectification,
    SplitBranch,
)
from guoying.domain.branch import RectificationCase, branch_aggregate_id
from guoying.domain.catalogue import EVENT_TYPES
from guoying.domain.committee_ledger import ledger_aggregate_id
from guoying.domain.events import DomainEvent
from guoying.domain.organization import TREE_ID, unit_aggregate_id
from guoying.domain.person import person_aggregate_id
from guoying.domain.policy import TAIAN_2017, Policy
from guoying.domain.policy_registry import REGISTRY_ID
from guoying.domain.values import (
    Actor,
    Authority,
    CapException,
    CommitteeLevel,
    Sector,
    Tier,
    UnitKind,
)
from guoying.testing.city import CityLayout

__all__ = [
    "RULE_IDS",
    "IdSource",
    "actors",
    "adjust_tier_commands",
    "appoint_leader_commands",
    "approved_cap_exceptions",
    "assign_liaison_commands",
    "authorities",
    "branch_ids",
    "cap_exception_sets",
    "cap_exceptions",
    "case_ids",
    "command_strategy_for",
    "commands",
    "committee_ids",
    "committee_levels",
    "correct_record_commands",
    "dates_in_policy",
    "dates_in_year",
    "dissolve_branch_commands",
    "dissolve_committee_commands",
    "end_leadership_commands",
    "event_strategy_for",
    "events",
    "identifiers",
    "merge_branches_commands",
    "merge_committees_commands",
    "move_branch_commands",
    "move_committee_commands",
    "names",
    "new_branches",
    "person_ids",
    "policies",
    "policy_years",
    "publish_policy_commands",
    "reasons",
    "record_common_problem_commands",
    "record_problem_commands",
    "register_branch_commands",
    "register_committee_commands",
    "register_person_commands",
    "register_unit_commands",
    "rename_branch_commands",
    "rename_committee_commands",
    "sectors",
    "set_creation_target_commands",
    "sign_off_rectification_commands",
    "split_branch_commands",
    "texts",
    "tiers",
    "unit_ids",
    "unit_kinds",
]

T = TypeVar("T")
C = TypeVar("C", bound=Command)
E = TypeVar("E", bound=DomainEvent)
P = ParamSpec("P")


def _memoized(make: Callable[P, SearchStrategy[T]]) -> Callable[P, SearchStrategy[T]]:
    """Build a strategy once per (hashable) arguments: strategies are immutable, and
    building them again at every draw is what makes composite strategies slow."""
    built: dict[object, SearchStrategy[T]] = {}

    @functools.wraps(make)
    def memoized(*args: P.args, **kwargs: P.kwargs) -> SearchStrategy[T]:
        key = (args, tuple(sorted(kwargs.items())))
        try:
            return built[key]
        except KeyError:
            strategy = built[key] = make(*args, **kwargs)
            return strategy
        except TypeError:  # unhashable arguments (a list of ids): build it each time
            return make(*args, **kwargs)

    return memoized


IdSource = SearchStrategy[str] | Sequence[str] | None
"""Where a strategy takes ids from: a strategy, a non-empty sequence, or None for any."""

RULE_IDS: tuple[str, ...] = (
    "org.hierarchy",
    "org.unit",
    "org.jurisdiction",
    "ledger.tiers",
    "ledger.annual_adjustment",
    "ledger.advanced_cap",
    "ledger.weak_share",
    "ledger.row",
    "ledger.rectification",
    "ledger.liaison_coverage",
    "ledger.rollup",
)
"""The rule ids of rules.md sections 2 and 3 that events of this version can carry."""

# ---------------------------------------------------------------------------------------
# Values


@_memoized
def tiers() -> SearchStrategy[Tier]:
    """Any of the four tiers (`ledger.tiers`)."""
    return st.sampled_from(Tier)


@_memoized
def sectors() -> SearchStrategy[Sector]:
    """Any of the seven sectors, in ledger order."""
    return st.sampled_from(Sector)


@_memoized
def unit_kinds() -> SearchStrategy[UnitKind]:
    return st.sampled_from(UnitKind)


@_memoized
def committee_levels() -> SearchStrategy[CommitteeLevel]:
    return st.sampled_from(CommitteeLevel)


_ALPHABET = st.characters(
    exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"),
    exclude_characters="\x00",
)


_ID_START = "abcdefghijklmnopqrstuvwxyz0123456789"


@_memoized
def texts(*, min_size: int = 1, max_size: int = 40) -> SearchStrategy[str]:
    """Non-blank text without control characters or surrounding whitespace (CJK included)."""
    return (
        st.text(_ALPHABET, min_size=min_size, max_size=max_size)
        .map(str.strip)
        .filter(lambda s: len(s) >= max(min_size, 1))
    )


@_memoized
def names() -> SearchStrategy[str]:
    """A name for a branch, unit, committee or person."""
    return st.one_of(
        texts(max_size=20),
        st.sampled_from(["东关村党支部", "西关社区党委", "宁阳机械厂党支部", "伏山镇机关党支部"]),
    )


@_memoized
def reasons() -> SearchStrategy[str]:
    """A reason for a decision (never blank: every command carries one)."""
    return st.one_of(
        texts(),
        st.sampled_from(["年度考评结果", "分析研判", "annual evaluation", "import"]),
    )


@_memoized
def identifiers(prefix: str = "") -> SearchStrategy[str]:
    """Short lowercase ids: a letter or digit, then letters, digits and hyphens."""
    return st.builds(
        lambda first, rest: f"{prefix}{first}{rest}",
        st.sampled_from(_ID_START),
        st.text(_ID_START + "-", max_size=11),
    )


@_memoized
def committee_ids() -> SearchStrategy[str]:
    return identifiers("c-")


@_memoized
def branch_ids() -> SearchStrategy[str]:
    return identifiers("b-")


@_memoized
def unit_ids() -> SearchStrategy[str]:
    return identifiers("u-")


@_memoized
def person_ids() -> SearchStrategy[str]:
    return identifiers("p-")


@_memoized
def case_ids() -> SearchStrategy[str]:
    return identifiers("case-")


def _ids(source: IdSource, default: Callable[[], SearchStrategy[str]]) -> SearchStrategy[str]:
    if source is None:
        return default()
    if isinstance(source, SearchStrategy):
        return source
    if isinstance(source, str):
        raise TypeError("pass a sequence of ids, not one id as a string")
    if not source:
        raise ValueError("an id sequence must not be empty")
    return st.sampled_from(list(source))


def _or(strategy: SearchStrategy[T] | None, default: SearchStrategy[T]) -> SearchStrategy[T]:
    return default if strategy is None else strategy


@_memoized
def actors(*, committee_ids: IdSource = None, person_ids: IdSource = None) -> SearchStrategy[Actor]:
    """An actor acting for one of the committees, in some role."""
    return st.builds(
        Actor,
        person_id=_ids(person_ids, lambda: identifiers("p-")),
        committee_id=_ids(committee_ids, lambda: identifiers("c-")),
        role=st.sampled_from(["", "secretary", "deputy secretary", "organization member"]),
    )


def _own_actor(committee_id: str) -> SearchStrategy[Actor]:
    return st.builds(
        Actor,
        person_id=identifiers("p-"),
        committee_id=st.just(committee_id),
        role=st.just("secretary"),
    )


@_memoized
def policy_years(policy: Policy = TAIAN_2017) -> SearchStrategy[int]:
    """A year the policy covers (2017-2019 for the 2017 work plan)."""
    return st.integers(policy.first_year, policy.last_year)


@_memoized
def dates_in_year(year: int) -> SearchStrategy[date]:
    """A business date in that calendar year."""
    return st.dates(date(year, 1, 1), date(year, 12, 31))


@_memoized
def dates_in_policy(policy: Policy = TAIAN_2017) -> SearchStrategy[date]:
    """A business date within the years the policy covers."""
    return st.dates(date(policy.first_year, 1, 1), date(policy.last_year, 12, 31))


@_memoized
def cap_exceptions(
    *, committee_ids: IdSource = None, approver_committee_ids: IdSource = None
) -> SearchStrategy[CapException]:
    """An exception to `ledger.advanced_cap`, approved by any of the approver committees
    (whether it is the right approver is not checked: see `approved_cap_exceptions`)."""
    return st.builds(
        CapException,
        committee_id=_ids(committee_ids, lambda: identifiers("c-")),
        justification=texts(),
        approved_by=actors(committee_ids=approver_committee_ids),
    )


_any_actors = actors
_any_tiers = tiers
_any_names = names
_any_cap_exceptions = cap_exceptions
_any_committee_ids = committee_ids
_any_person_ids = person_ids
_any_unit_ids = unit_ids
_any_case_ids = case_ids


def _any_branch_ids() -> SearchStrategy[str]:
    return identifiers("b-")


def approved_cap_exceptions(
    city: CityLayout, committee_ids: Sequence[str]
) -> SearchStrategy[tuple[CapException, ...]]:
    """One properly approved exception per committee (`ledger.advanced_cap`): approved by
    the committee's parent, or the Organization Department for a city-managed committee."""
    parts: list[SearchStrategy[CapException]] = []
    for committee_id in committee_ids:
        approver = city.approver_of(committee_id)
        if approver is None:
            raise ValueError(f"{committee_id!r} has no approver in this city")
        parts.append(
            st.builds(
                CapException,
                committee_id=st.just(committee_id),
                justification=texts(),
                approved_by=st.just(city.secretary(approver)),
            )
        )
    return st.tuples(*parts)


def _wrongly_approved(city: CityLayout, committee_id: str) -> SearchStrategy[CapException]:
    right = city.approver_of(committee_id)
    wrong = [c for c in city.committee_ids if c != right] + ["no-such-committee"]
    return st.builds(
        CapException,
        committee_id=st.just(committee_id),
        justification=texts(),
        approved_by=st.sampled_from(wrong).map(city.secretary),
    )


def cap_exception_sets(
    city: CityLayout, committee_ids: Sequence[str]
) -> SearchStrategy[tuple[CapException, ...]]:
    """The exceptions a command may carry for these committees: none, all properly
    approved, all approved by a wrong committee, or a mix (at most one per committee)."""
    committee_ids = list(committee_ids)
    if not committee_ids:
        return st.just(())

    def one(committee_id: str) -> SearchStrategy[tuple[CapException, ...]]:
        return st.one_of(
            st.just(()),
            approved_cap_exceptions(city, [committee_id]),
            _wrongly_approved(city, committee_id).map(lambda e: (e,)),
        )

    mixed = st.tuples(*(one(c) for c in committee_ids)).map(
        lambda parts: tuple(e for part in parts for e in part)
    )
    wrong = st.tuples(*(_wrongly_approved(city, c) for c in committee_ids))
    return st.one_of(
        st.just(()),
        approved_cap_exceptions(city, committee_ids),
        wrong,
        mixed,
    )


# ---------------------------------------------------------------------------------------
# Commands


def _effective_on(year: int | None, policy: Policy) -> SearchStrategy[date]:
    return dates_in_policy(policy) if year is None else dates_in_year(year)


@st.composite
def _register_committee(
    draw: st.DrawFn,
    committee_ids: SearchStrategy[str],
    parent_ids: SearchStrategy[str],
    levels: SearchStrategy[CommitteeLevel],
    actors: SearchStrategy[Actor] | None,
    policy: Policy,
) -> RegisterCommittee:
    level = draw(levels)
    committee_id = draw(committee_ids)
    parent_id = None if level is CommitteeLevel.CITY else draw(parent_ids)
    acting = parent_id if parent_id is not None else committee_id
    return RegisterCommittee(
        actor=draw(actors if actors is not None else _own_actor(acting)),
        reason=draw(reasons()),
        effective_on=draw(dates_in_policy(policy)),
        committee_id=committee_id,
        name=draw(names()),
        level=level,
        parent_id=parent_id,
        county_level=level is CommitteeLevel.CITY_MANAGED and draw(st.booleans()),
    )


def register_committee_commands(
    *,
    committee_ids: IdSource = None,
    parent_ids: IdSource = None,
    levels: SearchStrategy[CommitteeLevel] | None = None,
    actors: SearchStrategy[Actor] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[RegisterCommittee]:
    """`RegisterCommittee` (`org.hierarchy`); by default the parent's own actor registers.

    The city committee (level CITY) gets no parent; only a city-managed committee may be
    county-level.
    """
    return _register_committee(
        _ids(committee_ids, lambda: identifiers("c-")),
        _ids(parent_ids, lambda: identifiers("c-")),
        _or(levels, committee_levels()),
        actors,
        policy,
    )


@st.composite
def _register_unit(
    draw: st.DrawFn,
    unit_ids: SearchStrategy[str],
    committee_ids: SearchStrategy[str],
    kinds: SearchStrategy[UnitKind],
    actors: SearchStrategy[Actor] | None,
    policy: Policy,
) -> RegisterUnit:
    committee_id = draw(committee_ids)
    return RegisterUnit(
        actor=draw(actors if actors is not None else _own_actor(committee_id)),
        reason=draw(reasons()),
        effective_on=draw(dates_in_policy(policy)),
        unit_id=draw(unit_ids),
        name=draw(names()),
        kind=draw(kinds),
        committee_id=committee_id,
    )


def register_unit_commands(
    *,
    unit_ids: IdSource = None,
    committee_ids: IdSource = None,
    kinds: SearchStrategy[UnitKind] | None = None,
    actors: SearchStrategy[Actor] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[RegisterUnit]:
    """`RegisterUnit` (`org.unit`) under one of the (base) committees, by its own actor."""
    return _register_unit(
        _ids(unit_ids, lambda: identifiers("u-")),
        _ids(committee_ids, lambda: identifiers("c-")),
        _or(kinds, unit_kinds()),
        actors,
        policy,
    )


def register_person_commands(
    *,
    person_ids: IdSource = None,
    committee_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[RegisterPerson]:
    """`RegisterPerson`: a name and telephone kept as erasable personal data (rules.md 9a)."""
    return st.builds(
        RegisterPerson,
        actor=_or(actors, _any_actors(committee_ids=committee_ids)),
        reason=reasons(),
        effective_on=dates_in_policy(policy),
        person_id=_ids(person_ids, lambda: identifiers("p-")),
        name=names(),
        phone=st.one_of(st.just(""), st.from_regex(r"0538-[0-9]{7}", fullmatch=True)),
    )


@st.composite
def _register_branch(
    draw: st.DrawFn,
    branch_ids: SearchStrategy[str],
    base_committee_ids: SearchStrategy[str],
    unit_ids: SearchStrategy[str],
    units_by_committee: Mapping[str, Sequence[str]] | None,
    actors: SearchStrategy[Actor] | None,
    years: SearchStrategy[int],
    tiers: SearchStrategy[Tier],
    cap_exceptions: SearchStrategy[tuple[CapException, ...]],
    policy: Policy,
) -> RegisterBranch:
    if units_by_committee:
        base = draw(st.sampled_from(sorted(units_by_committee)))
        own_units = st.sampled_from(list(units_by_committee[base]))
    else:
        base = draw(base_committee_ids)
        own_units = unit_ids
    year = draw(years)
    return RegisterBranch(
        actor=draw(actors if actors is not None else _own_actor(base)),
        reason=draw(reasons()),
        effective_on=draw(_effective_on(year, policy)),
        branch_id=draw(branch_ids),
        name=draw(names()),
        sector=draw(sectors()),
        base_committee_id=base,
        unit_ids=tuple(draw(st.lists(own_units, min_size=1, max_size=3, unique=True))),
        is_financial_institution=draw(st.booleans()),
        year=year,
        tier=draw(tiers),
        cap_exceptions=draw(cap_exceptions),
    )


def register_branch_commands(
    *,
    branch_ids: IdSource = None,
    base_committee_ids: IdSource = None,
    unit_ids: IdSource = None,
    units_by_committee: Mapping[str, Sequence[str]] | None = None,
    actors: SearchStrategy[Actor] | None = None,
    years: SearchStrategy[int] | None = None,
    tiers: SearchStrategy[Tier] | None = None,
    cap_exceptions: SearchStrategy[tuple[CapException, ...]] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[RegisterBranch]:
    """`RegisterBranch` with its base committee's first assessment (`ledger.tiers`).

    By default the base committee's own actor registers (as `ledger.tiers` requires), the
    year is one the policy covers, `effective_on` falls in that year and no cap exception
    is carried. `units_by_committee` (base committee id -> its unit ids) draws the base
    committee and its own units together, overriding `base_committee_ids` and `unit_ids`.
    """
    return _register_branch(
        _ids(branch_ids, lambda: identifiers("b-")),
        _ids(base_committee_ids, lambda: identifiers("c-")),
        _ids(unit_ids, lambda: identifiers("u-")),
        units_by_committee,
        actors,
        _or(years, policy_years(policy)),
        _or(tiers, _any_tiers()),
        _or(cap_exceptions, st.just(())),
        policy,
    )


@st.composite
def _with_year(
    draw: st.DrawFn,
    make: Callable[[int, date], Command],
    years: SearchStrategy[int],
    policy: Policy,
) -> Command:
    year = draw(years)
    return make(year, draw(_effective_on(year, policy)))


def adjust_tier_commands(
    *,
    branch_ids: IdSource = None,
    committee_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    years: SearchStrategy[int] | None = None,
    tiers: SearchStrategy[Tier] | None = None,
    cap_exceptions: SearchStrategy[tuple[CapException, ...]] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[AdjustTier]:
    """`AdjustTier`: a year's evaluation result (`ledger.annual_adjustment`), decided by an
    actor of one of `committee_ids`, with `effective_on` in the year evaluated."""
    actor = _or(actors, _any_actors(committee_ids=committee_ids))
    fields = st.tuples(
        _ids(branch_ids, _any_branch_ids),
        actor,
        reasons(),
        _or(tiers, _any_tiers()),
        _or(cap_exceptions, st.just(())),
    )

    @st.composite
    def build(draw: st.DrawFn) -> AdjustTier:
        branch_id, who, reason, tier, exceptions = draw(fields)
        year = draw(_or(years, policy_years(policy)))
        return AdjustTier(
            actor=who,
            reason=reason,
            effective_on=draw(_effective_on(year, policy)),
            branch_id=branch_id,
            year=year,
            tier=tier,
            cap_exceptions=exceptions,
        )

    return build()


def set_creation_target_commands(
    *,
    branch_ids: IdSource = None,
    committee_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    years: SearchStrategy[int] | None = None,
    targets: SearchStrategy[Tier] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[SetCreationTarget]:
    """`SetCreationTarget`: the tier a branch aims for in a year (`ledger.row`)."""
    fields = st.tuples(
        _ids(branch_ids, _any_branch_ids),
        _or(actors, _any_actors(committee_ids=committee_ids)),
        reasons(),
        _or(targets, tiers()),
    )

    @st.composite
    def build(draw: st.DrawFn) -> SetCreationTarget:
        branch_id, who, reason, target = draw(fields)
        year = draw(_or(years, policy_years(policy)))
        return SetCreationTarget(
            actor=who,
            reason=reason,
            effective_on=draw(_effective_on(year, policy)),
            branch_id=branch_id,
            year=year,
            target=target,
        )

    return build()


def assign_liaison_commands(
    *,
    branch_ids: IdSource = None,
    person_ids: IdSource = None,
    committee_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    positions: SearchStrategy[str] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[AssignLiaison]:
    """`AssignLiaison`: a committee leader contracted to a branch (`ledger.liaison_coverage`)."""
    return st.builds(
        AssignLiaison,
        actor=_or(actors, _any_actors(committee_ids=committee_ids)),
        reason=reasons(),
        effective_on=dates_in_policy(policy),
        branch_id=_ids(branch_ids, _any_branch_ids),
        person_id=_ids(person_ids, lambda: identifiers("p-")),
        position=_or(
            positions,
            st.one_of(
                st.sampled_from(["党委书记", "党委副书记", "组织委员", "纪委书记"]),
                texts(max_size=12),
            ),
        ),
    )


@st.composite
def _record_problem(
    draw: st.DrawFn,
    branch_ids: SearchStrategy[str],
    case_ids: SearchStrategy[str],
    owner_ids: SearchStrategy[str],
    actors: SearchStrategy[Actor],
    policy: Policy,
) -> RecordProblem:
    found = draw(dates_in_policy(policy))
    return RecordProblem(
        actor=draw(actors),
        reason=draw(reasons()),
        effective_on=found,
        branch_id=draw(branch_ids),
        case_id=draw(case_ids),
        problem=draw(texts()),
        measure=draw(texts()),
        owner_id=draw(owner_ids),
        deadline=found + timedelta(days=draw(st.integers(0, 366))),
    )


def record_problem_commands(
    *,
    branch_ids: IdSource = None,
    case_ids: IdSource = None,
    owner_ids: IdSource = None,
    committee_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[RecordProblem]:
    """`RecordProblem`: a rectification case with a deadline on or after the day it was
    found (`ledger.rectification`)."""
    return _record_problem(
        _ids(branch_ids, _any_branch_ids),
        _ids(case_ids, lambda: identifiers("case-")),
        _ids(owner_ids, lambda: identifiers("p-")),
        _or(actors, _any_actors(committee_ids=committee_ids)),
        policy,
    )


def sign_off_rectification_commands(
    *,
    branch_ids: IdSource = None,
    case_ids: IdSource = None,
    committee_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[SignOffRectification]:
    """`SignOffRectification`: closing a rectification case (`ledger.rectification`)."""
    return st.builds(
        SignOffRectification,
        actor=_or(actors, _any_actors(committee_ids=committee_ids)),
        reason=reasons(),
        effective_on=dates_in_policy(policy),
        branch_id=_ids(branch_ids, _any_branch_ids),
        case_id=_ids(case_ids, lambda: identifiers("case-")),
        outcome=texts(),
    )


@st.composite
def _record_common_problem(
    draw: st.DrawFn,
    committee_ids: SearchStrategy[str],
    problem_ids: SearchStrategy[str],
    actors: SearchStrategy[Actor] | None,
    years: SearchStrategy[int],
    policy: Policy,
) -> RecordCommonProblem:
    committee_id = draw(committee_ids)
    year = draw(years)
    return RecordCommonProblem(
        actor=draw(actors if actors is not None else _own_actor(committee_id)),
        reason=draw(reasons()),
        effective_on=draw(_effective_on(year, policy)),
        committee_id=committee_id,
        problem_id=draw(problem_ids),
        year=year,
        problem=draw(texts()),
        measure=draw(texts()),
    )


def record_common_problem_commands(
    *,
    committee_ids: IdSource = None,
    problem_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    years: SearchStrategy[int] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[RecordCommonProblem]:
    """`RecordCommonProblem`: a problem common to a committee's branches (`ledger.row`),
    recorded by the committee's own actor unless `actors` says otherwise."""
    return _record_common_problem(
        _ids(committee_ids, lambda: identifiers("c-")),
        _ids(problem_ids, lambda: identifiers("cp-")),
        actors,
        _or(years, policy_years(policy)),
        policy,
    )


# ---------------------------------------------------------------------------------------
# Commands of an organisation's life, corrections and policy versions


def _dated(
    command_type: type[C],
    *,
    actors: SearchStrategy[Actor],
    within: Policy,
    **fields: SearchStrategy[Any],
) -> SearchStrategy[C]:
    """A command with an actor, a reason and a date in the policy's years."""
    return st.builds(
        command_type,
        actor=actors,
        reason=reasons(),
        effective_on=dates_in_policy(within),
        **fields,
    )


def rename_branch_commands(
    *,
    branch_ids: IdSource = None,
    committee_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    names: SearchStrategy[str] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[RenameBranch]:
    """`RenameBranch` (`ledger.row`: a name identifies a row within its base committee)."""
    return _dated(
        RenameBranch,
        actors=_or(actors, _any_actors(committee_ids=committee_ids)),
        within=policy,
        branch_id=_ids(branch_ids, _any_branch_ids),
        name=_or(names, _any_names()),
    )


def move_branch_commands(
    *,
    branch_ids: IdSource = None,
    to_committee_ids: IdSource = None,
    committee_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    receiving_actors: SearchStrategy[Actor | None] | None = None,
    cap_exceptions: SearchStrategy[tuple[CapException, ...]] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[MoveBranch]:
    """`MoveBranch` to another base committee (`org.hierarchy`, `org.jurisdiction`); by
    default decided by one actor, sometimes with the receiving committee's decision."""
    return _dated(
        MoveBranch,
        actors=_or(actors, _any_actors(committee_ids=committee_ids)),
        within=policy,
        branch_id=_ids(branch_ids, _any_branch_ids),
        to_committee_id=_ids(to_committee_ids, lambda: _ids(committee_ids, _any_committee_ids)),
        receiving_decision_by=_or(
            receiving_actors, st.none() | _any_actors(committee_ids=committee_ids)
        ),
        cap_exceptions=_or(cap_exceptions, st.just(())),
    )


def merge_branches_commands(
    *,
    branch_ids: IdSource = None,
    committee_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[MergeBranches]:
    """`MergeBranches`: one branch ends and its open cases go to the other (both drawn
    from `branch_ids`, so sometimes the same one, which is refused)."""
    ids = _ids(branch_ids, _any_branch_ids)
    return _dated(
        MergeBranches,
        actors=_or(actors, _any_actors(committee_ids=committee_ids)),
        within=policy,
        branch_id=ids,
        into_branch_id=ids,
    )


def new_branches(
    *,
    branch_ids: IdSource = None,
    unit_ids: IdSource = None,
    tiers: SearchStrategy[Tier] | None = None,
) -> SearchStrategy[NewBranch]:
    """A branch founded by a split (`NewBranch`), with its first assessment."""
    return st.builds(
        NewBranch,
        branch_id=_ids(branch_ids, _any_branch_ids),
        name=_any_names(),
        sector=sectors(),
        unit_ids=st.lists(_ids(unit_ids, _any_unit_ids), min_size=1, max_size=3, unique=True).map(
            tuple
        ),
        tier=_or(tiers, _any_tiers()),
        is_financial_institution=st.booleans(),
    )


def split_branch_commands(
    *,
    branch_ids: IdSource = None,
    new_branch_ids: IdSource = None,
    unit_ids: IdSource = None,
    committee_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    tiers: SearchStrategy[Tier] | None = None,
    cap_exceptions: SearchStrategy[tuple[CapException, ...]] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[SplitBranch]:
    """`SplitBranch`: one to three new branches (distinct ids) out of one."""
    founded = new_branches(branch_ids=new_branch_ids, unit_ids=unit_ids, tiers=tiers)
    return _dated(
        SplitBranch,
        actors=_or(actors, _any_actors(committee_ids=committee_ids)),
        within=policy,
        branch_id=_ids(branch_ids, _any_branch_ids),
        new_branches=st.lists(founded, min_size=1, max_size=3, unique_by=lambda n: n.branch_id).map(
            tuple
        ),
        dissolve_original=st.booleans(),
        cap_exceptions=_or(cap_exceptions, st.just(())),
    )


def dissolve_branch_commands(
    *,
    branch_ids: IdSource = None,
    committee_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[DissolveBranch]:
    """`DissolveBranch`: the branch ends from `effective_on`."""
    return _dated(
        DissolveBranch,
        actors=_or(actors, _any_actors(committee_ids=committee_ids)),
        within=policy,
        branch_id=_ids(branch_ids, _any_branch_ids),
    )


def rename_committee_commands(
    *,
    committee_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[RenameCommittee]:
    """`RenameCommittee` (`org.hierarchy`)."""
    return _dated(
        RenameCommittee,
        actors=_or(actors, _any_actors(committee_ids=committee_ids)),
        within=policy,
        committee_id=_ids(committee_ids, _any_committee_ids),
        name=_any_names(),
    )


def move_committee_commands(
    *,
    committee_ids: IdSource = None,
    parent_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    cap_exceptions: SearchStrategy[tuple[CapException, ...]] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[MoveCommittee]:
    """`MoveCommittee`: a committee and its subtree under another parent."""
    return _dated(
        MoveCommittee,
        actors=_or(actors, _any_actors(committee_ids=committee_ids)),
        within=policy,
        committee_id=_ids(committee_ids, _any_committee_ids),
        parent_id=_ids(parent_ids, lambda: _ids(committee_ids, _any_committee_ids)),
        cap_exceptions=_or(cap_exceptions, st.just(())),
    )


def merge_committees_commands(
    *,
    committee_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    cap_exceptions: SearchStrategy[tuple[CapException, ...]] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[MergeCommittees]:
    """`MergeCommittees`: one committee's committees and branches go to another."""
    ids = _ids(committee_ids, _any_committee_ids)
    return _dated(
        MergeCommittees,
        actors=_or(actors, _any_actors(committee_ids=committee_ids)),
        within=policy,
        committee_id=ids,
        into_committee_id=ids,
        cap_exceptions=_or(cap_exceptions, st.just(())),
    )


def dissolve_committee_commands(
    *,
    committee_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[DissolveCommittee]:
    """`DissolveCommittee`: the committee ends (refused while it still leads branches)."""
    return _dated(
        DissolveCommittee,
        actors=_or(actors, _any_actors(committee_ids=committee_ids)),
        within=policy,
        committee_id=_ids(committee_ids, _any_committee_ids),
    )


def appoint_leader_commands(
    *,
    committee_ids: IdSource = None,
    person_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    positions: SearchStrategy[str] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[AppointLeader]:
    """`AppointLeader`: a person joins a committee's leadership (`ledger.liaison_coverage`)."""
    return _dated(
        AppointLeader,
        actors=_or(actors, _any_actors(committee_ids=committee_ids)),
        within=policy,
        committee_id=_ids(committee_ids, _any_committee_ids),
        person_id=_ids(person_ids, _any_person_ids),
        position=_or(positions, _positions()),
    )


def end_leadership_commands(
    *,
    committee_ids: IdSource = None,
    person_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[EndLeadership]:
    """`EndLeadership`: a person leaves a committee's leadership."""
    return _dated(
        EndLeadership,
        actors=_or(actors, _any_actors(committee_ids=committee_ids)),
        within=policy,
        committee_id=_ids(committee_ids, _any_committee_ids),
        person_id=_ids(person_ids, _any_person_ids),
    )


@st.composite
def _correct_record(
    draw: st.DrawFn,
    branch_ids: SearchStrategy[str],
    versions: SearchStrategy[int],
    person_ids: SearchStrategy[str],
    actors: SearchStrategy[Actor],
    policy: Policy,
) -> CorrectRecord:
    branch_id = draw(branch_ids)
    kind = draw(st.sampled_from(["tier", "target", "problem", "liaison"]), label="corrects")
    values: dict[str, Any] = {}
    if kind == "tier":
        values["tier"] = draw(tiers())
    elif kind == "target":
        values["target"] = draw(tiers())
    elif kind == "problem":
        values = draw(
            st.fixed_dictionaries(
                {},
                optional={
                    "problem": texts(),
                    "measure": texts(),
                    "deadline": dates_in_policy(policy),
                    "owner_id": person_ids,
                },
            ).filter(bool)
        )
    else:
        values = {"person_id": draw(person_ids), "position": draw(_positions())}
    return CorrectRecord(
        actor=draw(actors),
        reason=draw(reasons()),
        effective_on=draw(dates_in_policy(policy)),
        branch_id=branch_id,
        corrects=f"{branch_aggregate_id(branch_id)}@{draw(versions)}",
        **values,
    )


def correct_record_commands(
    *,
    branch_ids: IdSource = None,
    versions: SearchStrategy[int] | None = None,
    person_ids: IdSource = None,
    committee_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[CorrectRecord]:
    """`CorrectRecord`: a correction of one fact of a branch (`corrects` is
    "branch:ID@VERSION"), giving the values of one kind of fact: a tier, a target, a
    problem's details or a liaison. Whether that version records that kind of fact is up
    to `versions` (default 1 to 5)."""
    return _correct_record(
        _ids(branch_ids, _any_branch_ids),
        _or(versions, st.integers(1, 5)),
        _ids(person_ids, _any_person_ids),
        _or(actors, _any_actors(committee_ids=committee_ids)),
        policy,
    )


@_memoized
def policies(
    *,
    versions: SearchStrategy[str] | None = None,
    effective_dates: SearchStrategy[date] | None = None,
) -> SearchStrategy[Policy]:
    """A policy version: its id, the date it takes effect, a share for
    `ledger.advanced_cap` in (0, 1], an optional weak share and its years; the other
    parameters keep the 2017 Tai'an values."""
    return st.builds(
        Policy,
        version=_or(versions, identifiers("policy-")),
        effective_on=_or(effective_dates, st.dates(date(2017, 6, 1), date(2030, 12, 31))),
        advanced_share=st.integers(1, 100).map(lambda n: Decimal(n) / 100),
        weak_share=st.none() | st.integers(0, 100).map(lambda n: Decimal(n) / 100),
        first_year=st.just(TAIAN_2017.first_year),
        last_year=st.integers(TAIAN_2017.last_year, TAIAN_2017.last_year + 6),
    )


def publish_policy_commands(
    *,
    committee_ids: IdSource = None,
    actors: SearchStrategy[Actor] | None = None,
    policies: SearchStrategy[Policy] | None = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[PublishPolicy]:
    """`PublishPolicy` (`policy.versions`): only the Organization Department publishes,
    so pass its id in `committee_ids` for commands that can be applied."""
    return _dated(
        PublishPolicy,
        actors=_or(actors, _any_actors(committee_ids=committee_ids)),
        within=policy,
        policy=_or(policies, _any_policies()),
    )


_any_policies = policies


@_memoized
def _positions() -> SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["党委书记", "党委副书记", "组织委员", "纪委书记"]), texts(max_size=12)
    )


# ---------------------------------------------------------------------------------------
# Any command type


def command_strategy_for(
    command_type: type[C],
    *,
    committee_ids: IdSource = None,
    branch_ids: IdSource = None,
    unit_ids: IdSource = None,
    person_ids: IdSource = None,
    case_ids: IdSource = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[C]:
    """The strategy for one command type of `COMMAND_TYPES`, over the given ids.

    A command type this module has no strategy of its own for (one added to the library
    later) is built from its attrs fields, each drawn by its name and type from the same
    ids, so that `commands()` always covers every command type.
    """
    ids = _Ids(committee_ids, branch_ids, unit_ids, person_ids, case_ids, policy)
    make = _COMMAND_STRATEGIES.get(command_type)
    if make is None:
        return _from_fields(command_type, ids)
    return cast(SearchStrategy[C], make(ids))


def commands(
    *,
    committee_ids: IdSource = None,
    branch_ids: IdSource = None,
    unit_ids: IdSource = None,
    person_ids: IdSource = None,
    case_ids: IdSource = None,
    policy: Policy = TAIAN_2017,
) -> SearchStrategy[Command]:
    """Any command of `COMMAND_TYPES`, over the given ids (arbitrary ids when left out)."""
    return st.one_of(
        *(
            command_strategy_for(
                command_type,
                committee_ids=committee_ids,
                branch_ids=branch_ids,
                unit_ids=unit_ids,
                person_ids=person_ids,
                case_ids=case_ids,
                policy=policy,
            )
            for command_type in COMMAND_TYPES.values()
        )
    )


@frozen
class _Ids:
    """Where the strategies of one `commands()` call draw their ids from."""

    committee_ids: IdSource
    branch_ids: IdSource
    unit_ids: IdSource
    person_ids: IdSource
    case_ids: IdSource
    policy: Policy

    def committees(self) -> SearchStrategy[str]:
        return _ids(self.committee_ids, _any_committee_ids)

    def branches(self) -> SearchStrategy[str]:
        return _ids(self.branch_ids, _any_branch_ids)

    def units(self) -> SearchStrategy[str]:
        return _ids(self.unit_ids, _any_unit_ids)

    def people(self) -> SearchStrategy[str]:
        return _ids(self.person_ids, _any_person_ids)

    def cases(self) -> SearchStrategy[str]:
        return _ids(self.case_ids, _any_case_ids)


_COMMAND_STRATEGIES: dict[type[Command], Callable[[_Ids], SearchStrategy[Any]]] = {
    RegisterCommittee: lambda i: register_committee_commands(
        committee_ids=i.committee_ids, parent_ids=i.committee_ids, policy=i.policy
    ),
    RegisterUnit: lambda i: register_unit_commands(
        unit_ids=i.unit_ids, committee_ids=i.committee_ids, policy=i.policy
    ),
    RegisterPerson: lambda i: register_person_commands(
        person_ids=i.person_ids, committee_ids=i.committee_ids, policy=i.policy
    ),
    RegisterBranch: lambda i: register_branch_commands(
        branch_ids=i.branch_ids,
        base_committee_ids=i.committee_ids,
        unit_ids=i.unit_ids,
        policy=i.policy,
    ),
    AdjustTier: lambda i: adjust_tier_commands(
        branch_ids=i.branch_ids, committee_ids=i.committee_ids, policy=i.policy
    ),
    SetCreationTarget: lambda i: set_creation_target_commands(
        branch_ids=i.branch_ids, committee_ids=i.committee_ids, policy=i.policy
    ),
    AssignLiaison: lambda i: assign_liaison_commands(
        branch_ids=i.branch_ids,
        person_ids=i.person_ids,
        committee_ids=i.committee_ids,
        policy=i.policy,
    ),
    RecordProblem: lambda i: record_problem_commands(
        branch_ids=i.branch_ids,
        case_ids=i.case_ids,
        owner_ids=i.person_ids,
        committee_ids=i.committee_ids,
        policy=i.policy,
    ),
    SignOffRectification: lambda i: sign_off_rectification_commands(
        branch_ids=i.branch_ids,
        case_ids=i.case_ids,
        committee_ids=i.committee_ids,
        policy=i.policy,
    ),
    RecordCommonProblem: lambda i: record_common_problem_commands(
        committee_ids=i.committee_ids, policy=i.policy
    ),
    RenameBranch: lambda i: rename_branch_commands(
        branch_ids=i.branch_ids, committee_ids=i.committee_ids, policy=i.policy
    ),
    MoveBranch: lambda i: move_branch_commands(
        branch_ids=i.branch_ids, committee_ids=i.committee_ids, policy=i.policy
    ),
    MergeBranches: lambda i: merge_branches_commands(
        branch_ids=i.branch_ids, committee_ids=i.committee_ids, policy=i.policy
    ),
    SplitBranch: lambda i: split_branch_commands(
        branch_ids=i.branch_ids,
        unit_ids=i.unit_ids,
        committee_ids=i.committee_ids,
        policy=i.policy,
    ),
    DissolveBranch: lambda i: dissolve_branch_commands(
        branch_ids=i.branch_ids, committee_ids=i.committee_ids, policy=i.policy
    ),
    RenameCommittee: lambda i: rename_committee_commands(
        committee_ids=i.committee_ids, policy=i.policy
    ),
    MoveCommittee: lambda i: move_committee_commands(
        committee_ids=i.committee_ids, policy=i.policy
    ),
    MergeCommittees: lambda i: merge_committees_commands(
        committee_ids=i.committee_ids, policy=i.policy
    ),
    DissolveCommittee: lambda i: dissolve_committee_commands(
        committee_ids=i.committee_ids, policy=i.policy
    ),
    AppointLeader: lambda i: appoint_leader_commands(
        committee_ids=i.committee_ids, person_ids=i.person_ids, policy=i.policy
    ),
    EndLeadership: lambda i: end_leadership_commands(
        committee_ids=i.committee_ids, person_ids=i.person_ids, policy=i.policy
    ),
    CorrectRecord: lambda i: correct_record_commands(
        branch_ids=i.branch_ids,
        person_ids=i.person_ids,
        committee_ids=i.committee_ids,
        policy=i.policy,
    ),
    PublishPolicy: lambda i: publish_policy_commands(
        committee_ids=i.committee_ids, policy=i.policy
    ),
}


# ---------------------------------------------------------------------------------------
# Drawing a field by its name and type (events, and command types added later)

_BRANCH_FIELDS = frozenset({"branch_id", "into_branch_id", "absorbed_branch_id"})
_COMMITTEE_FIELDS = frozenset(
    {
        "committee_id",
        "parent_id",
        "previous_parent_id",
        "base_committee_id",
        "to_committee_id",
        "from_committee_id",
        "into_committee_id",
    }
)
_PERSON_FIELDS = frozenset({"person_id", "owner_id", "previous_person_id"})
_NAME_FIELDS = frozenset({"name", "previous_name"})
_METADATA_FIELDS = frozenset(
    {"originator_id", "originator_version", "actor", "authority", "reason", "effective_on"}
)


def _by_type(kind: Any, ids: _Ids) -> SearchStrategy[Any]:
    """A strategy for a field of this type whose name says nothing more."""
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        return st.one_of(*(st.none() if a is type(None) else _by_type(a, ids) for a in args))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return st.lists(_by_type(args[0], ids), max_size=3).map(tuple)
    if origin is tuple:
        return st.tuples(*(_by_type(a, ids) for a in args))
    simple: dict[Any, SearchStrategy[Any]] = {
        str: texts(),
        int: st.integers(0, 10_000),
        bool: st.booleans(),
        date: dates_in_policy(ids.policy),
        Decimal: st.integers(0, 100).map(lambda n: Decimal(n) / 100),
        Tier: tiers(),
        Sector: sectors(),
        CommitteeLevel: committee_levels(),
        UnitKind: unit_kinds(),
        Actor: actors(committee_ids=ids.committee_ids, person_ids=ids.person_ids),
        CapException: cap_exceptions(committee_ids=ids.committee_ids),
        Authority: authorities(),
        Policy: policies(),
        NewBranch: new_branches(unit_ids=ids.unit_ids),
        RectificationCase: _cases(ids),
    }
    if kind in simple:
        return simple[kind]
    return st.from_type(kind)


def _by_name(owner: type, name: str, kind: Any, ids: _Ids) -> SearchStrategy[Any]:
    """A strategy for a field, from its name first (ids, years, names) and then its type."""
    optional = type(None) in typing.get_args(kind)
    base: SearchStrategy[Any] | None = None
    if name in _BRANCH_FIELDS or (name == "merged_into" and "branch" in owner.__module__):
        base = ids.branches()
    elif name in _COMMITTEE_FIELDS or name == "merged_into":
        base = ids.committees()
    elif name in _PERSON_FIELDS:
        base = ids.people()
    elif name == "unit_id":
        base = ids.units()
    elif name == "case_id":
        base = ids.cases()
    elif name.endswith("_id") and str in (kind, *typing.get_args(kind)):
        base = identifiers()
    elif name in _NAME_FIELDS:
        base = names()
    elif name == "position":
        base = _positions()
    elif name == "year":
        base = policy_years(ids.policy)
    elif name == "years":
        base = st.lists(policy_years(ids.policy), min_size=1, max_size=3, unique=True).map(
            lambda ys: tuple(sorted(ys))
        )
    elif name in ("unit_ids", "new_branch_ids"):
        source = ids.units() if name == "unit_ids" else ids.branches()
        base = st.lists(source, min_size=1, max_size=3, unique=True).map(tuple)
    elif name == "timeline":
        base = st.lists(
            st.tuples(policy_years(ids.policy), tiers()),
            min_size=1,
            max_size=3,
            unique_by=lambda pair: pair[0],
        ).map(lambda pairs: tuple(sorted(pairs)))
    elif name == "cap_exceptions":
        base = st.lists(cap_exceptions(committee_ids=ids.committee_ids), max_size=2).map(tuple)
    if base is None:
        return _by_type(kind, ids)
    return st.none() | base if optional else base


@_memoized
def _cases(ids: _Ids) -> SearchStrategy[RectificationCase]:
    @st.composite
    def case(draw: st.DrawFn) -> RectificationCase:
        found = draw(dates_in_policy(ids.policy))
        closed = draw(st.none() | st.dates(found, date(ids.policy.last_year + 1, 12, 31)))
        return RectificationCase(
            case_id=draw(ids.cases()),
            problem=draw(texts()),
            measure=draw(texts()),
            owner_id=draw(ids.people()),
            deadline=found + timedelta(days=draw(st.integers(0, 366))),
            found_on=found,
            closed_on=closed,
            outcome=None if closed is None else draw(texts()),
            signed_off_by=None if closed is None else draw(ids.people()),
        )

    return case()


def _fields_of(owner: type, ids: _Ids) -> dict[str, SearchStrategy[Any]]:
    attrs.resolve_types(owner)
    return {
        f.name: _by_name(owner, f.name, f.type, ids)
        for f in attrs.fields(owner)
        if f.name not in _METADATA_FIELDS
    }


def _from_fields(command_type: type[C], ids: _Ids) -> SearchStrategy[C]:
    """A command of a type without a strategy of its own, from its attrs fields."""
    return _dated(
        command_type,
        actors=actors(committee_ids=ids.committee_ids),
        within=ids.policy,
        **_fields_of(command_type, ids),
    )


# ---------------------------------------------------------------------------------------
# Events


@_memoized
def authorities(
    *,
    rule_ids: SearchStrategy[str] | None = None,
    policy_versions: SearchStrategy[str] | None = None,
    cap_exceptions: SearchStrategy[tuple[CapException, ...]] | None = None,
) -> SearchStrategy[Authority]:
    """The authority an event was decided on: rule ids, policy version, exceptions."""
    return st.builds(
        Authority,
        rule_ids=st.lists(_or(rule_ids, st.sampled_from(RULE_IDS)), max_size=4, unique=True).map(
            tuple
        ),
        policy_version=_or(policy_versions, st.just(TAIAN_2017.version)),
        cap_exceptions=_or(cap_exceptions, st.lists(_any_cap_exceptions(), max_size=2).map(tuple)),
    )


def _originator(event_type: type[DomainEvent], values: Mapping[str, Any], own_id: str) -> str:
    """The aggregate an event of this type belongs to, from the ids it carries."""
    module = event_type.__module__.rsplit(".", 1)[-1]
    if module == "branch":
        return branch_aggregate_id(values.get("branch_id") or own_id)
    if module in ("committee_ledger", "roster"):
        return ledger_aggregate_id(values.get("committee_id") or own_id)
    if module == "organization":
        return unit_aggregate_id(values["unit_id"]) if "unit_id" in values else TREE_ID
    if module == "person":
        return person_aggregate_id(values.get("person_id") or own_id)
    if module == "policy_registry":
        return REGISTRY_ID
    return f"{module}:{own_id}"


# Events that found their aggregate, and so are always its version 1.
_FOUNDING_EVENTS = frozenset({"BranchRegistered", "UnitRegistered", "PersonRegistered"})


def _make_consistent(event_type: type[DomainEvent], values: dict[str, Any]) -> dict[str, Any]:
    """Tie fields that the library always keeps together."""
    if values.get("level") is CommitteeLevel.CITY and "parent_id" in values:
        values["parent_id"] = None
    if values.get("level") is not CommitteeLevel.CITY_MANAGED and "county_level" in values:
        values["county_level"] = False
    if isinstance(values.get("exception"), CapException) and "committee_id" in values:
        values["exception"] = attrs.evolve(values["exception"], committee_id=values["committee_id"])
    del event_type
    return values


@_memoized
def event_strategy_for(event_type: type[E], *, policy: Policy = TAIAN_2017) -> SearchStrategy[E]:
    """The strategy for one event type of `guoying.domain.catalogue.EVENT_TYPES`.

    Each field is drawn by its name and type; events carry consistent aggregate ids
    (`branch:<id>`, `ledger:<committee>`, `org:tree`...) and every metadata field, with
    `effective_on` in the event's year when it has one; founding events are version 1.
    They are not a consistent history: use them for serialisation and projection-input
    properties. A type added to the library later is covered the same way.
    """
    ids = _Ids(None, None, None, None, None, policy)
    fields = st.fixed_dictionaries(_fields_of(event_type, ids))
    founding = event_type.__name__ in _FOUNDING_EVENTS

    @st.composite
    def build(draw: st.DrawFn) -> E:
        values = _make_consistent(event_type, draw(fields))
        year = values.get("year")
        return event_type(
            originator_id=_originator(event_type, values, draw(identifiers())),
            originator_version=1 if founding else draw(st.integers(1, 10_000)),
            actor=draw(actors()),
            authority=draw(authorities()),
            reason=draw(reasons()),
            effective_on=draw(
                dates_in_year(year) if isinstance(year, int) else dates_in_policy(policy)
            ),
            **values,
        )

    return build()


def events(
    *, types: Sequence[type[DomainEvent]] | None = None, policy: Policy = TAIAN_2017
) -> SearchStrategy[DomainEvent]:
    """Any event of `EVENT_TYPES` (or of `types`)."""
    chosen = list(EVENT_TYPES.values()) if types is None else list(types)
    return st.one_of(*(event_strategy_for(t, policy=policy) for t in chosen))
