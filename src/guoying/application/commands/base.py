"""The base of every command: who decides, why, and from which business date.

Every command carries its actor and a reason; `effective_on` defaults to today in China
Standard Time when it is not given.
"""

from __future__ import annotations

from datetime import date
from typing import TypeVar

import attrs
from attrs import field, frozen

from guoying.domain.values import Actor, non_blank

__all__ = ["Command", "entered_from"]


@frozen(kw_only=True)
class Command:
    actor: Actor
    reason: str = field(validator=non_blank)
    effective_on: date | None = None


C = TypeVar("C", bound=Command)


def entered_from(kind: type[C], source: object, *, actor: Actor, reason: str, on: date) -> C:
    """A `kind` command whose own fields are `source`'s attributes of the same names: how a
    layout or plan that mirrors the command (a committee, a unit, a person) is entered."""
    own = [f.name for f in attrs.fields(kind) if f.name not in {"actor", "reason", "effective_on"}]
    return kind(
        actor=actor,
        reason=reason,
        effective_on=on,
        **{name: getattr(source, name) for name in own},
    )
