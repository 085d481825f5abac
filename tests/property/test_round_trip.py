"""Round trips through the real serialisation, as Hypothesis properties.

Every strategy is built from the attrs types themselves: each field's annotation is looked
up in a small local registry of per-type strategies (non-blank text for fields with a
validator, dates, enums, tuples, optional values, nested attrs classes). Nothing is
registered globally, so other test modules see Hypothesis unchanged.
"""

from __future__ import annotations

import enum
import functools
import importlib
import json
import pkgutil
import types
import typing
from datetime import date
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import guoying.domain
from guoying.adapters.serialization import (
    LIMITS,
    CattrsMapper,
    command_from_json,
    command_to_json,
    event_to_json,
)
from guoying.application.catalogue import COMMAND_TYPES
from guoying.application.commands import Command
from guoying.application.errors import InvalidCommand
from guoying.domain.catalogue import EVENT_TYPES
from guoying.domain.events import DomainEvent
from guoying.domain.organization import CommitteeRegistered
from guoying.domain.values import Actor, Authority, CommitteeLevel

EXAMPLES = settings(max_examples=40, deadline=None)

# Text a store can keep: any character but a lone surrogate or NUL (both refused as
# unusable input, tests/integration/test_hardening_input.py).
TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)
NON_BLANK_TEXT = TEXT.filter(str.strip)

SCALARS: dict[type, st.SearchStrategy[Any]] = {
    str: TEXT,
    bool: st.booleans(),
    # Within serialization.LIMITS, which hold years to 1949-2100 and other whole numbers
    # to 0-10^9; values outside are refused as unusable input, not round-tripped.
    int: st.integers(min_value=LIMITS.first_date.year, max_value=LIMITS.last_date.year),
    date: st.dates(min_value=LIMITS.first_date, max_value=LIMITS.last_date),
    Decimal: st.decimals(min_value=0, max_value=1, places=4, allow_nan=False),
}


def strategy_for_type(kind: Any, *, non_blank: bool = False) -> st.SearchStrategy[Any]:
    """A strategy for one annotation, from the local registry."""
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        return st.one_of(
            *(
                st.none() if arg is type(None) else strategy_for_type(arg, non_blank=non_blank)
                for arg in typing.get_args(kind)
            )
        )
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return st.lists(strategy_for_type(args[0]), max_size=3).map(tuple)
        return st.tuples(*(strategy_for_type(arg) for arg in args))
    if origin is typing.Literal:  # a closed set of values, such as a rule id
        return st.sampled_from(typing.get_args(kind))
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return st.sampled_from(list(kind))
    if attrs.has(kind):
        return attrs_strategy(kind)
    if kind is str and non_blank:
        return NON_BLANK_TEXT
    return SCALARS[kind]


@functools.cache
def attrs_strategy(cls: type) -> st.SearchStrategy[Any]:
    """Instances of an attrs class: every field, optional ones included, from its type.

    A field with a validator is one of the "must not be blank" strings of the domain, but
    for the event ids a correction names.
    """
    attrs.resolve_types(cls)
    return st.builds(
        cls,
        **{
            field.name: FIELD_STRATEGIES[field.name]
            if field.name in FIELD_STRATEGIES
            else strategy_for_type(field.type, non_blank=field.validator is not None)
            for field in attrs.fields(cls)
        },
    )


EVENT_IDS = st.builds(
    "{}@{}".format, TEXT.filter(lambda t: t.strip()), st.integers(min_value=1, max_value=10**6)
)
FIELD_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {"corrects": EVENT_IDS}


def field_types(cls: type) -> dict[str, Any]:
    attrs.resolve_types(cls)
    return {field.name: field.type for field in attrs.fields(cls)}


MAPPER = CattrsMapper()
ALL_FIELDS = {field.name for cls in COMMAND_TYPES.values() for field in attrs.fields(cls)}


# Events


@EXAMPLES
@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
@given(data=st.data())
def test_every_event_type_round_trips_through_the_stored_event_mapper(name, data):
    cls = EVENT_TYPES[name]
    event = data.draw(attrs_strategy(cls), label=name)
    stored = MAPPER.to_stored_event(event)
    assert stored.topic == name
    assert stored.originator_id == event.originator_id
    assert stored.originator_version == event.originator_version
    back = MAPPER.to_domain_event(stored)
    assert type(back) is cls
    assert back == event


@EXAMPLES
@pytest.mark.parametrize("name", sorted(EVENT_TYPES))
@given(data=st.data())
def test_a_stored_event_state_is_json_without_its_originator(name, data):
    event = data.draw(attrs_strategy(EVENT_TYPES[name]), label=name)
    state = json.loads(MAPPER.to_stored_event(event).state)
    assert "originator_id" not in state
    assert "originator_version" not in state
    assert event_to_json(event)["type"] == name


def test_a_stored_event_is_named_by_its_class_name_not_its_module():
    assert all(name == cls.__name__ for name, cls in EVENT_TYPES.items())


