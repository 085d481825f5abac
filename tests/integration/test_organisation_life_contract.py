"""The life of an organisation on every store (memory, SQLite, PostgreSQL): a move, a
merger, a dissolution and a correction leave past years' ledgers as they were, follow the
changes from their year on, replay to the same views and keep the chain verifying."""

from __future__ import annotations

from datetime import date

from guoying import Tier
from guoying.adapters.verification import verify
from guoying.application.commands import CorrectRecord, DissolveBranch, MergeBranches, MoveBranch
from tests.integration.builders import approvals, build_small_city, open_app, secretary


def test_changes_of_2019_leave_the_2018_ledgers_as_they_were_on_every_store(
    store_url: str,
) -> None:
    """`org.hierarchy`: what a year's ledger counts is fixed at that year's end."""
    with open_app(store_url) as app:
        city = build_small_city(app)
        before = {committee: app.ledger(committee, 2018) for committee in (city.town, city.village)}
        moved, merged, survivor, ended = city.town_branches[5:9]
        app.execute_unit(
            [
                MoveBranch(
                    actor=secretary(city.county),
                    reason="区划调整",
                    effective_on=date(2019, 3, 1),
                    branch_id=moved,
                    to_committee_id=city.village,
                ),
                # Nine left of ten with one advanced: above the town's cap without this.
                *approvals(city.town, city.county, "区划调整，非本镇原因", date(2019, 3, 1)),
            ]
        )
        app.execute(
            MergeBranches(
                actor=secretary(city.town),
                reason="合村并居",
                effective_on=date(2019, 4, 1),
                branch_id=merged,
                into_branch_id=survivor,
            )
        )
        app.execute(
            DissolveBranch(
                actor=secretary(city.town),
                reason="单位撤销",
                effective_on=date(2019, 5, 1),
                branch_id=ended,
            )
        )
        registered = app.history(city.town_branches[4])[0]
        app.execute(
            CorrectRecord(
                actor=secretary(city.town),
                reason="初始等次录入有误",
                effective_on=date(2019, 6, 1),
                branch_id=city.town_branches[4],
                corrects=f"branch:{city.town_branches[4]}@{registered.version}",
                tier=Tier.MIDDLE if registered.detail["tier"] == "LAGGING" else Tier.LAGGING,
            )
        )

        for committee, ledger in before.items():
            again = app.ledger(committee, 2018)
            assert [r.branch_id for r in again.rows] == [r.branch_id for r in ledger.rows]
        town_2019 = {r.branch_id for r in app.ledger(city.town, 2019).rows}
        village_2019 = {r.branch_id for r in app.ledger(city.village, 2019).rows}
        assert moved in village_2019 - town_2019
        assert {merged, ended}.isdisjoint(town_2019)
        assert survivor in town_2019
        assert {e.branch_id for e in app.history(survivor)} >= {survivor, merged}
        # A survivor merged in turn: the last one's history follows the whole chain.
        last = city.town_branches[9]
        app.execute(
            MergeBranches(
                actor=secretary(city.town),
                reason="再次合并",
                effective_on=date(2019, 7, 1),
                branch_id=survivor,
                into_branch_id=last,
            )
        )
        assert {e.branch_id for e in app.history(last)} >= {last, survivor, merged}
        assert verify(app.store).ok
        assert app.replay_check() == []
