"""The chain's two digest versions (docs/adr/011-chain-digest-v2.md).

A store whose entries were written with version 1, as the release before version 2 wrote
them, verifies; so does one that goes on with version 2 after them, and a checkpoint taken on
either side of the boundary holds. Every stored column of an event and of a refusal-log
entry of either version is bound, and an entry's recorded version cannot be changed unseen.

Version 1 entries are written through the recorder's digest version, the one seam: the
writer then runs version 1's own functions (`event_digest`, `refusal_digest`, `link`) and
leaves the version column to its default, as the release before wrote. Tampers are plain SQL
on the store's own engine, so that the memory store can be tampered with too.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from guoying import Guoying, RegisterPerson
from guoying.adapters import chain
from guoying.adapters.verification import Checkpoint, Verdict, take_checkpoint, verify
from tests.integration.builders import (
    build_small_city,
    cap_refused,
    open_app,
    out_of_jurisdiction,
    refuse,
    secretary,
)

TOWN = "town"


def writing_version(app: Guoying, version: int) -> None:
    app.store.recorder.digest_version = version


def build_mixed(app: Guoying) -> Checkpoint:
    """The small city and a refusal in version 1, then an event and a refusal in version 2;
    the checkpoint at the boundary."""
    writing_version(app, chain.V1)
    build_small_city(app)
    refuse(app, cap_refused(4))
    boundary = take_checkpoint(app.store)
    writing_version(app, chain.V2)
    app.execute(
        RegisterPerson(actor=secretary(TOWN), reason="a new leader", person_id="p-li", name="李")
    )
    refuse(app, out_of_jurisdiction())
    return boundary


@pytest.fixture
def mixed(store_url: str) -> Iterator[tuple[Guoying, Checkpoint]]:
    with open_app(store_url) as app:
        boundary = build_mixed(app)
        yield app, boundary


def sql(app: Guoying, statement: str, **params: Any) -> list[Any]:
    """Plain SQL on the store's database, committed: what anyone with access can do."""
    with app.store.engine.begin() as conn:
        result = conn.execute(sa.text(statement), params)
        return list(result) if result.returns_rows else []


def chain_entries(app: Guoying) -> list[Any]:
    return sql(
        app, "SELECT position, kind, ref, digest_version FROM guoying_chain ORDER BY position"
    )


def last_entry(app: Guoying, version: int, kind: str) -> tuple[int, int]:
    """(position, ref) of the last entry of a digest version and kind."""
    found = [e for e in chain_entries(app) if (e.digest_version, e.kind) == (version, kind)]
    return int(found[-1].position), int(found[-1].ref)


def assert_fails_at(verdict: Verdict, position: int, words: str) -> None:
    assert not verdict.ok, verdict
    assert (verdict.position, verdict.problem is not None) == (position, True), verdict
    assert words in str(verdict.problem), verdict


def test_version_1_entries_followed_by_version_2_entries_verify_and_checkpoints_hold(
    mixed: tuple[Guoying, Checkpoint],
) -> None:
    app, boundary = mixed
    versions = [int(e.digest_version) for e in chain_entries(app)]
    now = take_checkpoint(app.store)

    verdict = verify(app.store)

    assert versions == [1] * boundary.count + [2] * (len(versions) - boundary.count)
    assert len(versions) > boundary.count
    assert verdict.ok, verdict
    assert (verdict.count, verdict.root) == (now.count, now.root)
    assert verify(app.store, boundary).ok
    assert verify(app.store, now).ok


EDITS = {
    chain.EVENT: (
        ("originator_id", "originator_id || 'x'"),
        ("originator_version", "originator_version + 100"),
        ("topic", "topic || 'x'"),
        ("state", ":longer"),  # SQLite's || would make the bytes text
        ("recorded_at", "recorded_at - 1"),
    ),
    chain.REFUSAL: (
        ("recorded_at", "recorded_at + 1"),
        ("command", "'RegisterPerson'"),
        ("actor_person_id", "'sec-daiyue'"),
        ("actor_committee_id", "'daiyue'"),
        ("subject_committee_id", "NULL"),
        ("rule_id", "'org.hierarchy'"),
        ("message", "''"),
        ("reason", "reason || '.'"),
        ("payload", "'{}'"),
    ),
}
TABLES = {chain.EVENT: "guoying_events", chain.REFUSAL: "guoying_refusals"}


