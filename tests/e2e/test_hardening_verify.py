"""`verify` checks every stored column's type and bytes; `replay --check` lists views behind
the store and events it cannot decode, never a traceback (issue 11, defects 3, 4, 6, 8).

The small city's store is copied for each test and tampered with through Python's sqlite3
module, outside guoying, as someone with write access to the file could. The commands run
in this process (tests/e2e/inprocess.py), one of them (verify) also as installed.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa

from guoying import Guoying
from guoying.adapters.verification import verify
from tests.e2e.city import MANZHUANG, command
from tests.e2e.inprocess import local
from tests.e2e.runner import Store

EVENT = 20  # a branch's registration, well inside the city's events


def tamper(store: Store, statement: str) -> None:
    with sqlite3.connect(store.path) as conn:
        conn.execute(statement)


def caught_up(store: Store) -> Store:
    shown = store.ledger("manzhuang", 2017)
    assert shown.code == 0, shown
    return store


def checkpoint(store: Store) -> Path:
    taken = store.run("checkpoint")
    assert taken.code == 0, taken
    path = store.folder / "checkpoint.json"
    path.write_text(taken.stdout, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("column", "cast"),
    [("state", "TEXT"), ("originator_id", "BLOB"), ("topic", "BLOB")],
)
def test_a_change_of_stored_type_fails_verify_naming_the_position_and_column(
    city: Store, column: str, cast: str
) -> None:
    inside = local(city)
    kept = checkpoint(inside)
    tamper(
        city, f"UPDATE guoying_events SET {column} = CAST({column} AS {cast}) WHERE id = {EVENT}"
    )
    # verify as installed once, then in this process against the checkpoint.
    for done in (city.run("verify"), inside.run("verify", "--checkpoint", str(kept))):
        assert done.code == 1, done
        assert "Traceback" not in done.stderr, done
        assert f"event {EVENT}" in done.stdout, done
        assert f"its {column} is stored as" in done.stdout, done


def test_reads_of_an_event_whose_state_became_text_say_the_store_is_damaged(city: Store) -> None:
    city = local(city)
    tamper(city, f"UPDATE guoying_events SET state = CAST(state AS TEXT) WHERE id = {EVENT}")
    for args in (("rebuild",), ("audit", "--format", "csv")):
        done = city.run(*args)
        assert done.code == 2, done
        assert "Traceback" not in done.stderr, done
        assert f"the store is damaged: the event at position {EVENT}" in done.stderr, done
    write = city.apply(
        [
            command(
                "AdjustTier",
                MANZHUANG,
                "考评",
                "2018-12-01",
                branch_id="mz-04",
                year=2018,
                tier="LAGGING",
            )
        ]
    )
    assert write.code == 2, write
    assert "the store is damaged" in write.stderr, write


def test_replay_check_lists_an_event_it_cannot_decode_and_exits_1(city: Store) -> None:
    city = local(city)
    caught_up(city)
    tamper(city, f"UPDATE guoying_events SET state = X'7b226e6f7422' WHERE id = {EVENT}")
    done = city.run("replay", "--check")
    assert done.code == 1, done
    assert "Traceback" not in done.stderr, done
    listed = [json.loads(line) for line in done.stdout.splitlines()]
    assert any(d["table"] == "guoying_events" and d["key"] == [str(EVENT)] for d in listed), listed


def test_replay_check_lists_an_event_whose_state_became_text(city: Store) -> None:
    city = local(city)
    caught_up(city)
    tamper(city, f"UPDATE guoying_events SET state = CAST(state AS TEXT) WHERE id = {EVENT}")
    done = city.run("replay", "--check")
    assert done.code == 1, done
    assert "Traceback" not in done.stderr, done
    listed = [json.loads(line) for line in done.stdout.splitlines()]
    assert any(d["table"] == "guoying_events" and d["key"] == [str(EVENT)] for d in listed), listed


def test_replay_check_reports_views_behind_the_store(city: Store) -> None:
    city = local(city)
    caught_up(city)
    assert city.run("replay", "--check").code == 0
    added = city.apply(
        [
            command(
                "AdjustTier",
                MANZHUANG,
                "考评",
                "2018-12-01",
                branch_id="mz-04",
                year=2018,
                tier="LAGGING",
            )
        ]
    )
    assert added.code == 0, added
    # The views have not caught up with the new events: they are not a replay of the store.
    done = city.run("replay", "--check")
    assert done.code == 1, done
    listed = [json.loads(line) for line in done.stdout.splitlines()]
    behind = [d for d in listed if d["table"] == "guoying_tracking"]
    assert behind, listed
    assert "the views are behind" in behind[0]["rebuilt"][0]
    caught_up(city)
    assert city.run("replay", "--check").code == 0


def test_an_edit_of_the_head_hash_alone_is_named_as_such(city: Store) -> None:
    city = local(city)
    tamper(city, "UPDATE guoying_store SET chain_hash = '" + "1" * 64 + "'")
    done = city.run("verify")
    assert done.code == 1, done
    assert "head hash" in done.stdout, done
    assert "the head was edited" in done.stdout, done


@pytest.mark.postgres
def test_a_column_type_changed_on_postgresql_fails_verify(postgres_url: str) -> None:
    with Guoying(postgres_url) as app:
        assert verify(app.store).ok
        with app.store.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "ALTER TABLE guoying_events ALTER COLUMN state TYPE text "
                    "USING encode(state, 'escape')"
                )
            )
        verdict = verify(app.store)
    assert not verdict.ok
    assert verdict.problem is not None
    assert "guoying_events.state is declared text, not bytea" in verdict.problem
