"""Checking the hash chain: `verify` and `checkpoint`.

`verify` walks the chain in position order, streaming, and recomputes every entry's hash
from the stored rows: an edited, deleted, inserted or reordered event or refusal-log entry
shows at the first bad position. An edit that also rewrites the chain and its head (anyone
with write access to the database can recompute hashes) is caught only against a checkpoint
kept outside the database, as is a truncation of the chain's end: the checkpoint's count and
root hash must still be found at that position.

The walk reads the chain joined to its events through one cursor of the database driver
(server-side on PostgreSQL) and the refusal log through another, and checks a version 2
event entry in a few lines: one hash, no objects of its own. Anything else, or anything
wrong, goes through the careful check, which names the problem.
"""

from __future__ import annotations

import contextlib
import json
import struct
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from attrs import asdict, frozen
from sqlalchemy.engine import Connection

from guoying.adapters import chain, schema
from guoying.adapters.store import SqlStore

BATCH = 2000
Progress = Callable[[int], None]


@frozen
class Checkpoint:
    """A small head an auditor keeps outside the database."""

    store_id: str
    count: int
    root: str
    taken_at: str

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> Checkpoint:
        data = json.loads(text)
        if not isinstance(data, dict) or set(data) != {"store_id", "count", "root", "taken_at"}:
            raise ValueError("a checkpoint has store_id, count, root and taken_at")
        count = data["count"]
        if type(count) is not int or count < 0 or not isinstance(data["root"], str):
            raise TypeError("a checkpoint's count is a whole number and its root a hash")
        return cls(str(data["store_id"]), data["count"], data["root"], str(data["taken_at"]))


@frozen
class Verdict:
    ok: bool
    count: int
    root: str
    problem: str | None = None
    position: int | None = None


class CheckpointMismatch(Exception):
    """The checkpoint belongs to another store."""


def take_checkpoint(store: SqlStore) -> Checkpoint:
    with store.engine.connect() as conn:
        head = chain.read_head(conn)
    return Checkpoint(
        store.store_id, head.count, head.hash, datetime.now(tz=UTC).isoformat(timespec="seconds")
    )


def _python_type(column: sa.Column[Any]) -> type:
    if isinstance(column.type, sa.LargeBinary):
        return bytes
    if isinstance(column.type, sa.Integer):
        return int
    return str


# The Python type each stored column must come back as, by kind of chained row. A value of
# another type was changed outside guoying even when its text hashes the same (the state
# of an event cast to TEXT on SQLite hashed like the bytes it replaced).
_COLUMN_TYPES = {
    kind: {c.name: (_python_type(c), bool(c.nullable)) for c in table.columns}
    for kind, table in chain.TABLES.items()
}


def _type_problem(kind: str, row: Mapping[str, Any]) -> str | None:
    for name, (expected, nullable) in _COLUMN_TYPES[kind].items():
        value = row[name]
        if value is None and nullable:
            continue
        found = type(value)
        if found is memoryview and expected is bytes:
            continue
        if found is not expected:
            return (
                f"its {name} is stored as {'NULL' if value is None else found.__name__}, not "
                f"as the {expected.__name__} guoying wrote (the stored type was changed)"
            )
    return None


def _declared_types(conn: Connection) -> str | None:
    """On PostgreSQL, a column whose declared type differs from guoying's schema (an ALTER
    TABLE ... TYPE); SQLite keeps a type per value, which the walk checks row by row."""
    if conn.dialect.name != "postgresql":
        return None
    for table in chain.TABLES.values():
        declared: dict[str, str] = dict(
            conn.execute(
                sa.text(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND table_name = :table"
                ),
                {"table": table.name},
            ).all()
        )
        for column in table.columns:
            wanted = column.type.compile(dialect=conn.dialect).lower()
            if declared.get(column.name) != wanted:
                return (
                    f"column {table.name}.{column.name} is declared "
                    f"{declared.get(column.name, 'missing')}, not {wanted} (the stored type "
                    "was changed)"
                )
    return None


def _unchained(conn: Connection, table: sa.Table, kind: str) -> int | None:
    """The first row of a table that no chain entry binds (an insertion)."""
    bound = sa.select(schema.chain.c.ref).where(schema.chain.c.kind == kind)
    found = conn.execute(
        sa.select(sa.func.min(table.c.id)).where(table.c.id.not_in(bound))
    ).scalar()
    return None if found is None else int(found)


