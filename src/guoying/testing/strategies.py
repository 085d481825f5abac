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
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, ParamSpec, TypeVar, cast

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from guoying.application.commands import (
    COMMAND_TYPES,
    AdjustTier,
    AssignLiaison,
    Command,
    RecordCommonProblem,
    RecordProblem,
    RegisterBranch,
    RegisterCommittee,
    RegisterPerson,
    RegisterUnit,
    SetCreationTarget,
    SignOffRectification,
)
from guoying.domain.branch import (
    BranchRegistered,
    CreationTargetSet,
    LiaisonAssigned,
    ProblemFound,
    RectificationSignedOff,
    TierAdjusted,
    branch_aggregate_id,
)
from guoying.domain.catalogue import EVENT_TYPES
from guoying.domain.committee_ledger import (
    AdvancedCapExceptionRecorded,
    BranchTallied,
    CommonProblemRecorded,
    ledger_aggregate_id,
)
from guoying.domain.events import DomainEvent
from guoying.domain.organization import (
    TREE_ID,
    CommitteeRegistered,
    UnitRegistered,
    unit_aggregate_id,
)
from guoying.domain.person import PersonRegistered, person_aggregate_id
from guoying.domain.policy import TAIAN_2017, Policy
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
    "dates_in_policy",
    "dates_in_year",
    "event_strategy_for",
    "events",
    "identifiers",
    "names",
    "person_ids",
    "policy_years",
    "reasons",
    "record_common_problem_commands",
    "record_problem_commands",
    "register_branch_commands",
    "register_committee_commands",
    "register_person_commands",
    "register_unit_commands",
    "sectors",
    "set_creation_target_commands",
    "sign_off_rectification_commands",
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
_any_cap_exceptions = cap_exceptions


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
    """The strategy for one command type of `COMMAND_TYPES`, over the given ids."""
    strategies: dict[type[Command], Callable[[], SearchStrategy[Any]]] = {
        RegisterCommittee: lambda: register_committee_commands(
            committee_ids=committee_ids, parent_ids=committee_ids, policy=policy
        ),
        RegisterUnit: lambda: register_unit_commands(
            unit_ids=unit_ids, committee_ids=committee_ids, policy=policy
        ),
        RegisterPerson: lambda: register_person_commands(
            person_ids=person_ids, committee_ids=committee_ids, policy=policy
        ),
        RegisterBranch: lambda: register_branch_commands(
            branch_ids=branch_ids,
            base_committee_ids=committee_ids,
            unit_ids=unit_ids,
            policy=policy,
        ),
        AdjustTier: lambda: adjust_tier_commands(
            branch_ids=branch_ids, committee_ids=committee_ids, policy=policy
        ),
        SetCreationTarget: lambda: set_creation_target_commands(
            branch_ids=branch_ids, committee_ids=committee_ids, policy=policy
        ),
        AssignLiaison: lambda: assign_liaison_commands(
            branch_ids=branch_ids, person_ids=person_ids, committee_ids=committee_ids, policy=policy
        ),
        RecordProblem: lambda: record_problem_commands(
            branch_ids=branch_ids,
            case_ids=case_ids,
            owner_ids=person_ids,
            committee_ids=committee_ids,
            policy=policy,
        ),
        SignOffRectification: lambda: sign_off_rectification_commands(
            branch_ids=branch_ids, case_ids=case_ids, committee_ids=committee_ids, policy=policy
        ),
        RecordCommonProblem: lambda: record_common_problem_commands(
            committee_ids=committee_ids, policy=policy
        ),
    }
    make = strategies.get(command_type)
    if make is None:
        raise KeyError(f"no strategy for command type {command_type.__name__}")
    return cast(SearchStrategy[C], make())


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


@st.composite
def _event(
    draw: st.DrawFn,
    event_type: type[E],
    originator_id: Callable[[dict[str, Any]], str],
    fields: Mapping[str, SearchStrategy[Any]],
    year_field: str | None,
    *,
    first_version: bool,
    policy: Policy,
) -> E:
    values = {name: draw(strategy) for name, strategy in fields.items()}
    year = values.get(year_field) if year_field else None
    effective_on = draw(
        _effective_on(year, policy) if isinstance(year, int) else dates_in_policy(policy)
    )
    return event_type(
        originator_id=originator_id(values),
        originator_version=1 if first_version else draw(st.integers(1, 10_000)),
        actor=draw(actors()),
        authority=draw(authorities()),
        reason=draw(reasons()),
        effective_on=effective_on,
        **values,
    )


