"""Tamper evidence: the hash chain over every stored event and refusal-log entry.

Every store here is a small city with refusals in the middle and at the end of its chain,
on a SQLite file and on PostgreSQL. Every tamper goes through plain SQL on an engine of its
own, as anyone with write access to the database could do, never through guoying; every
check goes through `verify` on a store opened read-only (`create=False`), as an auditor's.

`verify` alone catches an edit, a deletion, an insertion and a reordering at the first bad
chain position. What it cannot catch alone, by design, is a tamper that leaves the chain
internally consistent (a truncation of its end that also fixes the head, or an edit that
recomputes every later hash): those are caught only against a checkpoint kept outside.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from attrs import evolve
from sqlalchemy.engine import Connection

from guoying import (
    Guoying,
    Refused,
    RegisterPerson,
    SetCreationTarget,
    Tier,
)
from guoying.adapters import chain, verification
from guoying.adapters.schema import GENESIS, store_metadata
from guoying.adapters.verification import (
    Checkpoint,
    CheckpointMismatch,
    Verdict,
    take_checkpoint,
    verify,
)
from guoying.application.ports import ConcurrencyConflict
from tests.conftest import PG_STATUS, PG_URL
from tests.integration.builders import (
    YEAR,
    build_small_city,
    cap_refused,
    open_app,
    out_of_jurisdiction,
    refuse,
    run_together,
    secretary,
)

# The small city's `town` committee has ten branches and already one ADVANCED in 2018, its
# limit: a second is refused by `ledger.advanced_cap`. `village`'s secretary has no
# jurisdiction over `town`'s branches: refused by `org.jurisdiction`.
TOWN = "town"
# An event in the middle of the city's chain (its first 77 positions bind events).
MIDDLE = 40
# Small batches, so that every walk here crosses several batch boundaries.
BATCH = 16


def build_city_with_refusals(app: Guoying) -> None:
    """The small city (77 events), then refusals between and after further events, so that
    the chain's tail mixes both kinds: ... event, refusal, event, refusal, event, refusal."""
    build_small_city(app)
    refuse(app, cap_refused())
    app.execute(
        RegisterPerson(actor=secretary(TOWN), reason="a new leader", person_id="p-li", name="李")
    )
    refuse(app, out_of_jurisdiction())
    app.execute(
        SetCreationTarget(
            actor=secretary(TOWN),
            reason="creation target",
            branch_id="town-b05",
            year=YEAR,
            target=Tier.ADVANCED,
        )
    )
    refuse(app, cap_refused(5))


@pytest.fixture(scope="module")
def sqlite_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The city on a SQLite file, built once; every test works on a byte copy."""
    path = tmp_path_factory.mktemp("tamper-template") / "city.db"
    with open_app(f"sqlite:///{path}") as app:
        build_city_with_refusals(app)
    return path


@pytest.fixture(scope="module")
def postgres_city() -> Iterator[str]:
    """The city on a PostgreSQL schema of its own, built once; every test gets a copy."""
    if PG_URL is None:
        pytest.skip(PG_STATUS)
    template = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{template}"'))
    url = sa.engine.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={template}"})
    try:
        with open_app(url.render_as_string(hide_password=False)) as app:
            build_city_with_refusals(app)
        yield template
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{template}" CASCADE'))
        admin.dispose()


def copy_postgres_city(template: str, url: str) -> None:
    """A new store at `url` (its own tables and sequences), holding the template's rows."""
    Guoying(url).close()
    with tampering(url) as conn:
        sql(conn, "DELETE FROM guoying_store")
        for table in store_metadata.sorted_tables:
            sql(conn, f'INSERT INTO {table.name} SELECT * FROM "{template}".{table.name}')
        for table in ("guoying_events", "guoying_refusals"):
            sql(
                conn,
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))",
            )


@pytest.fixture(params=["sqlite", "postgres"])
def url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_city: Path) -> str:
    """A copy of the city on a SQLite file of this test's own, or on a fresh PostgreSQL
    schema of its own."""
    if request.param == "sqlite":
        copy = tmp_path / "store.db"
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{sqlite_city}{suffix}").exists():
                shutil.copyfile(f"{sqlite_city}{suffix}", f"{copy}{suffix}")
        return f"sqlite:///{copy}"
    pg_url = str(request.getfixturevalue("postgres_url"))
    copy_postgres_city(request.getfixturevalue("postgres_city"), pg_url)
    return pg_url