def _entries_query(versioned: bool) -> sa.Select[Any]:
    """Every chain entry in position order, with the event it binds when it binds one."""
    c, e = schema.chain, schema.events
    version = c.c.digest_version if versioned else sa.literal(chain.V1)
    joined = c.outerjoin(e, sa.and_(c.c.kind == chain.EVENT, e.c.id == c.c.ref))
    return (
        sa.select(c.c.position, c.c.kind, c.c.ref, c.c.hash, version, *e.columns)
        .select_from(joined)
        .order_by(c.c.position)
    )


_REFUSALS = sa.select(*schema.refusals.columns).order_by(schema.refusals.c.id)


class _Cursors:
    """Cursors of the database driver itself, inside the connection's transaction (so in
    its snapshot): rows come as plain tuples, and on PostgreSQL from the server in batches."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.driver: Any = conn.connection.driver_connection
        self.errors: type[Exception] = conn.dialect.loaded_dbapi.Error
        self.open: list[Any] = []

    def stream(self, query: sa.Select[Any], name: str) -> Any:
        text = str(query.compile(dialect=self.conn.dialect, compile_kwargs={"literal_binds": True}))
        if self.conn.dialect.name == "postgresql":
            cursor = self.driver.cursor(name=f"guoying_verify_{name}", binary=True)
            cursor.itersize = BATCH
        else:
            cursor = self.driver.cursor()
        self.open.append(cursor)
        cursor.execute(text)
        return cursor

    def wrapped(self, error: Exception) -> sa.exc.StatementError:
        """A driver's error as SQLAlchemy raises it elsewhere (a damaged file is reported as
        such, whichever way it was read)."""
        return sa.exc.DBAPIError.instance(None, None, error, self.errors)

    def close(self) -> None:
        for cursor in self.open:
            with contextlib.suppress(self.errors):
                cursor.close()


class _Bad(Exception):
    def __init__(self, problem: str, position: int | None) -> None:
        super().__init__(problem)
        self.problem, self.position = problem, position


class _Walk:
    """The chain as walked so far: its length, last raw hash, the last ref of each kind, the
    refusals bound, and the hash at the checkpoint's count."""

    def __init__(self, refusals: Any, checkpoint_count: int) -> None:
        self.count = 0
        self.previous = bytes.fromhex(schema.GENESIS)
        self.last = {chain.EVENT: 0, chain.REFUSAL: 0}
        self.refusals_bound = 0
        self.refusals = iter(refusals)
        self.next_refusal: Sequence[Any] | None = next(self.refusals, None)
        self.mark = checkpoint_count
        self.at_mark: str | None = schema.GENESIS if checkpoint_count == 0 else None

    @property
    def root(self) -> str:
        return self.previous.hex()

    def run(self, entries: Any, progress: Progress | None) -> None:
        """Every entry, in position order; raises _Bad at the first bad one."""
        # A sound version 2 event entry, the common case, is checked with local names only.
        event_v2, v2, mark = chain.event_v2, chain.V2, self.mark
        unhashable = (AttributeError, TypeError, ValueError, struct.error)
        while rows := entries.fetchmany(BATCH):
            count, previous, last_event = self.count, self.previous, self.last[chain.EVENT]
            for row in rows:
                position, _, ref, stored, version, row_id, oid, over, topic, state, at = row
                count += 1
                if version == v2 and row_id == ref and position == count and ref > last_event:
                    try:
                        raw = event_v2(previous, position, row_id, oid, over, topic, state, at)
                    except unhashable:
                        raw = b""
                    if raw.hex() == stored:
                        previous, last_event = raw, ref
                        if count == mark:
                            self.at_mark = stored
                        continue
                self.count, self.previous, self.last[chain.EVENT] = count - 1, previous, last_event
                self.careful(row)
                count, previous, last_event = self.count, self.previous, self.last[chain.EVENT]
            self.count, self.previous, self.last[chain.EVENT] = count, previous, last_event
            if progress is not None:
                progress(len(rows))

    def careful(self, row: Sequence[Any]) -> None:
        """One entry, any kind and version, every check in turn; raises _Bad naming the
        first that fails."""
        expected = self.count + 1
        position, kind, ref, stored, version = row[:5]
        if type(ref) is not int:
            raise _Bad(f"position {expected} binds a malformed reference", expected)
        if position != expected:
            raise _Bad(f"chain position {expected} is missing", expected)
        if kind not in chain.TABLES:
            raise _Bad(f"position {expected} binds an unknown kind {kind!r}", expected)
        if ref <= self.last[kind]:
            raise _Bad(
                f"position {expected}: {kind} {ref} is out of order "
                f"(after {kind} {self.last[kind]})",
                expected,
            )
        values = row[5:] if kind == chain.EVENT else self._refusal(ref)
        if values is None or values[0] is None:
            raise _Bad(f"position {expected}: {kind} {ref} was deleted", expected)
        where = f"position {expected}: {kind} {ref}"
        stored_row = dict(zip(chain.COLUMNS[kind], values, strict=True))
        retyped = _type_problem(kind, stored_row)
        if retyped is not None:
            raise _Bad(f"{where}: {retyped}", expected)
        if version not in chain.VERSIONS:
            raise _Bad(f"{where}: digest version {version!r} is not one guoying writes", expected)
        linked = chain.entry_hash(version, self.root, expected, kind, stored_row)
        if linked != stored:
            raise _Bad(
                f"{where} does not match its hash (edited, or the chain was edited)", expected
            )
        self.count, self.previous, self.last[kind] = expected, bytes.fromhex(linked), ref
        self.refusals_bound += kind == chain.REFUSAL
        if expected == self.mark:
            self.at_mark = linked

    def _refusal(self, ref: int) -> Sequence[Any] | None:
        """The refusal-log row with id `ref`, from the log read in id order alongside the
        chain (refs rise along the chain, so the log is read once); None if it is gone."""
        while self.next_refusal is not None and self.next_refusal[0] < ref:
            self.next_refusal = next(self.refusals, None)  # not bound here: named at the end
        found = self.next_refusal
        if found is None or found[0] != ref:
            return None
        self.next_refusal = next(self.refusals, None)
        return found


