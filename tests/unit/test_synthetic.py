"""The synthetic city: deterministic from its seed, realistic in shape, within every cap."""

from __future__ import annotations

import multiprocessing
from collections import Counter

import pytest
import sqlalchemy as sa

from guoying import Guoying
from guoying.adapters.schema import events as events_table
from guoying.application import commands as c
from guoying.application.errors import GuoyingError
from guoying.application.service import Handler
from guoying.domain.advanced_cap import AdvancedCount, cap_key
from guoying.domain.nomination import nomination_key
from guoying.domain.selection_year import selection_key
from guoying.domain.values import CommitteeLevel, Sector, Tier, TitleLevel
from guoying.synthetic import (
    CitySpec,
    build,
    build_parallel,
    county_shares,
    generate,
    plan_city,
    setup_commands,
    units,
    year_commands,
)
from guoying.synthetic.selection import selection_commands, taking_part
from guoying.synthetic.years import synthetic_policy
from tests.unit.builders import fixed_clock
from tests.unit.fakes import FakeEventStore
from tests.unit.recount import assert_counts_equal_a_recount

SMALL = CitySpec(branches=45, seed=11)


def test_the_same_seed_gives_the_same_city_and_the_same_commands():
    assert plan_city(SMALL) == plan_city(CitySpec(branches=45, seed=11))
    assert list(units(plan_city(SMALL), 3)) == list(units(plan_city(SMALL), 3))


def test_another_seed_gives_another_city():
    other = CitySpec(branches=45, seed=12)
    assert list(units(plan_city(SMALL), 2)) != list(units(plan_city(other), 2))


def test_a_longer_history_begins_with_the_shorter_one():
    plan = plan_city(SMALL)
    short = list(units(plan, 2))
    assert list(units(plan, 5))[: len(short)] == short
    assert list(units(plan, 2)) + list(units(plan, 5, start=2)) == list(units(plan, 5))


def test_the_city_has_the_branches_asked_for_across_every_sector():
    plan = plan_city(CitySpec(branches=1_000))
    counts = plan.sector_counts()
    assert sum(counts.values()) == len(plan.branch_ids()) == 1_000
    assert len(set(plan.branch_ids())) == 1_000
    assert all(counts[sector] > 0 for sector in Sector)
    assert max(counts, key=lambda s: counts[s]) is Sector.RURAL
    assert 0.3 < counts[Sector.RURAL] / 1_000 < 0.6


def test_the_committee_tree_lists_parents_first_and_ends_in_base_committees():
    plan = plan_city(CitySpec(branches=4_000))
    seen: set[str] = set()
    for committee in plan.committees:
        assert committee.parent_id is None or committee.parent_id in seen
        seen.add(committee.committee_id)
    levels = Counter(p.level for p in plan.committees)
    assert levels[CommitteeLevel.CITY] == levels[CommitteeLevel.ORGANIZATION_DEPARTMENT] == 1
    assert set(plan.branches) == {
        p.committee_id for p in plan.committees if p.level is CommitteeLevel.BASE
    }
    assert all(plan.capped_chain(b)[-1] in seen for b in plan.branches)


def test_branch_names_are_unique_within_each_base_committee():
    """`ledger.row`: a name identifies a row of its base committee's ledger."""
    plan = plan_city(CitySpec(branches=3_000, seed=5))
    for own in plan.branches.values():
        names = [b.name for b in own]
        assert len(set(names)) == len(names)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ledger_advanced_cap_every_base_committee_plans_at_most_its_cap_each_year(seed):
    plan = plan_city(CitySpec(branches=2_000, seed=seed))
    for base_id, own in plan.branches.items():
        limit = plan.advanced_limit(len(own))
        for tiers in plan.tiers(base_id, 12):
            assert sum(t is Tier.ADVANCED for t in tiers) <= limit


