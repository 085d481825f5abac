"""The README's Python example runs and prints what it says it prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_python_example_refuses_an_advanced_branch_by_ledger_advanced_cap() -> None:
    """`ledger.advanced_cap`: the README shows a refusal among fewer than ten branches."""
    section = README.read_text(encoding="utf-8").split("## Using the Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code.group(1), str(README), "exec"), {})
    assert printed.getvalue().split() == ["ledger.advanced_cap", "MIDDLE"]
