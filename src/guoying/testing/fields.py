"""Drawing any attrs class of guoying (a command, an event, a nested value) from its fields.

Each field is drawn by its name first, then its type. A name that means more than its type
(an id of a branch, a year, a deadline after the decision's date, the parent of a committee
whose level says it has none) has a builder in `FIELD_BUILDERS`; a builder may read the
fields drawn before it (`Drawn`), which is why `year` and `effective_on` are drawn first.
Everything else comes from the type: enums, dates within the policy's years, tuples,
optional values, nested attrs classes. A command or event type added to the library later
is covered without an edit here, unless one of its field names needs a meaning of its own.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import attrs
from attrs import frozen
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from guoying.application.commands import FormMentoringPair
from guoying.domain.branch import RectificationCase, branch_aggregate_id
from guoying.domain.policy import TAIAN_2017, Policy
from guoying.domain.values import Actor, Authority, CapException, CommitteeLevel
from guoying.testing import values as v
from guoying.testing.values import IdSource, id_strategy

T = TypeVar("T")


@frozen
class Ids:
    """Where one strategy draws its ids from, and the policy whose years it dates in."""

    committee_ids: IdSource = None
    branch_ids: IdSource = None
    unit_ids: IdSource = None
    person_ids: IdSource = None
    case_ids: IdSource = None
    policy: Policy = TAIAN_2017

    def committees(self) -> SearchStrategy[str]:
        return id_strategy(self.committee_ids, v.committee_ids)

    def branches(self) -> SearchStrategy[str]:
        return id_strategy(self.branch_ids, v.branch_ids)

    def units(self) -> SearchStrategy[str]:
        return id_strategy(self.unit_ids, v.unit_ids)

    def people(self) -> SearchStrategy[str]:
        return id_strategy(self.person_ids, v.person_ids)

    def cases(self) -> SearchStrategy[str]:
        return id_strategy(self.case_ids, v.case_ids)


@frozen
class Drawn:
    """What a field's builder knows: the class being drawn, the ids, and the fields drawn
    so far (by name)."""

    owner: type
    ids: Ids
    values: Mapping[str, Any]


# A field's strategy: fixed, or built from what was drawn before it.
Builder = SearchStrategy[Any] | Callable[[Drawn], SearchStrategy[Any]]

BRANCH_FIELDS = frozenset(
    {"branch_id", "into_branch_id", "absorbed_branch_id", "mentor_branch_id", "mentee_branch_id"}
)
COMMITTEE_FIELDS = frozenset(
    {
        "committee_id",
        "parent_id",
        "previous_parent_id",
        "base_committee_id",
        "to_committee_id",
        "from_committee_id",
        "into_committee_id",
        "approved_by_committee_id",
    }
)
PERSON_FIELDS = frozenset({"person_id", "owner_id", "previous_person_id"})


def _year_of(drawn: Drawn) -> int | None:
    year = drawn.values.get("year")
    return year if isinstance(year, int) else None


def _effective_on(drawn: Drawn) -> SearchStrategy[date]:
    # A decision about a year is dated in that year, as the handlers expect.
    year = _year_of(drawn)
    return v.dates_in_policy(drawn.ids.policy) if year is None else v.dates_in_year(year)


def _deadline(drawn: Drawn) -> SearchStrategy[date]:
    found = drawn.values.get("effective_on")
    if not isinstance(found, date):
        return v.dates_in_policy(drawn.ids.policy)
    # A rectification may be due on the day it is found; a mentoring pair's deadline is
    # after the pairing (`mentoring.plan`).
    first = 1 if drawn.owner is FormMentoringPair else 0
    return st.integers(first, 366).map(lambda days: found + timedelta(days=days))


def _parent_id(drawn: Drawn) -> SearchStrategy[str | None]:
    # The city committee has no parent; every other one has one.
    if drawn.values.get("level") is CommitteeLevel.CITY:
        return st.none()
    return drawn.ids.committees()


def _county_level(drawn: Drawn) -> SearchStrategy[bool]:
    # Only a city-managed committee may be county-level.
    if drawn.values.get("level") is CommitteeLevel.CITY_MANAGED:
        return st.booleans()
    return st.just(False)  # noqa: FBT003 - the value drawn


def _corrects(drawn: Drawn) -> SearchStrategy[str]:
    branch_id = drawn.values.get("branch_id")
    stream = branch_aggregate_id(branch_id) if isinstance(branch_id, str) else "branch:b-1"
    return st.integers(1, 5).map(lambda version: f"{stream}@{version}")


def _exception(drawn: Drawn) -> SearchStrategy[CapException]:
    # A recorded exception names the committee its event is about.
    committee_id = drawn.values.get("committee_id")
    ids = None if not isinstance(committee_id, str) else [committee_id]
    return v.cap_exceptions(committee_ids=ids)


def _cases(drawn: Drawn) -> SearchStrategy[RectificationCase]:
    ids, policy = drawn.ids, drawn.ids.policy

    @st.composite
    def case(draw: st.DrawFn) -> RectificationCase:
        found = draw(v.dates_in_policy(policy))
        closed = draw(st.none() | st.dates(found, date(policy.last_year + 1, 12, 31)))
        return RectificationCase(
            case_id=draw(ids.cases()),
            problem=draw(v.texts()),
            measure=draw(v.texts()),
            owner_id=draw(ids.people()),
            deadline=found + timedelta(days=draw(st.integers(0, 366))),
            found_on=found,
            closed_on=closed,
            outcome=None if closed is None else draw(v.texts()),
            signed_off_by=None if closed is None else draw(ids.people()),
        )

    return case()


def _id_lists(
    source: Callable[[Ids], SearchStrategy[str]],
) -> Callable[[Drawn], SearchStrategy[Any]]:
    return lambda d: st.lists(source(d.ids), min_size=1, max_size=3, unique=True).map(tuple)


FIELD_BUILDERS: dict[str, Builder] = {
    "year": lambda d: v.policy_years(d.ids.policy),
    "years": lambda d: (
        st.lists(v.policy_years(d.ids.policy), min_size=1, max_size=3, unique=True)
        .map(sorted)
        .map(tuple)
    ),
    "effective_on": _effective_on,
    "deadline": _deadline,
    "parent_id": _parent_id,
    "county_level": _county_level,
    "corrects": _corrects,
    "exception": _exception,
    "name": v.names(),
    "previous_name": v.names(),
    "position": v.positions(),
    "reason": v.reasons(),
    "phone": st.one_of(st.just(""), st.from_regex(r"0538-[0-9]{7}", fullmatch=True)),
    "unit_id": lambda d: d.ids.units(),
    "case_id": lambda d: d.ids.cases(),
    "problem_id": v.identifiers("cp-"),
    "unit_ids": _id_lists(Ids.units),
    "new_branch_ids": _id_lists(Ids.branches),
    "timeline": lambda d: st.lists(
        st.tuples(v.policy_years(d.ids.policy), v.tiers()),
        min_size=1,
        max_size=3,
        unique_by=lambda pair: pair[0],
    ).map(lambda pairs: tuple(sorted(pairs))),
}


def _named(owner: type, name: str) -> Builder | None:
    """The builder a field's name alone calls for, if any."""
    if name in FIELD_BUILDERS:
        return FIELD_BUILDERS[name]
    if name in BRANCH_FIELDS or (name == "merged_into" and "branch" in owner.__module__):
        return lambda d: d.ids.branches()
    if name in COMMITTEE_FIELDS or name == "merged_into":
        return lambda d: d.ids.committees()
    if name in PERSON_FIELDS:
        return lambda d: d.ids.people()
    return None


