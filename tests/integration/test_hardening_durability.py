"""An acknowledged decision survives power loss (issue 11, defect 7): SQLite syncs its WAL
at every commit (synchronous=FULL) unless the store URL opts into NORMAL
(docs/adr/005-durability.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guoying.adapters.store import SqlStore
from guoying.application.errors import StoreUnavailable

FULL, NORMAL, EXTRA = 2, 1, 3  # PRAGMA synchronous answers with SQLite's numbers


def synchronous(url: str) -> tuple[int, str]:
    store = SqlStore(url)
    try:
        with store.engine.connect() as conn:
            level = int(conn.exec_driver_sql("PRAGMA synchronous").scalar_one())
            journal = str(conn.exec_driver_sql("PRAGMA journal_mode").scalar_one())
        return level, journal
    finally:
        store.close()


def test_a_sqlite_store_syncs_every_commit_by_default(tmp_path: Path) -> None:
    assert synchronous(f"sqlite:///{tmp_path / 'store.db'}") == (FULL, "wal")


@pytest.mark.parametrize(
    ("given", "level"), [("normal", NORMAL), ("NORMAL", NORMAL), ("extra", EXTRA), ("full", FULL)]
)
def test_the_store_url_chooses_another_level(tmp_path: Path, given: str, level: int) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}?synchronous={given}"
    assert synchronous(url) == (level, "wal")


@pytest.mark.parametrize("given", ["off", "0", "fast"])
def test_a_level_that_could_lose_more_than_normal_is_refused(tmp_path: Path, given: str) -> None:
    with pytest.raises(StoreUnavailable, match="synchronous"):
        SqlStore(f"sqlite:///{tmp_path / 'store.db'}?synchronous={given}")
