"""Run the installed `guoying` entry point as a subprocess, in a folder, on a store.

Every run starts from the test process's environment without `GUOYING_STORE`, so that no
test reads or writes a store it did not name, and without `COLUMNS` and `LINES` (which
pytest-xdist's workers export), so that output is laid out as a user's piped output is; a
test that wants one of them passes it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GUOYING = Path(sys.executable).parent / "guoying"
STORE_ENV = "GUOYING_STORE"
WIDTH_ENV = ("COLUMNS", "LINES")


@dataclass(frozen=True)
class Run:
    """What one `guoying` run printed and how it exited."""

    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def results(self) -> list[dict[str, Any]]:
        """The JSON result lines of `guoying apply`, one per command."""
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]

    def json(self) -> Any:
        return json.loads(self.stdout)

    def __str__(self) -> str:
        return (
            f"$ guoying {' '.join(self.args)}\nexit {self.code}\n"
            f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}"
        )


def guoying(
    *args: str,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> Run:
    environment = {k: v for k, v in os.environ.items() if k not in {STORE_ENV, *WIDTH_ENV}}
    environment["PYTHONIOENCODING"] = "utf-8"
    environment.update(env or {})
    completed = subprocess.run(
        [str(GUOYING), *args],
        cwd=cwd,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    return Run(tuple(args), completed.returncode, completed.stdout, completed.stderr)


def jsonl(lines: Iterable[Mapping[str, Any] | str]) -> str:
    """JSON Lines text: a mapping is written as JSON, a string as it is."""
    return "".join(
        (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n"
        for line in lines
    )


@dataclass(frozen=True)
class Store:
    """A SQLite store in a folder that is also the working directory of every run."""

    folder: Path
    name: str = "store.db"

    @property
    def path(self) -> Path:
        return self.folder / self.name

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def run(self, *args: str, stdin: str | None = None) -> Run:
        return guoying(*args, "--store", self.url, cwd=self.folder, stdin=stdin)

    def apply(
        self,
        lines: Sequence[Mapping[str, Any] | str],
        *options: str,
        file: str = "commands.jsonl",
    ) -> Run:
        (self.folder / file).write_text(jsonl(lines), encoding="utf-8")
        return self.run("apply", file, *options)

    def ledger(self, committee: str, year: int, fmt: str = "json") -> Run:
        return self.run("ledger", "--committee", committee, "--year", str(year), "--format", fmt)

    def ledger_json(self, committee: str, year: int) -> dict[str, Any]:
        run = self.ledger(committee, year)
        assert run.code == 0, run
        found: dict[str, Any] = run.json()
        return found

    def history_json(self, branch_id: str) -> list[dict[str, Any]]:
        run = self.run("history", branch_id, "--format", "json")
        assert run.code == 0, run
        found: list[dict[str, Any]] = run.json()
        return found

    def refusals_json(self, committee: str | None = None) -> list[dict[str, Any]]:
        options = ("--committee", committee) if committee else ()
        run = self.run("refusals", *options, "--format", "json")
        assert run.code == 0, run
        found: list[dict[str, Any]] = run.json()
        return found

    def seen(self) -> dict[str, Any]:
        """What a user sees of the small city: the rollup ledger holding every manzhuang
        branch, and the refusal log."""
        return {"ledger": self.ledger_json("daiyue", 2018), "refusals": self.refusals_json()}
