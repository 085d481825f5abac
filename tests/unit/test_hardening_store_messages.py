"""A store failure says what happened: read-only, disk full, locked, damaged (issue 11,
defect 8); before, every one of them said "the store cannot be read"."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
import sqlalchemy as sa

from guoying.adapters.problems import store_problem


def sqlite_error(name: str, message: str) -> sa.exc.DatabaseError:
    original = sqlite3.OperationalError(message)
    original.sqlite_errorname = name  # type: ignore[attr-defined]
    return sa.exc.OperationalError("INSERT ...", {}, original)


def postgres_error(kind: type[psycopg.Error], message: str) -> sa.exc.DatabaseError:
    return sa.exc.OperationalError("INSERT ...", {}, kind(message))


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (sqlite_error("SQLITE_READONLY", "attempt to write a readonly database"), "read-only"),
        (sqlite_error("SQLITE_FULL", "database or disk is full"), "the disk is full"),
        (sqlite_error("SQLITE_BUSY", "database is locked"), "locked by another writer"),
        (sqlite_error("SQLITE_CORRUPT", "database disk image is malformed"), "damaged"),
        (sqlite_error("SQLITE_NOTADB", "file is not a database"), "damaged"),
        (sqlite_error("SQLITE_IOERR_WRITE", "disk I/O error"), "I/O error"),
        (postgres_error(psycopg.errors.DiskFull, "could not extend file"), "disk full"),
        (
            postgres_error(psycopg.errors.ReadOnlySqlTransaction, "read-only transaction"),
            "read-only",
        ),
        (postgres_error(psycopg.errors.LockNotAvailable, "could not obtain lock"), "locked"),
        (postgres_error(psycopg.errors.DataCorrupted, "invalid page in block 7"), "damaged"),
    ],
)
def test_a_store_failure_is_named_for_what_happened_with_the_drivers_words(
    error: sa.exc.DatabaseError, words: str
) -> None:
    message = store_problem(error)
    assert words in message, message
    assert not message.startswith("the store cannot be read"), message
    assert str(error.orig) in message


def test_anything_else_is_still_an_unreadable_store() -> None:
    message = store_problem(sqlite_error("SQLITE_ERROR", "no such table: guoying_events"))
    assert message == "the store cannot be read: no such table: guoying_events"
