"""No valid command gives up (docs/adr/012-no-command-gives-up.md): a command that loses its
races is decided once more holding the store's head, where nothing can change under it, so
it ends applied or refused by a rule, never with a conflict after its retries. A write that
loses its connection before its commit is undone by the database and decided again.

`ledger.advanced_cap` is the rule raced for: a base committee of 25 branches may have two
ADVANCED in 2018 and has one, so one promotion fits and every other must be refused.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from guoying import AdjustTier, Guoying, Refused, Tier
from guoying.adapters import schema
from guoying.application.service import RACES
from guoying.domain.advanced_cap import cap_key
from guoying.domain.branch import TierAdjusted, branch_key
from guoying.domain.organization import TREE_KEY
from tests.integration.builders import (
    YEAR,
    add_base,
    add_branches,
    add_county,
    found_city,
    open_app,
    secretary,
)

CAP_RULE = "ledger.advanced_cap"
BASE, COUNTY = "race-town", "race-county"
WRITERS = 8
BRANCHES = 25  # floor(0.10 x 25) = 2 advanced places


@pytest.fixture(params=["sqlite", "postgres", "postgres sharing commits"])
def shared_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store that separate processes can share; on PostgreSQL, with and without group
    commit (docs/adr/013-group-commit.md)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url = str(request.getfixturevalue("postgres_url"))
    if request.param == "postgres sharing commits":
        url += ("&" if "?" in url else "?") + "group_commit=on"
    return url


def adjust(branch_id: str, tier: Tier) -> AdjustTier:
    return AdjustTier(
        actor=secretary(BASE),
        reason="2018 evaluation",
        branch_id=branch_id,
        year=YEAR,
        tier=tier,
    )


def one_short_of_the_cap(url: str) -> list[str]:
    """The committee's branches; the first is ADVANCED, one place is left."""
    with open_app(url) as app:
        found_city(app)
        add_county(app, COUNTY)
        add_base(app, BASE, COUNTY)
        branches = add_branches(app, BASE, BRANCHES)
        app.execute(adjust(branches[0], Tier.ADVANCED))
    return branches


def writer_commands(branches: list[str], writer: int) -> list[AdjustTier]:
    """Each writer's three branches: one re-evaluated LAGGING, one promoted, one LAGGING.
    Every command writes the committees' counts, so the writers race on their versions."""
    first, promoted, last = branches[1 + 3 * writer : 4 + 3 * writer]
    return [
        adjust(first, Tier.LAGGING),
        adjust(promoted, Tier.ADVANCED),
        adjust(last, Tier.LAGGING),
    ]


def race_in_a_process(
    url: str, writer: int, commands: list[AdjustTier], barrier: Any, results: Any
) -> None:
    """A child process: its own `Guoying`, released with the others by a barrier; puts
    (writer, [outcome of each command]): "ok", the rule id of a refusal, or the error."""
    outcomes: list[str] = []
    try:
        with open_app(url) as app:
            app.store.get(TREE_KEY)  # connected and cached before the start
            app.store.get(cap_key(BASE))
            barrier.wait(120)
            for command in commands:
                outcomes.append(outcome_of(app, command))
    except Exception as error:  # noqa: BLE001 - reported to the parent process
        outcomes.append(f"error: {error!r}")
    results.put((writer, outcomes))


def outcome_of(app: Guoying, command: AdjustTier) -> str:
    try:
        app.execute(command)
    except Refused as refusal:
        return refusal.rule_id
    return "ok"


def assert_one_promotion_and_every_other_command_applied(
    url: str, branches: list[str], found: dict[int, list[str]]
) -> None:
    promotions = [found[w][1] for w in range(WRITERS)]
    assert sorted(promotions) == sorted(["ok"] + [CAP_RULE] * (WRITERS - 1)), found
    assert all(found[w][0] == found[w][2] == "ok" for w in range(WRITERS)), found
    with open_app(url) as observer:
        for committee in (BASE, COUNTY):
            count = observer.store.get(cap_key(committee))
            assert count is not None
            assert count.counts().at(YEAR) == (2, BRANCHES), committee
        winner = next(w for w in range(WRITERS) if found[w][1] == "ok")
        advanced = {
            r.branch_id for r in observer.ledger(BASE, YEAR).rows if r.tier is Tier.ADVANCED
        }
        assert advanced == {branches[0], branches[2 + 3 * winner]}
        losers = sorted(branches[2 + 3 * w] for w in range(WRITERS) if w != winner)
        logged = [r for r in observer.refusals(BASE) if r.command == "AdjustTier"]
        assert sorted(r.payload["branch_id"] for r in logged) == losers
        assert {r.rule_id for r in logged} == {CAP_RULE}
        for branch_id in branches[1:]:
            adjusted = [
                e
                for e in observer.store.events(branch_key(branch_id).id)
                if isinstance(e, TierAdjusted)
            ]
            assert len(adjusted) == (branch_id not in losers), branch_id
        assert observer.verify().ok


