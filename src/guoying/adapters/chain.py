"""The hash chain that makes the store tamper-evident.

Each stored event and each refusal-log entry is bound, in the order the store committed
it, to a dense chain position whose hash covers every stored column of the row and the hash
of the position before it. The chain is extended in the same transaction as the write,
under the store's write lock, so concurrent writers neither leave a gap nor fork it.
Personal data is not in the chain: it lives apart so that it can be erased.

Two versions of an entry's hash exist, recorded per entry (docs/adr/011-chain-digest-v2.md):
version 1, hash(n) = sha256(hex hash(n-1) + hex sha256(JSON array of the row)), which stores
written before version 2 hold; and version 2, which new entries use: one sha256 over the
previous raw hash and the row's stored bytes, length-prefixed.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.adapters import schema
from guoying.application.errors import StoreDamaged

EVENT = "event"
REFUSAL = "refusal"
V1 = 1
V2 = 2
VERSIONS = (V1, V2)
# The version new entries are written with (a store without the version column gets V1).
WRITTEN_VERSION = V2

EVENT_COLUMNS = ("id", "originator_id", "originator_version", "topic", "state", "recorded_at")
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
COLUMNS = {EVENT: EVENT_COLUMNS, REFUSAL: REFUSAL_COLUMNS}

# Version 1


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


def refusal_digest(row: Mapping[str, Any]) -> str:
    return _digest(REFUSAL, (row[column] for column in REFUSAL_COLUMNS))


def link(previous: str, digest: str) -> str:
    return hashlib.sha256(f"{previous}{digest}".encode()).hexdigest()


# Version 2: hash(n) = sha256(raw hash(n-1) || 0x02 || kind byte || a header of 8-byte
# big-endian signed integers (the position, the row's integer columns, then the byte length
# of each text or blob column, -1 for NULL) || those columns' bytes (text as UTF-8)).
# Every length comes before any variable byte, so no field can run into the next.

EVENT_TAG = b"\x02e"
REFUSAL_TAG = b"\x02r"
# position, id, originator_version, recorded_at; the lengths of originator_id, topic, state
EVENT_HEADER = struct.Struct(">7q")
# position, id, recorded_at; the lengths of the eight text columns
REFUSAL_HEADER = struct.Struct(">11q")
REFUSAL_TEXTS = REFUSAL_COLUMNS[2:]


def event_v2(
    previous: bytes,
    position: int,
    row_id: int,
    originator_id: str,
    originator_version: int,
    topic: str,
    state: bytes,
    recorded_at: int,
) -> bytes:
    """The raw version 2 hash of an event, given its columns in EVENT_COLUMNS order. Raises
    (AttributeError, TypeError, ValueError or struct.error) on a value not of the type
    guoying stores, so that a retyped value never hashes like the one it replaced."""
    oid, top = originator_id.encode(), topic.encode()
    header = EVENT_HEADER.pack(
        position, row_id, originator_version, recorded_at, len(oid), len(top), len(state)
    )
    return hashlib.sha256(b"".join((previous, EVENT_TAG, header, oid, top, state))).digest()


def refusal_v2(previous: bytes, position: int, row: Sequence[Any]) -> bytes:
    """The raw version 2 hash of a refusal-log entry, its columns in REFUSAL_COLUMNS order;
    raises as `event_v2` does."""
    texts = [None if value is None else value.encode() for value in row[2:]]
    lengths = [-1 if text is None else len(text) for text in texts]
    header = REFUSAL_HEADER.pack(position, row[0], row[1], *lengths)
    parts = [previous, REFUSAL_TAG, header, *(t for t in texts if t is not None)]
    return hashlib.sha256(b"".join(parts)).digest()


def entry_hash(
    version: int, previous: str, position: int, kind: str, row: Mapping[str, Any]
) -> str:
    """hash(position), as stored, of a row of `kind` after `previous` (the hex hash of the
    position before)."""
    if version == V1:
        return link(previous, (event_digest if kind == EVENT else refusal_digest)(row))
    values = [row[column] for column in COLUMNS[kind]]
    if kind == EVENT:
        return event_v2(bytes.fromhex(previous), position, *values).hex()
    return refusal_v2(bytes.fromhex(previous), position, values).hex()


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


def extend(
    conn: Connection,
    head: Head,
    kind: str,
    rows: Iterable[Mapping[str, Any]],
    version: int = WRITTEN_VERSION,
) -> Head:
    """Bind newly written rows into the chain after `head`; the new head, which the caller,
    holding the store's write lock, stores in the same transaction. `version` V1 writes
    entries as guoying did before the digest version column (for a store without it)."""
    count, current = head.count, head.hash
    entries: list[dict[str, Any]] = []
    try:
        for row in rows:
            count += 1
            current = entry_hash(version, current, count, kind, row)
            entry = {"position": count, "kind": kind, "ref": int(row["id"]), "hash": current}
            if version != V1:
                entry["digest_version"] = version
            entries.append(entry)
    except ValueError as error:
        raise StoreDamaged(
            f"the store is damaged: its head hash {head.hash[:16]}... is not a hash "
            "(run guoying verify)",
            head.count,
        ) from error
    if entries:
        conn.execute(schema.chain.insert(), entries)
    return Head(count, current)


def has_digest_version(conn: Connection) -> bool:
    """Whether the store's chain records each entry's digest version (stores written before
    version 2 do not until a writer opens them; their entries are all version 1)."""
    columns = sa.inspect(conn).get_columns(schema.chain.name)
    return any(c["name"] == schema.chain.c.digest_version.name for c in columns)


TABLES = {EVENT: schema.events, REFUSAL: schema.refusals}
Bound = dict[str, dict[int, Any]]  # rows by kind and id
_ENTRIES: sa.Select[Any] = sa.select(
    schema.chain.c.position, schema.chain.c.kind, schema.chain.c.ref, schema.chain.c.hash
)


def batches(conn: Connection, size: int) -> Iterator[tuple[Sequence[sa.Row[Any]], Bound]]:
    """The chain's entries (position, kind, ref, hash) in position order, `size` at a time,
    each batch with the rows its entries bind, by kind and id (a row deleted from its table
    is simply absent)."""
    position = 0
    while entries := conn.execute(
        _ENTRIES.where(schema.chain.c.position > position)
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
