"""The small city and the demo city are each built once per test session; each test that
writes to the small city gets its own copy, and the demo's store is only read (or copied)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.city import city_lines
from tests.e2e.inprocess import LocalStore
from tests.e2e.runner import Store

CopyCity = Callable[[str], Store]


def copy_store(template: Store, folder: Path, name: str) -> Store:
    """A byte copy of a SQLite store (with its WAL files, if any) under another name."""
    store = Store(folder, name)
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{template.path}{suffix}")
        if source.exists():
            shutil.copyfile(source, Path(f"{store.path}{suffix}"))
    return store


@pytest.fixture(scope="session")
def city_template(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """A store holding the small city of `tests.e2e.city`, applied through `guoying apply`."""
    store = Store(tmp_path_factory.mktemp("city-template"), "city.db")
    run = store.apply(city_lines())
    assert run.code == 0, run
    return store


@pytest.fixture(scope="session")
def city_seen(city_template: Store) -> dict[str, Any]:
    """`Store.seen()` of the small city as built, for tests that prove nothing changed."""
    return city_template.seen()


@pytest.fixture
def copy_city(tmp_path: Path, city_template: Store) -> CopyCity:
    """Copies of the city's store in this test's folder, one per name."""

    def copy(name: str) -> Store:
        return copy_store(city_template, tmp_path, name)

    return copy


@pytest.fixture
def city(copy_city: CopyCity) -> Store:
    """A fresh copy of the small city, in this test's folder, which is also the cwd of runs."""
    return copy_city("city.db")


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> LocalStore:
    """The store `guoying demo` builds, as ./guoying.db of a folder; tests read it or copy it."""
    store = LocalStore(tmp_path_factory.mktemp("demo-store"), "guoying.db")
    run = store.run("demo")
    assert run.code == 0, run
    return store