@pytest.fixture(autouse=True)
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(verification, "BATCH", BATCH)


# Plain SQL, on an engine of its own


@contextmanager
def tampering(url: str) -> Iterator[Connection]:
    """One committed transaction of plain SQL on the store's database, outside guoying."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            yield conn
    finally:
        engine.dispose()


def sql(conn: Connection, statement: str, **params: Any) -> sa.CursorResult[Any]:
    return conn.execute(sa.text(statement), params)


def entries(conn: Connection) -> list[Any]:
    """The chain as stored: (position, kind, ref, hash, digest_version), in position order."""
    return list(
        sql(
            conn,
            "SELECT position, kind, ref, hash, digest_version FROM guoying_chain ORDER BY position",
        )
    )


def entry_at(conn: Connection, position: int) -> Any:
    return sql(
        conn, "SELECT position, kind, ref, hash FROM guoying_chain WHERE position = :p", p=position
    ).one()


def position_of(conn: Connection, kind: str, ref: int) -> int:
    return int(
        sql(
            conn, "SELECT position FROM guoying_chain WHERE kind = :k AND ref = :r", k=kind, r=ref
        ).scalar_one()
    )


def event_at(conn: Connection, position: int) -> int:
    entry = entry_at(conn, position)
    assert entry.kind == chain.EVENT
    return int(entry.ref)


def first_refusal(conn: Connection) -> tuple[int, int]:
    """(chain position, refusal id) of the first refusal-log entry."""
    ref = int(sql(conn, "SELECT min(id) FROM guoying_refusals").scalar_one())
    return position_of(conn, chain.REFUSAL, ref), ref


TABLE = {chain.EVENT: "guoying_events", chain.REFUSAL: "guoying_refusals"}


def stored_row(conn: Connection, kind: str, ref: int) -> Any:
    return sql(conn, f"SELECT * FROM {TABLE[kind]} WHERE id = :id", id=ref).one()._mapping


def rewrite_chain_from(conn: Connection, start: int) -> None:
    """What someone who knows the scheme does after an edit: recompute every hash from
    `start` on with guoying's own functions, and move the head to the new last hash."""
    current = GENESIS if start == 1 else entry_at(conn, start - 1).hash
    count = start - 1
    for entry in entries(conn)[start - 1 :]:
        row = stored_row(conn, entry.kind, entry.ref)
        current = chain.entry_hash(entry.digest_version, current, entry.position, entry.kind, row)
        count = entry.position
        sql(conn, "UPDATE guoying_chain SET hash = :h WHERE position = :p", h=current, p=count)
    sql(conn, "UPDATE guoying_store SET chain_count = :n, chain_hash = :h", n=count, h=current)


def truncate_chain(conn: Connection, keep: int, *, fix_head: bool) -> None:
    """Delete every chain entry after `keep`, and the events and refusals they bind."""
    for entry in entries(conn)[keep:]:
        sql(conn, f"DELETE FROM {TABLE[entry.kind]} WHERE id = :id", id=entry.ref)
        sql(conn, "DELETE FROM guoying_chain WHERE position = :p", p=entry.position)
    if fix_head:
        kept = entry_at(conn, keep)
        sql(conn, "UPDATE guoying_store SET chain_count = :n, chain_hash = :h", n=keep, h=kept.hash)


# Checking, as an auditor


def check(url: str, kept: Checkpoint | None = None) -> Verdict:
    with Guoying(url, create=False) as auditor:
        return verify(auditor.store, kept)


def checkpoint_of(url: str) -> Checkpoint:
    with Guoying(url, create=False) as auditor:
        return take_checkpoint(auditor.store)


def chain_length(url: str) -> int:
    with tampering(url) as conn:
        return len(entries(conn))


def assert_fails_at(verdict: Verdict, position: int, *words: str) -> None:
    assert not verdict.ok, verdict
    assert verdict.position == position, verdict
    assert verdict.problem is not None
    for word in words:
        assert word in verdict.problem, verdict


