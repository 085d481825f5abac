"""One cattrs converter for events and commands, plugged into eventsourcing as its Mapper.

Events are stored as JSON under a stable type name (the class name), never a module path,
so that moving code never strands stored events. Old shapes are upcast here, on read.

Commands read from JSON go through a stricter copy of the converter (`COMMAND_CONVERTER`)
that refuses input no store can keep or that lies outside `LIMITS` (docs/commands.md,
"Limits"): text with NUL or a lone surrogate, non-finite or absurd numbers, dates and years
far outside any plan, ids, names and texts longer than their limits. The limits are one
table of configuration applied by field name and value type to every attrs class a command
is built from, so no command class carries validators of its own for them. Events decoded
from the store are never held to them: what was stored stays readable.
"""

from __future__ import annotations

import enum
import json
import math
import re
import types
import typing
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING, Any

import attrs
import cattrs
from attrs import frozen
from cattrs.cols import homogenous_tuple_structure_factory, is_sequence
from cattrs.gen import make_dict_structure_fn
from cattrs.preconf.json import make_converter
from eventsourcing.persistence import JSONTranscoder, Mapper, StoredEvent

from guoying.application.errors import InvalidCommand
from guoying.domain.events import AnyEvent, DomainEvent, event_types
from guoying.domain.values import FieldValueError

if TYPE_CHECKING:
    from guoying.application.commands import Command

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

# The metadata every event carries; what is left is what the event itself records.
_METADATA = frozenset(a.name for a in attrs.fields(DomainEvent))


def event_detail(event: AnyEvent) -> dict[str, Any]:
    """An event's own fields, unstructured, without the metadata every event carries."""
    return {k: v for k, v in CONVERTER.unstructure(event).items() if k not in _METADATA}


# Unusable input ------------------------------------------------------------------------


@frozen(kw_only=True)
class InputLimits:
    """What one command line may hold: configuration, documented in docs/commands.md
    ("Limits"). Decisions about years within a plan stay with the policy's rules; these
    bounds only keep out input that no plan can mean and that would break storage, dates
    or arithmetic downstream (a year of 10000 has no 31 December in Python)."""

    line_bytes: int = 1 << 20
    id_chars: int = 64
    event_id_chars: int = 100
    name_chars: int = 200
    text_chars: int = 4000
    first_date: date = date(1949, 10, 1)
    last_date: date = date(2100, 12, 31)
    largest_integer: int = 1_000_000_000
    decimal_places: int = 6
    largest_decimal: Decimal = Decimal(1_000_000_000)


LIMITS = InputLimits()
# Text fields limited as names rather than as free text, by field name; ids are the
# fields named *_id and *_ids, and `corrects` (an event id such as "branch:ID@3").
SHORT_TEXT_FIELDS = frozenset({"name", "role", "position", "phone", "version", "timezone"})
# Decimal fields that are shares of a whole: 0 to 1.
SHARE_SUFFIX = "_share"


def text_problem(value: str) -> str | None:
    """Why no store can keep this text, or None. PostgreSQL refuses NUL in text, and UTF-8
    has no encoding for a lone surrogate."""
    if "\x00" in value:
        return "text contains a NUL character (\\u0000), which no store can keep"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "text contains a lone surrogate, which is not valid Unicode"
    return None


def unstorable(value: object, path: str = "$") -> list[str]:
    """Every text inside unstructured data that no store can keep, by its path."""
    if isinstance(value, str):
        problem = text_problem(value)
        return [f"{path}: {problem}"] if problem else []
    if isinstance(value, Mapping):
        return [p for key, item in value.items() for p in unstorable(item, f"{path}.{key}")]
    if isinstance(value, list | tuple):
        return [p for i, item in enumerate(value) for p in unstorable(item, f"{path}[{i}]")]
    return []


def _text_limit(name: str) -> tuple[str, int]:
    if name == "corrects":
        return "an event id", LIMITS.event_id_chars
    if name.endswith(("_id", "_ids")):
        return "an id", LIMITS.id_chars
    if name in SHORT_TEXT_FIELDS:
        return "a name", LIMITS.name_chars
    return "a text", LIMITS.text_chars


