"""The `guoying` command run in this process (typer's runner) on a SQLite store in a folder.

The same commands and exit codes as the installed entry point (tests/e2e/runner.py), for
tests that run many commands: starting an interpreter for each costs seconds on a loaded
2-core machine, which the suite's time budget cannot afford for every check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from typer.testing import CliRunner

from guoying.cli import app
from tests.e2e.runner import Run, Store, jsonl

# pytest-xdist's workers export COLUMNS=80 and LINES=24: a command runs as a user's piped
# command does, with no width given, unless the test gives one.
NO_WIDTH: Mapping[str, str | None] = {"COLUMNS": None, "LINES": None}


def invoke(
    *args: str, stdin: str | None = None, env: Mapping[str, str | None] | None = None
) -> Run:
    done = CliRunner().invoke(app, list(args), input=stdin, env={**NO_WIDTH, **(env or {})})
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception  # a traceback, which the installed command would have printed
    return Run(tuple(args), done.exit_code, done.stdout, done.stderr)


@dataclass(frozen=True)
class LocalStore(Store):
    """A `Store` whose commands run in this process."""

    def run(self, *args: str, stdin: str | None = None) -> Run:
        return invoke(*args, "--store", self.url, stdin=stdin)

    def apply(
        self,
        lines: Sequence[Mapping[str, Any] | str],
        *options: str,
        file: str = "commands.jsonl",
    ) -> Run:
        path = self.folder / file
        path.write_text(jsonl(lines), encoding="utf-8")
        return self.run("apply", str(path), *options)


def local(store: Store) -> LocalStore:
    return LocalStore(store.folder, store.name)
