"""The store contract: one test case, run on every store (memory, SQLite, PostgreSQL).

Design section 3 ("Stores are chosen by URL") and rules.md 9a: events saved atomically with
optimistic concurrency, positions strictly increasing, a recorded time that never decreases,
personal data kept apart from the events but written with them, a refusal log, and
eventsourcing's ApplicationRecorder contract for `SqlRecorder`.
"""

from __future__ import annotations

import itertools
import socket
import sys
import threading
import time
import types
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import sqlalchemy as sa
from eventsourcing.persistence import IntegrityError, StoredEvent

from guoying import Actor, AdjustTier, Guoying, RegisterPerson, StoreUnavailable, Tier
from guoying.adapters import schema
from guoying.adapters.aggregates import REFRESH_LIMIT, CachedAggregates
from guoying.adapters.store import SqlStore
from guoying.api.urls import store_url
from guoying.application.ports import ConcurrencyConflict, PersonalData, Refusal
from guoying.domain.advanced_cap import BranchCounted, cap_key
from guoying.domain.branch import TierAdjusted, branch_aggregate_id, branch_key
from guoying.domain.events import DomainEvent, stamp
from guoying.domain.person import person_key
from guoying.domain.values import Authority, Decision
from tests.integration.builders import (
    CITY,
    YEAR,
    build_small_city,
    found_city,
    open_app,
    person_registered,
    run_together,
    secretary,
)


def _eventsourcing_recorder_tests() -> types.ModuleType:
    """eventsourcing's own recorder test cases.

    The module imports `eventsourcing.cipher`, which needs pycryptodome, an optional
    dependency guoying does not install; none of the tests run here use a cipher, so when
    it is missing a stand-in module satisfies that one import and is removed right after.
    """
    try:
        from eventsourcing.tests import persistence
    except ModuleNotFoundError as missing:
        if not (missing.name or "").startswith("Crypto"):
            raise
        stand_in = types.ModuleType("eventsourcing.cipher")
        stand_in.AESCipher = None  # type: ignore[attr-defined]
        with mock.patch.dict(sys.modules, {"eventsourcing.cipher": stand_in}):
            from eventsourcing.tests import persistence
    return persistence


class EventsourcingApplicationRecorderContract(
    _eventsourcing_recorder_tests().ApplicationRecorderTestCase  # type: ignore[misc]
):
    """eventsourcing's `ApplicationRecorderTestCase`, adapted to `SqlRecorder`.

    Run by the contract tests below, not collected on its own (it needs a store URL).
    Adaptations: originator ids are strings (guoying's aggregate ids are `kind:id`), and a
    version conflict may be guoying's `ConcurrencyConflict`; whether it is also
    eventsourcing's `IntegrityError`, as the contract says, is its own test below.
    """

    __test__ = False

    def __init__(self, store: SqlStore, method: str = "test_insert_select") -> None:
        super().__init__(method)
        self.store = store

    def create_recorder(self) -> Any:
        return self.store.recorder

    def new_originator_id(self) -> str:
        return f"contract:{uuid.uuid4()}"

    def assertRaises(self, expected: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N802
        if expected is IntegrityError:
            expected = (IntegrityError, ConcurrencyConflict)
        return super().assertRaises(expected, *args, **kwargs)  # noqa: PT027


class Ticks:
    """A store clock that reads from a list (microseconds), then repeats the last value."""

    def __init__(self, *values: int) -> None:
        self.values = list(values)
        self.last = values[-1]

    def __call__(self) -> int:
        if self.values:
            self.last = self.values.pop(0)
        return self.last


def stored_recorded_times(store: SqlStore) -> list[int]:
    t = schema.events
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(t.c.recorded_at).order_by(t.c.id)).scalars())


def refusal_recorded_times(store: SqlStore) -> list[int]:
    t = schema.refusals
    with store.engine.connect() as conn:
        return list(conn.execute(sa.select(t.c.recorded_at).order_by(t.c.id)).scalars())


def another_writer(store_url: str, store: SqlStore) -> SqlStore:
    """A second writer on the same store: its own engine, except for `memory://`, which
    exists only inside the one `SqlStore` that opened it."""
    return store if store_url == "memory://" else SqlStore(store_url)


DECISION = Decision(secretary(CITY), "never saved", date(2018, 12, 1), Authority((), "taian-2017"))


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    opened = SqlStore(store_url)
    yield opened
    opened.close()