@pytest.mark.parametrize("version", chain.VERSIONS)
def test_every_stored_column_of_an_entry_of_either_version_is_bound(
    mixed: tuple[Guoying, Checkpoint], version: int
) -> None:
    """One column of the last event and of the last refusal of the version edited at a
    time, verified, and put back."""
    app, _ = mixed
    for kind, edits in EDITS.items():
        assert {c for c, _ in edits} == set(chain.COLUMNS[kind]) - {"id"}
        position, ref = last_entry(app, version, kind)
        table = TABLES[kind]
        for column, change in edits:
            [(before,)] = sql(app, f"SELECT {column} FROM {table} WHERE id = :id", id=ref)
            longer = bytes(before) + b" " if column == "state" else None
            sql(
                app, f"UPDATE {table} SET {column} = {change} WHERE id = :id", id=ref, longer=longer
            )

            assert_fails_at(verify(app.store), position, f"{kind} {ref} does not match its hash")

            sql(app, f"UPDATE {table} SET {column} = :v WHERE id = :id", v=before, id=ref)
            assert verify(app.store).ok, f"{table}.{column} put back"


@pytest.mark.parametrize(
    ("version", "becomes", "words"),
    [
        (chain.V1, chain.V2, "does not match its hash"),
        (chain.V2, chain.V1, "does not match its hash"),
        (chain.V2, 3, "digest version 3 is not one guoying writes"),
    ],
)
def test_an_entrys_digest_version_changed_fails_verify_at_its_position(
    mixed: tuple[Guoying, Checkpoint], version: int, becomes: int, words: str
) -> None:
    app, _ = mixed
    position, _ = last_entry(app, version, chain.EVENT)
    sql(
        app,
        "UPDATE guoying_chain SET digest_version = :v WHERE position = :p",
        v=becomes,
        p=position,
    )

    assert_fails_at(verify(app.store), position, words)


@pytest.fixture(params=["sqlite", "postgres"])
def lasting_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store that outlives the object that wrote it (a file, or a server's schema)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_url"))


def has_version_column(url: str) -> bool:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return chain.has_digest_version(conn)
    finally:
        engine.dispose()


def test_a_store_from_before_the_version_column_verifies_and_gains_it_from_a_writer(
    lasting_url: str,
) -> None:
    """The release before wrote no digest_version column: a store as it left it (version 1
    entries, the column dropped) verifies read-only and is left as it is, also when written
    through a read-only opening (version 1 goes on); a writer's opening adds the column, its
    rows version 1, and new entries are version 2."""
    with open_app(lasting_url) as app:
        writing_version(app, chain.V1)
        build_small_city(app)
        refuse(app, cap_refused(4))
        sql(app, "ALTER TABLE guoying_chain DROP COLUMN digest_version")
    assert not has_version_column(lasting_url)

    with open_app(lasting_url, create=False) as reader:
        assert verify(reader.store).ok
        refuse(reader, out_of_jurisdiction())
        old = take_checkpoint(reader.store)
        assert verify(reader.store).ok
    assert not has_version_column(lasting_url)

    with open_app(lasting_url) as writer:
        assert [e.digest_version for e in chain_entries(writer)] == [1] * old.count
        refuse(writer, cap_refused(5))
        writer.execute(
            RegisterPerson(actor=secretary(TOWN), reason="later", person_id="p-zhao", name="赵")
        )
        versions = [e.digest_version for e in chain_entries(writer)]
        verdict = verify(writer.store, old)

    assert versions[: old.count] == [1] * old.count
    assert set(versions[old.count :]) == {2}
    assert len(versions) > old.count + 1
    assert verdict.ok, verdict
