"""Hypothesis strategies for guoying's values: ids, text, dates, enums, actors, policies.

Every strategy that takes ids takes an `IdSource`: a strategy of ids, a non-empty sequence
(drawn from with `sampled_from`) or None for arbitrary ids. Text never holds control
characters (PostgreSQL refuses NUL in text), is never blank and has no surrounding
whitespace, so what is stored reads back exactly as it was given.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import ParamSpec, TypeVar

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from guoying.domain.policy import TAIAN_2017, Policy
from guoying.domain.rules import RULE_IDS, RuleId
from guoying.domain.values import (
    Actor,
    Authority,
    CapException,
    CommitteeLevel,
    Sector,
    Tier,
    UnitKind,
)

__all__ = [
    "RULE_IDS",
    "IdSource",
    "actors",
    "authorities",
    "branch_ids",
    "cap_exceptions",
    "case_ids",
    "committee_ids",
    "committee_levels",
    "dates_in_policy",
    "dates_in_year",
    "identifiers",
    "names",
    "person_ids",
    "policies",
    "policy_years",
    "positions",
    "reasons",
    "sectors",
    "texts",
    "tiers",
    "unit_ids",
    "unit_kinds",
]

T = TypeVar("T")
E = TypeVar("E", bound=Enum)
P = ParamSpec("P")


def memoized(make: Callable[P, SearchStrategy[T]]) -> Callable[P, SearchStrategy[T]]:
    """Build a strategy once per (hashable) arguments: strategies are immutable, and
    building them again at every draw is what makes composite strategies slow."""
    built: dict[object, SearchStrategy[T]] = {}

    @functools.wraps(make)
    def cached(*args: P.args, **kwargs: P.kwargs) -> SearchStrategy[T]:
        key = (args, tuple(sorted(kwargs.items())))
        try:
            return built[key]
        except KeyError:
            strategy = built[key] = make(*args, **kwargs)
            return strategy
        except TypeError:  # unhashable arguments (a list of ids): build it each time
            return make(*args, **kwargs)

    return cached


IdSource = SearchStrategy[str] | Sequence[str] | None
"""Where a strategy takes ids from: a strategy, a non-empty sequence, or None for any."""


def sampled(source: SearchStrategy[T] | Sequence[T], what: str = "values") -> SearchStrategy[T]:
    """A strategy as it is, or one drawing from a non-empty sequence of `what` (never from
    one string's letters)."""
    if isinstance(source, SearchStrategy):
        return source
    if isinstance(source, str):
        raise TypeError(f"pass a sequence of {what}, not one string")
    if not source:
        raise ValueError(f"a sequence of {what} must not be empty")
    return st.sampled_from(list(source))


def id_strategy(
    source: IdSource, default: Callable[[], SearchStrategy[str]]
) -> SearchStrategy[str]:
    """The ids an `IdSource` stands for (`default()` when it is None)."""
    return default() if source is None else sampled(source, "ids")


def or_default(strategy: SearchStrategy[T] | None, default: SearchStrategy[T]) -> SearchStrategy[T]:
    return default if strategy is None else strategy


@memoized
def members(kind: type[E]) -> SearchStrategy[E]:
    """Any member of an enum, in its order."""
    return st.sampled_from(kind)


tiers = functools.partial(members, Tier)  # the four tiers (`ledger.tiers`)
sectors = functools.partial(members, Sector)  # the seven sectors, in ledger order
unit_kinds = functools.partial(members, UnitKind)
committee_levels = functools.partial(members, CommitteeLevel)


_ALPHABET = st.characters(
    exclude_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"),
    exclude_characters="\x00",
)
_ID_START = "abcdefghijklmnopqrstuvwxyz0123456789"


@memoized
def texts(*, min_size: int = 1, max_size: int = 40) -> SearchStrategy[str]:
    """Non-blank text without control characters or surrounding whitespace (CJK included)."""
    return (
        st.text(_ALPHABET, min_size=min_size, max_size=max_size)
        .map(str.strip)
        .filter(lambda s: len(s) >= max(min_size, 1))
    )


@memoized
def names() -> SearchStrategy[str]:
    """A name for a branch, unit, committee or person."""
    return st.one_of(
        texts(max_size=20),
        st.sampled_from(["东关村党支部", "西关社区党委", "宁阳机械厂党支部", "伏山镇机关党支部"]),
    )


@memoized
def reasons() -> SearchStrategy[str]:
    """A reason for a decision (never blank: every command carries one)."""
    return st.one_of(
        texts(),
        st.sampled_from(["年度考评结果", "分析研判", "annual evaluation", "import"]),
    )


@memoized
def positions() -> SearchStrategy[str]:
    """A leader's position (a liaison's, or one in a committee's leadership)."""
    return st.one_of(
        st.sampled_from(["党委书记", "党委副书记", "组织委员", "纪委书记"]), texts(max_size=12)
    )


@memoized
def identifiers(prefix: str = "") -> SearchStrategy[str]:
    """Short lowercase ids: a letter or digit, then letters, digits and hyphens."""
    return st.builds(
        lambda first, rest: f"{prefix}{first}{rest}",
        st.sampled_from(_ID_START),
        st.text(_ID_START + "-", max_size=11),
    )


# The ids of each kind, told apart by their prefix (`identifiers` is memoized already).
committee_ids = functools.partial(identifiers, "c-")
branch_ids = functools.partial(identifiers, "b-")
unit_ids = functools.partial(identifiers, "u-")
person_ids = functools.partial(identifiers, "p-")
case_ids = functools.partial(identifiers, "case-")


@memoized
def actors(*, committee_ids: IdSource = None, person_ids: IdSource = None) -> SearchStrategy[Actor]:
    """An actor acting for one of the committees, in some role."""
    return st.builds(
        Actor,
        person_id=id_strategy(person_ids, lambda: identifiers("p-")),
        committee_id=id_strategy(committee_ids, lambda: identifiers("c-")),
        role=st.sampled_from(["", "secretary", "deputy secretary", "organization member"]),
    )


def own_actor(committee_id: str) -> SearchStrategy[Actor]:
    """The secretary of one committee (any person id)."""
    return st.builds(
        Actor,
        person_id=identifiers("p-"),
        committee_id=st.just(committee_id),
        role=st.just("secretary"),
    )


@memoized
def policy_years(policy: Policy = TAIAN_2017) -> SearchStrategy[int]:
    """A year the policy covers (2017-2019 for the 2017 work plan)."""
    return st.integers(policy.first_year, policy.last_year)


@memoized
def dates_in_year(year: int) -> SearchStrategy[date]:
    """A business date in that calendar year."""
    return st.dates(date(year, 1, 1), date(year, 12, 31))


@memoized
def dates_in_policy(policy: Policy = TAIAN_2017) -> SearchStrategy[date]:
    """A business date within the years the policy covers."""
    return st.dates(date(policy.first_year, 1, 1), date(policy.last_year, 12, 31))


@memoized
def cap_exceptions(
    *, committee_ids: IdSource = None, approver_committee_ids: IdSource = None
) -> SearchStrategy[CapException]:
    """An exception to `ledger.advanced_cap` as 0.1 recorded it inside a subordinate's own
    command (`Authority.cap_exceptions` of old events). A new exception is the parent's own
    decision: see `approve_cap_exception_commands` and `approved_cap_exceptions`."""
    return st.builds(
        CapException,
        committee_id=id_strategy(committee_ids, lambda: identifiers("c-")),
        justification=texts(),
        approved_by=actors(committee_ids=approver_committee_ids),
    )


@memoized
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
        version=or_default(versions, identifiers("policy-")),
        effective_on=or_default(effective_dates, st.dates(date(2017, 6, 1), date(2030, 12, 31))),
        advanced_share=st.integers(1, 100).map(lambda n: Decimal(n) / 100),
        weak_share=st.none() | st.integers(0, 100).map(lambda n: Decimal(n) / 100),
        first_year=st.just(TAIAN_2017.first_year),
        last_year=st.integers(TAIAN_2017.last_year, TAIAN_2017.last_year + 6),
    )


@memoized
def authorities(
    *,
    rule_ids: SearchStrategy[RuleId] | None = None,
    policy_versions: SearchStrategy[str] | None = None,
    cap_exceptions: SearchStrategy[tuple[CapException, ...]] | None = None,
) -> SearchStrategy[Authority]:
    """The authority an event was decided on: rule ids, policy version, exceptions."""
    return st.builds(
        Authority,
        rule_ids=st.lists(
            or_default(rule_ids, st.sampled_from(RULE_IDS)), max_size=4, unique=True
        ).map(tuple),
        policy_version=or_default(policy_versions, st.just(TAIAN_2017.version)),
        cap_exceptions=or_default(
            cap_exceptions, st.lists(_any_cap_exceptions(), max_size=2).map(tuple)
        ),
    )


_any_cap_exceptions = cap_exceptions
