"""A correction of a branch's liaison (`CorrectRecord` naming the appointment) supersedes the
liaison's view row: the ledger shows the corrected person and title, the store still reads,
and a replay gives the same views."""

from __future__ import annotations

import sqlalchemy as sa

from guoying import CorrectRecord, RegisterPerson
from guoying.domain.branch import LiaisonAssigned, branch_key
from guoying.projections.ledger import tables as v
from tests.integration.builders import YEAR, build_small_city, open_app, secretary


def test_a_corrected_liaison_is_the_one_open_row_and_the_ledgers_liaison(store_url: str) -> None:
    app = open_app(store_url)
    try:
        city = build_small_city(app)
        branch_id = city.town_branches[2]
        app.execute(
            RegisterPerson(
                actor=secretary("town"),
                reason="the liaison actually appointed",
                person_id="p-li",
                name="李四",
                phone="0538-7654321",
            )
        )
        stream = branch_key(branch_id).id
        appointed = next(e for e in app.store.events(stream) if isinstance(e, LiaisonAssigned))
        app.execute(
            CorrectRecord(
                actor=secretary("town"),
                reason="the wrong person was recorded",
                branch_id=branch_id,
                corrects=f"{stream}@{appointed.originator_version}",
                person_id="p-li",
                position="党委书记",
            )
        )
        row = next(r for r in app.ledger("town", YEAR).rows if r.branch_id == branch_id)
        assert (row.liaison_id, row.liaison_name, row.liaison_position) == (
            "p-li",
            "李四",
            "党委书记",
        )
        with app.store.engine.connect() as conn:
            rows = conn.execute(
                sa.select(v.liaisons).where(v.liaisons.c.branch_id == branch_id)
            ).all()
        assert [(r.person_id, r.known_to is None) for r in rows] == [
            (appointed.person_id, False),
            ("p-li", True),
        ]
        assert app.replay_check() == []
    finally:
        app.close()