def test_ledger_advanced_cap_holds_after_every_single_command_on_every_committee():
    """Applied one command at a time, not one unit at a time, nothing is refused, and every
    committee's count ends each year within floor(0.10 x n) and equals a recount."""
    plan = plan_city(SMALL)
    store = FakeEventStore()
    handler = Handler(store, clock=fixed_clock)
    handler.execute_unit(setup_commands(plan))
    years = 3
    for index in range(years):
        for base_id in plan.branches:
            for command in year_commands(plan, index, base_id):
                handler.execute(command)
    assert store.refusals == []
    capped = {cid for b in plan.branches for cid in plan.capped_chain(b)}
    for committee_id in capped:
        count = store.get(cap_key(committee_id))
        assert isinstance(count, AdvancedCount)
        for year in range(plan.year(0), plan.year(years)):
            advanced, active = count.counts().at(year)
            assert active > 0
            assert advanced <= plan.advanced_limit(active), (committee_id, year)
    assert_counts_equal_a_recount(store)


def test_evaluations_let_a_branch_leave_the_advanced_tier_before_another_enters_it():
    plan = plan_city(SMALL)
    for base_id in plan.branches:
        adjustments = [
            command
            for command in year_commands(plan, 1, base_id)
            if isinstance(command, c.AdjustTier)
        ]
        tiers = [a.tier for a in adjustments]
        assert tiers == sorted(tiers, key=lambda tier: tier is Tier.ADVANCED)


def test_a_store_grown_year_by_year_holds_what_a_store_built_at_once_holds():
    plan = plan_city(CitySpec(branches=25, seed=3))

    def stored(app: Guoying) -> list[tuple[str, int, str, bytes]]:
        return [
            (r.originator_id, r.originator_version, r.topic, r.state)
            for r in app.store.recorder.select_records(None, 100_000)
        ]

    with Guoying("memory://") as at_once, Guoying("memory://") as grown:
        report = build(at_once, plan, years=3)
        build(grown, plan, years=1)
        build(grown, plan, years=3, start=1)
        assert report.events == len(stored(at_once))
        assert stored(grown) == stored(at_once)
        assert at_once.refusals() == []


def test_each_selection_year_names_one_taishan_pioneer_per_committee_taking_part():
    """`selection.rounds`, `selection.allotment`, `selection.proposal_ratio`,
    `selection.annual_titles`, `title.revocation`: the synthetic selection keeps every rule
    (nothing is refused); from the second year each committee taking part is allotted one
    place and has one proposal named, and the first Taishan Pioneer of a year is downgraded
    the next."""
    plan = plan_city(SMALL)
    store = FakeEventStore()
    handler = Handler(store, clock=fixed_clock)
    for unit in units(plan, 3):
        handler.execute_unit(unit)

    assert store.refusals == []
    policy = synthetic_policy(SMALL)
    assert selection_commands(plan, 0, policy) == []  # the branches register mid-year
    for index in (1, 2):
        year = plan.year(index)
        counted = store.get(selection_key(year))
        assert counted is not None
        committees = taking_part(plan, index, policy)
        assert len(committees) == 2
        assert counted.allotments == dict.fromkeys(committees, 1)
        assert {cm: len(named) for cm, named in counted.named.items()} == dict.fromkeys(
            committees, 1
        )
        assert all(len(p) == policy.candidates_per_place for p in counted.proposals.values())
    earlier = store.get(selection_key(plan.year(1)))
    assert earlier is not None
    first_committee = next(iter(taking_part(plan, 1, policy)))
    first = store.get(nomination_key(earlier.named[first_committee][0]))
    assert first is not None
    assert first.title is not None
    assert (first.title.level, first.reward_yuan) == (TitleLevel.COMMITTEE, policy.grant_yuan)


