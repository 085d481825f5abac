"""People: referred to by id in every event; names and telephone numbers are personal data
kept outside the events so that one person's can be erased without rewriting any event
(rules.md 9a)."""

from __future__ import annotations

from attrs import define, frozen

from guoying.domain.events import DomainEvent, Streams, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.values import Decision


@define
class Person:
    id: str
    version: int
    person_id: str
    erased: bool = False


person_aggregate_id, person_key = Streams("person", Person).id_and_key()


@frozen(kw_only=True)
class PersonRegistered(DomainEvent[Person]):
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


@frozen(kw_only=True)
class PersonalDataErased(DomainEvent[Person]):
    """A person's name and telephone number were erased from the personal-data store; the
    events that name the person by id are untouched, so the chain still verifies."""

    person_id: str

    def mutate(self, person: Person | None) -> Person:
        assert person is not None
        person.erased = True
        person.version = self.originator_version
        return person


def erase_personal_data(person: Person, decision: Decision) -> PersonalDataErased:
    """Refusals name `people.erasure`, the project's id for rules.md 9a on personal data."""
    if person.erased:
        raise RuleViolation("people.erasure", f"person {person.person_id!r} is already erased")
    return PersonalDataErased(
        **stamp(decision, person.id, person.version + 1), person_id=person.person_id
    )
