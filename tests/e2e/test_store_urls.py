"""A store URL that cannot be opened is unusable input: exit 2 and one clear line on stderr."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.city import organization
from tests.e2e.runner import guoying, jsonl

UNUSABLE_STORES = {
    "sqlite:////nonexistent/dir/x.db": "folder /nonexistent/dir does not exist",
    "mysql://x": "unsupported; use sqlite:///PATH, memory:// or postgresql+psycopg://",
}


@pytest.mark.parametrize("url", UNUSABLE_STORES)
@pytest.mark.parametrize("command", ["apply", "refusals"])
def test_a_store_url_that_cannot_be_opened_exits_2_with_a_message_on_stderr(
    tmp_path: Path, url: str, command: str
) -> None:
    (tmp_path / "city.jsonl").write_text(jsonl(organization()), encoding="utf-8")
    args = ["apply", "city.jsonl"] if command == "apply" else ["refusals"]

    run = guoying(*args, "--store", url, cwd=tmp_path)

    assert run.code == 2, run
    assert run.stdout == ""
    assert run.stderr.startswith(f"error: store URL '{url}': {UNUSABLE_STORES[url]}"), run
    assert "Traceback" not in run.stderr


def test_a_guoying_store_variable_that_cannot_be_opened_exits_2(tmp_path: Path) -> None:
    run = guoying(
        "history", "mz-01", cwd=tmp_path, env={"GUOYING_STORE": "sqlite:////nonexistent/dir/x.db"}
    )

    assert run.code == 2, run
    assert run.stderr.startswith("error: store URL 'sqlite:////nonexistent/dir/x.db'")
    assert not (tmp_path / "guoying.db").exists()