def test_ledger_advanced_cap_eight_processes_racing_for_the_last_place_all_end_applied_or_refused(
    shared_url: str,
) -> None:
    """`ledger.advanced_cap`: eight processes, each its own interpreter and `Guoying`, enter
    three adjustments each in the committee one short of its cap, released together. Every
    command ends applied or refused by the rule, none with a conflict: exactly one promotion
    is applied and the seven others refused and logged, every re-evaluation is applied, the
    counts hold at the cap and the chain verifies."""
    branches = one_short_of_the_cap(shared_url)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WRITERS)
    results = context.Queue()
    children = [
        context.Process(
            target=race_in_a_process,
            args=(shared_url, w, writer_commands(branches, w), barrier, results),
            daemon=True,
        )
        for w in range(WRITERS)
    ]
    for child in children:
        child.start()
    try:
        found = dict(results.get(timeout=300) for _ in children)
    except queue.Empty:
        pytest.fail("a racing process did not report within 300 s")
    finally:
        for child in children:
            child.join(30)
            if child.is_alive():
                child.kill()
    assert_one_promotion_and_every_other_command_applied(shared_url, branches, found)


class RivalWinsFirst:
    """Before each of a writer's first `times` saves, a rival writer saves a command of its
    own on the same committee: the writer's save then loses the race on the counts."""

    def __init__(self, app: Guoying, rival: Guoying, commands: list[AdjustTier]) -> None:
        self.rival = rival
        self.commands = list(commands)
        self.conflicts = 0
        self._save = app.store.save
        app.store.save = self.save  # type: ignore[method-assign]

    def save(self, *args: Any, **kwargs: Any) -> list[int]:
        if self.commands:
            self.rival.execute(self.commands.pop(0))
        try:
            return self._save(*args, **kwargs)
        except Exception:
            self.conflicts += 1
            raise


@pytest.mark.parametrize(
    ("rival_tiers", "ends"),
    [
        ((Tier.LAGGING, Tier.LAGGING, Tier.LAGGING), "ok"),
        ((Tier.LAGGING, Tier.LAGGING, Tier.ADVANCED), CAP_RULE),
    ],
    ids=["applied", "refused-by-the-cap"],
)
def test_ledger_advanced_cap_a_writer_that_loses_three_races_is_decided_holding_the_head(
    shared_url: str, rival_tiers: tuple[Tier, ...], ends: str
) -> None:
    """`ledger.advanced_cap`: a rival saves on the committee before each of a writer's
    first three saves, so the writer loses three races; decided once more holding the
    store's head, it ends applied, or refused by the cap when the rival took the last
    place, and its refusal is kept in the log. Nothing is written twice."""
    branches = one_short_of_the_cap(shared_url)
    with open_app(shared_url) as writer, open_app(shared_url) as rival:
        rivalry = RivalWinsFirst(
            writer, rival, [adjust(b, t) for b, t in zip(branches[2:5], rival_tiers, strict=True)]
        )
        outcome = outcome_of(writer, adjust(branches[1], Tier.ADVANCED))
    assert (outcome, rivalry.conflicts) == (ends, 3)
    with open_app(shared_url) as observer:
        advanced = {
            r.branch_id for r in observer.ledger(BASE, YEAR).rows if r.tier is Tier.ADVANCED
        }
        promoted = branches[1] if ends == "ok" else branches[4]
        assert advanced == {branches[0], promoted}
        logged = [r.payload["branch_id"] for r in observer.refusals(BASE)]
        assert logged == ([] if ends == "ok" else [branches[1]])
        assert observer.verify().ok


# ---------------------------------------------------------------------------------------
# A connection lost while holding the head (PostgreSQL: the server ends the backend)


