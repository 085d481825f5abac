"""A store written by guoying 0.1 (tests/fixtures/store-0.1.sqlite, made by
tests/fixtures/make_store_0_1.py at commit fb2b508) opens, reads, verifies and replays as it
is; decisions wait for `migrate`, which carries every concern of the old committee ledgers
over and counts every branch from a recount, after which the rules hold as before."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from guoying import (
    AdjustTier,
    AppointLeader,
    Guoying,
    RecordCommonProblem,
    Refused,
    StoreUnavailable,
    Tier,
)
from guoying.adapters.verification import verify
from guoying.application.service import LAYOUT_KEY
from guoying.domain.advanced_cap import cap_key
from tests.integration.builders import fixed_clock, secretary

FIXTURE = Path(__file__).parent.parent / "fixtures" / "store-0.1.sqlite"


@pytest.fixture
def old_store(tmp_path: Path) -> str:
    copy = tmp_path / "store-0.1.sqlite"
    shutil.copy(FIXTURE, copy)
    return f"sqlite:///{copy}"


def _second_advanced_in_town() -> AdjustTier:
    return AdjustTier(
        actor=secretary("town"),
        reason="2018 evaluation",
        branch_id="town-b04",
        year=2018,
        tier=Tier.ADVANCED,
        effective_on=date(2018, 12, 20),
    )


def test_an_old_store_reads_verifies_and_replays_before_it_is_migrated(old_store: str) -> None:
    with Guoying(old_store, clock=fixed_clock, create=False) as app:
        assert "新村党支部" in [row.name for row in app.ledger("town", 2019).rows]
        assert verify(app.store).ok
        assert app.replay_check() == []


def test_deciding_in_an_old_store_asks_for_migrate_and_writes_nothing(old_store: str) -> None:
    with Guoying(old_store, clock=fixed_clock) as app:
        before = verify(app.store).count
        with pytest.raises(StoreUnavailable, match="guoying migrate"):
            app.execute(_second_advanced_in_town())
        assert verify(app.store).count == before


def test_migrate_counts_every_committee_as_a_recount_and_keeps_the_views(old_store: str) -> None:
    with Guoying(old_store, clock=fixed_clock) as app:
        ledgers = {c: app.ledger(c, 2019) for c in ("town", "village", "daiyue")}
        outcome = app.migrate()
        assert outcome is not None
        assert app.store.get(LAYOUT_KEY) is not None
        for committee_id in ("town", "village", "daiyue"):
            counts = app.store.get(cap_key(committee_id))
            assert counts is not None
            for year in (2017, 2018, 2019):
                shown = app.figures(committee_id, year)
                assert counts.counts().at(year) == (shown.counts[Tier.ADVANCED], shown.active)
            assert app.ledger(committee_id, 2019) == ledgers[committee_id]
        assert verify(app.store).ok
        assert app.replay_check() == []
        assert app.migrate() is None, "a second migrate finds nothing to do"


def test_after_migrate_the_cap_names_roster_and_problems_hold_as_before(old_store: str) -> None:
    """`ledger.advanced_cap`, `ledger.row` and `ledger.liaison_coverage` on carried-over
    streams."""
    with Guoying(old_store, clock=fixed_clock) as app:
        app.migrate()
        with pytest.raises(Refused) as refused:
            app.execute(_second_advanced_in_town())
        assert refused.value.rule_id == "ledger.advanced_cap"
        with pytest.raises(Refused) as again:
            app.execute(
                AppointLeader(
                    actor=secretary("town"),
                    reason="appointed twice",
                    committee_id="town",
                    person_id="p-wang",
                    position="党委副书记",
                )
            )
        assert again.value.rule_id == "ledger.liaison_coverage"
        with pytest.raises(Refused) as twice:
            app.execute(
                RecordCommonProblem(
                    actor=secretary("town"),
                    reason="recorded twice",
                    committee_id="town",
                    problem_id="cp1",
                    year=2018,
                    problem="党员老化",
                    measure="发展年轻党员",
                )
            )
        assert twice.value.rule_id == "ledger.row"
