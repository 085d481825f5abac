"""What the use cases need from the outside world, as protocols the adapters satisfy."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

from attrs import frozen

from guoying.domain.events import A, AnyEvent, Key

if TYPE_CHECKING:
    # Only named in annotations: importing the commands package imports every command, which
    # a reader of the store does not need.
    from guoying.application.commands.base import Command


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


@frozen
class ProcessStep:
    """A process moving its tracked position from `after` to `to`, written in the same
    transaction as what it decided there, so that it reacts to each event exactly once."""

    name: str
    after: int
    to: int


class ConcurrencyConflict(Exception):
    """Another writer saved a version of an aggregate this write also saves."""


class WriteLost(Exception):
    """The store's connection was lost before the write was committed: nothing of it was
    written, so it may be decided again."""


class StepTaken(ConcurrencyConflict):
    """Another runner of the same process moved its position first."""


class AggregateReader(Protocol):
    def get(self, key: Key[A]) -> A | None:
        """The aggregate rebuilt from its events, a private copy, or None."""


class EventStore(AggregateReader, Protocol):
    def reader(self) -> AggregateReader:
        """Reads for one decision: aggregates as of one look at the store, which a store
        may take with fewer queries than reading each as of now. A write decided on what
        they show still fails with ConcurrencyConflict if another writer got there first.
        """

    def holding_head(self) -> AbstractContextManager[None]:
        """Hold the store's head while the block runs: no other writer writes anything
        until it ends, so a decision read and saved inside cannot lose a race. What is
        written inside is committed when the block ends, and none of it if it raises."""

    def event(self, aggregate_id: str, version: int) -> AnyEvent | None:
        """One stored event of an aggregate, or None."""

    def events(self, aggregate_id: str) -> list[AnyEvent]:
        """Every stored event of an aggregate, in version order."""

    def stream_ids(self, prefix: str, *, limit: int | None = None) -> list[str]:
        """The ids of the stored aggregates whose id starts with `prefix`."""

    def save(
        self,
        events: Sequence[AnyEvent],
        personal_data: Sequence[PersonalData] = (),
        step: ProcessStep | None = None,
    ) -> list[int]:
        """Append the events (and personal data) in one atomic write, with a process's
        `step` when a process decided them; their positions.

        Raises ConcurrencyConflict when any event's version was already taken, StepTaken
        when the process is no longer at `step.after`.
        """

    def process_position(self, name: str) -> int:
        """Where a process has got to in the store's order (0 before its first step)."""

    def advance_process(self, step: ProcessStep) -> None:
        """Move a process past events that called for nothing; StepTaken as for `save`."""

    def events_after(
        self,
        position: int,
        kinds: Sequence[type[AnyEvent]],
        limit: int,
        *,
        stop: int | None = None,
    ) -> list[tuple[int, AnyEvent]]:
        """The stored events of `kinds` after `position` (up to `stop`), with their
        positions, in order."""

    def last_position(self) -> int:
        """The position of the last stored event (0 when there is none)."""

    def append_refusal(self, refusal: Refusal) -> int:
        """Append to the refusal log; its position."""
