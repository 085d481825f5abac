"""Group commit on PostgreSQL (docs/adr/013-group-commit.md).

Every write holds the store's head to extend the chain, so writes commit one after another.
A writer that finds the head held by another (an advisory lock tried, never waited for)
hands its write over instead of queueing: it puts the events it decided into the intake
table and waits. The writer holding the head applies its own write and every write waiting
in the intake in its one transaction and commits once, so that a group of writes costs one
lock hand-off, one head update and one commit. Each write stays atomic on its own: one whose
versions are taken (by the store or by an earlier write of the group) is left out and
reported to its writer as a conflict, who decides again; the others are applied.

A waiting writer reads its outcome from its intake row once the group's leader has
committed (it waits on the same advisory lock, shared), or finds its write still waiting
and leads the next group itself. A writer that loses its connection reads its row again on
a new one: the row says whether its write was applied, and deleting a row still waiting
withdraws it, so that a write is never lost unnoticed nor applied twice.
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.adapters import schema
from guoying.adapters.appends import Append, HeadBusy, insert_events, replace_people
from guoying.application.errors import StoreUnavailable
from guoying.application.ports import PersonalData, WriteLost

if TYPE_CHECKING:
    from guoying.adapters.store import SqlRecorder

PENDING = "pending"
APPLIED = "applied"
CONFLICT = "conflict"
FAILED = "failed"

_intake = schema.intake
_ASYNC = sa.text("SET LOCAL synchronous_commit = off")
_DECIDED = (
    _intake.update()
    .where(_intake.c.write_id == sa.bindparam("id"))
    .values(status=sa.bindparam("s"), outcome=sa.bindparam("o"))
)


def try_lead(key: int) -> sa.Select[Any]:
    return sa.select(sa.func.pg_try_advisory_xact_lock(key))


def _await_leader(key: int) -> sa.Select[Any]:
    return sa.select(sa.func.pg_advisory_xact_lock_shared(key))


class VersionTaken(Exception):
    """A version this write saves was taken before the group applied it."""


@frozen
class Write:
    """A decided write: its events as stored and the personal data that came with them."""

    events: Sequence[dict[str, Any]]
    people: tuple[PersonalData, ...] = ()


def encode(write: Write) -> bytes:
    return json.dumps(
        {
            "events": [
                [e["originator_id"], e["originator_version"], e["topic"], _b64(e["state"])]
                for e in write.events
            ],
            "people": [[p.person_id, p.name, p.phone] for p in write.people],
        }
    ).encode()


def decode(payload: bytes) -> Write:
    found = json.loads(payload)
    return Write(
        [
            {
                "originator_id": oid,
                "originator_version": version,
                "topic": topic,
                "state": base64.b64decode(state),
            }
            for oid, version, topic, state in found["events"]
        ],
        tuple(PersonalData(*person) for person in found["people"]),
    )


def _b64(state: bytes) -> str:
    return base64.b64encode(state).decode()


@frozen
class Outcome:
    status: str
    positions: Sequence[int] = ()
    message: str = ""

    def result(self) -> list[int]:
        if self.status == APPLIED:
            return list(self.positions)
        if self.status == CONFLICT:
            raise VersionTaken(self.message)
        raise StoreUnavailable(f"the write could not be stored: {self.message}")

    def stored(self) -> str:
        return json.dumps(list(self.positions) if self.status == APPLIED else self.message)

    @classmethod
    def read(cls, status: str, stored: str | None) -> Outcome:
        value = json.loads(stored) if stored else ""
        if status == APPLIED:
            return cls(status, [int(p) for p in value])
        return cls(status, message=str(value))


@frozen
class _Grouped:
    write_id: str | None  # None: the leader's own write, which is not in the intake
    write: Write | None  # None: a payload that could not be read
    problem: str = ""


class GroupCommit:
    """One store's writers sharing commits."""

    def __init__(self, recorder: SqlRecorder, store_id: str) -> None:
        self.recorder = recorder
        # Per store, so that stores in schemas of one database do not wait for each other.
        digest = hashlib.sha256(f"guoying-head:{store_id}".encode()).digest()
        self.key = int.from_bytes(digest[:8], "big", signed=True)

    def insert(self, write: Write) -> list[int]:
        """Store a write: led at once when the head is free, else handed to its holder;
        its events' positions, or VersionTaken."""
        try:
            with self.recorder.appending(leading=self.key) as append:
                own = self._lead(append, write)
        except HeadBusy:
            return self._follow(write)
        return own.result()

    def _lead(self, append: Append, own: Write | None) -> Outcome:
        """Apply `own` and every write waiting in the intake, in this transaction; the
        outcome of `own` (that of no write when it is None)."""
        conn = append.conn
        waiting = conn.execute(
            sa.select(_intake.c.write_id, _intake.c.payload)
            .where(_intake.c.status == PENDING)
            .order_by(_intake.c.seq)
            .with_for_update(skip_locked=True)
        ).all()
        if own is not None and not waiting:
            # Alone: written as a write has always been; a taken version undoes it.
            positions = insert_events(append, own.events)
            replace_people(conn, own.people)
            return Outcome(APPLIED, positions)
        group = [_Grouped(None, own)] if own is not None else []
        group += [_readable(row.write_id, row.payload) for row in waiting]
        outcomes = _apply_group(append, group)
        decided = [
            {"id": g.write_id, "s": outcome.status, "o": outcome.stored()}
            for g, outcome in zip(group, outcomes, strict=True)
            if g.write_id is not None
        ]
        if decided:
            conn.execute(_DECIDED, decided)
        return outcomes[0] if own is not None else Outcome(APPLIED)

    def _follow(self, write: Write) -> list[int]:
        """Hand the write to the head's holder and wait for its outcome, leading the next
        group when it is still waiting once the head is free."""
        write_id = uuid.uuid4().hex
        try:
            outcome = self._wait(write_id, write)
        except (WriteLost, StoreUnavailable, sa.exc.DBAPIError) as error:
            if isinstance(error, sa.exc.DBAPIError) and not error.connection_invalidated:
                raise
            outcome = self._resolve(write_id, error)
        return outcome.result()

    def _wait(self, write_id: str, write: Write) -> Outcome:
        engine = self.recorder.engine
        with engine.connect() as conn, conn.begin():
            # Durable with the group's own commit, which flushes everything before it.
            conn.execute(_ASYNC)
            conn.execute(
                _intake.insert().values(write_id=write_id, payload=encode(write), status=PENDING)
            )
        while True:
            with engine.connect() as conn, conn.begin():
                conn.execute(_await_leader(self.key))
                found = _take_outcome(conn, write_id)
            if found is not None:
                return found
            try:
                with self.recorder.appending(leading=self.key) as append:
                    self._lead(append, None)
            except HeadBusy:
                continue

    def _resolve(self, write_id: str, error: Exception) -> Outcome:
        """After a lost connection: the write's outcome if a group applied it; WriteLost,
        withdrawing it, if none did."""
        try:
            with self.recorder.engine.connect() as conn, conn.begin():
                found = conn.execute(
                    _intake.delete()
                    .where(_intake.c.write_id == write_id)
                    .returning(_intake.c.status, _intake.c.outcome)
                ).first()
        except sa.exc.DBAPIError as again:
            raise StoreUnavailable(
                "the connection to the store was lost while a write waited for its group, and "
                "the store cannot be read again: it may or may not have been written"
            ) from again
        if found is None or found.status == PENDING:
            raise WriteLost(f"{str(error).splitlines()[0]}; nothing of the write was stored")
        return Outcome.read(found.status, found.outcome)


