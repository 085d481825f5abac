"""Check a guoying SQLite store's hash chain without guoying: Python's standard library only.

    python verify_chain.py guoying.db [checkpoint.json]

Exit 0 and "ok: N entries, root H" when every event and refusal-log entry is bound, in
order, into a chain that ends in the store's head (and, given a checkpoint written by
`guoying checkpoint`, passes through the checkpoint's root at its count); otherwise exit 1
naming the first problem. Entries of both digest versions are checked: version 1 (stores
written before version 2, and every entry of a store without the digest_version column) and
version 2.
"""

import hashlib
import json
import sqlite3
import struct
import sys

GENESIS = "0" * 64
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
TABLES = {
    "event": ("guoying_events", EVENT_COLUMNS),
    "refusal": ("guoying_refusals", REFUSAL_COLUMNS),
}
INTEGERS = {"id", "originator_version", "recorded_at"}
NULLABLE = {"subject_committee_id"}
# Version 2: the kind's byte, its integer columns and its text or blob columns, in order.
V2 = {
    "event": (
        b"e",
        ("id", "originator_version", "recorded_at"),
        ("originator_id", "topic", "state"),
    ),
    "refusal": (b"r", ("id", "recorded_at"), REFUSAL_COLUMNS[2:]),
}


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest(kind, row):
    """Version 1: sha256 of the compact JSON array [kind, column values...] (UTF-8, not
    ASCII-escaped); an event's state (bytes) enters as lower-case hex."""
    values = [row[c].hex() if c == "state" else row[c] for c in TABLES[kind][1]]
    return sha256(json.dumps([kind, *values], ensure_ascii=False, separators=(",", ":")))


def link(version, previous, position, kind, row):
    """hash(position) after `previous` (hex), as guoying_chain stores it."""
    if version == 1:
        return sha256(previous + digest(kind, row))
    # Version 2: sha256 of the previous hash's 32 bytes, 0x02, the kind's byte, 8-byte
    # big-endian integers (the position, the integer columns, then the byte length of each
    # text or blob column, -1 for NULL), then those columns' bytes (text as UTF-8).
    tag, integers, variable = V2[kind]
    data = [row[c].encode("utf-8") if isinstance(row[c], str) else row[c] for c in variable]
    numbers = [position, *(row[c] for c in integers), *(-1 if d is None else len(d) for d in data)]
    header = struct.pack(f">{len(numbers)}q", *numbers)
    body = b"".join(d for d in data if d is not None)
    return hashlib.sha256(bytes.fromhex(previous) + b"\x02" + tag + header + body).hexdigest()


def wrong_type(kind, row):
    for column in TABLES[kind][1]:
        value = row[column]
        expected = bytes if column == "state" else int if column in INTEGERS else str
        if not (isinstance(value, expected) or (value is None and column in NULLABLE)):
            return f"{column} is stored as {type(value).__name__}, not {expected.__name__}"
    return None


def verify(path, checkpoint=None):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    store_id, head_count, head_hash = db.execute(
        "SELECT store_id, chain_count, chain_hash FROM guoying_store WHERE key = 'head'"
    ).fetchone()
    if checkpoint and checkpoint["store_id"] != store_id:
        return f"the checkpoint is of store {checkpoint['store_id']}, not {store_id}"
    position, current, last = 0, GENESIS, {"event": 0, "refusal": 0}
    at_checkpoint = GENESIS if checkpoint and checkpoint["count"] == 0 else None
    columns = [c[1] for c in db.execute("PRAGMA table_info(guoying_chain)")]
    version = "digest_version" if "digest_version" in columns else "1"
    for entry in db.execute(
        f"SELECT position, kind, ref, hash, {version} AS version FROM guoying_chain "
        "ORDER BY position"
    ):
        position += 1
        if entry["position"] != position or entry["kind"] not in TABLES:
            return f"position {position} is missing or binds an unknown kind"
        if entry["version"] not in (1, 2):
            return f"position {position}: unknown digest version {entry['version']!r}"
        kind, ref = entry["kind"], entry["ref"]
        if ref <= last[kind]:
            return f"position {position}: {kind} {ref} is out of order"
        table, _ = TABLES[kind]
        row = db.execute(f"SELECT * FROM {table} WHERE id = ?", (ref,)).fetchone()
        if row is None:
            return f"position {position}: {kind} {ref} was deleted"
        problem = wrong_type(kind, row)
        if problem:
            return f"position {position}: {kind} {ref}: {problem}"
        current = link(entry["version"], current, position, kind, row)
        if current != entry["hash"]:
            return f"position {position}: {kind} {ref} does not match its hash"
        last[kind] = ref
        if checkpoint and position == checkpoint["count"]:
            at_checkpoint = current
    for kind, (table, _) in TABLES.items():
        (unbound,) = db.execute(
            f"SELECT min(id) FROM {table} WHERE id NOT IN "
            "(SELECT ref FROM guoying_chain WHERE kind = ?)",
            (kind,),
        ).fetchone()
        if unbound is not None:
            return f"{kind} {unbound} is not bound into the chain (inserted)"
    if (head_count, head_hash) != (position, current):
        return f"the head says {head_count} entries ending {head_hash[:16]}, the chain {position}"
    if checkpoint and at_checkpoint != checkpoint["root"]:
        return f"the chain does not pass through the checkpoint's root at {checkpoint['count']}"
    print(f"ok: {position} entries, root {current}")
    return None


if __name__ == "__main__":
    kept = json.load(open(sys.argv[2], encoding="utf-8")) if len(sys.argv) > 2 else None
    problem = verify(sys.argv[1], kept)
    if problem:
        print(f"FAILED: {problem}", file=sys.stderr)
    sys.exit(1 if problem else 0)
