"""Group commit on PostgreSQL (docs/adr/013-group-commit.md): writers that find the store's
head held hand their decided writes to its holder, which applies them in its transaction and
commits once. Each write stays atomic on its own, and a lost connection, the leader's or a
waiting writer's, loses no write and applies none twice.

A leader is paused at a chosen point while the other writers join its group, so that what
is tested is the group, not the scheduler's luck.
"""

from __future__ import annotations

import threading
import time
import types
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from guoying import AdjustTier, Guoying, Refused, Tier
from guoying.adapters import group_commit, schema
from guoying.adapters.appends import Append
from guoying.application.errors import StoreUnavailable
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
NEAR_CAP = "gc-near-cap"
OTHERS = ("gc-a", "gc-b")
BRANCHES = 25  # floor(0.10 x 25) = 2 advanced places: one is taken, one is left


def adjust(base_id: str, branch_id: str, tier: Tier) -> AdjustTier:
    return AdjustTier(
        actor=secretary(base_id),
        reason="2018 evaluation",
        branch_id=branch_id,
        year=YEAR,
        tier=tier,
    )


def sharing(url: str, *, group_commit: str = "on") -> str:
    return url + ("&" if "?" in url else "?") + f"group_commit={group_commit}"


@pytest.fixture
def admin(postgres_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(postgres_url)
    yield engine
    engine.dispose()


def pending(admin: sa.Engine) -> int:
    with admin.connect() as conn:
        return int(
            conn.execute(
                sa.select(sa.func.count())
                .select_from(schema.intake)
                .where(schema.intake.c.status == group_commit.PENDING)
            ).scalar_one()
        )


def wait_for(condition: Callable[[], bool], what: str) -> None:
    for _ in range(600):
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def terminate(admin: sa.Engine, pid: int) -> None:
    with admin.connect() as conn:
        conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def waiting_backend(admin: sa.Engine, name: str) -> int:
    """The pid of writer `name`'s backend once it waits on the leader."""
    found: list[int] = []

    def waits() -> bool:
        with admin.connect() as conn:
            found[:] = conn.execute(
                sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE application_name = :name "
                    "AND wait_event_type = 'Lock'"
                ),
                {"name": name},
            ).scalars()
        return len(found) == 1

    wait_for(waits, f"{name} to wait on the leader")
    return found[0]


def city(url: str) -> dict[str, list[str]]:
    """A committee one short of its cap and two others, each under a county of its own (a
    command writes its county's counts too); each committee's branches."""
    with open_app(url) as app:
        found_city(app)
        branches: dict[str, list[str]] = {}
        for base in (NEAR_CAP, *OTHERS):
            add_county(app, f"{base}-county")
            add_base(app, base, f"{base}-county")
            branches[base] = add_branches(app, base, BRANCHES)
        app.execute(adjust(NEAR_CAP, branches[NEAR_CAP][0], Tier.ADVANCED))
    return branches


def one_promotion_in_each_other_committee(url: str) -> list[AdjustTier]:
    """The city, and a command for each of two writers that touch nothing in common."""
    branches = city(url)
    return [adjust(base, branches[base][1], Tier.ADVANCED) for base in OTHERS]


class PausedLeader:
    """The leader's writer leads its first group only once `followers` writes wait in the
    intake, calling `before` then if given. With `inside`, once it has taken them into its
    group (their rows locked in its transaction), it calls `inside` with its own backend's
    pid before applying them."""

    def __init__(
        self,
        monkeypatch: pytest.MonkeyPatch,
        leader: Guoying,
        admin: sa.Engine,
        followers: int,
        inside: Callable[[int], None] | None = None,
        before: Callable[[], None] | None = None,
    ) -> None:
        self.leading = threading.Event()
        self.groups: list[int] = []
        group = leader.store.recorder.group
        assert group is not None
        lead, apply_group = group_commit.GroupCommit._lead, group_commit._apply_group

        def paused_lead(self_: group_commit.GroupCommit, append: Append, own: Any) -> Any:
            if self_ is group and not self.leading.is_set():
                self.leading.set()
                wait_for(lambda: pending(admin) >= followers, f"{followers} waiting writes")
                if before is not None:
                    before()
            return lead(self_, append, own)

        def counted_group(append: Append, writes: Any) -> Any:
            first = not self.groups
            self.groups.append(len(writes))
            if first and inside is not None:
                inside(append.conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())
            return apply_group(append, writes)

        monkeypatch.setattr(group_commit.GroupCommit, "_lead", paused_lead)
        monkeypatch.setattr(group_commit, "_apply_group", counted_group)


