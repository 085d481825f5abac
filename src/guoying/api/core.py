"""The store, its command handler and its projections: what every group of reads uses."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Self

import sqlalchemy as sa
from attrs import evolve

from guoying.adapters import schema
from guoying.adapters.store import SqlStore, StoreClock, wall_clock_us
from guoying.adapters.verification import Checkpoint, Verdict, take_checkpoint
from guoying.adapters.verification import verify as verify_chain
from guoying.api.urls import store_url
from guoying.application.clock import Clock, china_now, today_in_china
from guoying.application.errors import GuoyingError, NotFound, OutOfRange
from guoying.application.outcome import Outcome
from guoying.domain.organization import TREE_KEY
from guoying.domain.policy import DEFAULT_POLICY_BOOK, Policy, PolicyBook
from guoying.domain.policy_registry import REGISTRY_KEY
from guoying.domain.values import year_end
from guoying.projections import parallel, runner
from guoying.projections.audit import AuditEntry, AuditFilter, read_audit
from guoying.projections.catalogue import PROJECTIONS
from guoying.projections.ledger.tree import load_committees
from guoying.projections.reading import EPOCH, Reading, store_position_at
from guoying.projections.refusals import RefusalEntry, read_refusals
from guoying.projections.replay import Difference, replay_check

if TYPE_CHECKING:
    from guoying.application.commands import Command
    from guoying.application.processes import ProcessRunner, Reactions
    from guoying.application.service import Handler


class Core:
    """One store, its command handler and its projections."""

    def __init__(
        self,
        url: str | None = None,
        *,
        policies: PolicyBook = DEFAULT_POLICY_BOOK,
        clock: Clock = china_now,
        store_clock: StoreClock = wall_clock_us,
        create: bool = True,
    ) -> None:
        """Open a store by URL; with `create=False` it must exist and nothing is written
        on opening (what every read-only command uses). A `memory://` store lives only in
        this object, so it always exists: new and empty."""
        self.store = SqlStore(store_url(url), clock=store_clock, create=create)
        self.policies = policies
        self.clock = clock
        self.projections = PROJECTIONS

    # The command handler and the processes are built on the first write: a read imports
    # no handler, no command and no process.

    @cached_property
    def handler(self) -> Handler:
        from guoying.application.service import Handler

        return Handler(self.store, policies=self.policies, clock=self.clock)

    @cached_property
    def processes(self) -> ProcessRunner:
        from guoying.application.pairs_on_revocation import PairsEndedOnRevocation
        from guoying.application.processes import ProcessRunner

        return ProcessRunner(self.handler, [PairsEndedOnRevocation(self.policies)])

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    # Writing

    def execute(self, command: Command) -> Outcome:
        """Decide and save one command; raises a GuoyingError subclass when it cannot.
        The processes then react to what was stored (a revoked title ends its pairs)."""
        outcome = self.handler.execute(command)
        self.react(outcome)
        return outcome

    def execute_unit(self, commands: Sequence[Command]) -> Outcome:
        """Decide several commands as one unit, judged on its end state: all or nothing."""
        outcome = self.handler.execute_unit(commands)
        self.react(outcome)
        return outcome

    def trial(
        self, commands: Sequence[Command], *, log_refusal: bool = False
    ) -> tuple[int, GuoyingError] | None:
        """What `execute_unit` would decide, writing nothing: None when the unit would be
        written, else the index of the refused command and the error. With `log_refusal` a
        refusal by a rule is appended to the refusal log (and nothing else is written)."""
        return self.handler.trial_unit(commands, log_refusal=log_refusal)

    def react(self, written: Outcome | None = None) -> Reactions | None:
        """Run the processes up to the end of the store: each reacts exactly once to each
        event it follows, whoever stored it. None when it could not finish (other writers
        kept winning, the store became unavailable): the command that was written stands,
        and the next write (or call) takes the reactions up from where the store says the
        processes got to."""
        try:
            return self.processes.run(written)
        except GuoyingError:
            return None

    def migrate(self) -> Outcome | None:
        """Carry a store written by guoying 0.1 over to one stream per concern (nothing
        stored is changed); None when it already follows this release's layout."""
        from guoying.application.migration import migrate

        return migrate(self.handler)

    # Projections

    def catch_up(self, progress: runner.Progress | None = None) -> int:
        return runner.catch_up(self.store, self.projections, progress)

    def rebuild_views(
        self, progress: runner.Progress | None = None, *, workers: int | None = None
    ) -> int:
        """Rebuild every view from the events; readers see the old views until it commits.
        On SQLite and PostgreSQL the projections are split among `workers` processes (by
        default one per core once the store holds `parallel.parallel_from()` events; 1
        rebuilds in this process alone); see `guoying.projections.parallel`."""
        return parallel.rebuild(self.store, self.projections, progress, workers=workers)

    def replay_check(self, progress: runner.Progress | None = None) -> list[Difference]:
        """Replay every event into fresh tables elsewhere and list every difference from
        the views kept incrementally (none is the healthy answer). Writes nothing."""
        return replay_check(self.store, self.projections, progress)

    # Tamper evidence

    def checkpoint(self) -> Checkpoint:
        """The chain's head (store id, count, root hash, time) for an auditor to keep
        outside the database."""
        return take_checkpoint(self.store)

    def verify(
        self, checkpoint: Checkpoint | None = None, progress: runner.Progress | None = None
    ) -> Verdict:
        """Walk the whole chain and recompute every digest and link; against a kept
        `checkpoint` also catch a rewritten chain or a cut end. Raises CheckpointMismatch for
        another store's checkpoint. Writes nothing."""
        return verify_chain(self.store, checkpoint, progress)

    # Reading

    def policy_book(self) -> PolicyBook:
        """The default policy versions and those published in the store."""
        registry = self.store.get(REGISTRY_KEY)
        return registry.book(self.policies) if registry is not None else self.policies

    def policy(self, on: date | None = None) -> Policy:
        """The policy version in effect on a date (today by default)."""
        return self.policy_book().in_effect(on or self.today())

    def policy_for_year(self, year: int) -> Policy:
        policy = self.policy_book().in_effect(year_end(year))
        if not policy.covers_year(year):
            raise OutOfRange(
                "year",
                f"{year} is outside policy {policy.version} "
                f"({policy.first_year}-{policy.last_year})",
            )
        return policy

    def recorded_till_now(self) -> datetime | None:
        """The recorded time of the last stored event (None in an empty store): reading as
        known at it sees what is stored now and nothing written after."""
        with self.store.engine.connect() as conn:
            last = conn.execute(sa.select(sa.func.max(schema.events.c.recorded_at))).scalar()
        return None if last is None else EPOCH + timedelta(microseconds=int(last))

    def reading(self, as_known_at: datetime | None = None, as_of: date | None = None) -> Reading:
        """What the store held at a recorded time, in effect on a business date."""
        if as_known_at is None:
            return Reading(None, as_of)
        if as_known_at.tzinfo is None:
            raise OutOfRange("as_known_at", "a recorded time must carry a UTC offset")
        with self.store.engine.connect() as conn:
            return Reading(store_position_at(conn, as_known_at), as_of)

    def refusals(self, committee_id: str | None = None) -> list[RefusalEntry]:
        self.catch_up()
        with self.store.engine.connect() as conn:
            if committee_id is not None and committee_id not in load_committees(conn):
                raise NotFound("committee_id", committee_id)
            return read_refusals(conn, committee_id)

    def audit(
        self, wanted: AuditFilter | None = None, *, committee_id: str | None = None
    ) -> Iterator[AuditEntry]:
        """The audit trail, streaming: every decision and refusal the filter accepts, in
        store order; `committee_id` selects that committee's subtree. Writes nothing."""
        wanted = wanted or AuditFilter()
        if committee_id is not None:
            tree = self.store.get(TREE_KEY)
            if tree is None or tree.get(committee_id) is None:
                raise NotFound("committee_id", committee_id)
            wanted = evolve(
                wanted, committees=frozenset(c.committee_id for c in tree.subtree(committee_id))
            )
        with self.store.engine.connect() as conn:
            yield from read_audit(conn, wanted)

    def today(self) -> date:
        return today_in_china(self.clock)