def _value_problem(name: str, value: object) -> str | None:
    """Why one structured value of the field `name` is outside LIMITS, or None."""
    if isinstance(value, str):
        kind, most = _text_limit(name)
        if len(value) > most:
            return f"is {len(value):,} characters long; {kind} may have at most {most:,}"
    elif isinstance(value, bool):
        return None
    elif isinstance(value, int):
        if name == "year" or name.endswith("_year"):
            first, last = LIMITS.first_date.year, LIMITS.last_date.year
            if not first <= value <= last:
                return f"year {value} is outside {first}-{last}"
        elif not 0 <= value <= LIMITS.largest_integer:
            return f"{value} is outside 0-{LIMITS.largest_integer:,}"
    elif isinstance(value, Decimal):
        return _decimal_problem(name, value)
    elif isinstance(value, date) and not LIMITS.first_date <= value <= LIMITS.last_date:
        return (
            f"date {value.isoformat()} is outside {LIMITS.first_date.isoformat()} to "
            f"{LIMITS.last_date.isoformat()}"
        )
    return None


def _decimal_problem(name: str, value: Decimal) -> str | None:
    if not value.is_finite():
        return f"{value} is not a finite number"
    # Decimal places counted from the digits as written: normalize() would round a value
    # such as 1E-999999999 to 0 under the default context and let it through.
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    significant = "".join(map(str, digits)).rstrip("0")
    if significant and exponent + (len(digits) - len(significant)) < -LIMITS.decimal_places:
        return f"has more than {LIMITS.decimal_places} decimal places"
    if name.endswith(SHARE_SUFFIX):
        if not Decimal(0) <= value <= Decimal(1):
            return "a share must lie between 0 and 1"
    elif abs(value) > LIMITS.largest_decimal:
        return f"is larger than {LIMITS.largest_decimal:,}"
    return None


def _limits_problem(name: str, value: object) -> tuple[str, str] | None:
    """The first value of a field outside LIMITS, with its path under the field."""
    if isinstance(value, tuple):
        for index, item in enumerate(value):
            if attrs.has(type(item)):
                continue  # checked when it was structured
            problem = _value_problem(name, item)
            if problem is not None:
                return f"{name}[{index}]", problem
        return None
    problem = _value_problem(name, value)
    return None if problem is None else (name, problem)


def _limited_structure(cls: type, converter: cattrs.Converter) -> Callable[[Any, type], Any]:
    """cattrs' own structuring of an attrs class, then every field held to LIMITS; a
    problem is raised as a FieldValueError so that it is reported at the field's path."""
    structure: Callable[[Any, Any], Any] = make_dict_structure_fn(cls, converter)
    names = [a.name for a in attrs.fields(cls)]

    def limited(value: Any, target: type) -> Any:
        made = structure(value, target)
        for name in names:
            found = _limits_problem(name, getattr(made, name))
            if found is not None:
                raise FieldValueError(*found)
        return made

    return limited


def _command_text(value: Any, _: type) -> str:
    if type(value) is not str:
        raise TypeError(f"expected str, got {type(value).__name__}")
    problem = text_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


def _command_decimal(value: Any, _: type) -> Decimal:
    # A JSON number arrives as int or float and is read through its text; true is no number.
    if type(value) not in (str, int, float):
        raise TypeError(f"expected a decimal, got {type(value).__name__}")
    try:
        found = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise ValueError(f"{str(value)[:40]!r} is not a decimal number") from error
    if not found.is_finite():
        raise ValueError(f"{value} is not a finite number")
    return found


def make_command_converter(base: cattrs.Converter) -> cattrs.Converter:
    converter = base.copy()
    converter.register_structure_hook(str, _command_text)
    converter.register_structure_hook(Decimal, _command_decimal)
    converter.register_structure_hook_factory(attrs.has, _limited_structure)
    return converter


COMMAND_CONVERTER = make_command_converter(CONVERTER)


def _nesting(kind: Any) -> int:
    """How deep JSON for this annotation nests: an object or array is one level."""
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        return max(_nesting(arg) for arg in typing.get_args(kind))
    if origin is tuple:
        items = [arg for arg in typing.get_args(kind) if arg is not ...]
        return 1 + max((_nesting(arg) for arg in items), default=0)
    if attrs.has(kind):
        hints = typing.get_type_hints(kind)
        return 1 + max((_nesting(hints[a.name]) for a in attrs.fields(kind)), default=0)
    return 0


def command_types() -> dict[str, type[Command]]:
    """Every command type by its JSON name. The catalogue imports every command and its
    handler, so it is imported when a command is first read, not by a reader of events."""
    from guoying.application.catalogue import COMMAND_TYPES

    return COMMAND_TYPES


@cache
def schema_depth() -> int:
    """The deepest nesting any command's JSON has, from the attrs types themselves."""
    return max(_nesting(cls) for cls in command_types().values())


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def json_depth(line: str) -> int:
    """How deep a JSON text nests, without parsing it (strings do not count), so that a
    line nested 100,000 deep is reported instead of exhausting the parser's recursion."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_JSON_STRING.sub('""', line)):
        if bracket.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class _Unreadable(ValueError):
    """JSON that parses in Python but is no usable command input."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _Unreadable(f"duplicate key {key!r} in one JSON object")
        found[key] = value
    return found


