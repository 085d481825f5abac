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
            table = verify_chain.TABLES[entry["kind"]][0]
            row = db.execute(f"SELECT * FROM {table} WHERE id = ?", (entry["ref"],)).fetchone()
            current = verify_chain.sha256(current + verify_chain.digest(entry["kind"], row))
            db.execute(
                "UPDATE guoying_chain SET hash = ? WHERE position = ?", (current, entry["position"])
            )
        db.execute("UPDATE guoying_store SET chain_hash = ?", (current,))

    assert script(copy).returncode == 0
    against = script(copy, kept)
    assert against.returncode == 1
    assert "checkpoint's root" in against.stderr