def domain_event_classes() -> set[type[DomainEvent]]:
    """Every concrete DomainEvent subclass defined in a module of guoying.domain."""
    for module in pkgutil.walk_packages(guoying.domain.__path__, "guoying.domain."):
        importlib.import_module(module.name)
    found: set[type[DomainEvent]] = set()
    pending = list(DomainEvent.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("guoying.domain.") and not getattr(
            cls, "__abstractmethods__", None
        ):
            found.add(cls)
    return found


def test_event_types_lists_every_domain_event_defined_in_the_domain_modules():
    classes = domain_event_classes()
    assert len(classes) >= 12
    assert set(EVENT_TYPES.values()) == classes
    assert len(EVENT_TYPES) == len(classes)


# Commands


@EXAMPLES
@pytest.mark.parametrize(
    "name",
    sorted(COMMAND_TYPES),
)
@given(data=st.data())
def test_every_command_type_round_trips_through_its_json_form(name, data):
    command = data.draw(attrs_strategy(COMMAND_TYPES[name]), label=name)
    document = command_to_json(command)
    assert document["command"] == name
    assert command_from_json(document) == command


@EXAMPLES
@pytest.mark.parametrize("name", sorted(COMMAND_TYPES))
@given(data=st.data())
def test_every_command_type_round_trips_through_json_text(name, data):
    command = data.draw(attrs_strategy(COMMAND_TYPES[name]), label=name)
    line = json.dumps(command_to_json(command), ensure_ascii=False)
    back = command_from_json(json.loads(line))
    assert type(back) is COMMAND_TYPES[name]
    assert back == command


# Bad input is reported with its path


def as_json(command: Command) -> dict[str, Any]:
    """A command as the CLI reads it: a JSON object parsed from text."""
    return json.loads(json.dumps(command_to_json(command), ensure_ascii=False))


def is_optional(kind: Any) -> bool:
    return typing.get_origin(kind) in (types.UnionType, typing.Union) and type(None) in (
        typing.get_args(kind)
    )


def wrong_value_for(kind: Any) -> st.SearchStrategy[Any]:
    """JSON values of the wrong type for a field of this annotation."""
    if is_optional(kind):
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return wrong_value_for(inner)
    origin = typing.get_origin(kind)
    if origin is tuple:
        return st.one_of(st.integers(), st.booleans(), st.floats(allow_nan=False))
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        members = {member.value for member in kind}
        return st.one_of(st.integers(), st.booleans(), TEXT.filter(lambda s: s not in members))
    if attrs.has(kind):
        return st.one_of(st.integers(), st.booleans(), st.lists(st.integers(), max_size=2))
    if kind is date:
        return st.one_of(st.integers(), st.booleans(), st.just("31/12/2017"), st.just("not a date"))
    if kind is bool:
        return st.one_of(st.integers(), TEXT, st.floats(allow_nan=False))
    if kind is int:
        return st.one_of(
            TEXT, st.booleans(), st.floats(allow_nan=False), st.lists(st.integers(), max_size=2)
        )
    if kind is str:
        return st.one_of(
            st.integers(), st.booleans(), st.floats(allow_nan=False), st.lists(TEXT, max_size=2)
        )
    raise NotImplementedError(kind)


@st.composite
def command_with_one_bad_field(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    name = draw(st.sampled_from(sorted(COMMAND_TYPES)))
    cls = COMMAND_TYPES[name]
    document = as_json(draw(attrs_strategy(cls)))
    kinds = field_types(cls)
    field = draw(st.sampled_from(sorted(kinds)))
    document[field] = draw(wrong_value_for(kinds[field]))
    return document, f"$.{field}"


@settings(max_examples=300, deadline=None)
@given(case=command_with_one_bad_field())
def test_a_field_of_the_wrong_type_is_reported_by_its_path(case):
    document, path = case
    with pytest.raises(InvalidCommand) as caught:
        command_from_json(json.loads(json.dumps(document)))
    assert any(problem.startswith(f"{path}:") for problem in caught.value.problems), (
        caught.value.problems
    )
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    "name", sorted(name for name, cls in COMMAND_TYPES.items() if "year" in field_types(cls))
)
@given(data=st.data())
@settings(max_examples=20, deadline=None)
def test_a_string_year_is_reported_at_dollar_year(name, data):
    document = as_json(data.draw(attrs_strategy(COMMAND_TYPES[name])))
    document["year"] = str(document["year"])
    with pytest.raises(InvalidCommand) as caught:
        command_from_json(document)
    assert caught.value.problems == ["$.year: invalid value for int: expected int, got str"]


@EXAMPLES
@given(data=st.data(), name=st.sampled_from(sorted(COMMAND_TYPES)))
def test_a_missing_required_field_is_reported_by_its_path(data, name):
    cls = COMMAND_TYPES[name]
    document = as_json(data.draw(attrs_strategy(cls)))
    required = sorted(f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING)
    field = data.draw(st.sampled_from(required))
    del document[field]
    with pytest.raises(InvalidCommand) as caught:
        command_from_json(document)
    assert f"$.{field}: required field missing" in caught.value.problems


@EXAMPLES
@given(data=st.data(), name=st.sampled_from(sorted(COMMAND_TYPES)))
def test_a_bad_field_inside_the_actor_is_reported_by_its_nested_path(data, name):
    document = as_json(data.draw(attrs_strategy(COMMAND_TYPES[name])))
    field = data.draw(st.sampled_from(["person_id", "committee_id", "role"]))
    document["actor"][field] = data.draw(st.integers())
    with pytest.raises(InvalidCommand) as caught:
        command_from_json(document)
    assert any(p.startswith(f"$.actor.{field}:") for p in caught.value.problems)


@EXAMPLES
@given(
    data=st.data(),
    extra=TEXT.filter(lambda s: s not in {*ALL_FIELDS, "command"}),
)
def test_an_unknown_field_is_reported_by_name(data, extra):
    name = data.draw(st.sampled_from(sorted(COMMAND_TYPES)))
    document = as_json(data.draw(attrs_strategy(COMMAND_TYPES[name])))
    document[extra] = 1
    with pytest.raises(InvalidCommand) as caught:
        command_from_json(document)
    assert any(p.startswith("$: unknown field(s)") and extra in p for p in caught.value.problems)


@EXAMPLES
@given(name=TEXT.filter(lambda s: s not in COMMAND_TYPES))
def test_an_unknown_command_name_is_reported_at_dollar_command(name):
    with pytest.raises(InvalidCommand) as caught:
        command_from_json({"command": name})
    assert caught.value.problems[0].startswith("$.command: unknown command")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(TEXT, children, max_size=3),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    name=st.sampled_from(sorted(COMMAND_TYPES)),
    fields=st.dictionaries(
        st.sampled_from(sorted(ALL_FIELDS)),
        JSON,
        max_size=6,
    ),
)
def test_any_json_object_is_read_as_a_command_or_reported_with_paths(name, fields):
    """Input that cannot be read as a command is reported, never a crash (rules.md 9a)."""
    problems: list[str] = []
    try:
        command = command_from_json({"command": name, **fields})
    except InvalidCommand as error:
        problems = error.problems
    else:
        assert isinstance(command, Command)
        return
    assert problems
    assert all(problem.startswith("$") for problem in problems)