def dump(url: str) -> dict[str, Any]:
    """Every row of every table (and, on PostgreSQL, every sequence), as stored."""
    engine = sa.create_engine(url)
    found: dict[str, Any] = {}
    try:
        with engine.connect() as conn:
            names = sorted(sa.inspect(conn).get_table_names())
            found["tables"] = names
            for name in names:
                table = sa.Table(name, sa.MetaData(), autoload_with=conn)
                found[name] = sorted((tuple(r) for r in conn.execute(sa.select(table))), key=repr)
            if conn.dialect.name == "postgresql":
                sequences = sql(
                    conn,
                    "SELECT sequence_name FROM information_schema.sequences "
                    "WHERE sequence_schema = current_schema() ORDER BY sequence_name",
                ).scalars()
                for sequence in list(sequences):
                    found[f"sequence {sequence}"] = tuple(
                        sql(conn, f'SELECT last_value, is_called FROM "{sequence}"').one()
                    )
    finally:
        engine.dispose()
    return found


# A sound store


def test_a_sound_store_verifies_and_binds_every_event_and_refusal_once_in_commit_order(
    url: str,
) -> None:
    verdict = check(url)
    kept = checkpoint_of(url)

    with tampering(url) as conn:
        events = sql(conn, "SELECT count(*) FROM guoying_events").scalar_one()
        refusals = sql(conn, "SELECT count(*) FROM guoying_refusals").scalar_one()
        stored = entries(conn)
        head = sql(conn, "SELECT chain_count, chain_hash FROM guoying_store").one()
    assert verdict.ok, verdict
    assert refusals == 3
    assert [e.position for e in stored] == list(range(1, events + refusals + 1))
    assert [e.kind for e in stored[-5:]] == ["refusal", "event", "refusal", "event", "refusal"]
    assert (verdict.count, verdict.root) == (head.chain_count, head.chain_hash)
    assert (kept.count, kept.root) == (head.chain_count, head.chain_hash)
    assert check(url, kept).ok


# Tampers that `verify` alone catches, at the first bad position

Tamper = Callable[[Connection], tuple[int, str]]


def edit_event_state(conn: Connection) -> tuple[int, str]:
    ref = event_at(conn, MIDDLE)
    state = bytes(stored_row(conn, chain.EVENT, ref)["state"])
    edited = state.replace(b'"reason": "', b'"reason": "(backdated) ', 1)
    assert edited != state
    sql(conn, "UPDATE guoying_events SET state = :s WHERE id = :id", s=edited, id=ref)
    return MIDDLE, f"event {ref} does not match its hash"


def edit_refusal_message(conn: Connection) -> tuple[int, str]:
    position, ref = first_refusal(conn)
    sql(conn, "UPDATE guoying_refusals SET message = message || ' (waived)' WHERE id = :id", id=ref)
    return position, f"refusal {ref} does not match its hash"


def delete_event(conn: Connection) -> tuple[int, str]:
    ref = event_at(conn, MIDDLE)
    sql(conn, "DELETE FROM guoying_events WHERE id = :id", id=ref)
    return MIDDLE, f"event {ref} was deleted"


def delete_refusal(conn: Connection) -> tuple[int, str]:
    position, ref = first_refusal(conn)
    sql(conn, "DELETE FROM guoying_refusals WHERE id = :id", id=ref)
    return position, f"refusal {ref} was deleted"


def delete_event_and_its_chain_entry(conn: Connection) -> tuple[int, str]:
    ref = event_at(conn, MIDDLE)
    sql(conn, "DELETE FROM guoying_events WHERE id = :id", id=ref)
    sql(conn, "DELETE FROM guoying_chain WHERE position = :p", p=MIDDLE)
    return MIDDLE, f"chain position {MIDDLE} is missing"


def swap_event_states_and_topics(conn: Connection) -> tuple[int, str]:
    """Two decisions exchange places: each row keeps its id, the contents move."""
    first, second = event_at(conn, MIDDLE), event_at(conn, MIDDLE + 5)
    a, b = stored_row(conn, chain.EVENT, first), stored_row(conn, chain.EVENT, second)
    for ref, row in ((first, b), (second, a)):
        sql(
            conn,
            "UPDATE guoying_events SET state = :s, topic = :t WHERE id = :id",
            s=bytes(row["state"]),
            t=row["topic"],
            id=ref,
        )
    return MIDDLE, f"event {first} does not match its hash"