def _take_outcome(conn: Connection, write_id: str) -> Outcome | None:
    """The write's outcome once a group decided it (its intake row then removed), or None
    while it waits."""
    found = conn.execute(
        _intake.delete()
        .where(_intake.c.write_id == write_id, _intake.c.status != PENDING)
        .returning(_intake.c.status, _intake.c.outcome)
    ).first()
    if found is None:
        return None
    conn.execute(_ASYNC)  # removing a row read is no decision to keep
    return Outcome.read(found.status, found.outcome)


def _readable(write_id: str, payload: bytes) -> _Grouped:
    try:
        return _Grouped(write_id, decode(bytes(payload)))
    except (ValueError, KeyError, TypeError) as error:
        return _Grouped(write_id, None, f"its intake row cannot be read ({error})")


def _apply_group(append: Append, group: Sequence[_Grouped]) -> list[Outcome]:
    """Apply each write whose versions are free, all in one statement per table; a write
    with a version taken by the store or by an earlier write of the group is left out."""
    conn = append.conn
    events = schema.events
    wanted = {
        (e["originator_id"], e["originator_version"])
        for g in group
        if g.write is not None
        for e in g.write.events
    }
    taken: set[tuple[str, int]] = set()
    if wanted:
        taken = {
            (r.originator_id, int(r.originator_version))
            for r in conn.execute(
                sa.select(events.c.originator_id, events.c.originator_version).where(
                    sa.tuple_(events.c.originator_id, events.c.originator_version).in_(wanted)
                )
            )
        }
    outcomes: list[Outcome | None] = []
    accepted: list[Write] = []
    for g in group:
        if g.write is None:
            outcomes.append(Outcome(FAILED, message=g.problem))
            continue
        keys = {(e["originator_id"], e["originator_version"]) for e in g.write.events}
        clash = keys & taken
        if clash:
            oid, version = min(clash)
            outcomes.append(Outcome(CONFLICT, message=f"version {version} of {oid} is taken"))
            continue
        taken |= keys
        accepted.append(g.write)
        outcomes.append(None)
    applied = iter(_insert_all(append, accepted))
    return [outcome if outcome is not None else next(applied) for outcome in outcomes]


def _insert_all(append: Append, writes: Sequence[Write]) -> list[Outcome]:
    """Each write's outcome. All in one statement; should the database refuse that, one
    write at a time, so that the write it refuses fails alone."""
    before = append.head
    try:
        with append.conn.begin_nested():
            flat = insert_events(append, [e for w in writes for e in w.events])
            replace_people(append.conn, [p for w in writes for p in w.people])
    except sa.exc.DBAPIError as error:
        if error.connection_invalidated:
            raise
        append.head = before
        return [_insert_one(append, write) for write in writes]
    found: list[Outcome] = []
    at = 0
    for write in writes:
        found.append(Outcome(APPLIED, flat[at : at + len(write.events)]))
        at += len(write.events)
    return found


def _insert_one(append: Append, write: Write) -> Outcome:
    before = append.head
    try:
        with append.conn.begin_nested():
            positions = insert_events(append, write.events)
            replace_people(append.conn, write.people)
    except sa.exc.DBAPIError as error:
        if error.connection_invalidated:
            raise
        append.head = before
        status = CONFLICT if isinstance(error, sa.exc.IntegrityError) else FAILED
        return Outcome(status, message=str(error.orig or error).splitlines()[0])
    return Outcome(APPLIED, positions)
