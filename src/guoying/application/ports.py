"""What the use cases need from the outside world, as protocols the adapters satisfy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from attrs import frozen

from guoying.application.commands.base import Command
from guoying.domain.events import A, AnyEvent, Key


@frozen
class PersonalData:
    person_id: str
    name: str
    phone: str


@frozen
class Refusal:
    """One entry of the refusal log (rules.md 9a)."""

    command: Command
    rule_id: str
    message: str
    subject_committee_id: str | None


class ConcurrencyConflict(Exception):
    """Another writer saved a version of an aggregate this write also saves."""


class AggregateReader(Protocol):
    def get(self, key: Key[A]) -> A | None:
        """The aggregate rebuilt from its events, a private copy, or None."""


class EventStore(AggregateReader, Protocol):
    def reader(self) -> AggregateReader:
        """Reads for one decision: aggregates as of one look at the store, which a store
        may take with fewer queries than reading each as of now. A write decided on what
        they show still fails with ConcurrencyConflict if another writer got there first.
        """

    def event(self, aggregate_id: str, version: int) -> AnyEvent | None:
        """One stored event of an aggregate, or None."""

    def events(self, aggregate_id: str) -> list[AnyEvent]:
        """Every stored event of an aggregate, in version order."""

    def stream_ids(self, prefix: str, *, limit: int | None = None) -> list[str]:
        """The ids of the stored aggregates whose id starts with `prefix`."""

    def save(
        self, events: Sequence[AnyEvent], personal_data: Sequence[PersonalData] = ()
    ) -> list[int]:
        """Append the events (and personal data) in one atomic write; their positions.

        Raises ConcurrencyConflict when any event's version was already taken.
        """

    def append_refusal(self, refusal: Refusal) -> int:
        """Append to the refusal log; its position."""
