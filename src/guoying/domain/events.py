"""The stored event format shared by every aggregate, and the typed key of a stream.

Every event carries, besides its originator id and version, what an auditor needs: who
decided (`actor`), on whose authority (`authority`: rule ids and policy version), why
(`reason`) and from which business date (`effective_on`). The recorded time is not here:
the store assigns it when it commits (rules.md 9a).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from typing import Any, Generic, Protocol, TypeVar

from attrs import frozen

from guoying.domain.values import Actor, Authority, Decision


class Aggregate(Protocol):
    """What the store and the unit of work need of any aggregate."""

    id: str
    version: int


A = TypeVar("A", bound=Aggregate)
T = TypeVar("T")


@frozen(kw_only=True)
class DomainEvent(Generic[T]):
    originator_id: str
    originator_version: int
    actor: Actor
    authority: Authority
    reason: str
    effective_on: date

    def mutate(self, aggregate: T | None) -> T:
        """The aggregate with this event applied (a new one for a stream's first event)."""
        raise NotImplementedError(type(self).__name__)


# Any event, of whichever aggregate: what the store, the projections and the audit walk.
AnyEvent = DomainEvent[Any]


@frozen
class Key(Generic[A]):
    """An aggregate's stream id together with the type its events build, so that a read
    is typed end to end without a cast."""

    id: str
    kind: type[A]

    def __str__(self) -> str:
        return self.id


@frozen
class Streams(Generic[A]):
    """The streams of one aggregate type, one for each subject: `prefix:<subject id>`."""

    prefix: str
    kind: type[A]

    def id(self, subject_id: str) -> str:
        return f"{self.prefix}:{subject_id}"

    def key(self, subject_id: str) -> Key[A]:
        return Key(self.id(subject_id), self.kind)

    def id_and_key(self) -> tuple[Callable[[str], str], Callable[[str], Key[A]]]:
        """The module functions of an aggregate whose ids are also used bare."""
        return self.id, self.key


def stamp(decision: Decision, originator_id: str, version: int) -> dict[str, Any]:
    """The metadata fields of an event decided under `decision`: `DomainEvent`'s own fields,
    by name, for an event's constructor (`Event(**stamp(...), ...)`)."""
    return {
        "originator_id": originator_id,
        "originator_version": version,
        "actor": decision.actor,
        "authority": decision.authority,
        "reason": decision.reason,
        "effective_on": decision.effective_on,
    }


def next_version(aggregate: Aggregate | None) -> int:
    return (aggregate.version if aggregate is not None else 0) + 1


def continued(aggregate: A | None, event: AnyEvent, start: Callable[..., A], **fields: Any) -> A:
    """The aggregate `event` continues, at the event's version: a new one (`start` given the
    event's stream id and `fields`) for a stream's first event."""
    found = aggregate or start(id=event.originator_id, version=0, **fields)
    found.version = event.originator_version
    return found


def event_types() -> dict[str, type[AnyEvent]]:
    """The event types of the aggregate modules imported so far, by the name each is stored
    under (`guoying.domain.catalogue` imports them all); two of one name fail."""
    found: dict[str, type[AnyEvent]] = {}
    pending: list[type[AnyEvent]] = list(DomainEvent.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        # attrs makes each slotted class anew; the class its module names is the real one.
        if cls.__module__.startswith("guoying.domain.") and cls is getattr(
            sys.modules[cls.__module__], cls.__name__, None
        ):
            other = found.setdefault(cls.__name__, cls)
            if other is not cls:
                raise TypeError(f"two event types are named {cls.__name__}: {other} and {cls}")
    return dict(sorted(found.items()))
