"""The stored event format shared by every aggregate, and the typed key of a stream.

Every event carries, besides its originator id and version, what an auditor needs: who
decided (`actor`), on whose authority (`authority`: rule ids and policy version), why
(`reason`) and from which business date (`effective_on`). The recorded time is not here:
the store assigns it when it commits (rules.md 9a).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Generic, Protocol, TypedDict, TypeVar

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


class Stamp(TypedDict):
    originator_id: str
    originator_version: int
    actor: Actor
    authority: Authority
    reason: str
    effective_on: date


def stamp(decision: Decision, originator_id: str, version: int) -> Stamp:
    """The metadata fields of an event decided under `decision`."""
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