@pytest.fixture
def admin(postgres_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(postgres_url)
    yield engine
    engine.dispose()


def waiting_on_locks(admin: sa.Engine) -> int:
    with admin.connect() as conn:
        return int(
            conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ).scalar_one()
        )


class KilledWhileHoldingTheHead:
    """The first time the writer saves holding the store's head, `then` starts the other
    writers; once they all wait on the head, the server ends the writer's connection."""

    def __init__(
        self, app: Guoying, admin: sa.Engine, others: int, then: Callable[[], None]
    ) -> None:
        self.app, self.admin, self.others, self.then = app, admin, others, then
        self.killed = False
        self._save = app.store.save
        app.store.save = self.save  # type: ignore[method-assign]

    def save(self, *args: Any, **kwargs: Any) -> list[int]:
        held = self.app.store.recorder.held
        if held is not None and not self.killed:
            self.killed = True
            pid = held.conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            self.then()
            for _ in range(600):
                if waiting_on_locks(self.admin) >= self.others:
                    break
                time.sleep(0.1)
            with self.admin.connect() as conn:
                conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return self._save(*args, **kwargs)


def test_a_writer_whose_connection_is_lost_holding_the_head_is_decided_again_and_no_other_lost(
    postgres_url: str, admin: sa.Engine
) -> None:
    """`ledger.advanced_cap`: a writer holding the store's head loses its connection (the
    server ends it) while seven other writers wait on the head. Its transaction is undone,
    its command decided again on a new connection; each other writer's three commands end
    applied or refused by the cap as if nothing happened: one promotion in all, nothing
    lost or written twice, the counts at the cap and the chain whole."""
    branches = one_short_of_the_cap(postgres_url)
    others = WRITERS - 1
    found: dict[int, list[str]] = {}
    with open_app(postgres_url) as victim:
        apps = [open_app(postgres_url) for _ in range(others)]
        try:
            for app in apps:
                app.store.get(TREE_KEY)
            threads: list[threading.Thread] = []

            def run_others() -> None:
                def work(index: int) -> None:
                    commands = writer_commands(branches, index + 1)
                    found[index + 1] = [outcome_of(apps[index], c) for c in commands]

                for index in range(others):
                    thread = threading.Thread(target=work, args=(index,), daemon=True)
                    threads.append(thread)
                    thread.start()

            # The victim decides holding the head from its first attempt.
            victim.handler.races = 0
            killer = KilledWhileHoldingTheHead(victim, admin, others, run_others)
            mine = writer_commands(branches, 0)
            found[0] = [outcome_of(victim, mine[1])]
            for thread in threads:
                thread.join(120)
            assert killer.killed
            assert not any(t.is_alive() for t in threads)
            victim.handler.races = RACES
            found[0] = [outcome_of(victim, mine[0]), found[0][0], outcome_of(victim, mine[2])]
        finally:
            for app in apps:
                app.close()
    assert_one_promotion_and_every_other_command_applied(postgres_url, branches, found)
    with sa.create_engine(postgres_url).connect() as conn:
        chained = conn.execute(sa.select(sa.func.count()).select_from(schema.chain)).scalar_one()
        events = conn.execute(sa.select(sa.func.count()).select_from(schema.events)).scalar_one()
        refusals = conn.execute(
            sa.select(sa.func.count()).select_from(schema.refusals)
        ).scalar_one()
    assert chained == events + refusals


def test_ledger_advanced_cap_commands_decided_holding_the_head_are_applied_and_refused_alike(
    store_url: str,
) -> None:
    """`ledger.advanced_cap` on every store, with every command decided holding the head from
    its first attempt: the city is built, one promotion applied, the next refused and logged
    in the same transaction, the views read it all and the chain verifies."""
    with open_app(store_url) as app:
        app.handler.races = 0
        found_city(app)
        add_county(app, COUNTY)
        add_base(app, BASE, COUNTY)
        branches = add_branches(app, BASE, 10)
        assert outcome_of(app, adjust(branches[0], Tier.ADVANCED)) == "ok"
        assert outcome_of(app, adjust(branches[1], Tier.ADVANCED)) == CAP_RULE
        advanced = [r.branch_id for r in app.ledger(BASE, YEAR).rows if r.tier is Tier.ADVANCED]
        assert advanced == [branches[0]]
        assert [r.payload["branch_id"] for r in app.refusals(BASE)] == [branches[1]]
        assert app.verify().ok
