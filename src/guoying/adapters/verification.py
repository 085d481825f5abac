"""Checking the hash chain: `verify` and `checkpoint`.

`verify` walks the chain in position order, streaming, and recomputes every digest and link
from the stored rows: an edited, deleted, inserted or reordered event or refusal-log entry
shows at the first bad position. An edit that also rewrites the chain and its head (anyone
with write access to the database can recompute hashes) is caught only against a checkpoint
kept outside the database, as is a truncation of the chain's end: the checkpoint's count and
root hash must still be found at that position.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
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
        position, current = 0, schema.GENESIS
        last_ref = {chain.EVENT: 0, chain.REFUSAL: 0}
        at_checkpoint: str | None = None

        def bad(problem: str, where: int | None) -> Verdict:
            return Verdict(ok=False, count=position, root=current, problem=problem, position=where)

        declared = _declared_types(conn)
        if declared is not None:
            return bad(declared, None)

        for entries, rows in chain.batches(conn, BATCH):
            for entry in entries:
                expected = position + 1
                if type(entry.ref) is not int:
                    return bad(f"position {expected} binds a malformed reference", expected)
                if entry.position != expected:
                    return bad(f"chain position {expected} is missing", expected)
                if entry.kind not in rows:
                    return bad(
                        f"position {expected} binds an unknown kind {entry.kind!r}", expected
                    )
                if entry.ref <= last_ref[entry.kind]:
                    return bad(
                        f"position {expected}: {entry.kind} {entry.ref} is out of order "
                        f"(after {entry.kind} {last_ref[entry.kind]})",
                        expected,
                    )
                row = rows[entry.kind].get(int(entry.ref))
                if row is None:
                    return bad(
                        f"position {expected}: {entry.kind} {entry.ref} was deleted", expected
                    )
                retyped = _type_problem(entry.kind, row._mapping)
                if retyped is not None:
                    where = f"position {expected}: {entry.kind} {entry.ref}"
                    return bad(f"{where}: {retyped}", expected)
                digest = (
                    chain.event_digest if entry.kind == chain.EVENT else chain.refusal_digest
                )(row._mapping)
                linked = chain.link(current, digest)
                if linked != entry.hash:
                    return bad(
                        f"position {expected}: {entry.kind} {entry.ref} does not match its hash "
                        "(edited, or the chain was edited)",
                        expected,
                    )
                position, current = expected, linked
                last_ref[entry.kind] = int(entry.ref)
                if checkpoint is not None and position == checkpoint.count:
                    at_checkpoint = current
            if progress is not None:
                progress(len(entries))
        for kind, table in chain.TABLES.items():
            inserted = _unchained(conn, table, kind)
            if inserted is not None:
                # An unbound row would sit after the chain's end: that is where it is named.
                return bad(
                    f"{kind} {inserted} is not bound into the chain (inserted)", position + 1
                )
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
        if checkpoint.count == 0:
            at_checkpoint = schema.GENESIS
        if at_checkpoint != checkpoint.root:
            return bad(
                f"the chain up to position {checkpoint.count} does not end in the checkpoint's "
                "root hash (history before the checkpoint was rewritten)",
                checkpoint.count,
            )
    return Verdict(ok=True, count=position, root=current)
