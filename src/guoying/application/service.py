"""The flow of one command: authority, load, decide, judge the counts, save atomically.

Which command does what is the registry's business (`guoying.application.handlers`); here
is only the flow. Nothing is written before every check has passed; a refusal by a rule or
by authority is appended to the refusal log and changes nothing else. A unit of several
commands (an import) is decided in order but its counts are judged on its end state, all
or nothing.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence

from guoying.application import catalogue  # noqa: F401 - every handler registered
from guoying.application.clock import Clock, china_now, today_in_china
from guoying.application.commands import Command
from guoying.application.errors import (
    Conflict,
    GuoyingError,
    NotAuthorized,
    Refused,
    StoreUnavailable,
)
from guoying.application.outcome import Outcome
from guoying.application.ports import (
    ConcurrencyConflict,
    EventStore,
    ProcessStep,
    Refusal,
    StepTaken,
    WriteLost,
)
from guoying.application.registry import REGISTRY
from guoying.application.unit import Context, CountBroken, UnitOfWork
from guoying.domain.branch import branch_key
from guoying.domain.events import Key
from guoying.domain.exceptions import JurisdictionViolation, RuleViolation
from guoying.domain.legacy import LAYOUT, LAYOUT_ID, LEGACY_LEDGER_PREFIX, StoreLayout
from guoying.domain.nomination import nomination_key
from guoying.domain.organization import TREE_KEY, OrgTree
from guoying.domain.policy import DEFAULT_POLICY_BOOK, PolicyBook
from guoying.domain.policy_registry import REGISTRY_KEY
from guoying.domain.values import Authority, Decision

Pause = Callable[[int], None]

# Optimistic decisions of a unit before it is decided holding the store's head; and how
# many times in a row a write may lose its connection before the store is called unavailable.
RACES = 3
RECONNECTS = 3
LAYOUT_KEY: Key[StoreLayout] = Key(LAYOUT_ID, StoreLayout)


def jittered_pause(attempt: int) -> None:
    """Wait a random while, up to twice as long after each lost race (at most 50 ms):
    writers that retried at once would only collide again on the same aggregate."""
    time.sleep(random.uniform(0, min(0.05, 0.002 * 2**attempt)))  # noqa: S311 - not secret


class Handler:
    """Decides commands against a store: optimistically, and after `races` lost races
    holding the store's head, where a decision cannot lose (docs/adr/012-no-command-gives-up.md)."""

    def __init__(
        self,
        store: EventStore,
        *,
        policies: PolicyBook = DEFAULT_POLICY_BOOK,
        clock: Clock = china_now,
        races: int = RACES,
        pause: Pause = jittered_pause,
    ) -> None:
        self.store = store
        self.policies = policies
        self.clock = clock
        self.races = races
        self.pause = pause
        self.layout_checked = False

    def execute(self, command: Command) -> Outcome:
        return self.execute_unit([command])

    def execute_unit(self, commands: Sequence[Command], step: ProcessStep | None = None) -> Outcome:
        """Apply commands as one unit: all saved in one atomic write, or none; with a
        process's `step` when a process decided them (StepTaken when another runner of it
        got there first). A unit ends applied or refused by a rule or by authority: one
        that lost `races` races in a row (another writer saved first an aggregate it
        writes) is decided once more holding the store's head, where nothing changes
        under it."""
        self._require_current_layout()
        for attempt in range(self.races):
            if attempt:
                self.pause(attempt)
            try:
                return self._attempt(commands, step)
            except StepTaken:
                raise
            except (ConcurrencyConflict, WriteLost):
                self._require_step(step)
        lost = 0
        while True:
            try:
                return self._attempt_holding_head(commands, step)
            except WriteLost as error:
                # Nothing of it was written: decided again, unless the store stays away.
                lost += 1
                if lost > RECONNECTS:
                    raise StoreUnavailable(
                        f"the connection to the store was lost {lost} times in a row while "
                        f"writing; nothing was written ({error})"
                    ) from error
                self._require_step(step)

    def _attempt_holding_head(
        self, commands: Sequence[Command], step: ProcessStep | None
    ) -> Outcome:
        failed: GuoyingError | None = None
        try:
            with self.store.holding_head():
                try:
                    return self._attempt(commands, step)
                except GuoyingError as error:
                    # Committed all the same: a refusal's entry in the log is part of it.
                    failed = error
        except StepTaken:
            raise
        except ConcurrencyConflict as conflict:
            # Only a write that bypassed the head could cause this: the store is not as
            # guoying keeps it.
            raise Conflict(
                f"a write conflicted while the store's head was held: {conflict}"
            ) from conflict
        assert failed is not None
        raise failed

    def _attempt(self, commands: Sequence[Command], step: ProcessStep | None) -> Outcome:
        """Decide the unit on the store as it is now and save it; ConcurrencyConflict when
        another writer saved first."""
        uow = UnitOfWork(self.store.reader())
        current: Command | None = None
        try:
            self._require_step(step)
            for current in commands:
                self._decide(uow, current)
            uow.finish()
            positions = self.store.save(uow.events, uow.personal_data, step)
        except CountBroken as broken:
            # Judged on the unit's end state: refused as the command whose decision
            # changed the count, not the unit's last one (an approval, say).
            self._require_step(step)
            cause = broken.cause if isinstance(broken.cause, Command) else commands[-1]
            raise self._refuse(uow, cause, broken.violation) from broken.violation
        except RuleViolation as violation:
            # A process that lost its race decided on what the winner changed: it
            # stands down rather than log a refusal of what was already done.
            self._require_step(step)
            raise self._refuse(uow, current or commands[-1], violation) from violation
        return Outcome(tuple(uow.events), tuple(positions))

    def trial_unit(
        self, commands: Sequence[Command], *, log_refusal: bool = False
    ) -> tuple[int, GuoyingError] | None:
        """Decide commands as one unit, judged on its end state, and save nothing: None when
        `execute_unit` would write them, else the index of the command refused and why. A
        refusal by a rule goes to the refusal log only with `log_refusal` (an import that was
        meant to write, not a dry run)."""
        self._require_current_layout()
        uow = UnitOfWork(self.store.reader())
        index = 0
        try:
            # The index outlives the loop: it names the command a rule refused.
            for index in range(len(commands)):
                self._decide(uow, commands[index])
            uow.finish()
        except CountBroken as broken:
            at = next((i for i, c in enumerate(commands) if c is broken.cause), index)
            refused = self._refused(uow, commands[at], broken.violation, log_refusal)
            # A count judged on the unit's end state: no one command alone broke it.
            refused.details["judged_on"] = "end_state"
            return at, refused
        except RuleViolation as violation:
            return index, self._refused(uow, commands[index], violation, log_refusal)
        except GuoyingError as error:
            return index, error
        return None

    def _refused(
        self, uow: UnitOfWork, command: Command, violation: RuleViolation, log: bool
    ) -> Refused:
        if log:
            return self._refuse(uow, command, violation)
        error = NotAuthorized if isinstance(violation, JurisdictionViolation) else Refused
        return error(violation.rule_id, violation.message, violation.details)

    def _require_step(self, step: ProcessStep | None) -> None:
        if step is not None and self.store.process_position(step.name) != step.after:
            raise StepTaken(f"process {step.name!r} has moved past position {step.after}")

    def book(self, uow: UnitOfWork) -> PolicyBook:
        """The default versions and those published in the store."""
        registry = uow.get(REGISTRY_KEY)
        return registry.book(self.policies) if registry else self.policies

    def _decide(self, uow: UnitOfWork, command: Command) -> None:
        registration = REGISTRY[type(command)]
        effective_on = command.effective_on or today_in_china(self.clock)
        book = self.book(uow)
        policy = book.in_effect(effective_on)
        decision = Decision(
            command.actor,
            command.reason,
            effective_on,
            Authority(registration.rules, policy.version),
        )
        uow.deciding = command
        context = Context(
            uow=uow,
            store=self.store,
            tree=uow.get(TREE_KEY),
            decision=decision,
            policy=policy,
            defaults=self.policies,
            book=book,
            command=command,
        )
        registration.decide(context, command)

    def _refuse(self, uow: UnitOfWork, command: Command, violation: RuleViolation) -> Refused:
        subject = _subject_committee(uow, command, uow.get(TREE_KEY))
        self.store.append_refusal(Refusal(command, violation.rule_id, violation.message, subject))
        error = NotAuthorized if isinstance(violation, JurisdictionViolation) else Refused
        return error(violation.rule_id, violation.message, violation.details)

    def _require_current_layout(self) -> None:
        """A store written by guoying 0.1 keeps one stream per committee for four concerns;
        this release writes them apart, after `guoying migrate` has carried them over."""
        if self.layout_checked:
            return
        layout = self.store.get(LAYOUT_KEY)
        if (layout is None or layout.layout < LAYOUT) and self.store.stream_ids(
            LEGACY_LEDGER_PREFIX, limit=1
        ):
            raise StoreUnavailable(
                "this store was written by guoying 0.1: run `guoying migrate` once before "
                "deciding anything in it (reading, verify and replay work as they are)"
            )
        self.layout_checked = True


def _subject_committee(uow: UnitOfWork, command: Command, tree: OrgTree | None) -> str | None:
    """The committee a refused command was about, for filtering the refusal log: for a
    branch, its base committee on the command's date (a branch moved since was another
    committee's then)."""
    for name in ("base_committee_id", "parent_id", "committee_id"):
        value = getattr(command, name, None)
        if isinstance(value, str):
            return value
    branch_id = getattr(command, "branch_id", None)
    if isinstance(branch_id, str):
        branch = uow.get(branch_key(branch_id))
        if branch is not None:
            on = command.effective_on
            return branch.base_on(on) if on is not None else branch.base_committee_id
    nomination_id = getattr(command, "nomination_id", None)
    if isinstance(nomination_id, str):
        nomination = uow.get(nomination_key(nomination_id))
        if nomination is not None:
            return nomination.base_committee_id
    acting = tree.get(command.actor.committee_id) if tree else None
    return acting.committee_id if acting else None