def outcome_of(app: Guoying, command: AdjustTier) -> str:
    try:
        app.execute(command)
    except Refused as refusal:
        return refusal.rule_id
    except Exception as error:  # noqa: BLE001 - the outcome the test looks at
        return type(error).__name__
    return "ok"


def run_group(
    urls: list[str],
    monkeypatch: pytest.MonkeyPatch,
    admin: sa.Engine,
    commands: list[AdjustTier],
    inside: Callable[[int], None] | None = None,
    before: Callable[[], None] | None = None,
    setup: Callable[[list[Guoying]], None] | None = None,
) -> tuple[list[str], PausedLeader]:
    """Each command by a writer of its own (on `urls`, one each). The first command's
    writer leads; the others start once it holds the head, and all of them wait in its
    group before it goes on. Each command's outcome."""
    apps = [open_app(url) for url in urls]
    try:
        for app in apps:
            app.store.get(TREE_KEY)
        if setup is not None:
            setup(apps)
        paused = PausedLeader(monkeypatch, apps[0], admin, len(commands) - 1, inside, before)
        found: list[str] = [""] * len(commands)

        def work(index: int) -> None:
            found[index] = outcome_of(apps[index], commands[index])

        threads = [threading.Thread(target=work, args=(0,), daemon=True)]
        threads[0].start()
        assert paused.leading.wait(30), "the first writer never led"
        for index in range(1, len(commands)):
            threads.append(threading.Thread(target=work, args=(index,), daemon=True))
            threads[-1].start()
        for thread in threads:
            thread.join(60)
        assert not any(t.is_alive() for t in threads)
    finally:
        for app in apps:
            app.close()
    return found, paused


def tier_adjustments(app: Guoying, branch_id: str) -> int:
    return sum(isinstance(e, TierAdjusted) for e in app.store.events(branch_key(branch_id).id))


def assert_chain_whole(app: Guoying, url: str) -> None:
    assert app.verify().ok
    with sa.create_engine(url).connect() as conn:
        counts = [
            conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in (schema.chain, schema.events, schema.refusals, schema.intake)
        ]
    chained, events, refusals, intake = counts
    assert chained == events + refusals
    assert intake == 0, "every writer took its outcome from the intake"


def assert_each_applied_once(url: str, commands: list[AdjustTier]) -> None:
    with open_app(url) as app:
        for command in commands:
            assert tier_adjustments(app, command.branch_id) == 1
        assert_chain_whole(app, url)


def test_writers_that_find_the_head_held_have_their_writes_committed_in_the_holders_group(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, admin: sa.Engine
) -> None:
    """Three writers on different committees find the head held by a fourth: their writes
    are applied in its transaction, with its own, at one recorded time, and each writer gets
    its own events' positions back."""
    branches = city(postgres_url)
    commands = [
        adjust(NEAR_CAP, branches[NEAR_CAP][1], Tier.LAGGING),
        adjust(OTHERS[0], branches[OTHERS[0]][1], Tier.ADVANCED),
        adjust(OTHERS[1], branches[OTHERS[1]][1], Tier.ADVANCED),
    ]
    with open_app(postgres_url) as app:
        before = app.store.last_position()
    found, paused = run_group([sharing(postgres_url)] * 3, monkeypatch, admin, commands)

    assert found == ["ok", "ok", "ok"]
    assert paused.groups[0] == 3, paused.groups
    events = schema.events
    with sa.create_engine(postgres_url).connect() as conn:
        written = conn.execute(
            sa.select(events.c.originator_id, events.c.recorded_at).where(events.c.id > before)
        ).all()
    assert {r.originator_id for r in written} >= {branch_key(c.branch_id).id for c in commands}
    assert len({r.recorded_at for r in written}) == 1, "one transaction, one recorded time"
    assert_each_applied_once(postgres_url, commands)


def test_ledger_advanced_cap_a_write_in_a_group_whose_version_is_taken_is_decided_again_alone(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, admin: sa.Engine
) -> None:
    """`ledger.advanced_cap`: three writers promote a branch each in the committee with one
    place left, in one group. The leader's promotion takes the place; the two others wrote
    the same version of the committee's counts, so they are left out of the group without
    undoing it, decided again on the new counts and refused by the cap."""
    branches = city(postgres_url)
    commands = [adjust(NEAR_CAP, b, Tier.ADVANCED) for b in branches[NEAR_CAP][1:4]]
    found, paused = run_group([sharing(postgres_url)] * 3, monkeypatch, admin, commands)

    assert found == ["ok", CAP_RULE, CAP_RULE]
    assert paused.groups[0] == 3
    with open_app(postgres_url) as app:
        counts = app.store.get(cap_key(NEAR_CAP))
        assert counts is not None
        assert counts.counts().at(YEAR) == (2, BRANCHES)
        logged = [r.payload["branch_id"] for r in app.refusals(NEAR_CAP) if r.rule_id == CAP_RULE]
        assert sorted(logged) == sorted(c.branch_id for c in commands[1:])
        assert_chain_whole(app, postgres_url)


