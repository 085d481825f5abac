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
import contextlib
import json
import threading
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from attrs import define, frozen
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
# Lead (the advisory lock got, held to the commit) or, when another writer leads, hand the
# write over in one statement; the hand-over commits without waiting for its flush, since the
# leader's commit flushes everything before it.
_LEAD_OR_HAND_OVER = sa.text(
    f"""
    WITH lock AS (SELECT pg_try_advisory_xact_lock(:key) AS led),
    unflushed AS (
        SELECT set_config('synchronous_commit', 'off', true) FROM lock WHERE NOT led
    ),
    handed AS (
        INSERT INTO {_intake.name} (write_id, payload, status)
        SELECT :write_id, :payload, '{PENDING}' FROM lock WHERE NOT led
    )
    SELECT led, (SELECT count(*) FROM unflushed) FROM lock
    """
).bindparams(sa.bindparam("payload", type_=sa.LargeBinary))
# How many times a leader of a group looks at the intake before it commits: writes handed
# over while it applies the group join it instead of waiting for the next one.
LOOKS = 3
_WAITING = (
    sa.select(_intake.c.write_id, _intake.c.payload)
    .where(_intake.c.status == PENDING)
    .order_by(_intake.c.seq)
    .with_for_update(skip_locked=True)
)
# A decided write's payload (personal data among it) is no longer needed: emptied.
_DECIDED = (
    _intake.update()
    .where(_intake.c.write_id == sa.bindparam("id"))
    .values(status=sa.bindparam("s"), outcome=sa.bindparam("o"), payload=b"")
)


def _try_lead(key: int) -> sa.Select[Any]:
    return sa.select(sa.func.pg_try_advisory_xact_lock(key))


def _await_leader(key: int) -> sa.Select[Any]:
    # Autocommit: taken once the leader has committed, and let go at once.
    return sa.select(sa.func.pg_advisory_xact_lock_shared(key))


@define
class _LeadOrHandOver:
    """`SqlRecorder.appending`'s first step for a writer with a write of its own."""

    key: int
    write_id: str
    payload: bytes
    led: bool | None = None

    def __call__(self, conn: Connection) -> bool:
        self.led = bool(
            conn.execute(
                _LEAD_OR_HAND_OVER,
                {"key": self.key, "write_id": self.write_id, "payload": self.payload},
            ).scalar()
        )
        return self.led


