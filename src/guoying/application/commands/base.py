"""The base of every command: who decides, why, and from which business date.

Every command carries its actor and a reason; `effective_on` defaults to today in China
Standard Time when it is not given.
"""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from guoying.domain.values import Actor, non_blank

__all__ = ["Command"]


@frozen(kw_only=True)
class Command:
    actor: Actor
    reason: str = field(validator=non_blank)
    effective_on: date | None = None
