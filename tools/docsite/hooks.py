"""mkdocs hooks (mkdocs.yml): the pages written from the code, added to the site as it is
built, so they cannot drift from the code and are never checked in."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# mkdocs loads this file by path; the generators are imported as the `tools.docsite` package.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from mkdocs.structure.files import File, Files  # noqa: E402

from tools.docsite import reference, rule_matrix  # noqa: E402

PAGES = {
    "reference/cli.md": reference.cli_page,
    "reference/commands.md": reference.commands_page,
    "reference/events.md": reference.events_page,
    "reference/json.md": reference.json_page,
    "rule-matrix.md": rule_matrix.page,
    "changelog.md": lambda: (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"),
    "license.md": lambda: (
        "# Licence\n\n```text\n" + (ROOT / "LICENSE").read_text(encoding="utf-8") + "```\n"
    ),
}


def on_files(files: Files, config: Any) -> Files:
    for uri, write in PAGES.items():
        files.append(File.generated(config, uri, content=write()))  # type: ignore[no-untyped-call]
    return files
