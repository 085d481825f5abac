"""One registry of handlers: each command type, the function that decides it and the rule
ids it applies, registered beside the code that enforces them.

A handler module registers with `@handles(CommandType, "rule.id", ...)`; registering a
second handler for a type fails at import, and `check_complete` fails at import when a
command type has none (`guoying.application.catalogue` calls it).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Generic, TypeVar

from attrs import frozen

from guoying.application.commands import Command
from guoying.domain.rules import RuleId

if TYPE_CHECKING:
    from guoying.application.unit import Context

C = TypeVar("C", bound=Command)
Decide = Callable[["Context", C], None]


@frozen
class Registration(Generic[C]):
    command_type: type[C]
    rules: tuple[RuleId, ...]
    decide: Decide[C]


class RegistryError(TypeError):
    """The handlers do not cover the commands exactly once each."""


class Registry:
    def __init__(self) -> None:
        self._by_type: dict[type[Command], Registration[Command]] = {}

    def handles(self, command_type: type[C], *rules: RuleId) -> Callable[[Decide[C]], Decide[C]]:
        def register(decide: Decide[C]) -> Decide[C]:
            known = self._by_type.get(command_type)
            if known is not None:
                raise RegistryError(
                    f"two handlers for {command_type.__name__}: "
                    f"{known.decide.__module__}.{known.decide.__qualname__} and "
                    f"{decide.__module__}.{decide.__qualname__}"
                )
            self._by_type[command_type] = Registration(command_type, rules, decide)  # type: ignore[arg-type]
            return decide

        return register

    def __getitem__(self, command_type: type[Command]) -> Registration[Command]:
        try:
            return self._by_type[command_type]
        except KeyError:
            raise RegistryError(f"no handler is registered for {command_type.__name__}") from None

    def command_types(self) -> list[type[Command]]:
        return sorted(self._by_type, key=lambda t: t.__name__)

    def check_complete(self, command_types: Iterable[type[Command]]) -> None:
        missing = sorted(t.__name__ for t in command_types if t not in self._by_type)
        if missing:
            raise RegistryError(f"no handler is registered for {', '.join(missing)}")


REGISTRY = Registry()
handles = REGISTRY.handles


def command_classes() -> list[type[Command]]:
    """Every concrete command defined in guoying.application.commands."""
    found: list[type[Command]] = []
    pending = list(Command.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("guoying.application.commands.") and cls is getattr(
            sys.modules[cls.__module__], cls.__name__, None
        ):
            found.append(cls)
    return sorted(set(found), key=lambda t: t.__name__)
