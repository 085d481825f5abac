"""The hash chain that makes the store tamper-evident.

Each stored event and each refusal-log entry is bound, in the order the store committed
it, to a dense chain position: hash(n) = sha256(hash(n-1) || digest(entry n)), where the
digest covers every stored column. The chain is extended in the same transaction as the
write, under the store's write lock, so concurrent writers neither leave a gap nor fork it.
Personal data is not in the chain: it lives apart so that it can be erased.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.adapters import schema

EVENT = "event"
REFUSAL = "refusal"


def _digest(kind: str, fields: Iterable[Any]) -> str:
    encoded = json.dumps([kind, *fields], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


def _bytes(value: object) -> bytes:
    # A tampered row may come back as text; it still has to be hashed, not crash.
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()


def event_digest(row: Mapping[str, Any]) -> str:
    # Values are hashed as read, uncoerced: a tampered value of the wrong type must make a
    # different digest, not crash the check.
    return _digest(
        EVENT,
        (
            row["id"],
            row["originator_id"],
            row["originator_version"],
            row["topic"],
            _bytes(row["state"]).hex(),
            row["recorded_at"],
        ),
    )


REFUSAL_COLUMNS = (
    "id",
    "recorded_at",
    "command",
    "actor_person_id",
    "actor_committee_id",
    "subject_committee_id",
    "rule_id",
    "message",
    "reason",
    "payload",
)


def refusal_digest(row: Mapping[str, Any]) -> str:
    return _digest(REFUSAL, (row[column] for column in REFUSAL_COLUMNS))


def link(previous: str, digest: str) -> str:
    return hashlib.sha256(f"{previous}{digest}".encode()).hexdigest()


@frozen
class Head:
    count: int
    hash: str


_READ_HEAD = sa.select(schema.head.c.chain_count, schema.head.c.chain_hash).where(
    schema.head.c.key == "head"
)


def read_head(conn: Connection) -> Head:
    row = conn.execute(_READ_HEAD).one()
    return Head(int(row.chain_count), str(row.chain_hash))


def extend(conn: Connection, head: Head, kind: str, rows: Iterable[Mapping[str, Any]]) -> Head:
    """Bind newly written rows into the chain after `head`; the new head, which the caller,
    holding the store's write lock, stores in the same transaction."""
    count, current = head.count, head.hash
    digest = event_digest if kind == EVENT else refusal_digest
    entries = []
    for row in rows:
        count += 1
        current = link(current, digest(row))
        entries.append({"position": count, "kind": kind, "ref": int(row["id"]), "hash": current})
    if entries:
        conn.execute(schema.chain.insert(), entries)
    return Head(count, current)


TABLES = {EVENT: schema.events, REFUSAL: schema.refusals}
Bound = dict[str, dict[int, Any]]  # rows by kind and id


def batches(conn: Connection, size: int) -> Iterator[tuple[Sequence[sa.Row[Any]], Bound]]:
    """The chain's entries in position order, `size` at a time, each batch with the rows
    its entries bind, by kind and id (a row deleted from its table is simply absent)."""
    position = 0
    while entries := conn.execute(
        sa.select(schema.chain)
        .where(schema.chain.c.position > position)
        .order_by(schema.chain.c.position)
        .limit(size)
    ).all():
        bound: Bound = {}
        for kind, table in TABLES.items():
            ids = [e.ref for e in entries if e.kind == kind]
            bound[kind] = (
                {int(r.id): r for r in conn.execute(sa.select(table).where(table.c.id.in_(ids)))}
                if ids
                else {}
            )
        yield entries, bound
        position = int(entries[-1].position)
