"""The Python API: open a store by URL, execute commands, read the views.

>>> from guoying import Guoying
>>> with Guoying("memory://") as app:
...     app.refusals()
[]
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from types import TracebackType
from typing import Any

from attrs import evolve
from sqlalchemy.exc import DatabaseError

from guoying.adapters.problems import store_problem
from guoying.adapters.serialization import CONVERTER, read_command
from guoying.adapters.store import DEFAULT_URL, SqlStore, StoreClock, wall_clock_us
from guoying.adapters.verification import Checkpoint, CheckpointMismatch, Verdict, take_checkpoint
from guoying.adapters.verification import verify as verify_chain
from guoying.application.commands import Command, ErasePerson
from guoying.application.errors import (
    GuoyingError,
    InvalidCommand,
    NotFound,
    OutOfRange,
    StoreUnavailable,
)
from guoying.application.migration import migrate
from guoying.application.service import Clock, Handler, Outcome, china_now, today_in_china
from guoying.domain.labels import (
    FORM_HEADERS,
    FORM_TITLE,
    LEDGER_HEADERS,
    LEDGER_TITLE,
    LEVEL_LABELS,
    NOT_GIVEN,
    SECTOR_LABELS,
    TIER_LABELS,
    TITLE_LABELS,
    cases_label,
)
from guoying.domain.organization import TREE_KEY
from guoying.domain.policy import DEFAULT_POLICY_BOOK, Policy, PolicyBook
from guoying.domain.policy_registry import REGISTRY_KEY
from guoying.domain.values import Actor, CommitteeLevel, Sector, Tier, TitleLevel, year_end
from guoying.projections import runner
from guoying.projections.audit import AuditEntry, AuditFilter, read_audit
from guoying.projections.catalogue import PROJECTIONS
from guoying.projections.history.queries import HistoryEntry, read_history
from guoying.projections.ledger.coverage import LiaisonCoverage, Uncovered, liaison_coverage
from guoying.projections.ledger.figures import TierFigures, figures
from guoying.projections.ledger.queries import Ledger, LedgerRow, read_ledger
from guoying.projections.ledger.search import BranchFound, find_branches, find_committees
from guoying.projections.ledger.tree import CommitteeRow, load_committees
from guoying.projections.reading import Reading, store_position_at
from guoying.projections.refusals import RefusalEntry, read_refusals
from guoying.projections.replay import Difference, replay_check
from guoying.projections.selection.form import FormAward, FormOpinion, NominationForm, read_form
from guoying.projections.selection.queries import (
    BoardEnding,
    BoardObjection,
    BoardRow,
    BoardStatus,
    BoardVeto,
    LateStep,
    SelectionBoard,
    committee_known,
    read_board,
)
from guoying.projections.selection.titles import (
    TitleEnd,
    TitleEnding,
    TitleEntry,
    TitleRegister,
    VetoFlag,
    read_titles,
)

# What callers of the API (the CLI among them) may use without reaching into the layers.
__all__ = [
    "FORM_HEADERS",
    "FORM_TITLE",
    "LEDGER_HEADERS",
    "LEDGER_TITLE",
    "LEVEL_LABELS",
    "NOT_GIVEN",
    "PROJECTIONS",
    "SECTOR_LABELS",
    "STORE_ENV",
    "TIER_LABELS",
    "TITLE_LABELS",
    "Actor",
    "AuditEntry",
    "AuditFilter",
    "BoardEnding",
    "BoardObjection",
    "BoardRow",
    "BoardStatus",
    "BoardVeto",
    "BranchFound",
    "Checkpoint",
    "CheckpointMismatch",
    "Command",
    "CommitteeLevel",
    "CommitteeRow",
    "Difference",
    "ErasePerson",
    "FormAward",
    "FormOpinion",
    "Guoying",
    "GuoyingError",
    "HistoryEntry",
    "InvalidCommand",
    "LateStep",
    "Ledger",
    "LedgerRow",
    "LiaisonCoverage",
    "NominationForm",
    "Outcome",
    "Policy",
    "PolicyBook",
    "Reading",
    "RefusalEntry",
    "Sector",
    "SelectionBoard",
    "StoreUnavailable",
    "Tier",
    "TierFigures",
    "TitleEnd",
    "TitleEnding",
    "TitleEntry",
    "TitleLevel",
    "TitleRegister",
    "Uncovered",
    "Verdict",
    "VetoFlag",
    "cases_label",
    "default_store_url",
    "opened",
    "parse_command",
    "to_data",
]

STORE_ENV = "GUOYING_STORE"


def default_store_url() -> str:
    return os.environ.get(STORE_ENV) or DEFAULT_URL


def parse_command(line: str) -> Command:
    """One command from one line of JSON; InvalidCommand lists every problem by its field
    path (`$.year: expected int`): malformed JSON, a line too long or nested too deep,
    duplicate keys, NaN, and every field's limits (docs/commands.md, Limits)."""
    return read_command(line)


