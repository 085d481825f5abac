"""`ViewWriter`: a batch of inserts and retirements gives the rows that sending each at once
would give (the bitemporal rows of the ledger's views, `known_from`/`known_to`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guoying.projections.writer import ViewWriter

metadata = sa.MetaData()
tiers = sa.Table(
    "t",
    metadata,
    sa.Column("branch_id", sa.Text),
    sa.Column("year", sa.Integer),
    sa.Column("tier", sa.Text),
    sa.Column("known_from", sa.Integer),
    sa.Column("known_to", sa.Integer),
)


def _adjust(views: ViewWriter, position: int, branch_id: str, tier: str) -> None:
    views.retire(tiers, position, branch_id=branch_id, year=2018)
    views.insert(
        tiers,
        {"branch_id": branch_id, "year": 2018, "tier": tier, "known_from": position},
    )


def _rows(conn: sa.Connection) -> list[tuple[object, ...]]:
    return sorted(conn.execute(sa.select(tiers)).all(), key=lambda r: (r.branch_id, r.known_from))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'views.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(database_url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def test_a_batch_of_retirements_closes_each_row_when_its_successor_was_known(
    engine: sa.Engine,
) -> None:
    """On PostgreSQL the batch's retirements go as one set-based UPDATE (`adapters.bulk`)."""
    events = [(1, "a", "MIDDLE"), (2, "b", "WEAK"), (3, "a", "ADVANCED"), (5, "a", "LAGGING")]
    with engine.begin() as conn:
        one_by_one = ViewWriter(conn)
        for position, branch_id, tier in events:
            _adjust(one_by_one, position, branch_id, tier)
            one_by_one.flush()
        expected = _rows(conn)
        conn.execute(tiers.delete())

        # The first event reaches the database in a batch of its own; the rest in one batch.
        batched = ViewWriter(conn)
        _adjust(batched, *events[0])
        batched.flush()
        for event in events[1:]:
            _adjust(batched, *event)
        batched.flush()
        assert _rows(conn) == expected

    assert [(r[0], r[2], r[3], r[4]) for r in expected] == [
        ("a", "MIDDLE", 1, 3),
        ("a", "ADVANCED", 3, 5),
        ("a", "LAGGING", 5, None),
        ("b", "WEAK", 2, None),
    ]


def test_a_statement_on_a_table_first_sends_what_is_pending_for_it(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        views = ViewWriter(conn)
        _adjust(views, 1, "a", "MIDDLE")
        _adjust(views, 2, "a", "WEAK")
        current = views.execute(sa.select(tiers.c.tier).where(tiers.c.known_to.is_(None))).all()
        assert [r.tier for r in current] == ["WEAK"]


def _supersede(views: ViewWriter, position: int, branch_id: str, tier: str) -> None:
    row = views.current(tiers, branch_id=branch_id, year=2018)
    assert row is not None
    views.retire(tiers, position, branch_id=branch_id, year=2018)
    views.insert(tiers, {**row, "tier": tier, "known_from": position, "known_to": None})


def test_the_open_row_of_a_key_is_the_batchs_latest_before_the_databases(
    engine: sa.Engine,
) -> None:
    with engine.begin() as conn:
        views = ViewWriter(conn)
        _adjust(views, 1, "a", "MIDDLE")
        views.flush()
        assert views.current(tiers, branch_id="a", year=2018) == {
            "branch_id": "a",
            "year": 2018,
            "tier": "MIDDLE",
            "known_from": 1,
            "known_to": None,
        }
        # Two corrections in one batch: the second supersedes the first's row, not the
        # database's, which the first already retired.
        _supersede(views, 4, "a", "WEAK")
        _supersede(views, 6, "a", "LAGGING")
        assert views.current(tiers, branch_id="a", year=2018)["tier"] == "LAGGING"
        assert views.current(tiers, branch_id="b", year=2018) is None
        views.flush()
        assert [(r.tier, r.known_from, r.known_to) for r in _rows(conn)] == [
            ("MIDDLE", 1, 4),
            ("WEAK", 4, 6),
            ("LAGGING", 6, None),
        ]


kinds = sa.Table(
    "kinds",
    sa.MetaData(),
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("name", sa.Text),
    sa.Column("flag", sa.Boolean),
    sa.Column("day", sa.Date),
)


def test_rows_sent_in_bulk_read_back_as_written_on_every_database(database_url: str) -> None:
    """PostgreSQL's rows go by COPY (`adapters.bulk`), the others' by executemany."""
    engine = sa.create_engine(database_url)
    kinds.metadata.create_all(engine)
    rows = [
        {"id": 1, "name": "北店村党支部", "flag": True, "day": date(2018, 12, 31)},
        {"id": 2, "name": None, "flag": False, "day": None},
        {"id": 3, "name": "tab\tand\nnewline \\ 反斜杠", "flag": None, "day": date(2017, 1, 1)},
    ]
    try:
        with engine.begin() as conn:
            views = ViewWriter(conn)
            views.insert(kinds, *rows)
            views.flush()
            found = [dict(r._mapping) for r in conn.execute(sa.select(kinds).order_by(kinds.c.id))]
        assert found == rows
    finally:
        engine.dispose()


adjustments = st.lists(
    st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["MIDDLE", "WEAK"]), st.booleans()),
    max_size=12,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(adjustments)
def test_any_batching_of_adjustments_gives_the_rows_one_by_one_gives(
    engine: sa.Engine, steps: list[tuple[str, str, bool]]
) -> None:
    """Wherever the batches end, each row is closed by the next adjustment of its key."""
    with engine.begin() as conn:
        conn.execute(tiers.delete())
        one_by_one = ViewWriter(conn)
        for position, (branch_id, tier, _) in enumerate(steps, start=1):
            _adjust(one_by_one, position, branch_id, tier)
            one_by_one.flush()
        expected = _rows(conn)
        conn.execute(tiers.delete())
        batched = ViewWriter(conn)
        for position, (branch_id, tier, batch_ends) in enumerate(steps, start=1):
            _adjust(batched, position, branch_id, tier)
            if batch_ends:
                batched.flush()
        batched.flush()
        assert _rows(conn) == expected


def test_rows_sent_in_bulk_are_stored_as_sqlalchemy_would_store_them(tmp_path: Path) -> None:
    """SQLite's rows bypass SQLAlchemy's executemany: the stored bytes must not differ."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'views.db'}")
    twin = kinds.to_metadata(sa.MetaData(), name="kinds_by_sqlalchemy")
    kinds.metadata.create_all(engine)
    twin.metadata.create_all(engine)
    # Not in the table's column order, as a projection may well write them.
    rows = [
        {"day": date(2018, 12, 31), "flag": True, "name": "北店村党支部", "id": 1},
        {"day": None, "flag": False, "name": None, "id": 2},
        {"day": date(2017, 1, 1), "flag": None, "name": "", "id": 3},
    ]
    try:
        with engine.begin() as conn:
            views = ViewWriter(conn)
            views.insert(kinds, *rows)
            views.flush()
            conn.execute(twin.insert(), rows)
            raw = [
                conn.exec_driver_sql(f"SELECT id, name, flag, day FROM {t.name} ORDER BY id").all()
                for t in (kinds, twin)
            ]
        assert raw[0] == raw[1]
    finally:
        engine.dispose()
