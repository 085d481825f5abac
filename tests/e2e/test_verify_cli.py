"""`guoying checkpoint` and `guoying verify`, run as installed, on the demo city's store.

The demo is built once per module with `guoying demo`, and two commands outside their
actors' jurisdiction are refused (`guoying apply`), so that the refusal log is chained too.
Every test works on a byte copy in a folder of its own, and tampers with it through
Python's sqlite3 module, outside guoying.
Exit codes: 0 verified; 1 tampered (stdout names the first bad position); 2 the store or the
checkpoint cannot be used.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from guoying import Guoying
from guoying.adapters.verification import take_checkpoint
from tests.e2e.runner import Run, guoying, jsonl

MIDDLE = 100  # a chain position well inside the demo's events


@dataclass(frozen=True)
class Demo:
    """The demo city's store and the checkpoint `guoying checkpoint` printed for it."""

    path: Path
    checkpoint: str

    @property
    def count(self) -> int:
        return int(json.loads(self.checkpoint)["count"])


def out_of_jurisdiction(branch_id: str) -> dict[str, object]:
    """A street committee's clerk sets a target on a township's branch: refused, logged."""
    return {
        "command": "SetCreationTarget",
        "actor": {"person_id": "caiyuan-clerk", "committee_id": "ts-caiyuan", "role": "clerk"},
        "reason": "not ours to set",
        "branch_id": branch_id,
        "year": 2019,
        "target": "ADVANCED",
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    folder = tmp_path_factory.mktemp("verify-demo")
    built = guoying("demo", "--store", "sqlite:///demo.db", cwd=folder)
    assert built.code == 0, built
    (folder / "refused.jsonl").write_text(
        jsonl(out_of_jurisdiction(f"dy-manzhuang-00{n}") for n in (1, 2)), encoding="utf-8"
    )
    refused = guoying("apply", "refused.jsonl", "--store", "sqlite:///demo.db", cwd=folder)
    assert refused.code == 1, refused
    assert [r["rule_id"] for r in refused.results()] == ["org.jurisdiction"] * 2, refused
    taken = guoying("checkpoint", "--store", "sqlite:///demo.db", cwd=folder)
    assert taken.code == 0, taken
    return Demo(folder / "demo.db", taken.stdout)


@dataclass(frozen=True)
class Copy:
    """A byte copy of the demo store in a test's folder, which is also the cwd of runs."""

    folder: Path
    name: str = "store.db"

    @property
    def path(self) -> Path:
        return self.folder / self.name

    def verify(self, *options: str) -> Run:
        return guoying("verify", *options, "--store", f"sqlite:///{self.path}", cwd=self.folder)

    def sql(self, statement: str, *params: object) -> list[tuple[object, ...]]:
        """Plain SQL through sqlite3, committed: what anyone with the file can do."""
        with sqlite3.connect(self.path) as conn:
            found = conn.execute(statement, params).fetchall()
        conn.close()
        return found

    def ref_at(self, position: int, kind: str = "event") -> int:
        [(found_kind, ref)] = self.sql(
            "SELECT kind, ref FROM guoying_chain WHERE position = ?", position
        )
        assert found_kind == kind
        return int(str(ref))

    def write(self, name: str, text: str) -> Path:
        path = self.folder / name
        path.write_text(text, encoding="utf-8")
        return path


@pytest.fixture
def store(demo: Demo, tmp_path: Path) -> Copy:
    copy = Copy(tmp_path)
    shutil.copyfile(demo.path, copy.path)
    return copy


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.stderr, run
    assert "Traceback" not in run.stdout, run


def assert_failed_at(run: Run, position: int) -> None:
    assert run.code == 1, run
    assert run.stdout.startswith(f"FAILED at position {position}: "), run
    assert_no_traceback(run)


def test_checkpoint_prints_the_chain_head_and_verify_exits_0_with_and_without_it(
    demo: Demo, store: Copy
) -> None:
    kept = json.loads(demo.checkpoint)
    before = store.path.read_bytes()

    alone = store.verify()
    against = store.verify("--checkpoint", str(store.write("kept.json", demo.checkpoint)))

    assert set(kept) == {"store_id", "count", "root", "taken_at"}
    assert kept["count"] > 1000
    assert len(kept["root"]) == 64
    assert alone.code == 0, alone
    assert alone.stdout == f"verified {kept['count']} entries; root {kept['root']}\n"
    assert against.code == 0, against
    assert against.stdout == (
        f"verified {kept['count']} entries and the checkpoint of {kept['count']} entries; "
        f"root {kept['root']}\n"
    )
    assert store.path.read_bytes() == before, "verify wrote to the store"


def edit_event_state(store: Copy) -> int:
    store.sql(
        'UPDATE guoying_events SET state = CAST(replace(CAST(state AS TEXT), \'"reason": "\', '
        '\'"reason": "(backdated) \') AS BLOB) WHERE id = ?',
        store.ref_at(MIDDLE),
    )
    return MIDDLE


def edit_refusal_message(store: Copy) -> int:
    [(ref,)] = store.sql("SELECT min(id) FROM guoying_refusals")
    [(position,)] = store.sql(
        "SELECT position FROM guoying_chain WHERE kind = 'refusal' AND ref = ?", ref
    )
    store.sql("UPDATE guoying_refusals SET message = message || ' (waived)' WHERE id = ?", ref)
    return int(str(position))


def delete_event_and_its_chain_entry(store: Copy) -> int:
    store.sql("DELETE FROM guoying_events WHERE id = ?", store.ref_at(MIDDLE))
    store.sql("DELETE FROM guoying_chain WHERE position = ?", MIDDLE)
    return MIDDLE


TAMPERS: dict[str, Callable[[Copy], int]] = {
    "edit-event-state": edit_event_state,
    "edit-refusal-message": edit_refusal_message,
    "delete-event-and-its-chain-entry": delete_event_and_its_chain_entry,
}


@pytest.mark.parametrize("tamper", TAMPERS.values(), ids=TAMPERS.keys())
def test_a_tamper_made_with_sqlite3_fails_verify_with_exit_1_naming_the_position(
    store: Copy, tamper: Callable[[Copy], int]
) -> None:
    position = tamper(store)

    assert_failed_at(store.verify(), position)


def test_an_edit_fails_verify_against_a_kept_checkpoint_too(demo: Demo, store: Copy) -> None:
    kept = store.write("kept.json", demo.checkpoint)
    edit_event_state(store)

    assert_failed_at(store.verify("--checkpoint", str(kept)), MIDDLE)


def test_a_malformed_or_missing_checkpoint_file_exits_2_naming_the_file(store: Copy) -> None:
    files = {
        "not-json.json": "this is not a checkpoint",
        "missing-keys.json": json.dumps({"count": 3, "root": "ab"}),
        "nowhere.json": None,
    }
    for name, text in files.items():
        path = store.folder / name if text is None else store.write(name, text)

        run = store.verify("--checkpoint", str(path))

        assert run.code == 2, run
        assert run.stderr.startswith(f"error: --checkpoint {path}: "), run
        assert run.stdout == "", run
        assert_no_traceback(run)


def test_a_checkpoint_of_another_store_exits_2_naming_both_stores(demo: Demo, store: Copy) -> None:
    with Guoying(f"sqlite:///{store.folder / 'other.db'}") as other_store:
        other = take_checkpoint(other_store.store)

    run = store.verify("--checkpoint", str(store.write("other.json", other.to_json())))

    assert run.code == 2, run
    assert "error: the checkpoint is of store " in run.stderr, run
    assert other.store_id in run.stderr
    assert json.loads(demo.checkpoint)["store_id"] in run.stderr
    assert_no_traceback(run)


def test_a_checkpoint_ahead_of_the_store_exits_1_at_the_first_position_it_lacks(
    demo: Demo, store: Copy
) -> None:
    ahead = {**json.loads(demo.checkpoint), "count": demo.count + 10}

    run = store.verify("--checkpoint", str(store.write("ahead.json", json.dumps(ahead))))

    assert_failed_at(run, demo.count + 1)


def test_verify_on_a_store_that_does_not_exist_exits_2_and_creates_nothing(
    tmp_path: Path,
) -> None:
    run = guoying("verify", "--store", f"sqlite:///{tmp_path / 'missing.db'}", cwd=tmp_path)

    assert run.code == 2, run
    assert "there is no store" in run.stderr, run
    assert run.stdout == "", run
    assert_no_traceback(run)
    assert list(tmp_path.iterdir()) == []


def test_verify_on_a_file_that_is_not_a_database_exits_2_and_leaves_it_as_it_was(
    tmp_path: Path,
) -> None:
    garbage = tmp_path / "garbage.db"
    content = uuid.UUID(int=7).bytes * 512
    garbage.write_bytes(content)

    run = guoying("verify", "--store", f"sqlite:///{garbage}", cwd=tmp_path)

    assert run.code == 2, run
    assert "not a database" in run.stderr, run
    assert_no_traceback(run)
    assert garbage.read_bytes() == content


def test_verify_on_a_truncated_sqlite_file_exits_with_a_message_not_a_traceback(
    store: Copy,
) -> None:
    content = store.path.read_bytes()
    store.path.write_bytes(content[: len(content) // 2])

    run = store.verify()

    assert run.code in (1, 2), run
    assert run.stderr.startswith("error: ") or run.stdout.startswith("FAILED at position "), run
    assert_no_traceback(run)


# Bugs found


def test_verify_on_a_sqlite_file_corrupted_inside_exits_with_a_message_not_a_traceback(
    store: Copy,
) -> None:
    content = bytearray(store.path.read_bytes())
    middle = len(content) // 2 // 4096 * 4096
    content[middle : middle + 64 * 4096] = b"\xff" * (64 * 4096)
    store.path.write_bytes(bytes(content))

    run = store.verify()

    assert run.code in (1, 2), run
    assert_no_traceback(run)


def test_an_event_inserted_with_sqlite3_fails_verify_naming_a_position(store: Copy) -> None:
    store.sql(
        "INSERT INTO guoying_events (originator_id, originator_version, topic, state, "
        "recorded_at) SELECT 'branch:forged', 1, topic, state, recorded_at FROM guoying_events "
        "WHERE id = ?",
        store.ref_at(MIDDLE),
    )

    run = store.verify()

    assert run.code == 1, run
    assert "is not bound into the chain" in run.stdout, run
    assert "position None" not in run.stdout, run


def test_a_recorded_time_overwritten_with_text_fails_verify_naming_its_position(
    store: Copy,
) -> None:
    store.sql(
        "UPDATE guoying_events SET recorded_at = 'yesterday' WHERE id = ?", store.ref_at(MIDDLE)
    )

    assert_failed_at(store.verify(), MIDDLE)