def to_data(value: object) -> Any:
    """Any command or result of the API as plain data (dicts, lists, strings, numbers), the
    shape `--format json` prints."""
    return CONVERTER.unstructure(value)


@contextmanager
def opened(url: str | None = None, *, create: bool = True) -> Iterator[Guoying]:
    """A store opened for one piece of work and closed after it. A damaged database met on
    the way (a truncated file, a corrupt page) is raised as StoreUnavailable, so a caller
    handles one family of errors, GuoyingError; opening it reads it too."""
    try:
        guoying = Guoying(url, create=create)
    except DatabaseError as error:
        raise StoreUnavailable(store_problem(error)) from error
    try:
        yield guoying
    except DatabaseError as error:
        raise StoreUnavailable(store_problem(error)) from error
    finally:
        guoying.close()


class Guoying:
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
        self.store = SqlStore(url or default_store_url(), clock=store_clock, create=create)
        self.policies = policies
        self.clock = clock
        self.handler = Handler(self.store, policies=policies, clock=clock)
        self.projections = PROJECTIONS

    def __enter__(self) -> Guoying:
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
        """Decide and save one command; raises a GuoyingError subclass when it cannot."""
        return self.handler.execute(command)

    def execute_unit(self, commands: Sequence[Command]) -> Outcome:
        """Decide several commands as one unit, judged on its end state: all or nothing."""
        return self.handler.execute_unit(commands)

    def migrate(self) -> Outcome | None:
        """Carry a store written by guoying 0.1 over to one stream per concern (nothing
        stored is changed); None when it already follows this release's layout."""
        return migrate(self.handler)

    # Projections

    def catch_up(self, progress: runner.Progress | None = None) -> int:
        return runner.catch_up(self.store, self.projections, progress)

    def rebuild_views(self, progress: runner.Progress | None = None) -> int:
        """Rebuild every view from the events; readers see the old views until it commits."""
        return runner.rebuild(self.store, self.projections, progress)

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

    def reading(self, as_known_at: datetime | None = None, as_of: date | None = None) -> Reading:
        """What the store held at a recorded time, in effect on a business date."""
        if as_known_at is None:
            return Reading(None, as_of)
        if as_known_at.tzinfo is None:
            raise OutOfRange("as_known_at", "a recorded time must carry a UTC offset")
        with self.store.engine.connect() as conn:
            return Reading(store_position_at(conn, as_known_at), as_of)

    def ledger(
        self,
        committee_id: str,
        year: int,
        *,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> Ledger:
        """Annex 1 for a committee and year; a committee above base level gets the rollup.

        `as_known_at`: what the store held at that recorded time; `as_of`: what was in
        effect on that business date (by default the end of the year), as known now.
        """
        policy = self.policy_for_year(year)
        self.catch_up()
        reading = self.reading(as_known_at, as_of)
        with self.store.engine.connect() as conn:
            found = read_ledger(conn, committee_id, year, policy, self.today(), reading)
        if found is None:
            with self.store.engine.connect() as conn:
                known = committee_id in load_committees(conn, cut=reading.cut)
            if known:
                raise OutOfRange(
                    "committee_id",
                    f"{committee_id!r} was not active at the end of {year} (dissolved, or not "
                    "yet founded); use --as-of a date when it was",
                )
            raise NotFound("committee_id", committee_id)
        return found

    def figures(self, committee_id: str, year: int) -> TierFigures:
        policy = self.policy_for_year(year)
        self.catch_up()
        with self.store.engine.connect() as conn:
            committees = load_committees(conn, year_end(year))
            if committee_id not in committees:
                raise NotFound("committee_id", committee_id)
            return figures(conn, committees, committee_id, year, policy)

    def history(
        self,
        branch_id: str,
        *,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> list[HistoryEntry]:
        """Every decision on a branch (and on branches merged into it), in store order."""
        self.catch_up()
        reading = self.reading(as_known_at, as_of)
        with self.store.engine.connect() as conn:
            if not read_history(conn, branch_id):
                raise NotFound("branch_id", branch_id)
            return read_history(conn, branch_id, reading)

    def selection_board(
        self,
        year: int,
        committee: str | None = None,
        *,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> SelectionBoard:
        """The board of a selection year (`selection.rounds`): each nomination's round,
        status, awaited answers, vetoes, objections and late steps; with `committee`, the
        nominations under its subtree or at its round.

        `as_known_at`: what the store held at that recorded time; `as_of`: the steps taken
        by that business date, as known now.
        """
        self.policy_for_year(year)
        self.catch_up()
        reading = self.reading(as_known_at, as_of)
        with self.store.engine.connect() as conn:
            if committee is not None and not committee_known(conn, committee):
                raise NotFound("committee_id", committee)
            return read_board(conn, year, committee, reading)

    def titles(
        self,
        year: int,
        *,
        as_known_at: datetime | None = None,
        as_of: date | None = None,
    ) -> TitleRegister:
        """The title register (`selection.annual_titles`, `title.revocation`): the titles
        named up to `year`, whichever year, held at its end (or on `as_of`), and those
        revoked or downgraded from its start to that date, as known at `as_known_at`."""
        self.catch_up()
        reading = self.reading(as_known_at, as_of)
        with self.store.engine.connect() as conn:
            return read_titles(conn, year, reading)

    def form(self, nomination_id: str, *, as_known_at: datetime | None = None) -> NominationForm:
        """The recommendation and approval form of a nomination (Annex 3, `selection.form`)
        with its four sealed, dated opinions, as known at `as_known_at`."""
        self.catch_up()
        reading = self.reading(as_known_at)
        with self.store.engine.connect() as conn:
            found = read_form(conn, nomination_id, reading)
        if found is None:
            raise NotFound("nomination_id", nomination_id)
        return found

    def refusals(self, committee_id: str | None = None) -> list[RefusalEntry]:
        self.catch_up()
        with self.store.engine.connect() as conn:
            if committee_id is not None and committee_id not in load_committees(conn):
                raise NotFound("committee_id", committee_id)
            return read_refusals(conn, committee_id)

    def branches(
        self,
        *,
        committee_id: str | None = None,
        name: str | None = None,
        sector: Sector | None = None,
        tier: Tier | None = None,
        year: int | None = None,
    ) -> list[BranchFound]:
        """Find branches by committee subtree, a substring of their name, sector and tier,
        as they stood at the end of `year` (today without one)."""
        self.catch_up()
        on = year_end(year) if year is not None else self.today()
        with self.store.engine.connect() as conn:
            committees = load_committees(conn, on)
            if committee_id is not None and committee_id not in committees:
                raise NotFound("committee_id", committee_id)
            return find_branches(
                conn,
                committees,
                on=on,
                year=year or on.year,
                committee_id=committee_id,
                name=name,
                sector=sector,
                tier=tier,
            )

    def committees(self, *, name: str | None = None, on: date | None = None) -> list[CommitteeRow]:
        """Find committees by a substring of their name, as they stood on a date."""
        self.catch_up()
        with self.store.engine.connect() as conn:
            return find_committees(conn, name, on or self.today())

    def liaison_coverage(self, committee_id: str, year: int) -> LiaisonCoverage:
        """`ledger.liaison_coverage` for a committee and year, with the uncovered names."""
        self.policy_for_year(year)
        self.catch_up()
        with self.store.engine.connect() as conn:
            if committee_id not in load_committees(conn, year_end(year)):
                raise NotFound("committee_id", committee_id)
            return liaison_coverage(conn, committee_id, year)

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
