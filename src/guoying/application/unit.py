"""The unit of work one write decides on, and the context a handler decides in.

The unit holds a private copy of every aggregate it read and the events it adds. Work that
belongs to the unit as a whole (the placements to recount) gathers in its concerns and is
done when the unit ends; then every aggregate that owns a count (`CountOwner`) and was
changed is judged on the unit's end state, before anything is saved.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from attrs import define

from guoying.application.ports import AggregateReader, EventStore, PersonalData
from guoying.domain.counts import CountOwner
from guoying.domain.events import A, AnyEvent, DomainEvent, Key
from guoying.domain.exceptions import RuleViolation
from guoying.domain.organization import OrgTree
from guoying.domain.policy import Policy, PolicyBook
from guoying.domain.values import Decision


class CountBroken(Exception):
    """A count judged when the unit ends broke its rule, because of `cause` (a command)."""

    def __init__(self, violation: RuleViolation, cause: object) -> None:
        super().__init__(str(violation))
        self.violation = violation
        self.cause = cause


class Concern(Protocol):
    """Work a unit gathers from its commands and does once, when it ends."""

    def finish(self, uow: UnitOfWork) -> None: ...


K = TypeVar("K", bound=Concern)


class UnitOfWork:
    def __init__(self, store: AggregateReader) -> None:
        self._store = store
        self._loaded: dict[str, object] = {}
        self._before: dict[str, object] = {}
        self._judged: dict[str, tuple[CountOwner, Policy, object]] = {}
        # The command being decided: what a count it changes is refused for.
        self.deciding: object = None
        self._concerns: dict[type[Concern], Concern] = {}
        self.events: list[AnyEvent] = []
        self.personal_data: list[PersonalData] = []

    def get(self, key: Key[A]) -> A | None:
        """The aggregate as this unit has changed it so far."""
        if key.id not in self._loaded:
            found = self._store.get(key)
            if isinstance(found, CountOwner):
                found.start_unit()
            self._loaded[key.id] = found
        loaded = self._loaded[key.id]
        assert loaded is None or isinstance(loaded, key.kind), (key.id, type(loaded))
        return loaded

    def before(self, key: Key[A]) -> A | None:
        """The aggregate as it stood before this unit (a copy of its own)."""
        if key.id not in self._before:
            self._before[key.id] = self._store.get(key)
        earlier = self._before[key.id]
        assert earlier is None or isinstance(earlier, key.kind), (key.id, type(earlier))
        return earlier

    def record(self, event: DomainEvent[A], policy: Policy, cause: object = None) -> A:
        """Apply an event to this unit's copy of its aggregate; judged by `policy` when the
        aggregate owns a count, and refused as `cause` (the command deciding by default)."""
        current = self._loaded.get(event.originator_id)
        changed = event.mutate(current)  # type: ignore[arg-type]
        self._loaded[event.originator_id] = changed
        self.events.append(event)
        if isinstance(changed, CountOwner):
            self._judged[event.originator_id] = (changed, policy, cause or self.deciding)
        return changed

    def concern(self, kind: type[K]) -> K:
        """This unit's one instance of a concern, made on first use."""
        found = self._concerns.get(kind)
        if found is None:
            found = self._concerns[kind] = kind()
        assert isinstance(found, kind)
        return found

    def finish(self) -> None:
        """Do the gathered work, then judge every changed count on the end state."""
        for concern in list(self._concerns.values()):
            concern.finish(self)
        for owner, policy, cause in self._judged.values():
            try:
                owner.judge(policy)
            except RuleViolation as violation:
                raise CountBroken(violation, cause) from violation


@define
class Context:
    """What a handler decides a command with."""

    uow: UnitOfWork
    store: EventStore
    tree: OrgTree | None
    decision: Decision
    policy: Policy
    defaults: PolicyBook
    book: PolicyBook
    command: object = None

    def record(self, event: DomainEvent[A]) -> A:
        return self.uow.record(event, self.policy, self.command)
