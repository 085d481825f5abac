"""Strategies for every stored event type, derived from its attrs fields.

Events carry the stream id their aggregate is stored under, found from the type the event
builds (its `mutate`): the aggregate's module declares a key function (`cap_key`,
`branch_key`...) or a key constant (`TREE_KEY`), and the event's field named like the key
function's parameter gives the id. They are not a consistent history: use them for
serialisation and projection-input properties.
"""

from __future__ import annotations

import inspect
import sys
import typing
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from guoying.domain.catalogue import EVENT_TYPES
from guoying.domain.events import AnyEvent, Key, Streams
from guoying.domain.legacy import LAYOUT_ID, LEGACY_LEDGER_PREFIX, LegacyLedger, StoreLayout
from guoying.domain.policy import TAIAN_2017, Policy
from guoying.testing import values as v
from guoying.testing.fields import Ids, derive

__all__ = ["event_strategy_for", "events", "stream_id_of"]

E = TypeVar("E", bound=AnyEvent)

# Events that found their aggregate, and so are always its version 1.
_FOUNDING_EVENTS = frozenset({"BranchRegistered", "UnitRegistered", "PersonRegistered"})
_METADATA = ("originator_id", "originator_version", "actor", "authority", "reason")

# Streams with no key of their own: 0.1's committee ledger and the store's layout marker.
_KEYLESS: dict[type, Callable[[Mapping[str, Any]], str]] = {
    LegacyLedger: lambda f: f"{LEGACY_LEDGER_PREFIX}{f['committee_id']}",
    StoreLayout: lambda _: LAYOUT_ID,
}


def _aggregate_of(event_type: type[AnyEvent]) -> type:
    hints = typing.get_type_hints(event_type.mutate, vars(sys.modules[event_type.__module__]))
    built = hints["return"]
    assert isinstance(built, type), (event_type, built)
    return built


def _stream_of(aggregate: type) -> Callable[[Mapping[str, Any]], str]:
    """How to name the stream of an aggregate type from an event's fields."""
    if aggregate in _KEYLESS:
        return _KEYLESS[aggregate]
    module = vars(sys.modules[aggregate.__module__])
    for value in module.values():
        if isinstance(value, Key) and value.kind is aggregate:
            stream = value.id
            return lambda _: stream
    for value in module.values():
        if not inspect.isfunction(value) or not value.__name__.endswith("_key"):
            continue
        hints = typing.get_type_hints(value, module)
        if hints.get("return") == Key[aggregate]:  # type: ignore[valid-type]
            return _keyed_by(value, hints)
    for value in module.values():
        streams = getattr(value, "__self__", None)
        if isinstance(streams, Streams) and streams.kind is aggregate:
            # The subject is named by `<prefix>_id` (a branch, a unit, a person) or is the
            # committee the stream is about; most events of a branch name it only in their id.
            named = (f"{streams.prefix}_id", "committee_id")
            return lambda fields: streams.id(
                next((str(fields[n]) for n in named if fields.get(n)), fields["_own_id"])
            )
    raise LookupError(f"no key function or constant names the streams of {aggregate.__name__}")


def _keyed_by(
    key_of: Callable[..., Key[Any]], hints: Mapping[str, Any]
) -> Callable[[Mapping[str, Any]], str]:
    """A stream named by a key function of the event's fields of its parameters' names; a
    field the event lacks (most events of a branch name it only in their stream id) is the
    drawn own id, or the policy's first year for a year."""
    parameters = list(inspect.signature(key_of).parameters)

    def name(fields: Mapping[str, Any]) -> str:
        arguments = [
            fields.get(p) or (TAIAN_2017.first_year if hints[p] is int else fields["_own_id"])
            for p in parameters
        ]
        return str(key_of(*arguments))

    return name


def stream_id_of(event_type: type[AnyEvent], fields: Mapping[str, Any]) -> str:
    """The stream an event of this type with these fields belongs to."""
    return _stream_of(_aggregate_of(event_type))(fields)


def event_strategy_for(event_type: type[E], *, policy: Policy = TAIAN_2017) -> SearchStrategy[E]:
    """The strategy for one event type of `guoying.domain.catalogue.EVENT_TYPES`.

    Each field is drawn by its name and type; events carry their stream's id (`branch:`,
    `cap:`, `names:`, `problems:`, `roster:`, `org:tree`, `ledger:` for 0.1's events...)
    and every metadata field, with `effective_on` in the event's year when it has one;
    founding events are version 1. A type added to the library later is covered the same
    way.
    """
    return _event_strategy(event_type, policy)


@v.memoized
def _event_strategy(event_type: type[E], policy: Policy) -> SearchStrategy[E]:
    stream = _stream_of(_aggregate_of(event_type))
    founding = event_type.__name__ in _FOUNDING_EVENTS

    def make(**values: Any) -> E:
        # The metadata drawn by `shape` travels under names no event field has.
        stream_id = stream(values)
        metadata = {name: values.pop(f"_{name}") for name in ("actor", "authority", "reason")}
        version = values.pop("_version")
        del values["_own_id"]
        return event_type(originator_id=stream_id, originator_version=version, **metadata, **values)

    def shape(draw: st.DrawFn, values: dict[str, Any]) -> dict[str, Any]:
        values["_own_id"] = draw(v.identifiers(), label="own id")
        values["_version"] = 1 if founding else draw(st.integers(1, 10_000), label="version")
        values["_actor"] = draw(v.actors(), label="actor")
        values["_authority"] = draw(v.authorities(), label="authority")
        values["_reason"] = draw(v.reasons(), label="reason")
        return values

    return derive(event_type, Ids(policy=policy), skip=_METADATA, shape=shape, make=make)


def events(
    *, types: Sequence[type[AnyEvent]] | None = None, policy: Policy = TAIAN_2017
) -> SearchStrategy[AnyEvent]:
    """Any event of `EVENT_TYPES` (or of `types`)."""
    chosen = list(EVENT_TYPES.values()) if types is None else list(types)
    return st.one_of(*(event_strategy_for(t, policy=policy) for t in chosen))