def _insertion(conn: Connection, walk: _Walk) -> str | None:
    """A row of either table that no entry binds: every entry walked binds its own row, so
    a table holding more rows than that holds an unbound one."""
    bound = {chain.EVENT: walk.count - walk.refusals_bound, chain.REFUSAL: walk.refusals_bound}
    for kind, table in chain.TABLES.items():
        if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() > bound[kind]:
            inserted = _unchained(conn, table, kind)
            if inserted is not None:
                return f"{kind} {inserted} is not bound into the chain (inserted)"
    return None


def verify(
    store: SqlStore, checkpoint: Checkpoint | None = None, progress: Progress | None = None
) -> Verdict:
    """Check the whole store; raises CheckpointMismatch for another store's checkpoint."""
    if checkpoint is not None and checkpoint.store_id != store.store_id:
        raise CheckpointMismatch(
            f"the checkpoint is of store {checkpoint.store_id}, not of this store "
            f"({store.store_id})"
        )
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # One snapshot for the head and the whole chain, whatever writers commit meanwhile.
            conn.execution_options(isolation_level="REPEATABLE READ")
        head = chain.read_head(conn)
        walk = _Walk((), -1)

        def bad(problem: str, where: int | None) -> Verdict:
            return Verdict(
                ok=False, count=walk.count, root=walk.root, problem=problem, position=where
            )

        declared = _declared_types(conn)
        if declared is not None:
            return bad(declared, None)
        cursors = _Cursors(conn)
        try:
            entries = cursors.stream(_entries_query(chain.has_digest_version(conn)), "chain")
            walk = _Walk(
                cursors.stream(_REFUSALS, "refusals"),
                -1 if checkpoint is None else checkpoint.count,
            )
            walk.run(entries, progress)
        except _Bad as found:
            return bad(found.problem, found.position)
        except cursors.errors as error:
            raise cursors.wrapped(error) from error
        finally:
            cursors.close()
        position, current = walk.count, walk.root
        inserted = _insertion(conn, walk)
        if inserted is not None:
            # An unbound row would sit after the chain's end: that is where it is named.
            return bad(inserted, position + 1)
        if head.count == position and head.hash != current:
            return bad(
                f"the store's head hash {head.hash[:16]}... is not the hash of the chain's "
                f"last entry {current[:16]}... (both bind {position} entries: the head was "
                "edited)",
                position,
            )
        if (head.count, head.hash) != (position, current):
            return bad(
                f"the store's head says {head.count} entries, the chain holds {position} "
                "(truncated or rewritten)",
                min(head.count, position) + 1,
            )
    if checkpoint is not None:
        if checkpoint.count > position:
            return bad(
                f"the checkpoint binds {checkpoint.count} entries but the store holds only "
                f"{position} (truncated, or the checkpoint is ahead of the store)",
                position + 1,
            )
        if walk.at_mark != checkpoint.root:
            return bad(
                f"the chain up to position {checkpoint.count} does not end in the checkpoint's "
                "root hash (history before the checkpoint was rewritten)",
                checkpoint.count,
            )
    return Verdict(ok=True, count=position, root=current)