def _decoded_streams(url: str) -> tuple[dict[str, list[tuple[str, object]]], bool]:
    """Every stream's events, decoded, and whether the store's chain verifies."""
    with Guoying(url) as app:
        with app.store.engine.connect() as conn:
            ids = conn.execute(sa.select(events_table.c.originator_id).distinct()).scalars()
            stream_ids = sorted(ids)
        streams = {i: [(type(e).__qualname__, e) for e in app.store.events(i)] for i in stream_ids}
        return streams, app.verify().ok


def test_a_city_built_by_parallel_workers_holds_the_events_a_serial_build_holds(tmp_path):
    plan = plan_city(CitySpec(branches=60))
    serial_url, parallel_url = f"sqlite:///{tmp_path}/s.db", f"sqlite:///{tmp_path}/p.db"
    with Guoying(serial_url) as app:
        serial = build(app, plan, years=2)
    seen: list[tuple[int, int]] = []
    parallel = build_parallel(
        parallel_url, plan, years=2, workers=2, progress=lambda d, t: seen.append((d, t))
    )
    assert parallel.workers == 2
    assert (parallel.units, parallel.commands, parallel.events) == (
        serial.units,
        serial.commands,
        serial.events,
    )
    assert seen[-1] == (serial.units, serial.units)
    at_once, at_once_ok = _decoded_streams(serial_url)
    in_parallel, in_parallel_ok = _decoded_streams(parallel_url)
    assert len(at_once) > 100
    assert in_parallel == at_once
    assert at_once_ok
    assert in_parallel_ok


def test_a_unit_refused_in_a_generation_worker_is_raised_by_the_caller_with_its_message(
    tmp_path,
):
    plan = plan_city(CitySpec(branches=60))
    url = f"sqlite:///{tmp_path}/s.db"
    # Year 1 of a store without the tree: every base committee's unit is refused, and the
    # caller raises the error of whichever worker's first unit failed first.
    refusals = set()
    with Guoying(url) as app:
        for share in county_shares(plan, 2):
            with pytest.raises(GuoyingError) as refused:
                app.execute_unit(year_commands(plan, 1, share[0]))
            refusals.add((type(refused.value), str(refused.value)))
    with pytest.raises(GuoyingError) as raised:
        build_parallel(url, plan, years=2, start=1, workers=2)
    assert (type(raised.value), str(raised.value)) in refusals
    assert any("in a generation worker" in note for note in raised.value.__notes__)


def test_parallel_workers_share_the_base_committees_by_whole_counties_balanced_by_branches():
    plan = plan_city(CitySpec(branches=12_000))
    counties = plan.bases_by_county()
    shares = county_shares(plan, 3)
    assert len(shares) == 3
    assert sorted(b for share in shares for b in share) == sorted(plan.branches)
    county_of = {b: plan.capped_chain(b)[-1] for b in plan.branches}
    for county in counties:
        assert len({i for i, s in enumerate(shares) for b in s if county_of[b] == county}) == 1
    order = list(plan.branches)
    assert all(share == sorted(share, key=order.index) for share in shares)
    loads = [sum(len(plan.branches[b]) for b in share) for share in shares]
    largest = max(sum(len(plan.branches[b]) for b in bases) for bases in counties.values())
    assert max(loads) - min(loads) <= largest
    assert len(county_shares(plan, 50)) == len(counties)


def test_a_generation_worker_that_dies_between_two_years_is_reported_by_its_number(
    tmp_path, monkeypatch
):
    plan = plan_city(CitySpec(branches=60))
    choose = generate.selection_commands

    def one_worker_killed(*args, **kwargs):
        # Between two years: the caller decides the selection while the workers wait.
        victim = multiprocessing.active_children()[0]
        victim.kill()
        victim.join()
        return choose(*args, **kwargs)

    monkeypatch.setattr(generate, "selection_commands", one_worker_killed)
    with pytest.raises(RuntimeError, match=r"generation worker \d ended with exit code -9"):
        build_parallel(f"sqlite:///{tmp_path}/s.db", plan, years=2, workers=2)
