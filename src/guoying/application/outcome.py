"""What a write returns, in a module of its own: a reader that imports it imports no
command handler."""

from __future__ import annotations

from attrs import frozen

from guoying.domain.events import AnyEvent


@frozen
class Outcome:
    """What an applied command (or unit) wrote: the events and their store positions."""

    events: tuple[AnyEvent, ...]
    positions: tuple[int, ...]

    @property
    def event_ids(self) -> list[str]:
        return [f"{e.originator_id}@{e.originator_version}" for e in self.events]