class TestEveryStore:
    """One contract, every store: `store_url` runs each test on memory, SQLite, PostgreSQL."""

    def test_events_of_several_aggregates_are_saved_together_in_one_atomic_write(
        self, store: SqlStore
    ) -> None:
        events = [person_registered("a"), person_registered("b"), person_registered("c")]

        positions = store.save(events)

        assert len(positions) == 3
        notifications = store.recorder.select_notifications(None, 10)
        assert [n.id for n in notifications] == positions
        assert [n.originator_id for n in notifications] == ["person:a", "person:b", "person:c"]
        assert len(set(stored_recorded_times(store))) == 1, "one write, one recorded time"
        assert store.aggregate("person:b").person_id == "b"

    def test_a_conflicting_version_on_one_aggregate_makes_the_whole_save_raise_and_write_nothing(
        self, store: SqlStore
    ) -> None:
        store.save([person_registered("a")], [PersonalData("a", "Zhang San", "111")])
        before = store.recorder.max_notification_id()

        with pytest.raises(ConcurrencyConflict):
            store.save(
                [person_registered("b"), person_registered("a"), person_registered("c")],
                [PersonalData("a", "Renamed", "999"), PersonalData("b", "Li Si", "222")],
            )

        assert store.recorder.max_notification_id() == before
        assert store.recorder.select_events("person:b") == []
        assert store.recorder.select_events("person:c") == []
        assert store.aggregate("person:b") is None
        assert store.personal_data(["a", "b"]) == {"a": PersonalData("a", "Zhang San", "111")}
        # The same version twice within one write conflicts with itself.
        with pytest.raises(ConcurrencyConflict):
            store.save([person_registered("d"), person_registered("d")])
        assert store.recorder.select_events("person:d") == []
        # The store is still usable after a refused write.
        assert before is not None
        assert store.save([person_registered("b")])[0] > before

    def test_a_writer_deciding_on_a_version_another_writer_already_saved_gets_a_conflict(
        self, store_url: str, store: SqlStore
    ) -> None:
        store.save([person_registered("a")])
        other = another_writer(store_url, store)
        seen_by_first = store.aggregate("person:a")
        seen_by_second = other.aggregate("person:a")
        assert seen_by_first.version == seen_by_second.version == 1

        store.save([person_registered("a", seen_by_first.version + 1)])
        with pytest.raises(ConcurrencyConflict):
            other.save([person_registered("a", seen_by_second.version + 1)])

        assert [e.originator_version for e in store.recorder.select_events("person:a")] == [1, 2]
        # Loading again sees the winner's version, and the next decision succeeds.
        assert other.aggregate("person:a").version == 2
        other.save([person_registered("a", 3)])
        assert store.aggregate("person:a").version == 3

    def test_an_aggregate_one_caller_changes_is_not_changed_for_the_next_caller(
        self, store_url: str
    ) -> None:
        """The store hands out private copies of its cached aggregates (`SqlStore.get`)."""
        with open_app(store_url) as app:
            city = build_small_city(app)
            store = app.store
            ledger_id = cap_key(city.town).id
            branch_id = branch_aggregate_id(city.town_branches[-1])
            ledger, branch = (
                store.get(cap_key(city.town)),
                store.get(branch_key(city.town_branches[-1])),
            )
            assert ledger is not None
            assert branch is not None
            counts, placements, tiers = (
                ledger.counts(),
                dict(ledger.placements),
                list(branch.tiers),
            )

            # A decision that is never saved, folded onto the copies the first caller got.
            ledger = BranchCounted(
                **stamp(DECISION, ledger_id, ledger.version + 1),
                committee_id=city.town,
                branch_id=city.town_branches[-1],
                placement=((YEAR, Tier.ADVANCED),),
            ).mutate(ledger)
            branch = TierAdjusted(
                **stamp(DECISION, branch_id, branch.version + 1),
                year=YEAR,
                previous_tier=Tier.MIDDLE,
                new_tier=Tier.ADVANCED,
            ).mutate(branch)
            assert ledger.counts() != counts

            again_ledger = store.get(cap_key(city.town))
            again_branch = store.get(branch_key(city.town_branches[-1]))
            assert again_ledger is not None
            assert again_branch is not None
            assert again_ledger.counts() == counts
            assert again_ledger.placements == placements
            assert again_branch.tiers == tiers

    def test_a_decision_reads_what_another_writer_saved_since_the_decision_before(
        self, store: SqlStore
    ) -> None:
        """A decision's reads (`SqlStore.reader`) skip the store for cached aggregates nobody
        wrote since; what another writer wrote in between must still be seen."""
        store.save([person_registered("a"), person_registered("b")])
        assert store.reader().get(person_key("a")).version == 1

        def written_by_another_writer(*events: DomainEvent) -> None:
            store.recorder.insert_events([store.mapper.to_stored_event(e) for e in events])

        written_by_another_writer(person_registered("a", 2))
        reads = store.reader()
        assert reads.get(person_key("a")).version == 2
        assert reads.get(person_key("b")).version == 1

        # More writes since the last look than one query reads: read page by page.
        written_by_another_writer(
            *(person_registered(f"p{n}") for n in range(REFRESH_LIMIT)),
            person_registered("a", 3),
            person_registered("b", 2),
        )
        reads = store.reader()
        assert reads.get(person_key("a")).version == 3
        assert reads.get(person_key("b")).version == 2
        # The writer's own saves need no look at the store to be seen.
        store.save([person_registered("a", 4)])
        assert store.reader().get(person_key("a")).version == 4

    def test_a_cache_that_missed_more_writes_than_it_holds_starts_afresh_and_reads_them(
        self, store: SqlStore
    ) -> None:
        """Past four times its size in writes since its last look (here 4 x 300), the cache
        forgets what it holds rather than sort the writes out; every read is still
        current."""
        store.aggregates = CachedAggregates(
            store.event_store, store.recorder.connection, maxsize=300
        )
        store.save([person_registered("a"), person_registered("b")])
        assert store.reader().get(person_key("a")).version == 1
        store.recorder.insert_events(
            [
                store.mapper.to_stored_event(e)
                for e in (
                    *(person_registered(f"p{n}") for n in range(2 * REFRESH_LIMIT)),
                    person_registered("a", 2),
                )
            ]
        )
        reads = store.reader()
        assert reads.get(person_key("a")).version == 2
        assert reads.get(person_key("b")).version == 1
        assert reads.get(person_key(f"p{2 * REFRESH_LIMIT - 1}")).version == 1

    def test_positions_strictly_increase_in_the_order_writes_commit(self, store: SqlStore) -> None:
        saved: list[int] = []
        for number in range(6):
            events = [person_registered(f"p{number}-{k}") for k in range(number % 3 + 1)]
            saved += store.save(events)
        store.append_refusal(refusal_of(secretary("town")))
        saved += store.save([person_registered("last")])

        assert saved == sorted(saved)
        assert len(set(saved)) == len(saved)
        notifications = store.recorder.select_notifications(None, 100)
        assert [n.id for n in notifications] == saved
        assert store.recorder.max_notification_id() == saved[-1]

    def test_concurrent_writers_in_threads_each_commit_on_their_own(
        self, request: pytest.FixtureRequest, store_url: str, store: SqlStore
    ) -> None:
        """One writer holds the store's write lock; another must wait for it, then commit.
        Neither may write inside, commit or roll back the other's transaction."""
        holding, attempting, release = threading.Event(), threading.Event(), threading.Event()

        def first(_: int) -> list[int]:
            with store.recorder.appending() as append:
                conn, recorded_at = append.conn, append.recorded_at
                conn.execute(
                    schema.events.insert().values(
                        originator_id="person:first",
                        originator_version=1,
                        topic="PersonRegistered",
                        state=store.mapper.to_stored_event(person_registered("first")).state,
                        recorded_at=recorded_at,
                    )
                )
                holding.set()
                release.wait(10)
            return []

        def second(_: int) -> list[int]:
            holding.wait(10)
            attempting.set()
            try:
                return store.save([person_registered("second")])
            finally:
                release.set()

        def releaser(_: int) -> list[int]:
            attempting.wait(10)
            time.sleep(0.3)  # the second writer is now waiting for the lock (or has failed)
            release.set()
            return []

        results = run_together(3, lambda i: (first, second, releaser)[i](i), timeout=30)

        stored = [n.originator_id for n in store.recorder.select_notifications(None, 10)]
        assert stored == ["person:first", "person:second"]
        assert [r for r in results if isinstance(r, BaseException)] == []

    def test_recorded_time_never_decreases_along_the_stores_order_even_when_the_clock_goes_back(
        self, store_url: str
    ) -> None:
        clock = Ticks(5_000_000, 3_000_000, 4_000_000, 8_000_000, 1_000_000, 2_000_000)
        store = SqlStore(store_url, clock=clock)
        try:
            store.save([person_registered("a"), person_registered("b")])  # 5.0 s
            store.save([person_registered("c")])  # clock 3.0 s: stays 5.0 s
            store.append_refusal(refusal_of(secretary("town")))  # clock 4.0 s: 5.0 s
            store.save([person_registered("d")])  # 8.0 s
            store.save([person_registered("e")])  # clock 1.0 s: stays 8.0 s
            if store_url != "memory://":
                # Another writer whose clock is far behind still cannot go back in time.
                behind = SqlStore(store_url, clock=Ticks(10))
                behind.save([person_registered("f")])
                behind.append_refusal(refusal_of(secretary("town")))
                behind.close()
            else:
                store.save([person_registered("f")])  # clock 2.0 s: stays 8.0 s
                store.append_refusal(refusal_of(secretary("town")))

            times = stored_recorded_times(store)
            assert times == [5_000_000, 5_000_000, 5_000_000, 8_000_000, 8_000_000, 8_000_000]
            assert refusal_recorded_times(store) == [5_000_000, 8_000_000]
        finally:
            store.close()

    def test_recorded_time_is_the_stores_clock_at_commit_in_microseconds(
        self, store: SqlStore
    ) -> None:
        before = time.time_ns() // 1000
        store.save([person_registered("a")])
        after = time.time_ns() // 1000

        (recorded,) = stored_recorded_times(store)
        assert before <= recorded <= after

    def test_select_notifications_and_max_notification_id_follow_eventsourcings_contract(
        self, store: SqlStore
    ) -> None:
        """eventsourcing's ApplicationRecorderTestCase.test_insert_select, on this store."""
        EventsourcingApplicationRecorderContract(store).test_insert_select()

    def test_a_version_conflict_is_an_eventsourcing_integrity_error_as_its_contract_says(
        self, store: SqlStore
    ) -> None:
        event = StoredEvent("person:a", 1, "PersonRegistered", b"{}")
        store.recorder.insert_events([event])

        with pytest.raises(Exception) as raised:
            store.recorder.insert_events([event])

        assert isinstance(raised.value, ConcurrencyConflict)
        assert isinstance(raised.value, IntegrityError)

    def test_select_events_reads_one_aggregates_sequence_by_version(self, store: SqlStore) -> None:
        """The AggregateRecorder half of the contract: gt, lte, desc and limit."""
        recorder = store.recorder
        first, second, third = (
            StoredEvent("branch:x", v, f"topic{v}", f"state{v}".encode()) for v in (1, 2, 3)
        )
        assert recorder.select_events("branch:x", desc=True, limit=1) == []
        recorder.insert_events([first])
        recorder.insert_events([second, third])
        recorder.insert_events([StoredEvent("branch:y", 1, "topic", b"other")])

        assert recorder.select_events("branch:x") == [first, second, third]
        assert recorder.select_events("branch:x", desc=True, limit=1) == [third]
        assert recorder.select_events("branch:x", lte=2, desc=True, limit=1) == [second]
        assert recorder.select_events("branch:x", gt=1, lte=2) == [second]
        assert recorder.select_events("branch:x", gt=1) == [second, third]
        assert recorder.select_events("branch:x", desc=True) == [third, second, first]
        assert recorder.select_events("branch:z") == []
        assert all(isinstance(e.state, bytes) for e in recorder.select_events("branch:x"))
        # Positions continue across aggregates: branch:y's event is the fourth.
        assert recorder.max_notification_id() == 4
        assert recorder.select_notifications(4, 1)[0].originator_id == "branch:y"

    def test_personal_data_is_saved_with_the_events_in_the_same_transaction(
        self, store_url: str
    ) -> None:
        with open_app(store_url) as app:
            found_city(app)
            outcome = app.execute(
                RegisterPerson(
                    actor=secretary("city"),
                    reason="a city leader",
                    person_id="p-li",
                    name=" 李四 ",
                    phone=" 0538-7654321 ",
                )
            )

            assert [e.originator_id for e in outcome.events] == ["person:p-li"]
            assert app.store.personal_data(["p-li"]) == {
                "p-li": PersonalData("p-li", "李四", "0538-7654321")
            }
            # No name or telephone number is in any stored event (rules.md 9a).
            with app.store.engine.connect() as conn:
                states = conn.execute(sa.select(schema.events.c.state)).scalars().all()
            assert not any("李四".encode() in bytes(s) or b"7654321" in bytes(s) for s in states)

            # A write that conflicts leaves the personal data as it was.
            with pytest.raises(ConcurrencyConflict):
                app.store.save(
                    [person_registered("p-new"), person_registered("p-li")],
                    [PersonalData("p-li", "Renamed", "0"), PersonalData("p-new", "New", "1")],
                )
            assert app.store.personal_data(["p-li", "p-new"]) == {
                "p-li": PersonalData("p-li", "李四", "0538-7654321")
            }
            # And one that succeeds writes both at once.
            app.store.save([person_registered("p-new")], [PersonalData("p-new", "New", "1")])
            assert app.store.aggregate("person:p-new") is not None
            assert app.store.personal_data(["p-new"]) == {
                "p-new": PersonalData("p-new", "New", "1")
            }

    def test_the_refusal_log_appends_each_refusal_with_its_actor_reason_and_rule_and_no_event(
        self, store: SqlStore
    ) -> None:
        store.save([person_registered("a")])
        events_before = store.recorder.max_notification_id()

        first = store.append_refusal(refusal_of(secretary("town")))
        second = store.append_refusal(refusal_of(secretary("village"), rule_id="org.jurisdiction"))

        assert first < second
        assert store.recorder.max_notification_id() == events_before
        with store.engine.connect() as conn:
            rows = conn.execute(sa.select(schema.refusals).order_by(schema.refusals.c.id)).all()
        assert [(r.id, r.rule_id, r.actor_committee_id) for r in rows] == [
            (first, "ledger.advanced_cap", "town"),
            (second, "org.jurisdiction", "village"),
        ]
        assert rows[0].command == "AdjustTier"
        assert rows[0].actor_person_id == "sec-town"
        assert rows[0].reason == "2018 evaluation"
        assert rows[0].subject_committee_id == "town"
        assert '"branch_id": "town-b04"' in rows[0].payload
        assert rows[0].recorded_at >= stored_recorded_times(store)[-1]

    def test_the_refusal_log_is_readable_through_the_api(self, store_url: str) -> None:
        with open_app(store_url) as app:
            found_city(app)
            app.store.append_refusal(refusal_of(secretary("city")))

            (entry,) = app.refusals()

            assert (entry.command, entry.rule_id, entry.actor_committee_id) == (
                "AdjustTier",
                "ledger.advanced_cap",
                "city",
            )
            assert entry.payload["branch_id"] == "town-b04"
            assert entry.recorded_at.tzinfo is not None