def swap_event_ids(conn: Connection) -> tuple[int, str]:
    """Two rows exchange their store positions (ids): the store's order is changed."""
    first, second = event_at(conn, MIDDLE), event_at(conn, MIDDLE + 5)
    sql(conn, "UPDATE guoying_events SET id = -1 WHERE id = :id", id=first)
    sql(conn, "UPDATE guoying_events SET id = :new WHERE id = :id", new=first, id=second)
    sql(conn, "UPDATE guoying_events SET id = :new WHERE id = -1", new=second)
    return MIDDLE, f"event {first} does not match its hash"


def swap_chain_entries(conn: Connection) -> tuple[int, str]:
    """The chain itself is reordered: two entries exchange the rows they bind."""
    first, second = event_at(conn, MIDDLE), event_at(conn, MIDDLE + 5)
    sql(conn, "UPDATE guoying_chain SET ref = -1 WHERE position = :p", p=MIDDLE)
    sql(conn, "UPDATE guoying_chain SET ref = :r WHERE position = :p", r=first, p=MIDDLE + 5)
    sql(conn, "UPDATE guoying_chain SET ref = :r WHERE position = :p", r=second, p=MIDDLE)
    return MIDDLE, f"event {second} does not match its hash"


def edit_two_entries(conn: Connection) -> tuple[int, str]:
    """A later and an earlier edit: the earlier position is the one named."""
    late, early = event_at(conn, MIDDLE + 20), event_at(conn, MIDDLE)
    for ref in (late, early):
        sql(conn, "UPDATE guoying_events SET recorded_at = recorded_at + 1 WHERE id = :id", id=ref)
    return MIDDLE, f"event {early} does not match its hash"


def truncate_without_fixing_the_head(conn: Connection) -> tuple[int, str]:
    keep = len(entries(conn)) - 4
    truncate_chain(conn, keep, fix_head=False)
    return keep + 1, "truncated or rewritten"


def edit_the_chain_hash(conn: Connection) -> tuple[int, str]:
    sql(conn, "UPDATE guoying_chain SET hash = :h WHERE position = :p", h="f" * 64, p=MIDDLE)
    return MIDDLE, "does not match its hash"


TAMPERS: dict[str, Tamper] = {
    "a-edit-event-state": edit_event_state,
    "b-edit-refusal-message": edit_refusal_message,
    "c-delete-event": delete_event,
    "c-delete-refusal": delete_refusal,
    "d-delete-event-and-its-chain-entry": delete_event_and_its_chain_entry,
    "f-swap-event-states-and-topics": swap_event_states_and_topics,
    "f-swap-event-ids": swap_event_ids,
    "f-swap-chain-entries": swap_chain_entries,
    "edit-two-entries": edit_two_entries,
    "truncate-without-fixing-the-head": truncate_without_fixing_the_head,
    "edit-the-chain-hash": edit_the_chain_hash,
}


@pytest.mark.parametrize("tamper", TAMPERS.values(), ids=TAMPERS.keys())
def test_a_tamper_through_plain_sql_fails_verify_naming_the_first_bad_position(
    url: str, tamper: Tamper
) -> None:
    kept = checkpoint_of(url)
    with tampering(url) as conn:
        position, problem = tamper(conn)

    assert_fails_at(check(url), position, problem)
    assert not check(url, kept).ok


def test_every_stored_column_of_events_and_refusals_is_bound_by_the_chain(url: str) -> None:
    """One column edited at a time, checked, and put back: the chain binds each of them."""
    with tampering(url) as conn:
        event_ref = event_at(conn, MIDDLE)
        refusal_position, refusal_ref = first_refusal(conn)
    edits = [
        (MIDDLE, "guoying_events", event_ref, "originator_id", "originator_id || 'x'"),
        (MIDDLE, "guoying_events", event_ref, "originator_version", "originator_version + 100"),
        (MIDDLE, "guoying_events", event_ref, "topic", "topic || 'x'"),
        (MIDDLE, "guoying_events", event_ref, "recorded_at", "recorded_at - 1"),
        *(
            (refusal_position, "guoying_refusals", refusal_ref, column, change)
            for column, change in (
                ("recorded_at", "recorded_at + 1"),
                ("command", "'SetCreationTarget'"),
                ("actor_person_id", "'sec-daiyue'"),
                ("actor_committee_id", "'daiyue'"),
                ("subject_committee_id", "NULL"),
                ("rule_id", "'org.jurisdiction'"),
                ("message", "''"),
                ("reason", "reason || '.'"),
                ("payload", "'{}'"),
            )
        ),
    ]
    assert {e[3] for e in edits if e[1] == "guoying_refusals"} == set(chain.REFUSAL_COLUMNS) - {
        "id"
    }
    engine = sa.create_engine(url)
    try:
        with Guoying(url, create=False) as auditor:
            for position, table, ref, column, change in edits:
                with engine.begin() as conn:
                    before = sql(conn, f"SELECT {column} FROM {table} WHERE id = :id", id=ref)
                    value = before.scalar()
                    sql(conn, f"UPDATE {table} SET {column} = {change} WHERE id = :id", id=ref)
                assert_fails_at(verify(auditor.store), position, "does not match its hash")
                with engine.begin() as conn:
                    sql(conn, f"UPDATE {table} SET {column} = :v WHERE id = :id", v=value, id=ref)
                assert verify(auditor.store).ok, f"{table}.{column} put back"
    finally:
        engine.dispose()