@define
class _Lead:
    """The first step for a writer whose write waits in the intake: lead if it can."""

    key: int

    def __call__(self, conn: Connection) -> bool:
        return bool(conn.execute(_try_lead(self.key)).scalar())


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
        self.key = schema.advisory_key("head", store_id)
        self._engine: sa.Engine | None = None
        self._making = threading.Lock()

    def insert(self, write: Write) -> list[int]:
        """Store a write: led at once when the head is free, else handed to its holder;
        its events' positions, or VersionTaken."""
        first = _LeadOrHandOver(self.key, uuid.uuid4().hex, encode(write))
        try:
            with self.recorder.appending(first=first) as append:
                own = self._lead(append, write)
        except HeadBusy:
            return self._follow(first.write_id)
        except StoreUnavailable as error:
            if first.led is False:
                # The hand-over's commit was lost: its row, or its absence, tells.
                return self._resolve(first.write_id, error).result()
            raise
        return own.result()

    def _lead(self, append: Append, own: Write | None) -> Outcome:
        """Apply `own` and every write waiting in the intake, in this transaction, looking
        again for writes handed over meanwhile; the outcome of `own` (that of no write when
        it is None)."""
        outcome = Outcome(APPLIED)
        for look in range(LOOKS):
            waiting = append.conn.execute(_WAITING).all()
            mine = own if look == 0 else None
            if mine is not None and not waiting:
                # Alone: written as a write has always been (a taken version undoes it),
                # and committed at once: whoever comes meanwhile leads the next group.
                positions = insert_events(append, mine.events)
                replace_people(append.conn, mine.people)
                return Outcome(APPLIED, positions)
            if not waiting:
                break
            group = [_Grouped(None, mine)] if mine is not None else []
            group += [_readable(row.write_id, row.payload) for row in waiting]
            outcomes = _apply_group(append, group)
            append.conn.execute(
                _DECIDED,
                [
                    {"id": g.write_id, "s": decided.status, "o": decided.stored()}
                    for g, decided in zip(group, outcomes, strict=True)
                    if g.write_id is not None
                ],
            )
            if mine is not None:
                outcome = outcomes[0]
        return outcome

    def _follow(self, write_id: str) -> list[int]:
        """Wait for the outcome of a write handed over, leading the next group when it is
        still waiting once the head is free."""
        try:
            outcome = self._wait(write_id)
        except (WriteLost, StoreUnavailable) as error:
            outcome = self._resolve(write_id, error)
        except sa.exc.DBAPIError as error:
            if error.connection_invalidated:
                outcome = self._resolve(write_id, error)
            else:
                # A wait cancelled or timed out: the command fails, so its write must not
                # be applied by a later group; if a group already applied it, it stands.
                outcome = self._withdraw(write_id, error)
        except BaseException as error:
            # An interrupt ends the writer: no group may apply its write after it has gone.
            with contextlib.suppress(Exception):
                self._withdraw(write_id, error)
            raise
        return outcome.result()

    def _withdraw(self, write_id: str, error: BaseException) -> Outcome:
        """The write's outcome if a group applied it; else withdrawn, and `error` raised."""
        try:
            return self._resolve(write_id, error)
        except WriteLost:
            # Withdrawn: nothing of it was stored, so the command fails as it failed.
            raise error from None

    def _wait(self, write_id: str) -> Outcome:
        led = False
        while True:
            with self._intake_engine().connect() as conn:
                conn.execute(_await_leader(self.key))
                found = _take_outcome(conn, write_id)
                # After a group of its own, its row holds an outcome unless it is gone
                # (a hand-over committed unflushed, lost with the server): nothing stored.
                if found is None and led and not _waiting(conn, write_id):
                    raise WriteLost("its write was no longer waiting for a group")
            if found is not None:
                return found
            try:
                with self.recorder.appending(first=_Lead(self.key)) as append:
                    self._lead(append, None)
                led = True
            except HeadBusy:
                continue

    def _intake_engine(self) -> sa.Engine:
        """Connections for waiting on the intake: each statement its own transaction, none
        waiting for its flush (what it writes is only a write's passage)."""
        with self._making:
            # Threads of one store share it: made once.
            if self._engine is None:
                engine = sa.create_engine(self.recorder.engine.url, isolation_level="AUTOCOMMIT")

                @sa.event.listens_for(engine, "connect")
                def _unflushed(dbapi_connection: Any, _: Any) -> None:
                    with dbapi_connection.cursor() as cursor:
                        cursor.execute("SET synchronous_commit = off")
                    dbapi_connection.commit()

                self._engine = engine
            return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()

    def _resolve(self, write_id: str, error: BaseException) -> Outcome:
        """After a lost connection: the write's outcome if a group applied it; WriteLost,
        withdrawing it, if none did."""
        try:
            with self.recorder.engine.connect() as conn, conn.begin():
                # A leader holding the row decides it: wait for that, whatever timeouts the
                # session has (one may be why the writer is here).
                conn.exec_driver_sql("SET LOCAL lock_timeout = 0")
                conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
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
        sa.select(_intake.c.status, _intake.c.outcome).where(
            _intake.c.write_id == write_id, _intake.c.status != PENDING
        )
    ).first()
    if found is None:
        return None
    # Read first, removed after: a connection lost once the row is gone but before its
    # outcome arrived would leave an applied write looking as if nothing were stored.
    # Should the removal fail, the decided row stays behind; no group takes it again.
    with contextlib.suppress(sa.exc.DBAPIError):
        conn.execute(_intake.delete().where(_intake.c.write_id == write_id))
    return Outcome.read(found.status, found.outcome)


def _waiting(conn: Connection, write_id: str) -> bool:
    found = conn.execute(sa.select(_intake.c.write_id).where(_intake.c.write_id == write_id))
    return found.first() is not None


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
