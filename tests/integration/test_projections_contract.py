"""Projections on every store: the ledger after catch-up, idempotent and racing catch-ups,
views rebuilt from the events, and refusals that touch no view (design section 2, step 4;
rules.md 9a and section 10 item 6: every projection rebuilt from the events equals the one
maintained incrementally)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from attrs import evolve

from guoying import AdjustTier, NotAuthorized, Refused, Sector, SetCreationTarget, Tier
from guoying.domain.policy import TAIAN_2017, PolicyBook
from guoying.projections import runner
from guoying.projections.ledger.projector import LedgerProjection
from tests.integration.builders import (
    FIRST_YEAR,
    ORG_DEPT,
    YEAR,
    SmallCity,
    build_small_city,
    event_rows,
    open_app,
    readings,
    run_together,
    second_advanced,
    secretary,
    views_snapshot,
)


@pytest.fixture(params=["sqlite", "postgres"])
def shared_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store two `Guoying` objects can open at once: a SQLite file or PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    return str(request.getfixturevalue("postgres_url"))


class TestProjectionsOnEveryStore:
    """`store_url` runs each test on memory, SQLite and PostgreSQL."""

    def test_the_ledger_after_catch_up_shows_each_branch_with_its_tier_target_result_and_cases(
        self, store_url: str
    ) -> None:
        with open_app(store_url) as app:
            city = build_small_city(app)

            ledger = app.ledger(city.town, YEAR)

            assert ledger.window == (2017, 2018, 2019)
            assert [r.sequence for r in ledger.rows] == list(range(1, 11))
            assert [r.sector for r in ledger.rows] == (
                [Sector.RURAL] * 4
                + [Sector.URBAN_COMMUNITY] * 3
                + [Sector.NON_PUBLIC_ENTERPRISE] * 3
            )
            rows = {r.branch_id: r for r in ledger.rows}
            advanced, weak, targeted = city.town_branches[:3]
            assert rows[advanced].tier is Tier.ADVANCED
            assert rows[advanced].results == {2017: None, 2018: Tier.ADVANCED, 2019: None}
            assert rows[weak].tier is Tier.WEAK
            assert rows[targeted].tier is Tier.MIDDLE
            assert rows[targeted].targets == dict.fromkeys((2017, 2018, 2019), Tier.ADVANCED)
            assert (
                rows[targeted].liaison_id,
                rows[targeted].liaison_name,
                rows[targeted].liaison_position,
                rows[targeted].liaison_contact,
            ) == ("p-wang", "王建国", "党委副书记", "0538-1234567")
            assert rows[targeted].problems == ("组织生活不规范", "台账不全")
            assert rows[targeted].measures == ("每月召开主题党日", "补齐台账")
            assert (
                rows[targeted].cases_open,
                rows[targeted].cases_closed,
                rows[targeted].cases_overdue,
            ) == (1, 1, 1)
            assert [p.problem_id for p in ledger.common_problems] == ["cp1"]
            figures = ledger.figures
            assert (figures.active, figures.advanced_limit) == (10, 1)
            assert figures.counts == {
                Tier.ADVANCED: 1,
                Tier.MIDDLE: 8,
                Tier.LAGGING: 0,
                Tier.WEAK: 1,
            }

            # The 2017 ledger shows the state at the end of 2017: no adjustment, no
            # liaison and no case yet.
            earlier = {r.branch_id: r for r in app.ledger(city.town, FIRST_YEAR).rows}
            assert earlier[advanced].tier is Tier.MIDDLE
            assert earlier[targeted].liaison_id is None
            assert earlier[targeted].problems == ()

            # `ledger.rollup`: the county's ledger is the union of its townships', in
            # sector order with one running sequence.
            county = app.ledger(city.county, YEAR)
            assert sorted(r.branch_id for r in county.rows) == sorted(city.branches)
            assert [r.sequence for r in county.rows] == list(range(1, 14))
            orders = [r.sector.order for r in county.rows]
            assert orders == sorted(orders)
            assert (county.figures.active, county.figures.advanced_limit) == (13, 1)
            assert county.figures.counts[Tier.ADVANCED] == 2
            assert county.figures.counts[Tier.LAGGING] == 2
            # Above the cap only with the approved exceptions, which the ledger shows.
            assert [
                (e.committee_id, e.approved_by_committee_id, e.years) for e in county.cap_exceptions
            ] == [("village", "daiyue", (2018,)), ("daiyue", ORG_DEPT, (2018,))]
            assert ledger.cap_exceptions == ()
            village = app.ledger(city.village, YEAR)
            assert (village.figures.counts[Tier.ADVANCED], village.figures.advanced_limit) == (1, 0)
            assert [e.justification for e in village.cap_exceptions] == ["provincial model branch"]

    def test_the_history_shows_each_decision_with_who_why_when_and_the_recorded_time(
        self, store_url: str
    ) -> None:
        with open_app(store_url) as app:
            city = build_small_city(app)

            registered, adjusted = app.history(city.town_branches[0])

            assert (registered.event, registered.version) == ("BranchRegistered", 1)
            assert (adjusted.event, adjusted.version, adjusted.year) == ("TierAdjusted", 2, YEAR)
            assert adjusted.detail == {
                "year": YEAR,
                "previous_tier": "MIDDLE",
                "new_tier": "ADVANCED",
            }
            assert (adjusted.actor_person_id, adjusted.actor_committee_id) == (
                "sec-town",
                "town",
            )
            assert adjusted.reason == "2018 evaluation"
            assert "ledger.advanced_cap" in adjusted.rule_ids
            assert adjusted.effective_on == date(2018, 12, 10)
            stored = {row[0]: row[5] for row in event_rows(app)}  # position -> recorded_at
            for entry in (registered, adjusted):
                assert entry.recorded_at == datetime.fromtimestamp(
                    stored[entry.position] / 1e6, tz=entry.recorded_at.tzinfo
                )
            assert registered.recorded_at <= adjusted.recorded_at

    def test_catching_up_twice_changes_nothing(self, store_url: str) -> None:
        with open_app(store_url) as app:
            city = build_small_city(app)
            events = len(event_rows(app))

            # Every projection reads every event once.
            assert app.catch_up() == len(app.projections) * events
            views = views_snapshot(app)
            seen = readings(app, city)

            assert app.catch_up() == 0
            assert views_snapshot(app) == views
            assert readings(app, city) == seen

            # Later events are applied once, after the tracked position.
            app.execute(
                AdjustTier(
                    actor=secretary(city.town),
                    reason="2018 evaluation",
                    branch_id=city.town_branches[4],
                    year=YEAR,
                    tier=Tier.LAGGING,
                )
            )
            new_events = len(event_rows(app)) - events
            assert app.catch_up() == len(app.projections) * new_events
            assert app.catch_up() == 0

    def test_dropping_the_view_tables_and_catching_up_again_gives_the_same_ledger_and_history(
        self, store_url: str
    ) -> None:
        with open_app(store_url) as app:
            city = build_small_city(app)
            with pytest.raises(Refused):
                app.execute(second_advanced(city))
            seen = readings(app, city)
            views = views_snapshot(app)

            runner.drop_views(app.store, app.projections)
            inspector = sa.inspect(app.store.engine)
            dropped = [table for table in views if table.startswith("view_")]
            assert dropped
            assert not any(inspector.has_table(table) for table in dropped)
            applied = app.catch_up()

            assert applied == len(app.projections) * len(event_rows(app))
            assert readings(app, city) == seen
            assert views_snapshot(app) == views
            # The same through the API's one call.
            app.rebuild_views()
            assert readings(app, city) == seen
            assert views_snapshot(app) == views

    def test_a_projection_rebuilt_alone_catches_up_beside_one_already_current(
        self, store_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Catch-up reads each event once for every projection behind, from the earliest,
        in batches, and never moves a projection already past a batch back."""
        with open_app(store_url) as app:
            city = build_small_city(app)
            seen, views = readings(app, city), views_snapshot(app)
            history = [p for p in app.projections if p.name == "history"]

            runner.drop_views(app.store, history)
            monkeypatch.setattr(runner, "BATCH", 5)  # many batches, as in any real store

            assert app.catch_up() == len(event_rows(app))  # the history's alone
            assert readings(app, city) == seen
            assert views_snapshot(app) == views

    def test_a_later_plan_windows_ledger_carries_each_tier_from_before_the_window(
        self, store_url: str
    ) -> None:
        """`ledger.row`: the current tier is the last one given, however long ago; the
        results and targets are the window's own (the ledger reads no older rows)."""
        policies = PolicyBook((evolve(TAIAN_2017, last_year=2024),))
        with open_app(store_url, policies=policies) as app:
            city = build_small_city(app)
            this_window = app.ledger(city.town, YEAR)
            later = app.ledger(city.town, 2021)

            assert later.window == (2020, 2021, 2022)
            assert {r.branch_id: r.tier for r in later.rows} == {
                r.branch_id: r.tier for r in this_window.rows
            }
            assert Tier.ADVANCED in {r.tier for r in later.rows}, "adjusted in 2018, carried"
            assert all(set(r.results.values()) == {None} for r in later.rows)
            assert all(set(r.targets.values()) == {None} for r in later.rows)
            assert later.figures.counts == this_window.figures.counts

    def test_a_refused_command_changes_no_view_and_no_event_only_the_refusal_log(
        self, store_url: str
    ) -> None:
        with open_app(store_url) as app:
            city = build_small_city(app)
            events = event_rows(app)
            views = views_snapshot(app)
            seen = readings(app, city)
            town = secretary(city.town)
            target = city.town_branches[3]

            with pytest.raises(Refused) as over_cap:
                app.execute(second_advanced(city))
            with pytest.raises(NotAuthorized) as outside:
                app.execute(
                    AdjustTier(
                        actor=secretary(city.village),
                        reason="not ours",
                        branch_id=target,
                        year=YEAR,
                        tier=Tier.LAGGING,
                    )
                )
            with pytest.raises(Refused) as rewriting:
                app.execute(
                    AdjustTier(
                        actor=town,
                        reason="backdated",
                        branch_id=target,
                        year=2016,
                        tier=Tier.LAGGING,
                    )
                )

            assert over_cap.value.rule_id == "ledger.advanced_cap"
            assert outside.value.rule_id == "org.jurisdiction"
            assert rewriting.value.rule_id == "ledger.annual_adjustment"
            assert event_rows(app) == events
            assert views_snapshot(app) == views
            after = readings(app, city)
            new_refusals = after.pop("refusals")[len(seen.pop("refusals")) :]
            assert after == seen
            assert [
                (r.rule_id, r.command, r.actor_committee_id, r.subject_committee_id)
                for r in new_refusals
            ] == [
                ("ledger.advanced_cap", "AdjustTier", "town", "town"),
                ("org.jurisdiction", "AdjustTier", "village", "town"),
                ("ledger.annual_adjustment", "AdjustTier", "town", "town"),
            ]
            assert all(r.payload["branch_id"] == target for r in new_refusals)
            assert [r.rule_id for r in app.refusals(city.village)] == ["org.jurisdiction"]

            # The refused decisions left no trace on the aggregates they loaded: the next
            # decision on the branch starts from its stored state.
            outcome = app.execute(
                AdjustTier(
                    actor=town,
                    reason="2018 evaluation",
                    branch_id=target,
                    year=YEAR,
                    tier=Tier.LAGGING,
                )
            )
            (adjusted,) = [e for e in outcome.events if e.originator_id == f"branch:{target}"]
            assert (adjusted.originator_version, adjusted.previous_tier) == (2, Tier.MIDDLE)
            assert app.figures(city.town, YEAR).counts[Tier.ADVANCED] == 1

    def test_a_unit_of_commands_with_one_refusal_writes_none_of_them(self, store_url: str) -> None:
        with open_app(store_url) as app:
            city = build_small_city(app)
            events = event_rows(app)
            views = views_snapshot(app)
            allowed = AdjustTier(
                actor=secretary(city.town),
                reason="2018 evaluation",
                branch_id=city.town_branches[5],
                year=YEAR,
                tier=Tier.LAGGING,
            )

            with pytest.raises(Refused) as refused:
                app.execute_unit([allowed, second_advanced(city)])

            assert refused.value.rule_id == "ledger.advanced_cap"
            assert event_rows(app) == events
            assert views_snapshot(app) == views
            assert [r.rule_id for r in app.refusals()] == ["ledger.advanced_cap"]