def insert_event(conn: Connection) -> int:
    """(e) An extra decision, copied from a real one, with no chain entry."""
    row = stored_row(conn, chain.EVENT, event_at(conn, MIDDLE))
    return int(
        sql(
            conn,
            "INSERT INTO guoying_events (originator_id, originator_version, topic, state, "
            "recorded_at) VALUES ('branch:town-b99', 1, :t, :s, :r) RETURNING id",
            t=row["topic"],
            s=bytes(row["state"]),
            r=row["recorded_at"],
        ).scalar_one()
    )


def insert_refusal(conn: Connection) -> int:
    """An extra refusal, copied from a real one, with no chain entry."""
    _, ref = first_refusal(conn)
    columns = ", ".join(c for c in chain.REFUSAL_COLUMNS if c != "id")
    return int(
        sql(
            conn,
            f"INSERT INTO guoying_refusals ({columns}) SELECT {columns} FROM guoying_refusals "
            "WHERE id = :id RETURNING id",
            id=ref,
        ).scalar_one()
    )


@pytest.mark.parametrize(
    ("insert", "kind"), [(insert_event, chain.EVENT), (insert_refusal, chain.REFUSAL)]
)
def test_an_inserted_row_with_no_chain_entry_fails_verify_naming_the_row(
    url: str, insert: Callable[[Connection], int], kind: str
) -> None:
    with tampering(url) as conn:
        inserted = insert(conn)

    verdict = check(url)

    assert not verdict.ok
    assert verdict.problem == f"{kind} {inserted} is not bound into the chain (inserted)"


def test_an_inserted_event_fails_verify_naming_a_position(url: str) -> None:
    with tampering(url) as conn:
        insert_event(conn)

    verdict = check(url)

    assert not verdict.ok
    assert verdict.position is not None


# Tampers that leave the chain internally consistent: only a kept checkpoint catches them


def test_a_truncation_that_also_fixes_the_head_passes_verify_alone_but_not_a_kept_checkpoint(
    url: str,
) -> None:
    """(g) The last four entries (events and refusals), their chain rows, and the head moved
    back to the new last entry: the remaining chain is internally consistent, so `verify`
    alone PASSES, by design; only a checkpoint taken before the truncation shows it, at the
    first position it binds that the store no longer holds."""
    kept = checkpoint_of(url)
    keep = kept.count - 4
    with tampering(url) as conn:
        truncate_chain(conn, keep, fix_head=True)

    alone = check(url)
    against = check(url, kept)

    assert alone.ok, alone
    assert alone.count == keep
    assert_fails_at(against, keep + 1, "truncated")


def test_an_edit_that_rewrites_the_chain_passes_verify_alone_but_not_a_kept_checkpoint(
    url: str,
) -> None:
    """(h) An event edited, every later hash recomputed with guoying's own `entry_hash`, and
    the head updated: `verify` alone PASSES, by design. A
    checkpoint kept before the edit (and before later writes) no longer finds its root at
    its position: the failure names the checkpoint's position, not the edited one, which a
    rewritten chain cannot tell."""
    kept = checkpoint_of(url)
    with open_app(url) as app:  # the store goes on after the checkpoint was taken
        refuse(app, cap_refused(6))
        refuse(app, out_of_jurisdiction())
    with tampering(url) as conn:
        edit_event_state(conn)
        rewrite_chain_from(conn, MIDDLE)

    alone = check(url)
    against = check(url, kept)

    assert alone.ok, alone
    assert alone.count == kept.count + 2
    assert_fails_at(against, kept.count, "rewritten")


