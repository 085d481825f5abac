"""An in-process EventStore for pure tests of the handler: no database, no serialisation.

It keeps each aggregate's events in a list keyed by originator id, rebuilds an aggregate by
calling `event.mutate(aggregate)` on each event in turn (so every `get` returns a private
copy), and refuses a write in which any event's version is already taken, as the SQL store
does with its unique key.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from guoying.application.ports import (
    ConcurrencyConflict,
    EventStore,
    PersonalData,
    ProcessStep,
    Refusal,
    StepTaken,
)
from guoying.domain.events import A, AnyEvent, Key


class FakeEventStore(EventStore):
    def __init__(self) -> None:
        self.streams: dict[str, list[AnyEvent]] = {}
        self.positions: list[AnyEvent] = []
        self.people: dict[str, PersonalData] = {}
        self.refusals: list[Refusal] = []
        self.tracked: dict[str, int] = {}
        self.saves = 0
        # How many times a writer held the store's head, and whether one holds it now.
        self.held = 0
        self.holding = False
        # Runs once, just before the next write checks its versions: another writer's turn.
        self.before_next_save: Callable[[], object] | None = None

    # The EventStore port

    def get(self, key: Key[A]) -> A | None:
        aggregate: A | None = None
        for event in self.streams.get(key.id, []):
            aggregate = event.mutate(aggregate)
        if aggregate is not None and not isinstance(aggregate, key.kind):
            raise TypeError(f"{key.id} holds a {type(aggregate).__name__}, not {key.kind}")
        return aggregate

    def reader(self) -> FakeEventStore:
        return self  # every read is as of now

    @contextmanager
    def holding_head(self) -> Iterator[None]:
        # What a rollback restores: nothing written inside is kept when the block raises.
        kept = copy.deepcopy((self.streams, self.positions, self.people, self.refusals))
        tracked = dict(self.tracked)
        self.held += 1
        self.holding = True
        try:
            yield
        except BaseException:
            self.streams, self.positions, self.people, self.refusals = kept
            self.tracked = tracked
            raise
        finally:
            self.holding = False

    def event(self, aggregate_id: str, version: int) -> AnyEvent | None:
        return next(
            (e for e in self.streams.get(aggregate_id, []) if e.originator_version == version),
            None,
        )

    def events(self, aggregate_id: str) -> list[AnyEvent]:
        return list(self.streams.get(aggregate_id, []))

    def stream_ids(self, prefix: str, *, limit: int | None = None) -> list[str]:
        found = sorted(i for i in self.streams if i.startswith(prefix))
        return found if limit is None else found[:limit]

    def save(
        self,
        events: Sequence[AnyEvent],
        personal_data: Sequence[PersonalData] = (),
        step: ProcessStep | None = None,
    ) -> list[int]:
        self.saves += 1
        interloper, self.before_next_save = self.before_next_save, None
        if interloper is not None:
            interloper()
        if step is not None:
            self._require_at(step)
        taken = {
            (originator_id, event.originator_version)
            for originator_id, stream in self.streams.items()
            for event in stream
        }
        for event in events:
            key = (event.originator_id, event.originator_version)
            if key in taken:
                raise ConcurrencyConflict(f"{key[0]} version {key[1]} is already taken")
            taken.add(key)
        positions = []
        for event in events:
            self.streams.setdefault(event.originator_id, []).append(event)
            self.positions.append(event)
            positions.append(len(self.positions))
        for person in personal_data:
            self.people[person.person_id] = person
        if step is not None:
            self.tracked[step.name] = step.to
        return positions

    def process_position(self, name: str) -> int:
        return self.tracked.get(name, 0)

    def advance_process(self, step: ProcessStep) -> None:
        self._require_at(step)
        self.tracked[step.name] = step.to

    def events_after(
        self,
        position: int,
        kinds: Sequence[type[AnyEvent]],
        limit: int,
        *,
        stop: int | None = None,
    ) -> list[tuple[int, AnyEvent]]:
        end = len(self.positions) if stop is None else stop
        found = [
            (at, event)
            for at, event in enumerate(self.positions[position:end], start=position + 1)
            if isinstance(event, tuple(kinds))
        ]
        return found[:limit]

    def last_position(self) -> int:
        return len(self.positions)

    def _require_at(self, step: ProcessStep) -> None:
        if self.tracked.get(step.name, 0) != step.after:
            raise StepTaken(f"process {step.name!r} is not at {step.after}")

    def append_refusal(self, refusal: Refusal) -> int:
        self.refusals.append(refusal)
        return len(self.refusals)

    # For assertions

    def stream(self, key: Key[A] | str) -> list[AnyEvent]:
        return self.events(key if isinstance(key, str) else key.id)

    @property
    def event_count(self) -> int:
        return len(self.positions)


class AlwaysConflictingStore(FakeEventStore):
    """Every write loses a race unless its writer holds the store's head: another writer
    always took the version first."""

    def save(
        self,
        events: Sequence[AnyEvent],
        personal_data: Sequence[PersonalData] = (),
        step: ProcessStep | None = None,
    ) -> list[int]:
        if self.holding:
            return super().save(events, personal_data, step)
        self.saves += 1
        raise ConcurrencyConflict("another writer won")