@pytest.mark.parametrize("lost", ["leader", "applied follower", "refused follower"])
def test_ledger_advanced_cap_a_connection_lost_inside_a_group_loses_no_write_and_doubles_none(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, admin: sa.Engine, lost: str
) -> None:
    """`ledger.advanced_cap`: the server ends one writer's connection while the group holds
    its write: the leader's (the whole group is undone and every write in it is led again),
    or a waiting writer's whose write the group applies or leaves out. The writer that lost
    its connection reads its outcome again or decides again; every command ends applied or
    refused once: one promotion in all, every count at the cap, the chain whole."""
    branches = city(postgres_url)
    commands = [
        adjust(NEAR_CAP, branches[NEAR_CAP][1], Tier.ADVANCED),
        adjust(NEAR_CAP, branches[NEAR_CAP][2], Tier.ADVANCED),
        adjust(OTHERS[0], branches[OTHERS[0]][1], Tier.ADVANCED),
    ]
    victim = {"leader": 0, "refused follower": 1, "applied follower": 2}[lost]
    names = [f"gc-writer-{i}" for i in range(len(commands))]
    url = sharing(postgres_url) + "&"

    def kill(leader_pid: int) -> None:
        if victim == 0:
            terminate(admin, leader_pid)
            return
        # Its write is in the intake; once it waits for the leader's commit, end it.
        terminate(admin, waiting_backend(admin, names[victim]))

    urls = [f"{url}application_name={name}" for name in names]
    found, paused = run_group(urls, monkeypatch, admin, commands, kill)
    assert paused.groups[0] == 3, paused.groups

    promotions = sorted(found[:2])
    assert promotions == sorted(["ok", CAP_RULE]), found
    assert found[2] == "ok"
    with open_app(postgres_url) as app:
        counts = app.store.get(cap_key(NEAR_CAP))
        assert counts is not None
        assert counts.counts().at(YEAR) == (2, BRANCHES)
        for command, outcome in zip(commands, found, strict=True):
            assert tier_adjustments(app, command.branch_id) == (outcome == "ok")
        logged = [r for r in app.refusals(NEAR_CAP) if r.rule_id == CAP_RULE]
        assert len(logged) == 1
        assert_chain_whole(app, postgres_url)


def test_writers_commit_alone_unless_the_store_url_says_group_commit_on(
    postgres_url: str,
) -> None:
    """Group commit is asked for by the store URL (docs/adr/013-group-commit.md): without
    it, or with `group_commit=off`, writers wait for the head rather than hand their writes
    over; either way they write."""
    for index, (url, shares) in enumerate(
        (
            (postgres_url, False),
            (sharing(postgres_url, group_commit="off"), False),
            (sharing(postgres_url), True),
        )
    ):
        with open_app(url) as app:
            assert (app.store.recorder.group is not None) is shares, url
            if index == 0:
                found_city(app)
            add_county(app, f"county-{index}")
            assert app.verify().ok


def test_a_store_url_with_a_group_commit_value_not_on_or_off_is_refused_naming_it(
    postgres_url: str,
) -> None:
    url = sharing(postgres_url, group_commit="maybe")
    with pytest.raises(StoreUnavailable, match="group_commit='maybe'; expected one of on, off"):
        open_app(url)


def test_a_writer_whose_wait_for_its_group_is_cancelled_fails_and_no_group_applies_it_later(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, admin: sa.Engine
) -> None:
    """The server cancels a waiting writer's statement (a timeout, an administrator) before
    the leader takes its write: the writer's command fails, and its write is withdrawn,
    so that the leader, going on, does not apply a command its clerk was told had failed."""
    commands = one_promotion_in_each_other_committee(postgres_url)
    names = ["gc-leader", "gc-cancelled"]
    urls = [f"{sharing(postgres_url)}&application_name={name}" for name in names]

    def cancel() -> None:
        with admin.connect() as conn:
            conn.execute(
                sa.text("SELECT pg_cancel_backend(:pid)"),
                {"pid": waiting_backend(admin, names[1])},
            )
        wait_for(lambda: pending(admin) == 0, "the cancelled write to be withdrawn")

    found, paused = run_group(urls, monkeypatch, admin, commands, before=cancel)

    assert found[0] == "ok"
    assert found[1] not in ("ok", ""), found
    assert paused.groups == [], "the leader wrote alone: nothing was left waiting"
    with open_app(postgres_url) as app:
        assert tier_adjustments(app, commands[0].branch_id) == 1
        assert tier_adjustments(app, commands[1].branch_id) == 0
        assert_chain_whole(app, postgres_url)


