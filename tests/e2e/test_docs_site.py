"""The documentation site builds in strict mode, and its generated pages stay true: every
`--format json` output is documented, and what the CLI prints on the demo store has exactly
the documented shape."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tools.docsite.reference import JSON_ELSEWHERE, JSON_OUTPUTS, JsonOutput, cli_commands
from tools.docsite.shapes import conforms

from tests.e2e.inprocess import LocalStore

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def test_the_site_builds_in_strict_mode_without_a_warning(tmp_path: Path) -> None:
    """`make docs`: a broken link, a missing anchor, a page outside the navigation or a
    docstring mkdocstrings cannot read is an error. `make test` installs the docs extra."""
    pytest.importorskip("mkdocs", reason="the docs extra is not installed (make test installs it)")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
        check=False,
    )

    assert built.returncode == 0, built.stderr
    assert "WARNING" not in built.stderr, built.stderr
    for page in ("rule-matrix", "reference/json", "reference/commands", "reference/events"):
        assert (tmp_path / page / "index.html").is_file()


def test_no_page_or_the_readme_links_outside_the_repository() -> None:
    """The rules and design the ADRs cite are pages of the site (docs/spec, docs/design.md)."""
    pages = [ROOT / "README.md", *DOCS.rglob("*.md")]
    outside = [
        f"{page.relative_to(ROOT)}: {link}"
        for page in pages
        for link in re.findall(r"\]\(([^)]+)\)", page.read_text(encoding="utf-8"))
        if "shared/" in link
        or not (page.parent / link.split("#")[0]).resolve().is_relative_to(ROOT)
    ]

    assert outside == []


def test_every_adr_is_in_the_site_navigation() -> None:
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")

    assert [p.name for p in sorted((DOCS / "adr").glob("*.md")) if f"adr/{p.name}" not in nav] == []


def test_the_verifier_in_the_auditors_guide_is_the_file_docs_verify_chain_py() -> None:
    page = (DOCS / "auditing.md").read_text(encoding="utf-8")
    script = (DOCS / "verify_chain.py").read_text(encoding="utf-8")

    assert f"```python\n{script}```" in page


def _documented(output: JsonOutput) -> str:
    words = output.example[:2] if output.example[:1] == ("policy",) else output.example[:1]
    return " ".join(words)


def test_every_command_with_a_json_format_has_its_json_documented() -> None:
    """A new read command fails here until tools/docsite/reference.py lists its output."""
    with_format = {
        name.removeprefix("guoying ")
        for name, command in cli_commands()
        if any("--format" in p.opts for p in command.params)
    }

    assert with_format <= {_documented(o) for o in JSON_OUTPUTS} | set(JSON_ELSEWHERE)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> LocalStore:
    store = LocalStore(tmp_path_factory.mktemp("docs-json"), "demo.db")
    run = store.run("demo")
    assert run.code == 0, run
    return store


def _without_added(data: dict[str, Any], output: JsonOutput) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    for key, _ in output.added:
        *parents, last = key.split(".")
        holder = data
        for parent in parents:
            holder = holder[parent]
        assert last in holder, f"the documented added key {key} is not printed"
        del holder[last]
    return data


@pytest.mark.parametrize("output", JSON_OUTPUTS, ids=[" ".join(o.example) for o in JSON_OUTPUTS])
def test_the_json_the_cli_prints_on_the_demo_store_has_the_documented_shape(
    output: JsonOutput, demo: LocalStore
) -> None:
    args = output.example if output.wrapped == "lines" else (*output.example, "--format", "json")
    if output.command == "guoying checkpoint":
        args = output.example
    run = demo.run(*args)
    assert run.code == 0, run
    result = output.result()

    if output.wrapped == "lines":  # the demo's views equal a replay: no difference to print
        assert run.stdout == "the kept views equal a fresh replay of every event\n"
        problems = []
    elif output.wrapped == "array":
        printed = run.json()
        assert printed, f"the example prints no entries to check:\n{run}"
        problems = [p for item in printed for p in conforms(_without_added(item, output), result)]
    elif output.wrapped == "policy":
        printed = run.json()
        assert set(printed) == {"in_effect", "versions"}
        assert all(set(v) == {"version", "effective_on"} for v in printed["versions"])
        problems = conforms(printed["in_effect"], result)
    else:
        problems = conforms(_without_added(run.json(), output), result)

    assert problems == []