def refusal_of(actor: Actor, rule_id: str = "ledger.advanced_cap") -> Refusal:
    command = AdjustTier(
        actor=actor,
        reason="2018 evaluation",
        branch_id="town-b04",
        year=YEAR,
        tier=Tier.ADVANCED,
    )
    return Refusal(command, rule_id, "would exceed the cap", actor.committee_id)


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _not_a_database(tmp_path: Path) -> str:
    path = tmp_path / "notes.db"
    path.write_text("These are meeting notes, not a SQLite database.\n" * 200)
    return f"sqlite:///{path}"


UNUSABLE: dict[str, tuple[Callable[[Path], str], str]] = {
    "unsupported scheme": (lambda _: "mysql://root@localhost/guoying", "unsupported"),
    "missing folder": (
        lambda tmp: f"sqlite:///{tmp / 'no' / 'such' / 'folder' / 'store.db'}",
        "does not exist",
    ),
    "a file that is not a database": (_not_a_database, "not a database"),
    "a folder, not a file": (lambda tmp: f"sqlite:///{tmp}", "unable to open"),
    "PostgreSQL on a closed port": (
        lambda _: f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/test",
        "cannot be opened",
    ),
}


class TestStoreUrlsThatCannotBeOpened:
    def test_the_adapter_takes_urls_only_and_the_api_reads_a_path_or_a_short_postgres_url(
        self, tmp_path: Path
    ) -> None:
        """The API (and so the CLI) reads a plain path as an SQLite store there and the
        `postgres://` and `postgresql://` forms as PostgreSQL through psycopg; the adapter
        underneath takes URLs only."""
        with pytest.raises(StoreUnavailable) as raised:
            SqlStore("guoying store please")
        assert "cannot be read" in str(raised.value)
        with pytest.raises(StoreUnavailable) as missing:
            Guoying(str(tmp_path / "no" / "such" / "store.db"))
        assert "does not exist" in str(missing.value)
        with Guoying(str(tmp_path / "here.db")) as app:
            assert app.store.url == f"sqlite:///{tmp_path / 'here.db'}"
        assert store_url("postgres://u@h:5432/db") == "postgresql+psycopg://u@h:5432/db"
        assert store_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
        assert store_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"

    @pytest.mark.parametrize("case", list(UNUSABLE))
    def test_an_unusable_store_url_raises_store_unavailable_with_a_clear_message(
        self, case: str, tmp_path: Path
    ) -> None:
        make_url, phrase = UNUSABLE[case]
        url = make_url(tmp_path)

        with pytest.raises(StoreUnavailable) as raised:
            SqlStore(url)
        with pytest.raises(StoreUnavailable) as through_api:
            Guoying(url)

        for error in (raised.value, through_api.value):
            assert phrase in str(error)
            assert error.exit_code == 2
            assert error.as_dict()["error"] == "store_unavailable"
        if case == "missing folder":
            assert not (tmp_path / "no").exists()

    def test_postgresql_on_a_closed_port_names_the_server_and_hides_the_password(self) -> None:
        url = f"postgresql+psycopg://postgres:s3cret@127.0.0.1:{closed_port()}/test"

        with pytest.raises(StoreUnavailable) as raised:
            SqlStore(url)

        message = str(raised.value)
        assert "127.0.0.1" in message
        assert "s3cret" not in message

    def test_an_unsupported_url_does_not_show_its_password_in_the_message(self) -> None:
        with pytest.raises(StoreUnavailable) as raised:
            SqlStore("postgres://admin:s3cret@db.example.org/guoying")

        assert "s3cret" not in str(raised.value)


