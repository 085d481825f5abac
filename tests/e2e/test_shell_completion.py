"""Shell completion: the script a shell installs, and the words it completes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.runner import guoying


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_script_for_each_shell_names_the_command(tmp_path: Path, shell: str) -> None:
    run = guoying("--show-completion", shell, cwd=tmp_path)
    assert run.code == 0, run
    assert "_GUOYING_COMPLETE" in run.stdout, run


def _complete(tmp_path: Path, *words: str) -> list[str]:
    """What bash would offer for the last word, as the installed script asks for it."""
    run = guoying(
        cwd=tmp_path,
        env={
            "_GUOYING_COMPLETE": "complete_bash",
            "COMP_WORDS": " ".join(["guoying", *words]),
            "COMP_CWORD": str(len(words)),
        },
    )
    assert run.code == 0, run
    return run.stdout.split()


def test_a_command_completes_from_its_first_letters(tmp_path: Path) -> None:
    assert _complete(tmp_path, "led") == ["ledger"]
    assert {"verify", "evaluations"} <= set(_complete(tmp_path, ""))


def test_an_option_completes_from_its_first_letters(tmp_path: Path) -> None:
    assert "--committee" in _complete(tmp_path, "ledger", "--comm")