@functools.cache
def _event_strategies(policy: Policy) -> dict[type[DomainEvent], SearchStrategy[DomainEvent]]:
    years = policy_years(policy)
    optional_id = st.none() | identifiers("p-")
    unit_tuple = st.lists(identifiers("u-"), min_size=1, max_size=3, unique=True).map(tuple)
    year_tuple = st.lists(years, min_size=1, unique=True).map(lambda ys: tuple(sorted(ys)))

    @st.composite
    def committee_registered(draw: st.DrawFn) -> CommitteeRegistered:
        level = draw(committee_levels())
        return draw(
            _event(
                CommitteeRegistered,
                lambda _: TREE_ID,
                {
                    "committee_id": identifiers("c-"),
                    "name": names(),
                    "level": st.just(level),
                    "parent_id": st.none() if level is CommitteeLevel.CITY else identifiers("c-"),
                    "county_level": st.booleans()
                    if level is CommitteeLevel.CITY_MANAGED
                    else st.just(value=False),
                },
                None,
                first_version=False,
                policy=policy,
            )
        )

    @st.composite
    def branch_event(
        draw: st.DrawFn, event_type: type[E], fields: dict[str, Any], year_field: str | None
    ) -> E:
        branch_id = draw(identifiers())
        return draw(
            _event(
                event_type,
                lambda _: branch_aggregate_id("b-" + branch_id),
                fields,
                year_field,
                first_version=False,
                policy=policy,
            )
        )

    @st.composite
    def branch_registered(draw: st.DrawFn) -> BranchRegistered:
        branch_id = draw(identifiers("b-"))
        return draw(
            _event(
                BranchRegistered,
                lambda _: branch_aggregate_id(branch_id),
                {
                    "branch_id": st.just(branch_id),
                    "name": names(),
                    "sector": sectors(),
                    "base_committee_id": identifiers("c-"),
                    "unit_ids": unit_tuple,
                    "is_financial_institution": st.booleans(),
                    "year": years,
                    "tier": tiers(),
                },
                "year",
                first_version=True,
                policy=policy,
            )
        )

    @st.composite
    def ledger_event(
        draw: st.DrawFn, event_type: type[E], fields: dict[str, Any], year_field: str | None
    ) -> E:
        committee_id = draw(identifiers("c-"))
        return draw(
            _event(
                event_type,
                lambda _: ledger_aggregate_id(committee_id),
                {"committee_id": st.just(committee_id), **fields},
                year_field,
                first_version=False,
                policy=policy,
            )
        )

    @st.composite
    def cap_exception_recorded(draw: st.DrawFn) -> AdvancedCapExceptionRecorded:
        committee_id = draw(identifiers("c-"))
        return draw(
            _event(
                AdvancedCapExceptionRecorded,
                lambda _: ledger_aggregate_id(committee_id),
                {
                    "committee_id": st.just(committee_id),
                    "years": year_tuple,
                    "exception": cap_exceptions(committee_ids=[committee_id]),
                },
                None,
                first_version=False,
                policy=policy,
            )
        )

    found: dict[type[DomainEvent], SearchStrategy[DomainEvent]] = {
        CommitteeRegistered: committee_registered(),
        UnitRegistered: identifiers("u-").flatmap(
            lambda unit_id: _event(
                UnitRegistered,
                lambda _: unit_aggregate_id(unit_id),
                {
                    "unit_id": st.just(unit_id),
                    "name": names(),
                    "kind": unit_kinds(),
                    "committee_id": identifiers("c-"),
                },
                None,
                first_version=True,
                policy=policy,
            )
        ),
        PersonRegistered: identifiers("p-").flatmap(
            lambda person_id: _event(
                PersonRegistered,
                lambda _: person_aggregate_id(person_id),
                {"person_id": st.just(person_id)},
                None,
                first_version=True,
                policy=policy,
            )
        ),
        BranchRegistered: branch_registered(),
        TierAdjusted: branch_event(
            TierAdjusted, {"year": years, "previous_tier": tiers(), "new_tier": tiers()}, "year"
        ),
        CreationTargetSet: branch_event(
            CreationTargetSet, {"year": years, "target": tiers()}, "year"
        ),
        LiaisonAssigned: branch_event(
            LiaisonAssigned,
            {
                "person_id": identifiers("p-"),
                "position": texts(max_size=12),
                "previous_person_id": optional_id,
            },
            None,
        ),
        ProblemFound: branch_event(
            ProblemFound,
            {
                "case_id": identifiers("case-"),
                "problem": texts(),
                "measure": texts(),
                "owner_id": identifiers("p-"),
                "deadline": dates_in_policy(policy),
            },
            None,
        ),
        RectificationSignedOff: branch_event(
            RectificationSignedOff, {"case_id": identifiers("case-"), "outcome": texts()}, None
        ),
        BranchTallied: ledger_event(
            BranchTallied,
            {"branch_id": identifiers("b-"), "year": years, "tier": tiers()},
            "year",
        ),
        AdvancedCapExceptionRecorded: cap_exception_recorded(),
        CommonProblemRecorded: ledger_event(
            CommonProblemRecorded,
            {
                "problem_id": identifiers("cp-"),
                "year": years,
                "problem": texts(),
                "measure": texts(),
            },
            "year",
        ),
    }
    return found


def event_strategy_for(event_type: type[E], *, policy: Policy = TAIAN_2017) -> SearchStrategy[E]:
    """The strategy for one event type of `guoying.domain.catalogue.EVENT_TYPES`.

    Events carry consistent aggregate ids (`branch:<id>`, `ledger:<committee>`,
    `org:tree`...) and every metadata field; creation events have version 1. They are not
    a consistent history: use them for serialisation and projection-input properties.
    """
    strategies = _event_strategies(policy)
    if event_type not in strategies:
        raise KeyError(f"no strategy for event type {event_type.__name__}")
    return cast(SearchStrategy[E], strategies[event_type])


def events(
    *, types: Sequence[type[DomainEvent]] | None = None, policy: Policy = TAIAN_2017
) -> SearchStrategy[DomainEvent]:
    """Any event of `EVENT_TYPES` (or of `types`); a type without a strategy is an error,
    so that a new event type cannot slip past the properties that use this."""
    strategies = _event_strategies(policy)
    chosen = list(EVENT_TYPES.values()) if types is None else list(types)
    missing = [t.__name__ for t in chosen if t not in strategies]
    if missing:
        raise KeyError(f"no strategy for event type(s) {', '.join(missing)}")
    return st.one_of(*(strategies[t] for t in chosen))
