"""The examples of the README and of the documentation pages run as shown.

- The ```python blocks of docs/embedding.md run in order as one script, each printing the
  ```text block that follows it; those of docs/testing.md run with fewer examples.
- Every ```sh and ```console block of README.md, docs/quickstart.md and docs/auditing.md
  runs line by line in bash (comments stripped, continuation lines joined) in a folder
  holding the demo store as `guoying.db` (an empty folder when the block starts with
  `guoying demo`), and every line exits 0 but those EXIT_1 names (a check that reports
  failure by its exit code, as the page says); a ```console block's shown output appears
  in what its command prints. A plain `guoying` line runs in this process (typer's runner)
  and one with shell operators in bash, which keeps the module to well under a minute.

What cannot run here, and why (NOT_RUN): `make demo`, `make test`, `make docs`, `make bench`
and `make bench-large` build .venv and run the whole suite, the site or minutes of
benchmarks against PostgreSQL (the suite runs their parts: the demo in tests/e2e/test_demo.py,
the site in tests/e2e/test_docs_site.py); `guoying apply commands.jsonl` applies the
reader's own file, which the README does not give (docs/commands.md's apply examples run
in tests/e2e/test_commands_doc.py). Two ```python blocks of the docs are excerpts, not
programs: docs/adding-an-aggregate.md shows a handler with its body elided (`...`) and
docs/events.md an upcaster that would change the event format of every test in the process
once registered (tests/integration/test_event_evolution.py runs one on a store of its own).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import unittest
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.inprocess import LocalStore
from tests.e2e.runner import WIDTH_ENV

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
PAGES = ("README.md", "docs/quickstart.md", "docs/auditing.md")
NOT_RUN = re.compile(r"^(make (demo|test|docs|bench|bench-large)|guoying apply commands\.jsonl)$")
# `coverage` exits 1 when coverage is not met; the README says so beside the line.
EXIT_1 = {"guoying coverage --committee dy-manzhuang --year 2019"}
SHELL = re.compile(r"[|>$<;&]")


def blocks(page: str, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    text = (ROOT / page).read_text(encoding="utf-8")
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(text) if m.group(1) in kinds]


def test_the_embedding_guides_python_runs_and_prints_what_the_page_shows() -> None:
    found = blocks("docs/embedding.md", ("python", "text"))
    namespace: dict[str, object] = {}
    ran = 0
    for (kind, code), (after, shown) in zip(found, [*found[1:], ("", "")], strict=True):
        if kind != "python":
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code, "docs/embedding.md", "exec"), namespace)
        assert after == "text", "each ```python block is followed by the ```text it prints"
        assert printed.getvalue() == shown
        ran += 1

    assert ran == 3


def commands(kind: str, body: str) -> tuple[list[str], list[str]]:
    """The shell lines of a block, and for a console block the output it shows."""
    if kind == "console":
        first, *shown = body.splitlines()
        return [first.removeprefix("$ ")], shown
    joined = body.replace("\\\n", " ")
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in joined.splitlines()]
    return [line for line in lines if line and not line.startswith("#")], []


ALL_BLOCKS = [
    (page, index, kind, body)
    for page in PAGES
    for index, (kind, body) in enumerate(blocks(page, ("sh", "console")))
]
SHELL_BLOCKS = [
    block
    for block in ALL_BLOCKS
    if any(not NOT_RUN.match(line) for line in commands(block[2], block[3])[0])
]


def test_the_lines_that_do_not_run_are_the_make_targets_and_the_readers_own_file() -> None:
    not_run = {
        line
        for _, _, kind, body in ALL_BLOCKS
        for line in commands(kind, body)[0]
        if NOT_RUN.match(line)
    }

    assert not_run == {
        "make demo",
        "make test",
        "make docs",
        "make bench",
        "make bench-large",
        "guoying apply commands.jsonl",
    }


@pytest.fixture
def demo(demo_store: LocalStore) -> LocalStore:
    return demo_store


@pytest.mark.parametrize(
    ("page", "index", "kind", "body"),
    SHELL_BLOCKS,
    ids=[f"{page}-{index}" for page, index, _, _ in SHELL_BLOCKS],
)
def test_every_shell_line_of_the_readme_and_the_guides_runs_on_the_demo_store(
    page: str,
    index: int,
    kind: str,
    body: str,
    demo: LocalStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines, shown = commands(kind, body)
    runnable = [line for line in lines if not NOT_RUN.match(line)]
    if runnable[0] != "guoying demo":
        shutil.copyfile(demo.path, tmp_path / "guoying.db")
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    env = {k: v for k, v in os.environ.items() if k not in {"GUOYING_STORE", *WIDTH_ENV}}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONIOENCODING"] = "utf-8"
    store = LocalStore(tmp_path, "guoying.db")
    monkeypatch.chdir(tmp_path)  # files the lines name (checkpoint.json) are in the folder
    for line in runnable:
        if line.startswith("guoying ") and not SHELL.search(line):
            run = store.run(*shlex.split(line)[1:])
            code, stdout, stderr = run.code, run.stdout, run.stderr
        else:
            done = subprocess.run(
                ["bash", "-o", "pipefail", "-c", line],
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                encoding="utf-8",
                timeout=300,
                check=False,
            )
            code, stdout, stderr = done.returncode, done.stdout, done.stderr
        expected = 1 if line in EXIT_1 else 0
        assert code == expected, f"{page}: {line}\n{stdout}\n{stderr}"
        printed = stdout.splitlines()
        assert [s for s in shown if s not in printed] == [], f"{page}: {line}"


def test_the_testing_guides_property_tests_and_state_machines_run_and_pass() -> None:
    """docs/testing.md's ```python blocks run as written but with fewer examples and steps
    (the page's counts are for users' suites): each `test_*` it defines passes, and each
    state machine's TestCase runs green."""
    namespace: dict[str, Any] = {}
    for _, code in blocks("docs/testing.md", ("python",)):
        quick = re.sub(r"max_examples=\d+", "max_examples=2", code)
        quick = re.sub(r"stateful_step_count=\d+", "stateful_step_count=10", quick)
        exec(compile(quick, "docs/testing.md", "exec"), namespace)
    tests = {k: v for k, v in namespace.items() if k.startswith("test_") and callable(v)}
    machines = {
        k: v
        for k, v in namespace.items()
        if k.startswith("Test") and isinstance(v, type) and issubclass(v, unittest.TestCase)
    }

    for test in tests.values():
        test()
    for machine in machines.values():
        result = unittest.TextTestRunner(stream=io.StringIO(), verbosity=0).run(
            unittest.defaultTestLoader.loadTestsFromTestCase(machine)
        )
        assert result.wasSuccessful(), [str(e) for _, e in result.errors + result.failures]
        assert result.testsRun == 1
    assert set(tests) == {
        "test_a_promotion",
        "test_every_count_stays_readable",
        "test_every_title_passed_every_round",
    }
    assert set(machines) == {"TestLedgerMachine", "TestSelectionMachine", "TestMentoringMachine"}
