"""Processes: decisions the library takes by itself when certain events are stored.

A process reads the stored events of the kinds it reacts to, in the store's order, from its
tracked position; for each it decides commands, which go through the same flow as anyone's
(authority, rules, one atomic write), acting as a named system actor on behalf of the
committee whose decision it carries out (rules.md 9a). The move of its position is written
in the same transaction as those commands' events, so a crash before the commit leaves both
undone and a crash after it leaves both done: each event is reacted to exactly once, even
when two runners race (the second finds the position moved and stands down).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from attrs import define

from guoying.application.commands import Command
from guoying.application.errors import AlreadyExists, NotFound, Refused
from guoying.application.outcome import Outcome
from guoying.application.ports import EventStore, ProcessStep, StepTaken
from guoying.application.service import Handler
from guoying.domain.events import AnyEvent

BATCH = 200
# Events that call for nothing are passed over in memory; the position is stored past them
# once this many have gone by, so a new runner need not read them again.
ADVANCE_EVERY = 1_000


class Process(Protocol):
    name: str
    reacts_to: tuple[type[AnyEvent], ...]

    def commands(self, store: EventStore, event: AnyEvent) -> Sequence[Command]:
        """What the process decides on one stored event, as of now (none is an answer)."""


@define
class Reactions:
    """What one run of the processes did."""

    events: int = 0
    commands: int = 0
    refused: int = 0


class ProcessRunner:
    """Runs each process from its tracked position to the end of the store."""

    def __init__(self, handler: Handler, processes: Sequence[Process]) -> None:
        self.handler = handler
        self.processes = tuple(processes)
        # How far this runner has read, past the stored position: nothing before it calls
        # for anything still undone; and the stored position as it last saw it.
        self._read: dict[str, int] = {}
        self._stored: dict[str, int] = {}

    def run(self, written: Outcome | None = None) -> Reactions:
        """React to everything stored since this runner last looked. `written`, the
        outcome of this runner's own last write, lets it pass over that write without
        reading the store when nothing else was stored in between and nothing in it is
        followed: one writer's commands then cost the processes no query at all."""
        done = Reactions()
        for process in self.processes:
            if written is not None and self._passed_over(process, written):
                continue
            while not self._run_once(process, done):
                self._read.pop(process.name, None)  # another runner moved: start again
        return done

    def _passed_over(self, process: Process, written: Outcome) -> bool:
        read = self._read.get(process.name)
        if (
            read is None
            or not written.positions
            or written.positions[0] != read + 1
            or any(isinstance(event, process.reacts_to) for event in written.events)
            or written.positions[-1] - self._stored.get(process.name, 0) >= ADVANCE_EVERY
        ):
            return False
        self._read[process.name] = written.positions[-1]
        return True

    def _run_once(self, process: Process, done: Reactions) -> bool:
        store = self.handler.store
        stored = store.process_position(process.name)
        position = max(stored, self._read.get(process.name, 0))
        last = store.last_position()
        while position < last:
            found = store.events_after(position, process.reacts_to, BATCH, stop=last)
            if not found:
                break
            for at, event in found:
                step = ProcessStep(process.name, stored, at)
                try:
                    self._react(process, event, step, done)
                except StepTaken:
                    return False
                stored = position = at
        if last - stored >= ADVANCE_EVERY:
            try:
                store.advance_process(ProcessStep(process.name, stored, last))
            except StepTaken:
                return False
        self._read[process.name] = last
        self._stored[process.name] = last if last - stored >= ADVANCE_EVERY else stored
        return True

    def _react(self, process: Process, event: AnyEvent, step: ProcessStep, done: Reactions) -> None:
        store = self.handler.store
        commands = process.commands(store, event)
        done.events += 1
        if not commands:
            store.advance_process(step)
            return
        try:
            self.handler.execute_unit(commands, step=step)
        except (Refused, NotFound, AlreadyExists):
            # Refused by a rule or authority (the refusal log has it), or about something
            # gone: the process moves on, or it would stop at this event for good. A
            # conflict or an unavailable store is raised instead, to be taken up again.
            done.refused += 1
            store.advance_process(step)
            return
        done.commands += len(commands)
