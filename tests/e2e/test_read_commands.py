"""Only `demo` and `apply` create a store. Every other command needs one that exists: on a
mistyped path it exits 2 saying there is no store there, rather than answering from a new
empty store and leaving the file behind. A `memory://` store is new and empty in every run,
so reading it reads nothing, and no file is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from guoying.cli import app
from tests.e2e.runner import Run, guoying

# Each command that needs an existing store, with arguments it accepts, and how it exits on
# a new, empty store (memory://): 1 where it looks up something that is not there.
NEEDS_A_STORE: dict[str, tuple[tuple[str, ...], int]] = {
    "ledger": (("ledger", "--committee", "manzhuang", "--year", "2018"), 1),
    "history": (("history", "mz-01"), 1),
    "refusals": (("refusals",), 0),
    "branches": (("branches", "--name", "北店"), 0),
    "committees": (("committees",), 0),
    "coverage": (("coverage", "--committee", "manzhuang", "--year", "2018"), 1),
    "policy show": (("policy", "show"), 0),
    "checkpoint": (("checkpoint",), 0),
    "verify": (("verify",), 0),
    "audit": (("audit",), 0),
    "rebuild": (("rebuild",), 0),
    "replay": (("replay", "--check"), 0),
    "migrate": (("migrate",), 0),
    "selection": (("selection", "--year", "2018"), 0),
    "titles": (("titles", "--year", "2018"), 0),
    "form": (("form", "mz-01-2018"), 1),
    "plan": (("plan", "--committee", "daiyue", "--year", "2018"), 1),
    "mentoring": (("mentoring", "--committee", "daiyue", "--year", "2018"), 1),
    "evaluations": (("evaluations", "mz-01"), 1),
    "compliance": (("compliance", "--committee", "daiyue", "--year", "2018"), 1),
    "assessment": (("assessment", "--committee", "daiyue", "--year", "2018"), 1),
    "publicity": (("publicity", "--year", "2018"), 0),
    # The file is read before the store is asked: a missing file is unusable input.
    "import": (
        ("import", "ledger.xlsx", "--annex", "1", "--committee", "manzhuang", "--year", "2018"),
        2,
    ),
    "export": (
        ("export", "--annex", "1", "--committee", "daiyue", "--year", "2018", "--out", "a.xlsx"),
        1,
    ),
    "erase-person": (
        ("erase-person", "p1", "--reason", "本人申请", "--actor", "clerk", "--committee", "zzb"),
        1,
    ),
}
CREATE_A_STORE = {"demo", "apply"}


def _command_names(group: Any, prefix: str = "") -> set[str]:
    names = set()
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            names |= _command_names(command, f"{prefix}{name} ")
        else:
            names.add(f"{prefix}{name}")
    return names


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.stderr, run
    assert "Traceback" not in run.stdout, run


def test_every_command_either_creates_a_store_or_is_proved_here_to_need_one() -> None:
    assert _command_names(typer.main.get_command(app)) == CREATE_A_STORE | set(NEEDS_A_STORE)


@pytest.mark.parametrize("command", NEEDS_A_STORE)
def test_a_command_on_a_mistyped_store_path_exits_2_and_creates_nothing(
    tmp_path: Path, command: str
) -> None:
    args, _ = NEEDS_A_STORE[command]
    url = f"sqlite:///{tmp_path / 'typo.db'}"

    run = guoying(*args, "--store", url, cwd=tmp_path)

    assert run.code == 2, run
    assert run.stderr == (
        f"error: store URL '{url}': there is no store at {tmp_path / 'typo.db'}\n"
    ), run
    assert run.stdout == "", run
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", NEEDS_A_STORE)
def test_a_command_without_a_store_option_in_a_folder_without_a_store_creates_no_default_store(
    tmp_path: Path, command: str
) -> None:
    args, _ = NEEDS_A_STORE[command]

    run = guoying(*args, cwd=tmp_path)

    assert run.code == 2, run
    assert "there is no store at" in run.stderr, run
    assert_no_traceback(run)
    assert not (tmp_path / "guoying.db").exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", NEEDS_A_STORE)
def test_a_command_on_a_memory_store_reads_a_new_empty_store_and_writes_no_file(
    tmp_path: Path, command: str
) -> None:
    args, code = NEEDS_A_STORE[command]

    run = guoying(*args, "--store", "memory://", cwd=tmp_path)

    assert run.code == code, run
    assert_no_traceback(run)
    if code == 1:
        assert run.stderr.startswith("error: "), run
    assert list(tmp_path.iterdir()) == []


def test_the_refusal_log_of_a_memory_store_is_empty(tmp_path: Path) -> None:
    run = guoying("refusals", "--format", "json", "--store", "memory://", cwd=tmp_path)

    assert run.code == 0, run
    assert run.json() == []


def test_verify_on_a_memory_store_verifies_an_empty_chain(tmp_path: Path) -> None:
    run = guoying("verify", "--store", "memory://", cwd=tmp_path)

    assert run.code == 0, run
    assert run.stdout.startswith("verified 0 entries"), run
