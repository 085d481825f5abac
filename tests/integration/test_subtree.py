"""A committee's subtree, found from its root down (`tree.subtree_at`), is the subtree the
whole tree gives, on every date and as known at every recorded time: through moves, a
backdated move and a dissolution."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from guoying.adapters import schema
from guoying.application.commands import DissolveCommittee, MoveCommittee, RegisterCommittee
from guoying.domain.values import CommitteeLevel
from guoying.projections.ledger.tree import load_committees, subtree_ids
from tests.integration.builders import (
    CITY,
    add_base,
    add_county,
    found_city,
    open_app,
    secretary,
)

DATES = [
    date(2017, 12, 31),
    date(2018, 6, 1),
    date(2019, 2, 28),
    date(2019, 3, 1),
    date(2019, 12, 31),
]


@pytest.fixture
def changing_tree(store_url: str):  # type: ignore[no-untyped-def]
    app = open_app(store_url)
    found_city(app, effective_on=date(2017, 1, 1))
    for county in ("east", "west"):
        add_county(app, county, effective_on=date(2017, 1, 1))
    app.execute(
        RegisterCommittee(
            actor=secretary("east"),
            reason="a working committee between the county and its towns",
            committee_id="east-works",
            name="东区工委",
            level=CommitteeLevel.INTERMEDIATE,
            parent_id="east",
            effective_on=date(2017, 1, 1),
        )
    )
    add_base(app, "town-1", "east", effective_on=date(2017, 1, 1))
    add_base(app, "town-2", "east-works", effective_on=date(2017, 1, 1))
    add_base(app, "town-3", "west", effective_on=date(2017, 1, 1))
    add_base(app, "town-4", "east-works", effective_on=date(2018, 3, 1))
    moves = [
        MoveCommittee(
            actor=secretary(CITY),
            reason="管理体制调整",
            effective_on=date(2019, 3, 1),
            committee_id="east-works",
            parent_id="west",
        ),
        DissolveCommittee(
            actor=secretary("east"),
            reason="撤并",
            effective_on=date(2019, 3, 1),
            committee_id="town-1",
        ),
        # Recorded last, in effect from before the others.
        MoveCommittee(
            actor=secretary(CITY),
            reason="区划调整",
            effective_on=date(2018, 6, 1),
            committee_id="town-3",
            parent_id="east",
        ),
    ]
    for command in moves:
        app.execute(command)
    app.catch_up()
    yield app
    app.close()


def test_a_subtree_read_from_its_root_is_the_subtree_of_the_whole_tree(changing_tree) -> None:  # type: ignore[no-untyped-def]
    app = changing_tree
    with app.store.engine.connect() as conn:
        positions = [None, *conn.execute(sa.select(schema.events.c.id)).scalars()]
        compared = 0
        for cut in positions:
            for on in DATES:
                whole = load_committees(conn, on, cut)
                for root in [*whole, "no-such-committee"]:
                    expected = set(subtree_ids(whole, root)) if root in whole else set()
                    found = load_committees(conn, on, cut, within=root)
                    assert set(found) == expected, (root, on, cut)
                    assert all(found[c] == whole[c] for c in found)
                    compared += 1
    assert compared > 300
