"""The package's names are imported on first use, and every one of them resolves."""

from __future__ import annotations

import subprocess
import sys

import guoying
from guoying.application import commands


def test_every_name_the_package_exports_resolves() -> None:
    missing = [name for name in guoying.__all__ if getattr(guoying, name, None) is None]
    assert missing == []


def test_the_package_exports_every_command() -> None:
    assert set(commands.__all__) <= set(guoying.__all__)
    assert guoying.RegisterCommittee is commands.RegisterCommittee


def test_an_unknown_name_is_an_attribute_error() -> None:
    assert not hasattr(guoying, "NoSuchCommand")


def test_a_star_import_brings_the_client_and_the_commands() -> None:
    found: dict[str, object] = {}
    exec("from guoying import *", found)  # the import a script would write
    assert found["Guoying"] is guoying.Guoying
    assert found["RegisterBranch"] is commands.RegisterBranch


def test_importing_the_package_imports_no_store_and_no_event_framework() -> None:
    probe = (
        "import sys, guoying; "
        "print(sorted(m for m in ('sqlalchemy', 'eventsourcing', 'guoying.api', 'psycopg') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