def _adjust(app_city: tuple[object, SmallCity], branch: int, tier: Tier) -> AdjustTier:
    _, city = app_city
    return AdjustTier(
        actor=secretary(city.town),
        reason="2019 evaluation",
        branch_id=city.town_branches[branch],
        year=2019,
        tier=tier,
    )


def test_two_catch_ups_racing_produce_the_same_views_as_one(
    shared_store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two `Guoying` objects (two engines) catch up at once, batch after batch; each batch
    commits with its tracking position, so no event is applied twice or skipped."""
    monkeypatch.setattr(runner, "BATCH", 20)
    with open_app(shared_store_url) as first, open_app(shared_store_url) as second:
        first.catch_up()  # the view tables and tracking rows exist before the race
        city = build_small_city(first)
        apps = (first, second)
        for round_number in range(3):
            if round_number:
                first.execute(_adjust((first, city), 3 + round_number, Tier.LAGGING))

            results = run_together(2, lambda i: apps[i].catch_up())

            assert [r for r in results if isinstance(r, BaseException)] == []
            views = views_snapshot(second)
            assert views_snapshot(first) == views
            events = len(event_rows(first))
            assert sum(results) == len(first.projections) * (events if round_number == 0 else 1 + 2)
            seen = readings(second, city)

        # One catch-up from scratch gives the same views.
        first.rebuild_views()
        assert views_snapshot(first) == views
        assert readings(first, city) == seen


@contextmanager
def every_racer_checks_before_any_creates(metadata: sa.MetaData, racers: int) -> Iterator[None]:
    """Hold each catch-up that found view tables missing until every racer has looked:
    the interleaving two processes starting at once on a new store can always hit."""
    barrier = threading.Barrier(racers)

    def hold(_: sa.MetaData, __: object, **options: Any) -> None:
        if options.get("tables"):
            with suppress(threading.BrokenBarrierError):
                barrier.wait(2.0)

    sa.event.listen(metadata, "before_create", hold)
    try:
        yield
    finally:
        sa.event.remove(metadata, "before_create", hold)


def test_first_catch_ups_racing_on_a_store_without_views_produce_the_same_views_as_one(
    request: pytest.FixtureRequest, shared_store_url: str
) -> None:
    """Two processes that open a new store and catch up at the same time must both succeed
    and build the views once."""
    with open_app(shared_store_url) as builder:
        city = build_small_city(builder)
        apps = [open_app(shared_store_url) for _ in range(2)]
        try:
            with every_racer_checks_before_any_creates(LedgerProjection.metadata, 2):
                results = run_together(2, lambda i: apps[i].catch_up())

            assert [r for r in results if isinstance(r, BaseException)] == []
            assert sum(results) == len(builder.projections) * len(event_rows(builder))
            views = views_snapshot(apps[0])
            seen = readings(apps[0], city)
            builder.rebuild_views()
            assert views_snapshot(builder) == views
            assert readings(apps[1], city) == seen
        finally:
            for app in apps:
                app.close()


def test_catching_up_while_writers_write_applies_every_event_exactly_once(
    shared_store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader catches up over and over while three writers (their own engines) write:
    positions are taken under the store's write lock, so no event commits behind a tracked
    position, and the views end equal to a rebuild from the events."""
    monkeypatch.setattr(runner, "BATCH", 5)
    with open_app(shared_store_url) as reader:
        city = build_small_city(reader)
        reader.catch_up()
        with (
            open_app(shared_store_url) as w1,
            open_app(shared_store_url) as w2,
            open_app(shared_store_url) as w3,
        ):
            apps = (w1, w2, w3)
            done = threading.Event()

            def work(i: int) -> int:
                if i == 3:
                    applied = 0
                    while not done.is_set():
                        applied += reader.catch_up()
                    return applied
                try:
                    for year in (2017, 2018, 2019):
                        for branch in city.town_branches[3 + 2 * i : 5 + 2 * i]:
                            apps[i].execute(
                                SetCreationTarget(
                                    actor=secretary(city.town),
                                    reason="creation target",
                                    branch_id=branch,
                                    year=year,
                                    target=Tier.MIDDLE,
                                )
                            )
                finally:
                    if i == 0:
                        done.set()
                return 0

            results = run_together(4, work)

        assert [r for r in results if isinstance(r, BaseException)] == []
        reader.catch_up()
        views = views_snapshot(reader)
        assert len(views["view_targets"]) == 3 + 3 * 6  # town[2]'s three, then 6 branches
        reader.rebuild_views()
        assert views_snapshot(reader) == views


def test_a_reader_during_a_rebuild_sees_the_whole_ledger_not_a_dropped_view(
    shared_store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process rebuilds the views (`rebuild_views`) just after this reader caught
    up: the reader must still see the ledger as it is, never a missing or empty view.
    (The rebuild is held just after its drop, if it has one, so the interleaving is sure.)"""
    dropped, read_done = threading.Event(), threading.Event()
    drop_views = runner.drop_views

    def drop_then_pause(*args: Any, **kwargs: Any) -> None:
        drop_views(*args, **kwargs)
        dropped.set()
        read_done.wait(5)

    monkeypatch.setattr(runner, "drop_views", drop_then_pause)
    with open_app(shared_store_url) as rebuilder, open_app(shared_store_url) as reader:
        city = build_small_city(rebuilder)
        expected = reader.ledger(city.town, YEAR)
        rebuilding = threading.Thread(target=rebuilder.rebuild_views, daemon=True)
        catch_up = reader.catch_up

        def catch_up_then_another_process_rebuilds(progress: Any = None) -> int:
            applied = catch_up(progress)
            rebuilding.start()
            dropped.wait(3)
            return applied

        monkeypatch.setattr(reader, "catch_up", catch_up_then_another_process_rebuilds)
        try:
            seen = reader.ledger(city.town, YEAR)
        finally:
            read_done.set()
            rebuilding.join(30)
        assert seen == expected