def test_a_rewrite_after_a_kept_checkpoints_position_is_beyond_that_checkpoints_reach(
    url: str,
) -> None:
    """The limit of a checkpoint, documented: it vouches for the chain up to its count. An
    edit past it with the chain rewritten passes against it; a newer checkpoint is needed."""
    kept = checkpoint_of(url)
    with open_app(url) as app:
        app.execute(
            RegisterPerson(actor=secretary(TOWN), reason="later", person_id="p-zhao", name="赵")
        )
    with tampering(url) as conn:
        position = kept.count + 1
        ref = event_at(conn, position)
        sql(conn, "UPDATE guoying_events SET recorded_at = recorded_at + 1 WHERE id = :id", id=ref)
        rewrite_chain_from(conn, position)

    assert check(url).ok
    assert check(url, kept).ok


# Checkpoints


def test_a_checkpoint_of_another_store_raises_checkpoint_mismatch(url: str, tmp_path: Path) -> None:
    other_url = f"sqlite:///{tmp_path / 'other.db'}"
    Guoying(other_url).close()
    other = checkpoint_of(other_url)

    with Guoying(url, create=False) as auditor, pytest.raises(CheckpointMismatch) as raised:
        verify(auditor.store, other)

    assert other.store_id in str(raised.value)
    assert auditor.store.store_id in str(raised.value)


def test_a_checkpoint_ahead_of_the_store_fails_at_the_first_position_the_store_lacks(
    url: str,
) -> None:
    now = checkpoint_of(url)
    ahead = evolve(now, count=now.count + 10)

    assert_fails_at(check(url, ahead), now.count + 1, "truncated")


def test_a_checkpoint_with_the_right_count_but_another_root_fails_at_its_position(
    url: str,
) -> None:
    now = checkpoint_of(url)

    assert_fails_at(check(url, evolve(now, root="0" * 64)), now.count, "root hash")
    assert check(url, evolve(now, count=0, root=GENESIS)).ok


def test_a_checkpoint_survives_its_json_round_trip_and_still_verifies(url: str) -> None:
    kept = Checkpoint.from_json(checkpoint_of(url).to_json())

    assert check(url, kept).ok


# verify writes nothing


def test_verify_writes_nothing_on_a_sound_store_nor_on_a_tampered_one(url: str) -> None:
    before = dump(url)
    assert check(url).ok
    take = checkpoint_of(url)
    assert dump(url) == before

    with tampering(url) as conn:
        delete_event(conn)
        insert_refusal(conn)
    tampered = dump(url)
    assert not check(url).ok
    assert not check(url, take).ok

    assert dump(url) == tampered


# Concurrency


def test_concurrent_writers_leave_one_chain_with_no_gap_and_no_fork(url: str) -> None:
    """Four writers, each with its own `Guoying` (engine, cache) on the same store, released
    together, each registering people and having commands refused: every event and refusal
    is bound exactly once, on positions 1..N, each kind in its own store order."""
    writers, rounds = 4, 4
    start = chain_length(url)
    apps = [open_app(url) for _ in range(writers)]

    def work(index: int) -> int:
        refused = 0
        for round_number in range(rounds):
            apps[index].execute(
                RegisterPerson(
                    actor=secretary(TOWN),
                    reason="concurrent registration",
                    person_id=f"p-{index}-{round_number}",
                    name=f"人{index}{round_number}",
                )
            )
            try:
                apps[index].execute(cap_refused(4 + index))
            except Refused:
                refused += 1
        return refused

    try:
        results = run_together(writers, work)
    finally:
        for app in apps:
            app.close()

    assert results == [rounds] * writers, results
    with tampering(url) as conn:
        stored = entries(conn)
        events = sql(conn, "SELECT id FROM guoying_events ORDER BY id").scalars().all()
        refusals = sql(conn, "SELECT id FROM guoying_refusals ORDER BY id").scalars().all()
        head = sql(conn, "SELECT chain_count, chain_hash FROM guoying_store").one()
    assert len(stored) == start + 2 * writers * rounds
    assert [e.position for e in stored] == list(range(1, len(stored) + 1)), "a gap"
    for kind, ids in ((chain.EVENT, events), (chain.REFUSAL, refusals)):
        assert [e.ref for e in stored if e.kind == kind] == ids, f"{kind}s bound once, in order"
    assert (head.chain_count, head.chain_hash) == (len(stored), stored[-1].hash), "a fork"
    verdict = check(url)
    assert verdict.ok, verdict
    assert verdict.count == len(stored)


