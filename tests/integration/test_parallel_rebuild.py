"""A rebuild on several processes ends as the serial one does: the same rows in every view,
the same tracked positions, and on a failure the same error with the old views intact.
(`memory://` rebuilds serially: its one connection is the whole database.)"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from guoying.adapters import schema
from guoying.adapters.store import StoredRecord
from guoying.application.errors import StoreDamaged
from guoying.domain.events import AnyEvent
from guoying.projections import parallel
from guoying.projections.catalogue import PROJECTIONS
from guoying.projections.writer import ViewWriter
from tests.integration.builders import (
    build_small_city,
    event_rows,
    open_app,
    views_snapshot,
)

_failing_metadata = sa.MetaData()
_failing_rows = sa.Table(
    "view_test_failing", _failing_metadata, sa.Column("position", sa.Integer, primary_key=True)
)


class FailingProjection:
    """Fails on the third event it handles, as a damaged stored event would fail the
    rebuild. Found by its module in the other process, where it runs."""

    name = "test_failing"
    version = 1
    metadata = _failing_metadata
    weight = 1.0

    def handle(self, views: ViewWriter, record: StoredRecord, event: AnyEvent) -> None:
        if record.position >= 3:
            raise StoreDamaged(f"the event at position {record.position} is damaged", 3)
        views.insert(_failing_rows, {"position": record.position})


@pytest.fixture(params=["fork", "fresh"])
def start(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both ways the other processes start: a copy of this one, and a fresh interpreter."""
    monkeypatch.setattr(parallel, "START", request.param)
    return str(request.param)


def test_a_rebuild_on_two_processes_writes_the_views_and_positions_of_a_serial_one(
    store_url: str, start: str
) -> None:
    with open_app(store_url) as app:
        build_small_city(app)
        events = len(event_rows(app))
        read: list[int] = []
        serial_applied = app.rebuild_views(workers=1)
        serial = views_snapshot(app)

        applied = app.rebuild_views(read.append, workers=2)

        assert views_snapshot(app) == serial
        assert applied == serial_applied == len(app.projections) * events
        assert sum(read) == events
        assert all(rows for name, rows in serial.items() if name == schema.tracking.name)


@pytest.fixture(params=["sqlite", "postgres"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_url"))


def test_a_rebuild_failing_in_the_other_process_raises_the_serial_error_and_keeps_the_old_views(
    shared_url: str, start: str
) -> None:
    """The ledger is rebuilt in this process and the failing projection in the other (the
    heavier group stays here): the ledger's rebuilt rows must not be kept either."""
    ledger = next(p for p in PROJECTIONS if p.name == "ledger")
    with open_app(shared_url) as app:
        build_small_city(app)
        app.catch_up()
        # Old views that a rebuild would change: the ledger's branches gone.
        with app.store.engine.begin() as conn:
            conn.execute(sa.delete(ledger.metadata.tables["view_branches"]))
        before = views_snapshot(app)
        assert before["view_branches"] == []
        app.projections = (ledger, FailingProjection())
        with pytest.raises(StoreDamaged) as serial:
            app.rebuild_views(workers=1)

        with pytest.raises(StoreDamaged) as parallel:
            app.rebuild_views(workers=2)

        assert str(parallel.value) == str(serial.value)
        assert parallel.value.position == serial.value.position == 3
        app.projections = PROJECTIONS
        after = views_snapshot(app)
        # The failing projection's own tracking row, made before either rebuild began.
        tracking = schema.tracking.name
        after[tracking] = [row for row in after[tracking] if row[0] != "test_failing@1"]
        assert after == before
