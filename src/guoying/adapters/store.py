"""Stores by URL: `sqlite:///PATH` (the default), `memory://` and `postgresql+psycopg://`.

One SQLAlchemy engine holds the events, the refusal log, personal data, the projections'
tracking records and their views, so that a projection's view rows and its tracking record
commit in one transaction on every database. Events go through eventsourcing's EventStore
and Repository over `SqlRecorder`, our ApplicationRecorder (see docs/adr/001-store.md).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from attrs import frozen
from eventsourcing.persistence import (
    ApplicationRecorder,
    EventStore,
    IntegrityError,
    Notification,
    StoredEvent,
    Subscription,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import QueuePool

from guoying.adapters import chain, group_commit, process_tracking, schema
from guoying.adapters.aggregates import CachedAggregates
from guoying.adapters.appends import Append, HeadBusy, insert_events, replace_people
from guoying.adapters.erasure import scrub_erased
from guoying.adapters.serialization import (
    CattrsMapper,
    command_to_json,
    decode_event,
    unstorable,
)
from guoying.application.errors import InvalidCommand, StoreDamaged, StoreUnavailable
from guoying.application.ports import (
    AggregateReader,
    ConcurrencyConflict,
    PersonalData,
    ProcessStep,
    Refusal,
    WriteLost,
)
from guoying.domain.events import A, AnyEvent, Key
from guoying.domain.person import PersonalDataErased

DEFAULT_URL = "sqlite:///guoying.db"
MEMORY_URL = "memory://"
# Command fields that carry personal data (rules.md 9a), kept out of the refusal log.
PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {"RegisterPerson": ("name", "phone")}
NOT_LOGGED = "(personal data, not logged)"
StoreClock = Callable[[], int]


def wall_clock_us() -> int:
    return time.time_ns() // 1000


@frozen
class StoredRecord:
    """A stored event with its store position and recorded time."""

    position: int
    originator_id: str
    originator_version: int
    topic: str
    state: bytes
    recorded_at: int


def create_store_engine(url: str, *, must_exist: bool = False) -> Engine:
    """An engine for a store URL, or StoreUnavailable naming what is wrong with it."""
    try:
        if url == MEMORY_URL:
            # One connection is the whole database; a pool of one lends it to one thread at
            # a time, so concurrent writers queue instead of sharing a transaction.
            engine = sa.create_engine(
                "sqlite://",
                poolclass=QueuePool,
                pool_size=1,
                max_overflow=0,
                pool_timeout=60,
                connect_args={"check_same_thread": False},
            )
            _configure_sqlite(engine, wal=False)
            return engine
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as error:
        # The parser's message repeats the URL, password included; say what is expected.
        raise StoreUnavailable(
            "the store URL cannot be read; expected sqlite:///PATH, memory:// or "
            "postgresql+psycopg://USER@HOST:PORT/DB"
        ) from error
    if parsed.drivername == "sqlite":
        synchronous = _synchronous(parsed)
        parsed = parsed.difference_update_query(["synchronous"])
        database = parsed.database or ""
        if database and database != ":memory:":
            path = Path(database).expanduser().resolve()
            if not path.parent.is_dir():
                raise StoreUnavailable(f"store URL {url!r}: folder {path.parent} does not exist")
            if must_exist and not path.is_file():
                raise StoreUnavailable(f"store URL {url!r}: there is no store at {path}")
        engine = sa.create_engine(parsed, connect_args={"timeout": 30})
        _configure_sqlite(
            engine, wal=bool(database) and database != ":memory:", synchronous=synchronous
        )
        return engine
    if parsed.drivername in ("postgresql", "postgresql+psycopg"):
        engine = sa.create_engine(
            parsed.set(drivername="postgresql+psycopg").difference_update_query([GROUP_COMMIT])
        )
        _ping_after_idle(engine)
        return engine
    raise StoreUnavailable(
        f"store URL {parsed.render_as_string(hide_password=True)!r}: unsupported; use "
        "sqlite:///PATH, memory:// or "
        "postgresql+psycopg://USER@HOST:PORT/DB"
    )


# `postgresql+psycopg://...?group_commit=on`: a writer that finds the store's head held
# hands its write to the holder, which commits the group once (docs/adr/013). Off by
# default: where the writers' CPU and not the commits is the limit, as on the machine the
# benchmarks ran on, handing writes over costs more than the commits it saves.
GROUP_COMMIT = "group_commit"
GROUP_COMMIT_VALUES = {"on": True, "off": False}


def group_commit_wanted(url: str) -> bool:
    """Whether writers on this store share commits: on PostgreSQL when the URL says
    `group_commit=on`; never elsewhere (SQLite has one writer at a time)."""
    if url == MEMORY_URL:
        return False
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return False  # create_store_engine names the problem
    if parsed.drivername not in ("postgresql", "postgresql+psycopg"):
        return False
    given = parsed.query.get(GROUP_COMMIT, "off")
    value = (given if isinstance(given, str) else given[-1]).lower()
    if value not in GROUP_COMMIT_VALUES:
        raise StoreUnavailable(
            f"store URL: {GROUP_COMMIT}={value!r}; expected one of {', '.join(GROUP_COMMIT_VALUES)}"
        )
    return GROUP_COMMIT_VALUES[value]


# A pooled connection idle longer than this is pinged before it is lent again: the server
# may have ended it meanwhile (a restart, an idle timeout). One in steady use is not: a
# ping per checkout was a round trip in every read and write.
IDLE_BEFORE_PING_S = 1.0


def _ping_after_idle(engine: Engine) -> None:
    @sa.event.listens_for(engine, "checkin")
    def _idle_from(_: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < IDLE_BEFORE_PING_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool drops this connection and lends a new one.
            raise sa.exc.DisconnectionError(str(error)) from error


# SQLite's synchronous setting in WAL mode (docs/adr/005-durability.md): FULL syncs the WAL
# at every commit, so a decision acknowledged is a decision kept through a power loss;
# NORMAL, a faster opt-in (`sqlite:///PATH?synchronous=normal`), syncs only at checkpoints
# and can lose the last acknowledged commits, which against a checkpoint looks like tampering.
SYNCHRONOUS = ("full", "extra", "normal")
DEFAULT_SYNCHRONOUS = "full"


def _synchronous(url: sa.engine.URL) -> str:
    given = url.query.get("synchronous", DEFAULT_SYNCHRONOUS)
    value = given if isinstance(given, str) else given[-1]
    if value.lower() not in SYNCHRONOUS:
        raise StoreUnavailable(
            f"store URL: synchronous={value!r}; expected one of {', '.join(SYNCHRONOUS)}"
        )
    return value.lower()


def _configure_sqlite(engine: Engine, *, wal: bool, synchronous: str = DEFAULT_SYNCHRONOUS) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        # We issue BEGIN ourselves, so that writers can take the write lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        # Erased personal data must not linger in freed pages of the file.
        cursor.execute("PRAGMA secure_delete = ON")
        if wal:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute(f"PRAGMA synchronous = {synchronous.upper()}")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        writing = connection.get_execution_options().get("guoying_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


# Statements built once: building one per call costs more than running it on SQLite.
_HEAD = sa.select(
    schema.head.c.last_recorded_at, schema.head.c.chain_count, schema.head.c.chain_hash
).where(schema.head.c.key == "head")
_HEAD_FOR_UPDATE = _HEAD.with_for_update()
_SET_HEAD = (
    schema.head.update()
    .where(schema.head.c.key == "head")
    .values(
        last_recorded_at=sa.bindparam("recorded_at"),
        chain_count=sa.bindparam("count"),
        chain_hash=sa.bindparam("hash"),
    )
)
_SELECT_EVENTS: dict[tuple[bool, bool, bool, bool], sa.Select[Any]] = {}


def _select_events(gt: bool, lte: bool, desc: bool, limit: bool) -> sa.Select[Any]:
    key = (gt, lte, desc, limit)
    if key not in _SELECT_EVENTS:
        t = schema.events
        query = sa.select(t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state).where(
            t.c.originator_id == sa.bindparam("originator_id")
        )
        if gt:
            query = query.where(t.c.originator_version > sa.bindparam("gt"))
        if lte:
            query = query.where(t.c.originator_version <= sa.bindparam("lte"))
        query = query.order_by(t.c.originator_version.desc() if desc else t.c.originator_version)
        if limit:
            query = query.limit(sa.bindparam("limit"))
        _SELECT_EVENTS[key] = query
    return _SELECT_EVENTS[key]


class RecorderConflict(ConcurrencyConflict, IntegrityError):
    """A version already taken: our port's conflict and eventsourcing's IntegrityError."""


def stored_state(value: object, where: str, position: int | None = None) -> bytes:
    """An event's stored state, which guoying writes as bytes. Text there means the row was
    changed outside guoying (`verify` names it); say so instead of failing on it later."""
    if isinstance(value, bytes | memoryview):
        return bytes(value)
    raise StoreDamaged(
        f"the store is damaged: {where} has its state stored as {type(value).__name__}, not "
        "as the bytes guoying wrote (run guoying verify)",
        position,
    )


def _inserted_position(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


class SqlRecorder(ApplicationRecorder):
    """eventsourcing's ApplicationRecorder over SQLAlchemy Core, with the recorded time."""

    def __init__(
        self,
        engine: Engine,
        clock: StoreClock = wall_clock_us,
        *,
        create: bool = True,
        share_commits: bool = False,
    ) -> None:
        self.engine = engine
        self.clock = clock
        # The chain's digest version for new entries: a store opened read-only and written
        # before the version column goes on with version 1 (docs/adr/011-chain-digest-v2.md).
        self.digest_version = chain.WRITTEN_VERSION
        # The write that holds the store's head for this thread (`holding`), if any.
        self._local = threading.local()
        # Reads are single statements: on PostgreSQL each is its own transaction, without
        # the BEGIN and ROLLBACK around it (SQLite's cost nothing; it keeps its own).
        self._reads = (
            engine.execution_options(isolation_level="AUTOCOMMIT")
            if engine.dialect.name == "postgresql"
            else engine
        )
        self.store_id = self._create_schema() if create else self._existing_store_id()
        # Writers on PostgreSQL share commits (docs/adr/013-group-commit.md); SQLite has one
        # writer at a time and gains nothing from handing writes over.
        self.group = (
            group_commit.GroupCommit(self, self.store_id)
            if create and share_commits and engine.dialect.name == "postgresql"
            else None
        )

    @property
    def held(self) -> Append | None:
        found: Append | None = getattr(self._local, "held", None)
        return found

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A connection to read with: the held write's own while this thread holds the
        head (another would wait for it on `memory://`), else one from the pool."""
        held = self.held
        if held is not None:
            yield held.conn
            return
        with self._reads.connect() as conn:
            yield conn

    @contextmanager
    def holding(self) -> Iterator[Append]:
        """Hold the store's head until the block ends: every read and write of this thread
        goes through one transaction that no other writer can write beside, committed when
        the block ends and undone if it raises."""
        if self.held is not None:
            raise RuntimeError("this thread already holds the store's head")
        with self.appending() as append:
            self._local.held = append
            try:
                yield append
            finally:
                self._local.held = None

    def _existing_store_id(self) -> str:
        """Open without writing anything: the store must already be there."""
        where = self.engine.url.render_as_string(hide_password=True)
        try:
            with self.engine.connect() as conn:
                inspector = sa.inspect(conn)
                if not inspector.has_table(schema.head.name):
                    raise StoreUnavailable(f"{where} holds no guoying store")
                missing = [
                    t.name
                    for t in schema.store_metadata.sorted_tables
                    if not inspector.has_table(t.name)
                ]
                if missing:
                    raise StoreUnavailable(
                        f"{where} was made by an older guoying (no {', '.join(missing)})"
                    )
                if not chain.has_digest_version(conn):
                    self.digest_version = chain.V1
                return str(conn.execute(sa.select(schema.head.c.store_id)).scalar_one())
        except sa.exc.SQLAlchemyError as error:
            raise StoreUnavailable(
                f"store {where} cannot be read: {str(error).splitlines()[0]}"
            ) from error

    def _create_schema(self) -> str:
        try:
            with self.writing() as conn:
                if conn.dialect.name == "postgresql":
                    # Two processes opening a new database at once must not race on DDL.
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(7741)"))
                schema.store_metadata.create_all(conn)
                if conn.dialect.name == "postgresql":
                    schema.intake_metadata.create_all(conn)
                schema.add_missing_columns(conn)
                row = conn.execute(sa.select(schema.head.c.store_id)).first()
                if row is not None:
                    return str(row.store_id)
                store_id = str(uuid.uuid4())
                conn.execute(
                    schema.head.insert().values(key="head", store_id=store_id, last_recorded_at=0)
                )
                return store_id
        except sa.exc.SQLAlchemyError as error:
            raise StoreUnavailable(
                f"store {self.engine.url.render_as_string(hide_password=True)} cannot be "
                f"opened: {str(error).splitlines()[0]}"
            ) from error

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        held = self.held
        if held is not None:
            yield held.conn
            return
        with self.engine.connect() as conn:
            conn.execution_options(guoying_write=True)
            with conn.begin():
                yield conn

    @contextmanager
    def appending(self, *, first: Callable[[Connection], bool] | None = None) -> Iterator[Append]:
        """A write transaction that holds the store's head: its recorded time, no earlier
        than the last one, and the chain the written rows extend, stored on the way out.
        While this thread holds the head, a write of its own within that transaction, in a
        savepoint: undone alone if it fails, the chain's head with it. With `first`, run
        before the head is taken: when it says False (another writer leads a group,
        adapters/group_commit.py), what it wrote is committed and HeadBusy raised instead."""
        held = self.held
        if held is not None:
            before = held.head
            try:
                with held.conn.begin_nested():
                    yield held
            except BaseException:
                held.head = before
                raise
            return
        committing = busy = False
        try:
            with self.writing() as conn:
                try:
                    busy = first is not None and not first(conn)
                    if not busy:
                        query = _HEAD_FOR_UPDATE if conn.dialect.name == "postgresql" else _HEAD
                        row = conn.execute(query).one()
                        append = Append(
                            conn,
                            int(max(self.clock(), row.last_recorded_at)),
                            chain.Head(int(row.chain_count), str(row.chain_hash)),
                            self.digest_version,
                        )
                        yield append
                        conn.execute(
                            _SET_HEAD,
                            {
                                "recorded_at": append.recorded_at,
                                "count": append.head.count,
                                "hash": append.head.hash,
                            },
                        )
                except sa.exc.DBAPIError as error:
                    if error.connection_invalidated:
                        # Lost before the commit was sent: the database undoes all of it.
                        raise WriteLost(str(error).splitlines()[0]) from error
                    raise
                committing = True
        except sa.exc.DBAPIError as error:
            if committing and error.connection_invalidated:
                raise StoreUnavailable(
                    "the connection to the store was lost while a write was being committed: "
                    "it may or may not have been written; read the store before deciding it "
                    "again"
                ) from error
            raise
        if busy:
            raise HeadBusy

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        personal_data: Sequence[PersonalData] = kwargs.get("personal_data", ())
        step: ProcessStep | None = kwargs.get("step")
        problems = [
            p
            for person in personal_data
            for p in unstorable({"name": person.name, "phone": person.phone})
        ]
        if problems:
            raise InvalidCommand(problems)
        events = [
            {
                "originator_id": str(e.originator_id),
                "originator_version": e.originator_version,
                "topic": e.topic,
                "state": e.state,
            }
            for e in stored_events
        ]
        try:
            if self.group is not None and step is None and self.held is None:
                return self.group.insert(group_commit.Write(events, tuple(personal_data)))
            with self.appending() as append:
                positions = insert_events(append, events)
                if step is not None:
                    process_tracking.advance(append.conn, step)
                replace_people(append.conn, personal_data)
        except (sa.exc.IntegrityError, group_commit.VersionTaken) as error:
            raise RecorderConflict(str(error).splitlines()[0]) from error
        return positions

    def select_events(
        self,
        originator_id: uuid.UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        query = _select_events(gt is not None, lte is not None, desc, limit is not None)
        params = {"originator_id": str(originator_id), "gt": gt, "lte": lte, "limit": limit}
        with self.connection() as conn:
            return [
                StoredEvent(
                    r.originator_id,
                    r.originator_version,
                    r.topic,
                    stored_state(r.state, f"event {r.originator_id}@{r.originator_version}"),
                )
                for r in conn.execute(query, {k: v for k, v in params.items() if v is not None})
            ]

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        after = None if start is None else (start - 1 if inclusive_of_start else start)
        return [
            Notification(
                id=r.position,
                originator_id=r.originator_id,
                originator_version=r.originator_version,
                topic=r.topic,
                state=r.state,
            )
            for r in self.select_records(after, limit, stop=stop, topics=topics)
        ]

    def select_records(
        self,
        after: int | None,
        limit: int,
        *,
        stop: int | None = None,
        topics: Sequence[str] = (),
        conn: Connection | None = None,
    ) -> list[StoredRecord]:
        t = schema.events
        query = sa.select(t).order_by(t.c.id).limit(limit)
        if after is not None:
            query = query.where(t.c.id > after)
        if stop is not None:
            query = query.where(t.c.id <= stop)
        if topics:
            query = query.where(t.c.topic.in_(topics))
        if conn is None:
            with self.connection() as own:
                rows = own.execute(query).all()
        else:
            rows = conn.execute(query).all()
        return [
            StoredRecord(
                r.id,
                r.originator_id,
                r.originator_version,
                r.topic,
                stored_state(r.state, f"the event at position {r.id}", r.id),
                r.recorded_at,
            )
            for r in rows
        ]

    def max_notification_id(self) -> int | None:
        with self.connection() as conn:
            found = conn.execute(sa.select(sa.func.max(schema.events.c.id))).scalar()
        return None if found is None else int(found)

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        raise NotImplementedError("guoying's projections pull; they do not subscribe")


def _typed(key: Key[A], found: object) -> A | None:
    if found is not None and not isinstance(found, key.kind):
        raise TypeError(f"{key.id} holds a {type(found).__name__}, not a {key.kind.__name__}")
    return found


@frozen
class _Refreshed:
    aggregates: CachedAggregates

    def get(self, key: Key[A]) -> A | None:
        return _typed(key, self.aggregates.get(key.id, refreshed=True))


class SqlStore:
    """The application's EventStore port over one database."""

    def __init__(
        self, url: str = DEFAULT_URL, *, clock: StoreClock = wall_clock_us, create: bool = True
    ) -> None:
        self.url = url
        share_commits = group_commit_wanted(url)
        self.engine = create_store_engine(url, must_exist=not create)
        # A memory store lives and dies with this object, so one opened to be read is a new,
        # empty store: reading it finds nothing, and nothing outside the process is written.
        created = create or url == MEMORY_URL
        self.recorder = SqlRecorder(self.engine, clock, create=created, share_commits=share_commits)
        self.mapper = CattrsMapper()
        self.event_store: EventStore[str] = EventStore(self.mapper, self.recorder)
        self.aggregates = CachedAggregates(self.event_store, self.recorder.connection)
        # Writes made while this thread holds the head, folded onto the cache once committed.
        self._local = threading.local()

    @property
    def store_id(self) -> str:
        return self.recorder.store_id

    def get(self, key: Key[A]) -> A | None:
        """A private copy of the aggregate, as of its last stored event."""
        return _typed(key, self.aggregates.get(key.id))

    def aggregate(self, aggregate_id: str) -> object | None:
        """Any aggregate by its stream id, untyped: for tools that walk every stream."""
        found: object | None = self.aggregates.get(aggregate_id)
        return found

    def reader(self) -> AggregateReader:
        """Aggregates as of one look at the store, for one decision."""
        self.aggregates.refresh()
        return _Refreshed(self.aggregates)

    def event(self, aggregate_id: str, version: int) -> AnyEvent | None:
        found = list(self.event_store.get(aggregate_id, gt=version - 1, lte=version))
        return found[0] if found else None  # type: ignore[return-value]

    def events(self, aggregate_id: str) -> list[AnyEvent]:
        return list(self.event_store.get(aggregate_id))  # type: ignore[arg-type]

    def stream_ids(self, prefix: str, *, limit: int | None = None) -> list[str]:
        # A range rather than LIKE, so that both databases walk the (originator_id, version)
        # index whatever their collation.
        t = schema.events
        above = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        query = (
            sa.select(t.c.originator_id)
            .where(t.c.originator_id >= prefix, t.c.originator_id < above)
            .distinct()
            .order_by(t.c.originator_id)
            .limit(limit)
        )
        with self.recorder.connection() as conn:
            return list(conn.execute(query).scalars())

    def save(
        self,
        events: Sequence[AnyEvent],
        personal_data: Sequence[PersonalData] = (),
        step: ProcessStep | None = None,
    ) -> list[int]:
        if not events:
            if step is not None:
                self.advance_process(step)
            return []
        recordings = self.event_store.put(events, personal_data=personal_data, step=step)
        pending: list[Sequence[AnyEvent]] | None = getattr(self._local, "pending", None)
        if pending is None:
            self._saved(events)
        else:
            pending.append(events)
        return [r.notification.id for r in recordings]

    def _saved(self, events: Sequence[AnyEvent]) -> None:
        self.aggregates.saved(events)
        if any(isinstance(e, PersonalDataErased) for e in events):
            scrub_erased(self.engine)

    @contextmanager
    def holding_head(self) -> Iterator[None]:
        """Decide and write holding the store's head: no other writer can write until the
        block ends, so a decision on what is read inside cannot lose a race. What is
        written inside commits when the block ends, and nothing of it if it raises; the
        cache learns of it only once it is committed."""
        pending: list[Sequence[AnyEvent]] = []
        # `pending` is set inside: a nested block is refused by `holding` before it could
        # replace the outer block's saves, which must still wait for its commit.
        with self.recorder.holding():
            self._local.pending = pending
            try:
                yield
            finally:
                self._local.pending = None
        for events in pending:
            self._saved(events)

    def process_position(self, name: str) -> int:
        with self.recorder.connection() as conn:
            return process_tracking.position(conn, name)

    def advance_process(self, step: ProcessStep) -> None:
        with self.recorder.writing() as conn:
            process_tracking.advance(conn, step)

    def events_after(
        self,
        position: int,
        kinds: Sequence[type[AnyEvent]],
        limit: int,
        *,
        stop: int | None = None,
    ) -> list[tuple[int, AnyEvent]]:
        records = self.recorder.select_records(
            position, limit, stop=stop, topics=[kind.__name__ for kind in kinds]
        )
        return [
            (r.position, decode_event(r.topic, r.state, r.originator_id, r.originator_version))
            for r in records
        ]

    def last_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    def append_refusal(self, refusal: Refusal) -> int:
        command = refusal.command
        payload = command_to_json(command)
        for personal in PERSONAL_FIELDS.get(type(command).__name__, ()):
            # The log is chained for good; personal data must stay erasable, so it stays out.
            payload[personal] = NOT_LOGGED
        # A command built in Python skips the converter's checks; text PostgreSQL cannot
        # keep would fail the log's insert as an unreadable store. Name the field instead.
        problems = unstorable(payload) + unstorable({"message": refusal.message})
        if problems:
            raise InvalidCommand(problems)
        with self.recorder.appending() as append:
            row = {
                "recorded_at": append.recorded_at,
                "command": type(command).__name__,
                "actor_person_id": command.actor.person_id,
                "actor_committee_id": command.actor.committee_id,
                "subject_committee_id": refusal.subject_committee_id,
                "rule_id": refusal.rule_id,
                "message": refusal.message,
                "reason": command.reason,
                "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True),
            }
            position = _inserted_position(
                append.conn.execute(schema.refusals.insert().values(**row))
            )
            append.extend(chain.REFUSAL, [{**row, "id": position}])
            return position

    def personal_data(self, person_ids: Sequence[str]) -> dict[str, PersonalData]:
        t = schema.people
        with self.recorder.connection() as conn:
            rows = conn.execute(sa.select(t).where(t.c.person_id.in_(list(person_ids)))).all()
        return {r.person_id: PersonalData(r.person_id, r.name, r.phone) for r in rows}

    def close(self) -> None:
        if self.recorder.group is not None:
            self.recorder.group.close()
        self.engine.dispose()
