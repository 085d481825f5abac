"""JSON types of attrs classes, described from their annotations the way guoying's one cattrs
converter (cattrs' JSON preset, decimals as text) unstructures them."""

from __future__ import annotations

import collections.abc as cabc
import datetime as dt
import enum
import types
import typing
from decimal import Decimal
from typing import Any

import attrs


def hints(cls: type) -> dict[str, Any]:
    """The resolved annotation of each attrs field of `cls`, in field order."""
    resolved = typing.get_type_hints(cls)
    return {f.name: resolved.get(f.name, f.type) for f in attrs.fields(cls)}


def anchor(cls: type) -> str:
    return cls.__name__.lower()


def _args(tp: Any) -> tuple[Any, ...]:
    return typing.get_args(tp)


def describe(tp: Any, link: bool = True) -> str:
    """One line of Markdown: the JSON type a value of annotation `tp` is written as."""
    origin = typing.get_origin(tp)
    if tp is type(None):
        return "null"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(a, link) for a in _args(tp))
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in _args(tp))
    if origin in (tuple, list, set, frozenset, cabc.Sequence, cabc.Set, cabc.Iterator):
        args = _args(tp)
        if origin is tuple and args and (len(args) != 2 or args[1] is not Ellipsis):
            return "array [" + ", ".join(describe(a, link) for a in args) + "]"
        return f"array of {describe(args[0], link) if args else 'values'}"
    if origin in (dict, cabc.Mapping):
        key, value = _args(tp) or (str, Any)
        return f"object: {describe(key, link)} keys, {describe(value, link)} values"
    if isinstance(tp, type):
        if attrs.has(tp):
            return f"[`{tp.__name__}`](#{anchor(tp)})" if link else f"`{tp.__name__}`"
        if issubclass(tp, enum.Enum):
            return f"`{tp.__name__}`: " + ", ".join(f"`{m.value}`" for m in tp)
        if issubclass(tp, bool):
            return "boolean"
        if issubclass(tp, int):
            return "integer"
        if issubclass(tp, float):
            return "number"
        if issubclass(tp, Decimal):
            return 'decimal as a string (`"0.10"`)'
        if issubclass(tp, dt.datetime):
            return "timestamp (ISO 8601 with its UTC offset)"
        if issubclass(tp, dt.date):
            return "date (`YYYY-MM-DD`)"
        if issubclass(tp, str):
            return "string"
    if tp is Any:
        return "any JSON value"
    return f"`{tp}`"


def reachable(roots: typing.Iterable[Any]) -> list[type]:
    """Every attrs class a value of the roots' annotations can hold, roots first."""
    found: list[type] = []
    pending = list(roots)
    while pending:
        tp = pending.pop(0)
        if isinstance(tp, type) and attrs.has(tp):
            if tp not in found:
                found.append(tp)
                pending.extend(hints(tp).values())
        else:
            pending.extend(a for a in _args(tp) if a is not Ellipsis)
    return found


def first_paragraph(doc: str | None) -> str:
    text = (doc or "").strip().split("\n\n", 1)[0]
    return " ".join(line.strip() for line in text.splitlines())


def cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def conforms(value: Any, tp: Any, path: str = "$") -> list[str]:
    """Where a piece of printed JSON differs from what annotation `tp` describes: a missing
    or unexpected key, or a value of another JSON type."""
    origin = typing.get_origin(tp)
    if tp is Any:
        return []
    if origin in (typing.Union, types.UnionType):
        tried = [conforms(value, a, path) for a in _args(tp)]
        return [] if any(not t for t in tried) else min(tried, key=len)
    if tp is type(None):
        return [] if value is None else [f"{path}: expected null, found {value!r:.60}"]
    if origin is typing.Literal:
        return [] if value in _args(tp) else [f"{path}: {value!r:.60} is not one of {_args(tp)}"]
    if origin in (tuple, list, set, frozenset, cabc.Sequence, cabc.Set, cabc.Iterator):
        if not isinstance(value, list):
            return [f"{path}: expected an array, found {value!r:.60}"]
        args = [a for a in _args(tp) if a is not Ellipsis]
        if origin is tuple and len(args) > 1 and len(_args(tp)) == len(args):
            return [
                p
                for i, (v, a) in enumerate(zip(value, args, strict=False))
                for p in conforms(v, a, f"{path}[{i}]")
            ]
        return [
            p
            for i, v in enumerate(value)
            for p in conforms(v, args[0] if args else Any, f"{path}[{i}]")
        ]
    if origin in (dict, cabc.Mapping):
        if not isinstance(value, dict):
            return [f"{path}: expected an object, found {value!r:.60}"]
        _, inner = _args(tp) or (str, Any)
        return [p for k, v in value.items() for p in conforms(v, inner, f"{path}.{k}")]
    if isinstance(tp, type) and attrs.has(tp):
        if not isinstance(value, dict):
            return [f"{path}: expected a {tp.__name__} object, found {value!r:.60}"]
        fields = hints(tp)
        found = [f"{path}: missing key {k!r}" for k in fields if k not in value]
        found += [f"{path}: unexpected key {k!r}" for k in value if k not in fields]
        for key, annotation in fields.items():
            if key in value:
                found += conforms(value[key], annotation, f"{path}.{key}")
        return found
    expected: tuple[type, ...] = (str,)
    if isinstance(tp, type):
        if issubclass(tp, enum.Enum):
            ok = value in {m.value for m in tp}
            return [] if ok else [f"{path}: {value!r:.60} is not a {tp.__name__}"]
        if issubclass(tp, bool):
            expected = (bool,)
        elif issubclass(tp, int):
            expected = (int,)
        elif issubclass(tp, float):
            expected = (int, float)
    wrong = not isinstance(value, expected) or (expected != (bool,) and isinstance(value, bool))
    return [f"{path}: expected {describe(tp, link=False)}, found {value!r:.60}"] if wrong else []
