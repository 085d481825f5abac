"""`ledger.advanced_cap`: after any sequence of dated decisions, recorded in any order, every
committee's count of active and advanced branches for every year equals a recount from the
tree and the branches as they stood at that year's end, on memory, SQLite and PostgreSQL.

Hypothesis draws a city, then dated decisions (tier adjustments, branch moves, mergers and
dissolutions, committee moves and mergers) and records them in a shuffled order; refusals by
other rules are part of the game. The recount here walks the tree `OrgTree.at` draws, apart
from the placements the library keeps its counts by.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guoying import (
    AdjustTier,
    ApproveCapException,
    Command,
    DissolveBranch,
    Guoying,
    GuoyingError,
    MergeBranches,
    MergeCommittees,
    MoveBranch,
    MoveCommittee,
    Tier,
)
from guoying.domain.advanced_cap import cap_key
from guoying.domain.branch import Branch, branch_key
from guoying.domain.organization import TREE_KEY, OrgTree
from guoying.domain.values import CommitteeLevel, year_end
from tests.conftest import PG_STATUS, PG_URL
from tests.integration.builders import (
    ORG_DEPT,
    add_base,
    add_branches,
    add_county,
    found_city,
    open_app,
    secretary,
)

YEARS = range(2017, 2023)
POLICY_YEARS = range(2017, 2020)  # the 2017 plan window the default policy covers
COUNTIES = ("cm-a", "cm-b")
# Intermediate committees and their county; base committees and their first parent.
INTERMEDIATES = {"int-a": "cm-a", "int-b": "cm-a", "int-c": "cm-b"}
BASES = {
    "base-1": "cm-a",
    "base-2": "int-a",
    "base-3": "int-b",
    "base-4": "int-c",
    "base-5": "cm-b",
}
BRANCHES_PER_BASE = 3
BRANCHES = tuple(f"{base}-b{n:02d}" for base in BASES for n in range(1, BRANCHES_PER_BASE + 1))


@contextmanager
def fresh_store(kind: str) -> Iterator[str]:
    if kind == "memory":
        yield "memory://"
    elif kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'store.db'}"
    else:
        assert PG_URL is not None
        schema = f"r_{uuid.uuid4().hex[:12]}"
        admin = sa.create_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        url = sa.engine.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        try:
            yield url.render_as_string(hide_password=False)
        finally:
            with admin.begin() as conn:
                conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def build(app: Guoying, tiers: list[Tier]) -> None:
    """The city, its committees and branches in 2017, and approvals for every committee and
    year, so that the cap never stands in the way of what this test is about."""
    found_city(app)
    for county in COUNTIES:
        add_county(app, county)
    for committee_id, parent in INTERMEDIATES.items():
        add_intermediate(app, committee_id, parent)
    for base, parent in BASES.items():
        add_base(app, base, parent)
    tree = app.store.get(TREE_KEY)
    assert tree is not None
    approvals: list[Command] = []
    for committee_id in [*COUNTIES, *INTERMEDIATES, *BASES]:
        approver = tree.approver_of(committee_id)
        assert approver is not None
        approvals += [
            ApproveCapException(
                actor=secretary(approver.committee_id),
                reason="a test city is let above its cap",
                effective_on=date(2017, 12, 31),
                committee_id=committee_id,
                year=year,
            )
            for year in POLICY_YEARS
        ]
    app.execute_unit(approvals)
    for index, base in enumerate(BASES):
        mine = tiers[index * BRANCHES_PER_BASE : (index + 1) * BRANCHES_PER_BASE]
        add_branches(app, base, BRANCHES_PER_BASE, tier=Tier.MIDDLE)
        for number, tier in enumerate(mine, 1):
            if tier is not Tier.MIDDLE:
                app.execute(adjust(f"{base}-b{number:02d}", 2017, tier, date(2017, 12, 1)))


def add_intermediate(app: Guoying, committee_id: str, parent: str) -> None:
    from guoying import RegisterCommittee

    app.execute(
        RegisterCommittee(
            actor=secretary(parent),
            reason="a working committee between the county and its towns",
            committee_id=committee_id,
            name=f"{committee_id} working committee",
            level=CommitteeLevel.INTERMEDIATE,
            parent_id=parent,
            effective_on=date(2017, 1, 1),
        )
    )


def adjust(branch_id: str, year: int, tier: Tier, on: date) -> AdjustTier:
    # The Organization Department acts city-wide, wherever the branch has moved meanwhile.
    return AdjustTier(
        actor=secretary(ORG_DEPT),
        reason="annual evaluation",
        effective_on=on,
        branch_id=branch_id,
        year=year,
        tier=tier,
    )


dates = st.dates(min_value=date(2018, 1, 2), max_value=date(2021, 12, 30))
tiers = st.sampled_from(list(Tier))


@st.composite
def decisions(draw: st.DrawFn) -> Command:
    kind = draw(st.sampled_from(["adjust", "adjust", "move", "move_committee", "merge", "end"]))
    on = draw(dates)
    od = secretary(ORG_DEPT)
    branch_id = draw(st.sampled_from(BRANCHES))
    if kind == "adjust":
        return adjust(branch_id, on.year, draw(tiers), on)
    if kind == "move":
        return MoveBranch(
            actor=od,
            reason="boundary change",
            effective_on=on,
            branch_id=branch_id,
            to_committee_id=draw(st.sampled_from(list(BASES))),
        )
    if kind == "move_committee":
        moving = draw(st.sampled_from([*INTERMEDIATES, *BASES]))
        parent = draw(st.sampled_from([*COUNTIES, *INTERMEDIATES]))
        if draw(st.booleans()):
            return MergeCommittees(
                actor=od,
                reason="committees merged",
                effective_on=on,
                committee_id=moving,
                into_committee_id=draw(st.sampled_from([*INTERMEDIATES, *BASES])),
            )
        return MoveCommittee(
            actor=od,
            reason="tree changed",
            effective_on=on,
            committee_id=moving,
            parent_id=parent,
        )
    if kind == "merge":
        return MergeBranches(
            actor=od,
            reason="branches merged",
            effective_on=on,
            branch_id=branch_id,
            into_branch_id=draw(st.sampled_from(BRANCHES)),
        )
    return DissolveBranch(actor=od, reason="branch ended", effective_on=on, branch_id=branch_id)


def recount(tree: OrgTree, branches: list[Branch], committee_id: str, year: int) -> tuple[int, int]:
    """rules.md `ledger.advanced_cap`, counted branch by branch."""
    advanced = active = 0
    for branch in branches:
        if branch.registered_year > year:
            continue
        if branch.ended_on is not None and branch.ended_on.year <= year:
            continue
        on = max(year_end(year), branch.memberships[0][0])
        view = tree.at(on)
        lineage = []
        current = view.get(branch.base_on(on))
        while current is not None:
            lineage.append(current.committee_id)
            if current.level is CommitteeLevel.CITY_MANAGED or current.parent_id is None:
                break
            current = view.get(current.parent_id)
        if committee_id in lineage:
            active += 1
            advanced += branch.tier_for(year) is Tier.ADVANCED
    return advanced, active


def assert_counts_equal_a_recount(app: Guoying) -> None:
    tree = app.store.get(TREE_KEY)
    assert tree is not None
    branches = [b for b in (app.store.get(branch_key(i)) for i in BRANCHES) if b is not None]
    for committee_id in [*COUNTIES, *INTERMEDIATES, *BASES]:
        count = app.store.get(cap_key(committee_id))
        for year in YEARS:
            kept = count.counts().at(year) if count else (0, 0)
            assert kept == recount(tree, branches, committee_id, year), (committee_id, year)


@pytest.mark.parametrize("kind", ["memory", "sqlite", "postgres"])
def test_every_count_equals_a_recount_whatever_the_recording_order(kind: str) -> None:
    """`ledger.advanced_cap`: counts equal a recount after shuffled dated decisions."""
    if kind == "postgres" and PG_URL is None:
        pytest.skip(PG_STATUS)

    @settings(
        max_examples=12 if kind == "memory" else 5,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        st.lists(tiers, min_size=len(BRANCHES), max_size=len(BRANCHES)),
        st.lists(decisions(), min_size=4, max_size=14),
        st.randoms(use_true_random=False),
    )
    def run(first: list[Tier], planned: list[Command], shuffle: object) -> None:
        with fresh_store(kind) as url, open_app(url) as app:
            build(app, first)
            planned = sorted(planned, key=lambda c: c.effective_on or date.min)
            shuffle.shuffle(planned)  # type: ignore[attr-defined]
            for command in planned:
                try:
                    app.execute(command)
                except GuoyingError:
                    continue
            assert_counts_equal_a_recount(app)

    run()