def by_type(kind: Any, ids: Ids) -> SearchStrategy[Any]:
    """A strategy for a value of this type whose name says nothing more."""
    origin = typing.get_origin(kind)
    args = typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        return st.one_of(*(st.none() if a is type(None) else by_type(a, ids) for a in args))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return st.lists(by_type(args[0], ids), max_size=3).map(tuple)
    if origin is tuple:
        return st.tuples(*(by_type(a, ids) for a in args))
    if origin is typing.Literal:  # a closed set of values, such as a rule id
        return st.sampled_from(args)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return st.sampled_from(list(kind))
    simple: dict[Any, Callable[[], SearchStrategy[Any]]] = {
        str: v.texts,
        int: lambda: st.integers(0, 10_000),
        bool: st.booleans,
        date: lambda: v.dates_in_policy(ids.policy),
        Decimal: lambda: st.integers(0, 100).map(lambda n: Decimal(n) / 100),
        Actor: lambda: v.actors(committee_ids=ids.committee_ids, person_ids=ids.person_ids),
        CapException: lambda: v.cap_exceptions(committee_ids=ids.committee_ids),
        Authority: v.authorities,
        Policy: v.policies,
        RectificationCase: lambda: _cases(Drawn(RectificationCase, ids, {})),
    }
    if kind in simple:
        return simple[kind]()
    if attrs.has(kind):
        return derive(kind, ids)
    return st.from_type(kind)


