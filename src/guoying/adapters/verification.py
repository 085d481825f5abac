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
from collections.abc import Callable
from datetime import UTC, datetime

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
