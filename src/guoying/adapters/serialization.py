"""One cattrs converter for events and commands, plugged into eventsourcing as its Mapper.

Events are stored as JSON under a stable type name (the class name), never a module path,
so that moving code never strands stored events. Old shapes are upcast here, on read.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import cattrs
from cattrs.cols import homogenous_tuple_structure_factory, is_sequence
from cattrs.preconf.json import make_converter
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent

from guoying.application.catalogue import COMMAND_TYPES
from guoying.application.commands import Command
from guoying.application.errors import InvalidCommand
from guoying.domain.catalogue import EVENT_TYPES
from guoying.domain.events import AnyEvent
from guoying.domain.values import FieldValueError

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


def make_guoying_converter() -> cattrs.Converter:
    converter = make_converter(forbid_extra_keys=True, detailed_validation=True)
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(Decimal, lambda value, _: Decimal(str(value)))
    _strict_scalars(converter)
    return converter


def _strict_scalars(converter: cattrs.Converter) -> None:
    """Refuse "2018" for an int and 1 for a str, instead of coercing them silently."""

    def exact(kind: type) -> Callable[[Any, type], Any]:
        def structure(value: Any, _: type) -> Any:
            if type(value) is not kind:
                raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
            return value

        return structure

    def text(value: Any, _: type) -> str:
        if type(value) is not str:
            raise TypeError(f"expected str, got {type(value).__name__}")
        _storable(value)
        return value

    for kind in (int, bool):
        converter.register_structure_hook(kind, exact(kind))
    converter.register_structure_hook(str, text)

    def enum_member(value: Any, kind: type[enum.StrEnum]) -> enum.StrEnum:
        if isinstance(value, kind):
            return value
        if type(value) is not str:
            raise TypeError(f"expected a string, got {type(value).__name__}")
        return kind(value)

    # Without this, the hook on str (earlier in a StrEnum's MRO than Enum) would take them.
    converter.register_structure_hook(enum.StrEnum, enum_member)

    def list_only(kind: Any, conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
        # A JSON string or object is iterable too; only a list is a list.
        structure = homogenous_tuple_structure_factory(kind, conv)

        def structure_list(value: Any, target: Any) -> Any:
            if not isinstance(value, list | tuple):
                raise TypeError(f"expected a list, got {type(value).__name__}")
            return structure(value, target)

        return structure_list

    converter.register_structure_hook_factory(is_sequence, list_only)


def _storable(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError("text is not valid Unicode (a lone surrogate)") from error


CONVERTER = make_guoying_converter()

# Event shapes that changed, by event type (docs/events.md): the n-th upcaster takes a
# stored state of shape n to shape n + 1. Stored bytes are never rewritten.
UPCASTERS: dict[str, list[Upcaster]] = {}


def event_to_json(event: AnyEvent) -> dict[str, Any]:
    return {"type": type(event).__name__, **CONVERTER.unstructure(event)}


class CattrsMapper(Mapper[str]):
    """eventsourcing's Mapper with cattrs in place of `vars()`, which slotted attrs lack."""

    def __init__(self) -> None:
        super().__init__(transcoder=JSONTranscoder())

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        state = CONVERTER.unstructure(domain_event)
        originator_id = state.pop("originator_id")
        originator_version = state.pop("originator_version")
        topic = type(domain_event).__name__
        if topic in UPCASTERS:
            # Shape 1 is the first; each upcaster takes one shape to the next.
            state["_shape"] = len(UPCASTERS[topic]) + 1
        try:
            encoded = json.dumps(state, ensure_ascii=False, sort_keys=True).encode()
        except UnicodeEncodeError as error:
            # Commands built in Python skip the converter's checks; nothing is written.
            raise InvalidCommand([f"$: text is not valid Unicode: {error.reason}"]) from error
        return StoredEvent(
            originator_id=originator_id,
            originator_version=originator_version,
            topic=topic,
            state=encoded,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        return decode_event(
            stored_event.topic,
            stored_event.state,
            str(stored_event.originator_id),
            stored_event.originator_version,
        )


def decode_event(topic: str, state: bytes, originator_id: str, version: int) -> AnyEvent:
    cls = EVENT_TYPES[topic]
    data = json.loads(state)
    stored_shape = int(data.pop("_shape", 1))
    for upcast in UPCASTERS.get(topic, [])[stored_shape - 1 :]:
        data = upcast(data)
    data["originator_id"] = originator_id
    data["originator_version"] = version
    return CONVERTER.structure(data, cls)


def command_from_json(data: object) -> Command:
    """Read one command; every problem is reported by its field path."""
    if not isinstance(data, Mapping):
        raise InvalidCommand(['$: expected a JSON object with a "command" field'])
    fields = dict(data)
    name = fields.pop("command", None)
    if not isinstance(name, str):
        raise InvalidCommand(['$.command: missing (the name of the command, e.g. "AdjustTier")'])
    cls = COMMAND_TYPES.get(name)
    if cls is None:
        raise InvalidCommand(
            [f"$.command: unknown command {name!r}; known: {', '.join(COMMAND_TYPES)}"]
        )
    try:
        return CONVERTER.structure(fields, cls)
    except Exception as error:
        raise InvalidCommand(_describe(error)) from error


def command_to_json(command: Command) -> dict[str, Any]:
    return {"command": type(command).__name__, **CONVERTER.unstructure(command)}


_FIELD_MARK = "\x1f"


def _describe(error: BaseException) -> list[str]:
    if isinstance(error, cattrs.BaseValidationError):
        problems = cattrs.transform_error(error, path="$", format_exception=_format)
    else:
        problems = [f"{_format(error, None)} @ $"]
    described = []
    for problem in problems:
        message, _, path = problem.rpartition(" @ ")
        if message.startswith(_FIELD_MARK):
            # A validator's error names its field; report it at the field's own path.
            _, field, message = message.split(_FIELD_MARK, 2)
            path = f"{path}.{field}"
        described.append(f"{path}: {message}")
    return described


def _format(error: BaseException, kind: type | None) -> str:
    if isinstance(error, FieldValueError):
        return f"{_FIELD_MARK}{error.field}{_FIELD_MARK}{error.problem}"
    if isinstance(error, KeyError):
        return "required field missing"
    if isinstance(error, cattrs.ForbiddenExtraKeysError):
        return f"unknown field(s) {', '.join(sorted(error.extra_fields))}"
    if isinstance(error, ValueError) and kind is not None and hasattr(kind, "__members__"):
        return f"expected one of {', '.join(kind.__members__)}"
    name = getattr(kind, "__name__", str(kind)) if kind is not None else "value"
    return f"invalid value for {name}: {error}"
