"""People: referred to by id in every event; names and telephone numbers are personal data
kept outside the events so that one person's can be erased without rewriting any event
(rules.md 9a)."""

from __future__ import annotations

from attrs import define, frozen

from guoying.domain.events import DomainEvent, stamp
from guoying.domain.values import Decision


def person_aggregate_id(person_id: str) -> str:
    return f"person:{person_id}"


@define
class Person:
    id: str
    version: int
    person_id: str


@frozen(kw_only=True)
class PersonRegistered(DomainEvent):
    """A person is known by id; the name and telephone go to the personal-data store."""

    person_id: str

    def mutate(self, _: Person | None) -> Person:
        return Person(
            id=self.originator_id, version=self.originator_version, person_id=self.person_id
        )


def register_person(decision: Decision, *, person_id: str) -> PersonRegistered:
    return PersonRegistered(
        **stamp(decision, person_aggregate_id(person_id), 1), person_id=person_id
    )
