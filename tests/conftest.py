"""Shared fixtures: stores by URL, including PostgreSQL when one answers.

With GUOYING_TEST_DATABASE_URL set (as .ci/run sets it), PostgreSQL tests run or fail;
they are never skipped. Without it, they run against the local default server when it
answers and are skipped, with a plain message, when none does.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

PG_ENV = "GUOYING_TEST_DATABASE_URL"
LOCAL_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _find_postgres() -> tuple[str | None, str]:
    configured = os.environ.get(PG_ENV)
    if configured:
        return configured, f"PostgreSQL tests run against {PG_ENV}={configured}"
    try:
        conninfo = sa.engine.make_url(LOCAL_PG).set(drivername="postgresql")
        with psycopg.connect(conninfo.render_as_string(hide_password=False), connect_timeout=2):
            pass
    except psycopg.Error:
        return None, (
            f"PostgreSQL tests SKIPPED: no server answers at 127.0.0.1:5432 and {PG_ENV} is not set"
        )
    return LOCAL_PG, f"PostgreSQL tests run against the local server {LOCAL_PG}"


PG_URL, PG_STATUS = _find_postgres()


def pytest_report_header() -> str:
    return PG_STATUS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(PG_STATUS)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL store URL on a fresh schema of its own, dropped afterwards."""
    if PG_URL is None:
        pytest.skip(PG_STATUS)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.engine.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Every kind of store, so that one contract test runs on all three."""
    if request.param == "memory":
        return "memory://"
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_url"))