def _strategy(builder: Builder, drawn: Drawn) -> SearchStrategy[Any]:
    return builder if isinstance(builder, SearchStrategy) else builder(drawn)


def field_builders(
    owner: type, ids: Ids, overrides: Mapping[str, Builder] | None = None
) -> dict[str, Builder]:
    """Each field of `owner` with its builder, in the order they are drawn: `year` and
    `effective_on` first (other fields depend on them), then the rest in attrs order, the
    actor and the reason last (whose actor decides may depend on the committee named)."""
    attrs.resolve_types(owner)
    chosen: dict[str, Builder] = {}
    fields = list(attrs.fields(owner))
    first = [f for f in fields if f.name in ("year", "effective_on")]
    first.sort(key=lambda f: f.name != "year")
    last = [f for f in fields if f.name in ("actor", "reason")]
    middle = [f for f in fields if f not in first and f not in last]
    for f in [*first, *middle, *last]:
        optional = type(None) in typing.get_args(f.type)
        if overrides is not None and f.name in overrides:
            chosen[f.name] = overrides[f.name]
            continue
        named = _named(owner, f.name)
        if named is None:
            chosen[f.name] = by_type(f.type, ids)
        elif optional and f.name not in ("parent_id", "effective_on"):
            chosen[f.name] = _maybe(named)
        else:
            chosen[f.name] = named
    return chosen


def _maybe(builder: Builder) -> Builder:
    if isinstance(builder, SearchStrategy):
        return st.none() | builder
    return lambda d: st.none() | builder(d)


Shape = Callable[[st.DrawFn, dict[str, Any]], dict[str, Any]]


def derive(
    owner: type[T],
    ids: Ids,
    overrides: Mapping[str, Builder] | None = None,
    *,
    skip: Sequence[str] = (),
    shape: Shape | None = None,
    make: Callable[..., T] | None = None,
) -> SearchStrategy[T]:
    """Instances of an attrs class, each field from its builder (`overrides` first).

    `skip` leaves fields to `make` (which gets the drawn values as keywords), and `shape`
    may change the drawn values before they are made into the instance.
    """
    builders = {n: b for n, b in field_builders(owner, ids, overrides).items() if n not in skip}
    build = make if make is not None else owner

    @st.composite
    def instance(draw: st.DrawFn) -> T:
        values: dict[str, Any] = {}
        for name, builder in builders.items():
            values[name] = draw(_strategy(builder, Drawn(owner, ids, values)), label=name)
        if shape is not None:
            values = shape(draw, values)
        return build(**values)

    return instance()