@pytest.mark.parametrize("document", [None, 1, "AdjustTier", [], [{"command": "AdjustTier"}]])
def test_a_document_that_is_not_an_object_is_reported_at_the_root(document):
    with pytest.raises(InvalidCommand) as caught:
        command_from_json(document)
    assert caught.value.problems[0].startswith("$:")


def test_a_document_without_a_command_name_is_reported_at_dollar_command():
    with pytest.raises(InvalidCommand) as caught:
        command_from_json({"actor": {}})
    assert caught.value.problems[0].startswith("$.command:")


# Bugs found while writing these properties


ADJUST = {
    "command": "RegisterBranch",
    "actor": {"person_id": "p", "committee_id": "base"},
    "reason": "first assessment",
    "branch_id": "b1",
    "name": "Branch",
    "sector": "RURAL",
    "base_committee_id": "base",
    "unit_ids": ["village-1"],
    "year": 2017,
    "tier": "MIDDLE",
}


@pytest.mark.parametrize("value", ["village-1", {"village-1": 1}])
def test_a_string_or_object_for_a_list_field_is_reported_at_its_path(value):
    with pytest.raises(InvalidCommand) as caught:
        command_from_json({**ADJUST, "unit_ids": value})
    assert any(p.startswith("$.unit_ids:") for p in caught.value.problems)


@pytest.mark.parametrize(("field", "path"), [("reason", "$.reason"), ("branch_id", "$.branch_id")])
def test_a_blank_required_text_is_reported_at_its_path(field, path):
    with pytest.raises(InvalidCommand) as caught:
        command_from_json({**ADJUST, field: "   "})
    assert any(p.startswith(f"{path}:") for p in caught.value.problems), caught.value.problems


def test_a_string_that_cannot_be_stored_as_utf8_is_reported_as_invalid_input():
    document = json.loads(json.dumps({**ADJUST, "name": "\ud800"}))
    with pytest.raises(InvalidCommand) as caught:
        command_from_json(document)
    assert any(p.startswith("$.name:") for p in caught.value.problems)


def test_an_event_with_a_lone_surrogate_is_refused_before_it_reaches_the_store():
    event = CommitteeRegistered(
        originator_id="org:tree",
        originator_version=1,
        actor=Actor("p", "city"),
        authority=Authority(("org.hierarchy",), "taian-2017"),
        reason="founded",
        effective_on=date(2017, 6, 1),
        committee_id="city",
        name="\ud800",
        level=CommitteeLevel.CITY,
        parent_id=None,
    )
    with pytest.raises(InvalidCommand):
        MAPPER.to_stored_event(event)
