"""Which store a caller means when it names none."""

from __future__ import annotations

import os

from guoying.adapters.store import DEFAULT_URL

STORE_ENV = "GUOYING_STORE"


def default_store_url() -> str:
    return os.environ.get(STORE_ENV) or DEFAULT_URL


def store_url(url: str | None = None) -> str:
    """The store URL a caller means: a plain file path is an SQLite store there, and the
    `postgres://` and `postgresql://` forms name PostgreSQL through psycopg 3."""
    given = url or default_store_url()
    for short in ("postgres://", "postgresql://"):
        if given.startswith(short):
            return "postgresql+psycopg://" + given.removeprefix(short)
    if "://" not in given:
        return f"sqlite:///{given}"
    return given
