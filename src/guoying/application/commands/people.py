"""Commands about people: their names and telephone numbers are personal data, stored
apart from the events and erasable (rules.md 9a)."""

from __future__ import annotations

from attrs import field, frozen

from guoying.application.commands.base import Command
from guoying.domain.values import non_blank

__all__ = ["ErasePerson", "RegisterPerson"]


@frozen(kw_only=True)
class RegisterPerson(Command):
    """Names and telephone numbers are personal data, stored apart from the events."""

    person_id: str = field(validator=non_blank)
    name: str = field(validator=non_blank)
    phone: str = ""


@frozen(kw_only=True)
class ErasePerson(Command):
    """Erase one person's name and telephone number; only the city Organization
    Department, as the keeper of the personal data, erases."""

    person_id: str