@pytest.fixture(params=["sqlite", "postgres"])
def file_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store that outlives the objects that open it: a SQLite file or PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_url"))


def test_reopening_a_store_keeps_its_store_id_its_events_and_its_clock(
    file_store_url: str,
) -> None:
    with open_app(file_store_url, store_clock=Ticks(7_000_000)) as app:
        found_city(app)
        store_id = app.store.store_id
        notifications = app.store.recorder.select_notifications(None, 100)
        refusals = app.refusals()
    assert notifications

    with open_app(file_store_url, store_clock=Ticks(1_000_000)) as reopened:
        assert reopened.store.store_id == store_id
        assert reopened.store.recorder.select_notifications(None, 100) == notifications
        assert reopened.refusals() == refusals
        tree = reopened.store.aggregate("org:tree")
        assert set(tree.committees) == {"city", "org-dept"}

        positions = reopened.store.save([person_registered("after-reopening")])

        assert positions == [notifications[-1].id + 1]
        assert stored_recorded_times(reopened.store)[-1] == 7_000_000


def test_writers_with_their_own_engines_get_strictly_increasing_positions(
    file_store_url: str,
) -> None:
    """Four writers, each with its own engine, save at once; every event is kept once, and
    positions and recorded times follow one order. (memory:// has no second engine; its
    thread safety is tested in TestEveryStore.)"""
    writers = [SqlStore(file_store_url) for _ in range(4)]

    def write(writer: int) -> list[int]:
        positions = []
        for n in range(8):
            events = [person_registered(f"w{writer}-{n}-{k}") for k in range(3)]
            positions += writers[writer].save(events)
        return positions

    try:
        results = run_together(4, write)
    finally:
        for writer in writers[1:]:
            writer.close()

    assert [r for r in results if isinstance(r, BaseException)] == []
    for positions in results:
        assert positions == sorted(positions)
    ids = [n.id for n in writers[0].recorder.select_notifications(None, 1000)]
    assert sorted(ids) == sorted(p for positions in results for p in positions)
    assert len(ids) == 4 * 8 * 3
    assert all(a < b for a, b in itertools.pairwise(ids))
    times = stored_recorded_times(writers[0])
    assert times == sorted(times)
    writers[0].close()
