"""The store's own tables: events, refusal log, personal data, projection tracking; and
the keys of its advisory locks on PostgreSQL."""

from __future__ import annotations

import hashlib

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    UniqueConstraint,
    inspect,
    text,
)

# SQLite only autoincrements an INTEGER PRIMARY KEY.
Position = BigInteger().with_variant(Integer(), "sqlite")

store_metadata = MetaData()
GENESIS = "0" * 64
FIRST_DIGEST_VERSION = "1"


def advisory_key(purpose: str, store_id: str) -> int:
    """A PostgreSQL advisory lock's key, per store, so that stores in schemas of one
    database do not wait for each other."""
    digest = hashlib.sha256(f"guoying-{purpose}:{store_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


events = Table(
    "guoying_events",
    store_metadata,
    Column("id", Position, primary_key=True, autoincrement=True),
    Column("originator_id", Text, nullable=False),
    Column("originator_version", BigInteger, nullable=False),
    Column("topic", Text, nullable=False),
    Column("state", LargeBinary, nullable=False),
    # Microseconds since the epoch, UTC, taken by the store under its write lock.
    Column("recorded_at", BigInteger, nullable=False),
    UniqueConstraint("originator_id", "originator_version", name="guoying_events_version"),
    Index("guoying_events_recorded_at", "recorded_at"),
)

refusals = Table(
    "guoying_refusals",
    store_metadata,
    Column("id", Position, primary_key=True, autoincrement=True),
    Column("recorded_at", BigInteger, nullable=False),
    Column("command", Text, nullable=False),
    Column("actor_person_id", Text, nullable=False),
    Column("actor_committee_id", Text, nullable=False),
    Column("subject_committee_id", Text),
    Column("rule_id", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("payload", Text, nullable=False),
)

# Personal data lives apart from the events so that one person's can be erased
# without rewriting any event (rules.md 9a).
people = Table(
    "guoying_people",
    store_metadata,
    Column("person_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("phone", Text, nullable=False),
)

# One row: the store's identity and the last recorded time. Writers lock it, which orders
# commits as positions are assigned and keeps recorded time from going backwards.
head = Table(
    "guoying_store",
    store_metadata,
    Column("key", Text, primary_key=True),
    Column("store_id", Text, nullable=False),
    Column("last_recorded_at", BigInteger, nullable=False),
    # The hash chain's head: how many entries it binds and the hash of the last one.
    Column("chain_count", BigInteger, nullable=False, server_default="0"),
    Column("chain_hash", Text, nullable=False, server_default=GENESIS),
)

# The hash chain: every stored event and refusal-log entry, in the order the store
# committed them, on a dense position of its own; each hash binds the one before it.
chain = Table(
    "guoying_chain",
    store_metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", Text, nullable=False),
    Column("ref", BigInteger, nullable=False),
    Column("hash", Text, nullable=False),
    # How `hash` was computed (guoying.adapters.chain): rows stored before the column was
    # added, and rows an older guoying writes, are version 1.
    Column("digest_version", Integer, nullable=False, server_default=FIRST_DIGEST_VERSION),
    UniqueConstraint("kind", "ref", name="guoying_chain_entry"),
)

# Writes handed to the writer holding the store's head, on PostgreSQL (adapters/
# group_commit.py): a row lives from the moment its writer finds the head busy until that
# writer has read its outcome. Not part of the chain, and kept out of `store_metadata` so that
# a store written before it still opens read-only.
intake_metadata = MetaData()
intake = Table(
    "guoying_intake",
    intake_metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=True),
    Column("write_id", Text, nullable=False, unique=True),
    Column("payload", LargeBinary, nullable=False),
    Column("status", Text, nullable=False),
    # The positions given to an applied write's events, or why it was not applied (JSON).
    Column("outcome", Text),
)

tracking = Table(
    "guoying_tracking",
    store_metadata,
    Column("projection", Text, primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# Columns added to a table after stores had been written with it, oldest first, each with
# the value its existing rows take.
ADDED_COLUMNS = ((chain, chain.c.digest_version, FIRST_DIGEST_VERSION),)


def add_missing_columns(conn: Connection) -> None:
    """Bring an existing store's tables up to this schema: `create_all` makes missing
    tables, this adds the columns added since, each with its default for existing rows."""
    for table, column, default in ADDED_COLUMNS:
        present = {c["name"] for c in inspect(conn).get_columns(table.name)}
        if column.name in present:
            continue
        kind = column.type.compile(dialect=conn.dialect)
        conn.execute(
            text(
                f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind} NOT NULL "
                f"DEFAULT {default}"
            )
        )
