"""An event stored in an old shape still loads, replays the same and verifies, through an
upcaster in the converter (docs/events.md)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from eventsourcing.persistence import StoredEvent

from guoying import Actor, Guoying
from guoying.adapters import serialization
from guoying.adapters.verification import verify
from guoying.application.commands import RenameBranch
from guoying.domain.branch import Branch, branch_key
from tests.integration.builders import build_small_city, fixed_clock, open_app


def new_name_to_name(state: dict[str, object]) -> dict[str, object]:
    """Shape 1 of BranchRenamed (in this test's history) called the new name `new_name`."""
    state = dict(state)
    state["name"] = state.pop("new_name")
    return state


@pytest.fixture
def old_store(tmp_path: Path) -> tuple[str, str, str]:
    """A store holding a BranchRenamed written as an older guoying would have, through the
    store's own write path so that it is bound into the chain."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    with open_app(url) as app:
        city = build_small_city(app)
        branch = app.store.get(branch_key(city.town_branches[2]))
        assert isinstance(branch, Branch)
        state = {
            "actor": {"person_id": "clerk", "committee_id": branch.base_committee_id, "role": ""},
            "authority": {
                "rule_ids": ["ledger.row"],
                "policy_version": "taian-2017",
                "cap_exceptions": [],
            },
            "reason": "村名变更",
            "effective_on": "2018-03-01",
            "previous_name": branch.name,
            "new_name": "新桥村党支部",
        }
        old = StoredEvent(
            branch.id,
            branch.version + 1,
            "BranchRenamed",
            json.dumps(state, ensure_ascii=False).encode(),
        )
        app.store.recorder.insert_events([old])
        return url, branch.branch_id, branch.base_committee_id


def test_an_old_shape_does_not_load_without_its_upcaster(old_store: tuple[str, str, str]) -> None:
    url, _, _ = old_store
    with (
        Guoying(url, clock=fixed_clock) as app,
        pytest.raises(Exception, match="While structuring BranchRenamed"),
    ):
        app.catch_up()


def test_with_its_upcaster_an_old_shape_loads_replays_the_same_and_still_verifies(
    old_store: tuple[str, str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, branch_id, committee_id = old_store
    monkeypatch.setitem(serialization.UPCASTERS, "BranchRenamed", [new_name_to_name])
    with Guoying(url, clock=fixed_clock) as app:
        app.catch_up()
        branch = app.store.get(branch_key(branch_id))
        assert isinstance(branch, Branch)
        assert branch.name == "新桥村党支部"
        row = next(r for r in app.ledger(committee_id, 2018).rows if r.branch_id == branch_id)
        assert row.name == "新桥村党支部"
        assert verify(app.store).ok
        assert app.replay_check() == []
        # Events written from now on record their shape and read back through the same path.
        app.execute(
            RenameBranch(
                actor=Actor("clerk", committee_id),
                reason="再次更名",
                branch_id=branch_id,
                name="新桥社区党支部",
                effective_on=date(2018, 6, 1),
            )
        )
        stored = app.store.recorder.select_events(f"branch:{branch_id}", desc=True, limit=1)
        assert json.loads(stored[0].state)["_shape"] == 2
        row = next(r for r in app.ledger(committee_id, 2018).rows if r.branch_id == branch_id)
        assert row.name == "新桥社区党支部"
        assert app.replay_check() == []
        assert verify(app.store).ok
