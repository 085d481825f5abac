"""What every command shares: the options of stores, formats and readings, and how a
store is opened and an option's value read (a bad value exits 2)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

if TYPE_CHECKING:
    from guoying.api import Guoying, GuoyingError
from guoying.cli.output import Format

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="GUOYING_STORE",
        show_envvar=True,
        help="The store: a file path or sqlite:///PATH (default ./guoying.db), memory://, or "
        "postgresql://USER@HOST:PORT/DB (postgres:// and postgresql+psycopg:// too)",
    ),
]
FormatOption = Annotated[Format, typer.Option("--format", help="table, json or csv")]
BomOption = Annotated[
    bool,
    typer.Option(
        "--bom",
        help="start CSV with the UTF-8 byte-order mark, by which spreadsheet programs "
        "read its Chinese correctly",
    ),
]
AsKnownAtOption = Annotated[
    str | None,
    typer.Option(
        "--as-known-at",
        help="what the store held at this recorded time, e.g. "
        "2020-03-01T09:00:00+08:00 (a UTC offset is required)",
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="what was in effect on this business date, YYYY-MM-DD"),
]


def fail(error: GuoyingError) -> NoReturn:
    typer.echo(f"error: {error}", err=True)
    raise typer.Exit(error.exit_code)


@contextmanager
def opened_store(store: str | None, *, create: bool) -> Iterator[Guoying]:
    """Only `demo` and `apply` may create a store: a read command on a mistyped path must
    say there is no store there, not answer from a new empty one it left behind."""
    from guoying.api import GuoyingError, opened

    try:
        with opened(store, create=create) as guoying:
            yield guoying
    except GuoyingError as error:
        fail(error)


def date_option(name: str, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        typer.echo(f"error: {name}: expected a date YYYY-MM-DD, not {value!r}", err=True)
        raise typer.Exit(2) from error


def time_option(name: str, value: str | None) -> datetime | None:
    """Timestamps given at the CLI must carry a UTC offset (rules.md 9a)."""
    if value is None:
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError as error:
        typer.echo(
            f"error: {name}: expected a timestamp such as 2019-07-01T09:00:00+08:00, not {value!r}",
            err=True,
        )
        raise typer.Exit(2) from error
    if found.tzinfo is None:
        typer.echo(
            f"error: {name}: {value!r} has no UTC offset; expected a timestamp with one, "
            f"such as {found.isoformat()}+08:00",
            err=True,
        )
        raise typer.Exit(2)
    return found


E = TypeVar("E", bound=StrEnum)


def enum_option(name: str, value: str | None, kind: type[E], labels: Mapping[E, str]) -> E | None:
    """An enumeration's value as the tables show it (its Chinese label) or by its English
    name, in any case; anything else exits 2 listing both."""
    if value is None:
        return None
    wanted = value.strip()
    for member in kind:
        if wanted.upper() == member.name or wanted == labels[member]:
            return member
    typer.echo(f"error: {name}: {value!r} is none of {accepted(kind, labels)}", err=True)
    raise typer.Exit(2)


def accepted(kind: type[E], labels: Mapping[E, str]) -> str:
    """An enumeration's values, each as the tables show it and by its name."""
    return ", ".join(f"{labels[m]} ({m.name})" for m in kind)


def enum_help(what: str) -> str:
    """The help of an option taking an enumeration's value. It does not list them: that
    would import the domain's labels for every `--help`; a wrong value lists them all."""
    return (
        f"{what}, in Chinese as the tables show it or by its English name, in any case "
        "(a wrong value lists every one)"
    )
