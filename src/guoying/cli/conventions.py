"""The help every command prints, as people read it in a terminal: a boolean option is a
flag without a value, and each paragraph of a docstring wraps to the terminal's width
rather than at the line ends of the source.

Typer's rich help shows each option's Python type beside it, `<bool>` for a flag too, as
if it took a value; and it keeps the single line breaks of every paragraph but the first,
so a docstring wrapped at 92 columns breaks mid-sentence in any other width. Every command
and group of the app is made by the classes below (`Typer.command`, `Typer(cls=...)`), so
the fix is here once rather than in every option and docstring.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup, TyperOption

# A paragraph click is told to keep as it is starts with \b on its own line.
KEEP_LINES = "\b"


def reflowed(text: str | None) -> str | None:
    """The help text with each paragraph on one line, for the terminal to wrap."""
    if text is None:
        return None
    paragraphs = inspect.cleandoc(text).split("\n\n")
    return "\n\n".join(
        p if p.startswith(KEEP_LINES) else " ".join(line.strip() for line in p.splitlines())
        for p in paragraphs
    )


def _flags_untyped(params: list[Any]) -> list[Any]:
    """The parameters, each flag (the help and completion options too) with an empty
    metavar: what the help shows in the type column, nothing for an option without a
    value."""
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
    return params


class Command(TyperCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = reflowed(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_untyped(super().get_params(ctx))


class Group(TyperGroup):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.help = reflowed(self.help)

    def get_params(self, ctx: Any) -> list[Any]:
        return _flags_untyped(super().get_params(ctx))


class Typer(typer.Typer):
    """A typer app whose commands and groups print their help as above."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cls=Group, **kwargs)

    def command(  # type: ignore[override]
        self, *args: Any, **kwargs: Any
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        kwargs.setdefault("cls", Command)
        return super().command(*args, **kwargs)