def test_a_writer_whose_waiting_write_vanished_from_the_intake_decides_it_again(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, admin: sa.Engine
) -> None:
    """A hand-over is committed without waiting for its flush, so a server crash can lose
    it: the writer, finding after a group of its own that its write is neither waiting nor
    decided, decides its command again instead of waiting for ever."""
    commands = one_promotion_in_each_other_committee(postgres_url)

    def lose() -> None:
        with admin.begin() as conn:
            conn.execute(schema.intake.delete())

    found, _ = run_group([sharing(postgres_url)] * 2, monkeypatch, admin, commands, before=lose)

    assert found == ["ok", "ok"]
    assert_each_applied_once(postgres_url, commands)


@pytest.mark.parametrize("when", ["after", "before"])
def test_a_waiting_writer_whose_connection_is_lost_as_it_takes_its_outcome_reports_it_once(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, admin: sa.Engine, when: str
) -> None:
    """The connection on which a waiting writer takes its outcome dies as its intake row
    is removed, `after` the removal reached the server or `before`: the write was applied,
    so the command is reported applied once, not decided a second time as though nothing
    had been stored. A decided row left behind keeps nothing of the write (no personal
    data), and no group takes it again."""
    commands = one_promotion_in_each_other_committee(postgres_url)
    lost: list[str] = []

    def lose_the_removal(_: Any, cursor: Any, statement: str, *__: Any) -> None:
        if statement.startswith(f"DELETE FROM {schema.intake.name}") and not lost:
            lost.append(statement)
            # After: carried out and committed (autocommit), its writer never hears back.
            cursor.connection.close()
            raise psycopg.OperationalError("the connection was lost")

    def fault(apps: list[Guoying]) -> None:
        group = apps[1].store.recorder.group
        assert group is not None
        engine = group._intake_engine()
        sa.event.listen(engine, f"{when}_cursor_execute", lose_the_removal)

    url = sharing(postgres_url)
    found, _ = run_group([url, url], monkeypatch, admin, commands, setup=fault)

    assert lost, "the waiting writer's connection was lost as it took its outcome"
    assert found == ["ok", "ok"]
    if when == "before":
        with admin.begin() as conn:
            left = conn.execute(sa.select(schema.intake.c.status, schema.intake.c.payload)).all()
            assert [(r.status, bytes(r.payload)) for r in left] == [(group_commit.APPLIED, b"")]
            conn.execute(schema.intake.delete())
    assert_each_applied_once(postgres_url, commands)


def test_a_waiting_writer_whose_wait_times_out_while_its_group_commits_reports_it_applied(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, admin: sa.Engine
) -> None:
    """A waiting writer's session has a `lock_timeout` shorter than the leader takes to
    apply its group: its wait times out while the leader holds its write. It must not
    report a failure for a write the group then commits: it waits for the group's outcome
    before it withdraws anything, and reports the write applied."""
    commands = one_promotion_in_each_other_committee(postgres_url)
    url = sa.engine.make_url(sharing(postgres_url))
    options = f"{url.query['options']} -c lock_timeout=500"
    impatient = url.update_query_dict({"options": options}).render_as_string(hide_password=False)
    found, _ = run_group(
        [sharing(postgres_url), impatient],
        monkeypatch,
        admin,
        commands,
        inside=lambda _: time.sleep(2),
    )

    assert found == ["ok", "ok"]
    assert_each_applied_once(postgres_url, commands)


def test_threads_of_one_store_that_first_wait_at_once_share_one_intake_engine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Writers' threads of one store wait on one pool of intake connections: two asking for
    it at the same moment make it once (a second would hold its connections unclosed)."""
    made: list[sa.Engine] = []
    create = sa.create_engine

    def slow_create(*args: Any, **kwargs: Any) -> sa.Engine:
        time.sleep(0.2)
        made.append(create(*args, **kwargs))
        return made[-1]

    recorder = types.SimpleNamespace(engine=create("postgresql+psycopg://nobody@127.0.0.1/none"))
    group = group_commit.GroupCommit(recorder, "store")  # type: ignore[arg-type]
    monkeypatch.setattr(sa, "create_engine", slow_create)
    found: list[sa.Engine] = []
    threads = [
        threading.Thread(target=lambda: found.append(group._intake_engine())) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    group.close()
    assert len(made) == 1
    assert found == [made[0], made[0]]
