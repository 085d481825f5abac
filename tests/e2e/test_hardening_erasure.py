"""After `erase-person` returns, no copy of the name or phone is in the store's files
(issue 11, defect 2). The tests grep the raw bytes of every file: SQLite's main file, -wal
and -shm while another connection holds the store open; PostgreSQL's files of the
personal-data table (heap, TOAST, indexes, free-space and visibility maps).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from guoying.application.commands import ErasePerson, RegisterPerson
from guoying.domain.values import Actor
from tests.e2e.city import MANZHUANG, command
from tests.e2e.runner import Store
from tests.integration.builders import ORG_DEPT, found_city, open_app, secretary

NAME = "删除测试人甲乙"
PHONE = "0538-9876543"
SECRETS = (NAME.encode(), PHONE.encode())


def sqlite_files(store: Store) -> dict[str, bytes]:
    return {
        suffix or "main": Path(f"{store.path}{suffix}").read_bytes()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{store.path}{suffix}").exists()
    }


def holding(files: dict[str, bytes]) -> list[str]:
    return [
        f"{where}: {secret.decode()}"
        for where, data in files.items()
        for secret in SECRETS
        if secret in data
    ]


# Another process holds the store open, as a running service would. It must be another
# process: reading the files from this one would close descriptors of theirs and so drop
# its SQLite locks (POSIX advisory locks belong to the process), and the -wal file would
# then be removed as if no connection were left.
HOLD = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("SELECT count(*) FROM guoying_people").fetchone()
print("holding", flush=True)
sys.stdin.read()
conn.execute("SELECT count(*) FROM guoying_people").fetchone()
conn.close()
"""


@contextmanager
def held_open(path: Path) -> Iterator[None]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        yield
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        assert holder.wait(timeout=60) == 0


def test_sqlite_keeps_no_copy_in_any_file_while_another_connection_holds_it_open(
    city: Store,
) -> None:
    with held_open(city.path):
        registered = city.apply(
            [
                command(
                    "RegisterPerson",
                    MANZHUANG,
                    "联系人",
                    "2018-01-01",
                    person_id="gone",
                    name=NAME,
                    phone=PHONE,
                )
            ]
        )
        assert registered.code == 0, registered
        assert holding(sqlite_files(city)) == [f"-wal: {NAME}", f"-wal: {PHONE}"], (
            "the test must see the data in the -wal file before the erasure"
        )
        erased = city.run(
            "erase-person",
            "gone",
            "--reason",
            "本人申请删除",
            "--actor",
            "clerk",
            "--committee",
            "taian-zzb",
        )
        assert erased.code == 0, erased
        assert Path(f"{city.path}-wal").exists(), "the store must still be held open"
        assert holding(sqlite_files(city)) == []
    assert holding(sqlite_files(city)) == []
    assert city.run("verify").code == 0


def _people_files(conn: sa.Connection) -> list[Path]:
    data = Path(conn.execute(sa.text("SHOW data_directory")).scalar_one())
    relations = conn.execute(
        sa.text(
            """
            WITH t AS (SELECT oid, reltoastrelid FROM pg_class
                       WHERE oid = 'guoying_people'::regclass)
            SELECT pg_relation_filepath(oid) FROM pg_class
            WHERE oid IN (SELECT oid FROM t UNION SELECT reltoastrelid FROM t)
               OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid IN
                          (SELECT oid FROM t UNION SELECT reltoastrelid FROM t))
            """
        )
    ).scalars()
    files = []
    for relative in relations:
        if relative is None:
            continue
        base = data / relative
        files += [
            p
            for p in base.parent.glob(f"{base.name}*")
            if p.name.split("_")[0].split(".")[0] == base.name
        ]
    return files


def _postgres_bytes(engine: sa.Engine) -> dict[str, bytes]:
    with engine.connect() as opened:
        conn = opened.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(sa.text("CHECKPOINT"))  # dirty pages of the table reach its files
        return {str(p): p.read_bytes() for p in _people_files(conn)}


@pytest.mark.postgres
def test_postgresql_keeps_no_copy_in_the_personal_data_tables_files(postgres_url: str) -> None:
    with open_app(postgres_url) as app:
        found_city(app)
        app.execute(
            RegisterPerson(
                actor=secretary(ORG_DEPT),
                reason="联系人",
                person_id="gone",
                name=NAME,
                phone=PHONE,
                effective_on=date(2018, 1, 1),
            )
        )
        before = _postgres_bytes(app.store.engine)
        assert before, "the test must find the table's files"
        assert holding(before), "the test must see the data in the table's files first"
        app.execute(
            ErasePerson(
                actor=Actor("clerk", ORG_DEPT),
                reason="本人申请删除",
                person_id="gone",
                effective_on=date(2018, 2, 1),
            )
        )
        assert holding(_postgres_bytes(app.store.engine)) == []
        assert app.store.personal_data(["gone"])["gone"].name != NAME
