"""What a database error means for the user, by SQLite's error name or PostgreSQL's
SQLSTATE (class or code), so that a full disk is not reported as an unreadable store."""

from __future__ import annotations

from sqlalchemy.exc import DatabaseError

_STORE_PROBLEMS = {
    "SQLITE_READONLY": "the store is read-only (no permission to write it, or a read-only "
    "file system)",
    "SQLITE_FULL": "the disk is full: nothing was written",
    "SQLITE_BUSY": "the store is locked by another writer; try again",
    "SQLITE_LOCKED": "the store is locked by another writer; try again",
    "SQLITE_CORRUPT": "the store is damaged (restore it from a backup; guoying verify names "
    "what it can)",
    "SQLITE_NOTADB": "the store is damaged or not a guoying store",
    "SQLITE_IOERR": "the store's file could not be read or written (an I/O error)",
    "SQLITE_CANTOPEN": "the store's file cannot be opened",
    "25006": "the store is read-only (a read-only transaction or a standby server)",
    "42501": "no permission to use the store's tables",
    "53": "the database server is out of resources (disk full or out of memory): nothing "
    "was written",
    "55P03": "the store is locked by another writer; try again",
    "40P01": "the store is locked by another writer; try again",
    "XX": "the store is damaged (the server reports corrupt data)",
    "08": "the database server cannot be reached",
}


def store_problem(error: DatabaseError) -> str:
    """A message that says what happened to the store, with the driver's own first line."""
    original = getattr(error, "orig", None)
    # SQLITE_IOERR_WRITE and other extended codes fall under their primary code.
    name = "_".join(str(getattr(original, "sqlite_errorname", "")).split("_")[:2])
    sqlstate = str(getattr(original, "sqlstate", "") or "")
    said = (str(original or error).splitlines() or [""])[0]
    for key in (name, sqlstate, sqlstate[:2]):
        if key and key in _STORE_PROBLEMS:
            return f"{_STORE_PROBLEMS[key]}: {said}"
    return f"the store cannot be read: {said}"