def _constant(name: str) -> Any:
    raise _Unreadable(f"{name} is not a number (JSON has no NaN or Infinity)")


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > len(str(LIMITS.largest_integer)) * 2:
        raise _Unreadable(f"the number {text[:24]}... is out of range")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    mantissa = text.lower().partition("e")[0]
    if not math.isfinite(value) or (value == 0 and any(c in "123456789" for c in mantissa)):
        raise _Unreadable(f"the number {text[:24]} is out of range")
    return value


def read_json(line: str) -> Any:
    """One line's JSON, or InvalidCommand saying why it is unusable: too long, nested
    deeper than any command, malformed, a duplicate key, NaN or Infinity, an absurd number."""
    size = len(line.encode("utf-8", "surrogatepass"))
    if size > LIMITS.line_bytes:
        raise InvalidCommand(
            [f"$: the line is {size:,} bytes long; a line may have at most {LIMITS.line_bytes:,}"]
        )
    depth = json_depth(line)
    if depth > schema_depth():
        raise InvalidCommand(
            [f"$: JSON nested {depth} levels deep; no command nests deeper than {schema_depth()}"]
        )
    try:
        return json.loads(
            line,
            object_pairs_hook=_object,
            parse_constant=_constant,
            parse_int=_integer,
            parse_float=_float,
        )
    except _Unreadable as error:
        raise InvalidCommand([_printable(f"$: {error}")]) from error
    except (json.JSONDecodeError, RecursionError) as error:
        raise InvalidCommand([f"malformed JSON: {error}"]) from error


def read_command(line: str) -> Command:
    """One JSON Lines line read exactly as `guoying apply` reads it."""
    return command_from_json(read_json(line))


def _printable(message: str) -> str:
    # A message may quote the input; a lone surrogate in it could not even be printed.
    return message.encode("utf-8", "backslashreplace").decode("utf-8")


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
            encoded: bytes | None = json.dumps(state, ensure_ascii=False, sort_keys=True).encode()
        except UnicodeEncodeError:
            encoded = None  # a lone surrogate: found and named below
        if encoded is None or b"\\u0000" in encoded or "\x00" in str(originator_id):
            # Commands built in Python skip the converter's checks. A NUL would be stored
            # here (escaped in JSON) but breaks every view on PostgreSQL: nothing is written.
            problems = unstorable({"originator_id": originator_id, **state})
            if problems:
                raise InvalidCommand([_printable(p) for p in problems])
        assert encoded is not None
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


_EVENT_TYPES: dict[str, type[AnyEvent]] = {}


def event_type(topic: str) -> type[AnyEvent]:
    """The event type stored under `topic`, looked for first among the aggregate modules
    imported so far (a read imports those of the aggregates it loads) and only then in the
    catalogue, which imports every aggregate module: a read pays for the events it reads."""
    found = _EVENT_TYPES.get(topic)
    if found is None:
        _EVENT_TYPES.update(event_types())
        found = _EVENT_TYPES.get(topic)
    if found is None:
        from guoying.domain.catalogue import EVENT_TYPES

        _EVENT_TYPES.update(EVENT_TYPES)
        found = EVENT_TYPES[topic]
    return found


def decode_event(topic: str, state: bytes, originator_id: str, version: int) -> AnyEvent:
    cls = event_type(topic)
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
    known = command_types()
    cls = known.get(name)
    if cls is None:
        raise InvalidCommand(
            [_printable(f"$.command: unknown command {name[:80]!r}; known: {', '.join(known)}")]
        )
    try:
        return COMMAND_CONVERTER.structure(fields, cls)
    except Exception as error:
        raise InvalidCommand([_printable(p) for p in _describe(error)]) from error


def command_to_json(command: Command) -> dict[str, Any]:
    return {"command": type(command).__name__, **CONVERTER.unstructure(command)}


_FIELD_MARK = "\x1f"


def _enum_rules() -> dict[object, str]:
    """The enumerations a rule of rules.md defines, by the rule's id (asked for only when a
    command's value is wrong, so reading events does not import the aggregates defining
    them)."""
    from guoying.domain.cultivation import BATCH_RULE, Batch

    return {Batch: BATCH_RULE}


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
        # An enumeration that a rule defines names the rule, so the refusal can be traced.
        rule = _enum_rules().get(kind)
        return f"expected one of {', '.join(kind.__members__)}" + (f" ({rule})" if rule else "")
    name = getattr(kind, "__name__", str(kind)) if kind is not None else "value"
    return f"invalid value for {name}: {error}"
