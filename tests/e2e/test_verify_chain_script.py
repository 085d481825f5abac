"""docs/verify_chain.py, the auditor's guide's stand-alone verifier (standard library only),
checks a store written by guoying as `guoying verify` does, and fails on a tampered copy."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.inprocess import LocalStore

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_chain.py"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> LocalStore:
    store = LocalStore(tmp_path_factory.mktemp("verify-chain"), "demo.db")
    assert store.run("demo").code == 0
    return store


def script(*args: Path) -> subprocess.CompletedProcess[str]:
    # `-I`: isolated, so nothing of guoying (nor the repository) is importable by the script.
    return subprocess.run(
        [sys.executable, "-I", str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def copy(demo: LocalStore, tmp_path: Path) -> Path:
    target = tmp_path / "copy.db"
    shutil.copyfile(demo.path, target)
    return target


def test_the_script_accepts_the_demo_store_and_finds_guoyings_root(demo: LocalStore) -> None:
    checkpoint = demo.run("checkpoint").json()

    done = script(demo.path)

    assert done.returncode == 0, done.stderr
    assert done.stdout == f"ok: {checkpoint['count']} entries, root {checkpoint['root']}\n"


def test_the_script_accepts_a_checkpoint_taken_by_guoying(demo: LocalStore, tmp_path: Path) -> None:
    kept = tmp_path / "checkpoint.json"
    kept.write_text(demo.run("checkpoint").stdout, encoding="utf-8")

    assert script(demo.path, kept).returncode == 0


def _tamper(path: Path, sql: str) -> None:
    with sqlite3.connect(path) as db:
        db.execute(sql)


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        (
            "UPDATE guoying_refusals SET reason = reason || '!' WHERE id = 3",
            "refusal 3 does not match its hash",
        ),
        (
            "UPDATE guoying_events SET state = CAST(state AS TEXT) WHERE id = 10",
            "event 10: state is stored as str",
        ),
        ("DELETE FROM guoying_events WHERE id = 20", "event 20 was deleted"),
        (
            (
                "INSERT INTO guoying_events (originator_id, originator_version, topic, state, "
                "recorded_at) VALUES ('x', 1, 'BranchRegistered', x'7b7d', 1)"
            ),
            "is not bound into the chain (inserted)",
        ),
        (
            "UPDATE guoying_store SET chain_count = chain_count - 1",
            "the head says",
        ),
    ],
    ids=["edited refusal", "retyped state", "deleted event", "inserted event", "edited head"],
)
def test_the_script_fails_on_a_tampered_copy_naming_the_problem(
    copy: Path, sql: str, message: str
) -> None:
    _tamper(copy, sql)

    done = script(copy)

    assert done.returncode == 1
    assert message in done.stderr
    assert LocalStore(copy.parent, copy.name).run("verify").code == 1


def test_a_rewritten_chain_passes_alone_but_fails_against_an_earlier_checkpoint(
    demo: LocalStore, copy: Path, tmp_path: Path
) -> None:
    """An edit that recomputes every hash after it is caught only by a checkpoint."""
    kept = tmp_path / "checkpoint.json"
    kept.write_text(demo.run("checkpoint").stdout, encoding="utf-8")
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import verify_chain
    finally:
        sys.path.remove(str(SCRIPT.parent))
    with sqlite3.connect(copy) as db:
        db.row_factory = sqlite3.Row
        db.execute("UPDATE guoying_refusals SET reason = 'rewritten' WHERE id = 1")
        current = verify_chain.GENESIS
        for entry in db.execute("SELECT * FROM guoying_chain ORDER BY position").fetchall():
            kind, position = entry["kind"], entry["position"]
            table = verify_chain.TABLES[kind][0]
            row = db.execute(f"SELECT * FROM {table} WHERE id = ?", (entry["ref"],)).fetchone()
            current = verify_chain.link(entry["digest_version"], current, position, kind, row)
            db.execute(
                "UPDATE guoying_chain SET hash = ? WHERE position = ?", (current, entry["position"])
            )
        db.execute("UPDATE guoying_store SET chain_hash = ?", (current,))

    assert script(copy).returncode == 0
    against = script(copy, kept)
    assert against.returncode == 1
    assert "checkpoint's root" in against.stderr


# Both digest versions: a store written before version 2, and that store written on since

OLD_STORE = Path(__file__).resolve().parents[1] / "fixtures" / "store-0.1.sqlite"
TOWN = {"person_id": "sec-town", "committee_id": "town", "role": "secretary"}


def versions(path: Path) -> list[int]:
    with sqlite3.connect(path) as db:
        columns = [c[1] for c in db.execute("PRAGMA table_info(guoying_chain)")]
        if "digest_version" not in columns:
            return []
        found = db.execute("SELECT digest_version FROM guoying_chain ORDER BY position")
        return [int(v) for (v,) in found]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> LocalStore:
    """The store guoying 0.1 wrote (tests/fixtures), carried over by `migrate` and written
    on by `apply`: a person registered and a second ADVANCED branch refused
    (`ledger.advanced_cap`), after the digest version 2 came in."""
    store = LocalStore(tmp_path_factory.mktemp("mixed"), "mixed.db")
    shutil.copyfile(OLD_STORE, store.path)
    assert store.run("migrate").code == 0
    person = {"command": "RegisterPerson", "actor": TOWN, "reason": "a new deputy"}
    refused = {
        "command": "AdjustTier",
        "actor": TOWN,
        "reason": "2018 evaluation",
        "branch_id": "town-b04",
        "year": 2018,
        "tier": "ADVANCED",
        "effective_on": "2018-12-20",
    }
    store.apply([person | {"person_id": "p-zhao", "name": "赵", "phone": "0538-1"}, refused])
    return store


def test_the_script_accepts_a_store_written_before_digest_version_2_as_it_is(
    tmp_path: Path,
) -> None:
    copy = LocalStore(tmp_path, "old.db")
    shutil.copyfile(OLD_STORE, copy.path)
    checkpoint = copy.run("checkpoint").json()

    done = script(copy.path)

    assert done.returncode == 0, done.stderr
    assert done.stdout == f"ok: {checkpoint['count']} entries, root {checkpoint['root']}\n"
    assert copy.run("verify").code == 0
    assert versions(copy.path) == [], "reading an old store adds nothing to it"


def test_the_script_accepts_version_1_entries_followed_by_version_2_entries(
    mixed: LocalStore,
) -> None:
    checkpoint = mixed.run("checkpoint").json()
    found = versions(mixed.path)
    with sqlite3.connect(mixed.path) as db:
        kinds = [k for (k,) in db.execute("SELECT kind FROM guoying_chain ORDER BY position")]

    done = script(mixed.path)

    assert done.returncode == 0, done.stderr
    assert done.stdout == f"ok: {checkpoint['count']} entries, root {checkpoint['root']}\n"
    first_v2 = found.index(2)
    assert set(found[:first_v2]) == {1}
    assert set(found[first_v2:]) == {2}
    assert {"event", "refusal"} <= set(kinds[first_v2:])


def _position_of(path: Path, version: int, kind: str) -> tuple[int, int]:
    """(position, ref) of the last entry of a digest version and kind."""
    with sqlite3.connect(path) as db:
        found = db.execute(
            "SELECT position, ref FROM guoying_chain WHERE digest_version = ? AND kind = ? "
            "ORDER BY position DESC LIMIT 1",
            (version, kind),
        ).fetchone()
    return int(found[0]), int(found[1])


@pytest.mark.parametrize(
    ("version", "kind", "edit"),
    [
        (1, "event", "recorded_at = recorded_at + 1"),
        (1, "event", "state = CAST(state AS TEXT)"),
        (2, "event", "state = state || x'20'"),
        (2, "event", "topic = topic || 'x'"),
        (2, "refusal", "reason = reason || '!'"),
        (2, "refusal", "subject_committee_id = NULL"),
    ],
)
def test_the_script_names_an_edited_entry_of_either_version(
    mixed: LocalStore, tmp_path: Path, version: int, kind: str, edit: str
) -> None:
    copy = LocalStore(tmp_path, "copy.db")
    shutil.copyfile(mixed.path, copy.path)
    position, ref = _position_of(copy.path, version, kind)
    table = "guoying_events" if kind == "event" else "guoying_refusals"
    _tamper(copy.path, f"UPDATE {table} SET {edit} WHERE id = {ref}")

    done = script(copy.path)

    assert done.returncode == 1
    assert f"position {position}: {kind} {ref}" in done.stderr
    verified = copy.run("verify")
    assert verified.code == 1
    assert f"FAILED at position {position}: " in verified.stdout