class OvertakenFirstSave:
    """Lets another writer save its command just before this writer's first save, which
    then finds its version taken; counts this writer's conflicts."""

    def __init__(self, app: Guoying, other: Guoying, command: SetCreationTarget) -> None:
        self.conflicts = 0
        self._save = app.store.save
        self._overtake: tuple[Guoying, SetCreationTarget] | None = (other, command)
        app.store.save = self.save  # type: ignore[method-assign]

    def save(self, *args: Any, **kwargs: Any) -> list[int]:
        if self._overtake is not None:
            (other, command), self._overtake = self._overtake, None
            other.execute(command)
        try:
            return self._save(*args, **kwargs)
        except ConcurrencyConflict:
            self.conflicts += 1
            raise


def test_notification_id_gaps_from_rolled_back_transactions_on_postgres_are_not_deletions(
    postgres_url: str,
) -> None:
    """On PostgreSQL a rolled-back insert still consumes its id: a writer decides on a
    branch, another saves on the same branch first, and the first one's save conflicts and
    rolls back (a gap in the event ids); its retry succeeds. The chain binds positions, not
    ids: it verifies."""
    with open_app(postgres_url) as app:
        build_city_with_refusals(app)

    def target(year: int) -> SetCreationTarget:
        return SetCreationTarget(
            actor=secretary(TOWN),
            reason="creation target",
            branch_id="town-b06",
            year=year,
            target=Tier.ADVANCED,
        )

    with open_app(postgres_url) as first, open_app(postgres_url) as second:
        overtaken = OvertakenFirstSave(first, second, target(YEAR + 1))
        first.execute(target(YEAR))

    assert overtaken.conflicts == 1
    with tampering(postgres_url) as conn:
        ids = sql(conn, "SELECT id FROM guoying_events ORDER BY id").scalars().all()
    assert set(range(1, ids[-1] + 1)) - set(ids), "the rolled-back insert left a gap"
    verdict = check(postgres_url)
    assert verdict.ok, verdict
    assert verdict.count == chain_length(postgres_url)


# Bugs found


def test_verify_while_a_writer_commits_reports_the_store_as_it_was_not_tampering(
    url: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An auditor verifies a live store: a writer commits a refusal just after `verify` has
    read the head. `verify` must see one consistent state of the store: on SQLite its read
    transaction is a snapshot; on PostgreSQL it runs at READ COMMITTED, sees the new chain
    entry but the old head, and reports a truncation that never happened."""
    before = chain_length(url)
    read_head = chain.read_head
    written: list[int] = []

    def head_then_a_write(conn: Connection) -> chain.Head:
        head = read_head(conn)
        if not written:
            written.append(1)
            with open_app(url) as writer:
                refuse(writer, cap_refused(7))
        return head

    with monkeypatch.context() as patched:
        patched.setattr(chain, "read_head", head_then_a_write)
        verdict = check(url)

    assert written
    assert chain_length(url) == before + 1
    assert verdict.ok, verdict
    assert verdict.count == before
    assert check(url).ok


WRONG_TYPES = {
    "event-recorded-at": "UPDATE guoying_events SET recorded_at = 'yesterday' WHERE id = :id",
    "event-version": "UPDATE guoying_events SET originator_version = 'v2' WHERE id = :id",
    "chain-ref": "UPDATE guoying_chain SET ref = 'x' WHERE ref = :id AND kind = 'event'",
}


@pytest.mark.parametrize("statement", WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
def test_a_value_of_the_wrong_type_written_into_sqlite_fails_verify_at_its_position(
    sqlite_city: Path, tmp_path: Path, statement: str
) -> None:
    copy = tmp_path / "store.db"
    shutil.copyfile(sqlite_city, copy)
    url = f"sqlite:///{copy}"
    with tampering(url) as conn:
        sql(conn, statement, id=event_at(conn, MIDDLE))

    assert_fails_at(check(url), MIDDLE)
