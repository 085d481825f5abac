"""Where a branch counts for `ledger.advanced_cap` (domain/placement.py), and counts that
equal a recount whatever order the decisions were recorded in (application/placements.py).

A branch counts in year Y under its base committee at the end of Y and every committee
above it up to its city-managed committee, in the tree as it stood then (on its
registration, for a branch registered after the year of its first assessment), with the
tier in effect for Y, unless it ended by Y. The tree of `tests.unit.builders`:

    city ── od
         ├─ cm-a ── base-a1
         │       └─ int-a ── base-a2
         └─ cm-b ── base-b1
"""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from guoying.application import commands as cmd
from guoying.application.errors import Refused
from guoying.domain import branch as branch_rules
from guoying.domain import organization as org_rules
from guoying.domain.branch import Branch
from guoying.domain.organization import OrgTree
from guoying.domain.placement import placements
from guoying.domain.policy import TAIAN_2017
from guoying.domain.values import Sector, Tier
from tests.unit.builders import (
    BASE_A1,
    BASE_A2,
    BASE_B1,
    CITY,
    CM_A,
    CM_B,
    INT_A,
    OD,
    ON,
    actor,
    adjust_tier,
    approve,
    decision,
    middle_branches,
    org_tree,
    register_branch,
)
from tests.unit.recount import assert_counts_equal_a_recount, by_year, counts

MIDDLE, ADVANCED = Tier.MIDDLE, Tier.ADVANCED
MOVED_ON = date(2018, 3, 1)


# The domain: where one branch counts, from the tree and the branch


def registered(
    base: str = BASE_A1, *, year: int = 2017, tier: Tier = MIDDLE, on: date = ON
) -> Branch:
    return branch_rules.register_branch(
        decision(base, on=on),
        TAIAN_2017,
        branch_id="b",
        name="北店村党支部",
        sector=Sector.RURAL,
        base_committee_id=base,
        unit_ids=("u",),
        is_financial_institution=False,
        year=year,
        tier=tier,
    ).mutate(None)


def moved(branch: Branch, to: str, on: date = MOVED_ON) -> Branch:
    return branch_rules.move_branch(branch, decision(CITY, on=on), to_committee_id=to).mutate(
        branch
    )


def adjusted(branch: Branch, year: int, tier: Tier) -> Branch:
    return branch_rules.adjust_tier(
        branch, decision(CITY, on=date(year, 12, 20)), TAIAN_2017, year=year, tier=tier
    ).mutate(branch)


def dissolved(branch: Branch, on: date = MOVED_ON) -> Branch:
    return branch_rules.dissolve_branch(branch, decision(CITY, on=on)).mutate(branch)


def committee_moved(tree: OrgTree, committee_id: str, parent_id: str, on: date) -> OrgTree:
    return org_rules.move_committee(
        tree, decision(CITY, on=on), committee_id=committee_id, parent_id=parent_id
    ).mutate(tree)


def test_ledger_advanced_cap_a_branch_counts_from_its_base_committee_up_to_its_city_managed_one():
    assert placements(org_tree(), registered(BASE_A2)) == {
        BASE_A2: ((2017, MIDDLE),),
        INT_A: ((2017, MIDDLE),),
        CM_A: ((2017, MIDDLE),),
    }


def test_ledger_advanced_cap_a_branch_first_assessed_for_a_later_year_counts_from_that_year():
    assert placements(org_tree(), registered(year=2018)) == {
        BASE_A1: ((2018, MIDDLE),),
        CM_A: ((2018, MIDDLE),),
    }


def test_ledger_advanced_cap_a_tier_change_counts_from_its_year_on():
    branch = adjusted(registered(), 2018, ADVANCED)
    assert placements(org_tree(), branch)[CM_A] == ((2017, MIDDLE), (2018, ADVANCED))
    branch = adjusted(branch, 2019, Tier.WEAK)
    assert placements(org_tree(), branch)[BASE_A1] == (
        (2017, MIDDLE),
        (2018, ADVANCED),
        (2019, Tier.WEAK),
    )


def test_ledger_advanced_cap_a_reevaluation_to_the_same_tier_changes_no_placement():
    assert placements(org_tree(), adjusted(registered(), 2018, MIDDLE)) == placements(
        org_tree(), registered()
    )


def test_ledger_advanced_cap_a_moved_branch_counts_under_its_new_committees_from_the_moves_year():
    branch = moved(registered(), BASE_B1)
    assert placements(org_tree(), branch) == {
        BASE_A1: ((2017, MIDDLE), (2018, None)),
        CM_A: ((2017, MIDDLE), (2018, None)),
        BASE_B1: ((2018, MIDDLE),),
        CM_B: ((2018, MIDDLE),),
    }


@pytest.mark.parametrize(
    ("on", "leaves_base_a1_in"), [(date(2018, 12, 31), 2018), (date(2019, 1, 1), 2019)]
)
def test_ledger_advanced_cap_a_branch_counts_where_it_stands_at_the_end_of_the_year(
    on, leaves_base_a1_in
):
    found = placements(org_tree(), moved(registered(), BASE_B1, on=on))
    assert found[BASE_A1] == ((2017, MIDDLE), (leaves_base_a1_in, None))
    assert found[BASE_B1] == ((leaves_base_a1_in, MIDDLE),)


def test_ledger_advanced_cap_a_move_within_one_city_managed_committee_keeps_its_placement_there():
    branch = moved(registered(), BASE_A2)
    found = placements(org_tree(), branch)
    assert found[CM_A] == ((2017, MIDDLE),)
    assert found[BASE_A1] == ((2017, MIDDLE), (2018, None))
    assert found[INT_A] == found[BASE_A2] == ((2018, MIDDLE),)


def test_ledger_advanced_cap_a_dissolved_branch_counts_no_more_from_the_year_it_ended():
    assert placements(org_tree(), dissolved(registered())) == {
        BASE_A1: ((2017, MIDDLE), (2018, None)),
        CM_A: ((2017, MIDDLE), (2018, None)),
    }


def test_ledger_advanced_cap_a_branch_ended_in_its_first_year_never_counts():
    assert placements(org_tree(), dissolved(registered(), on=date(2017, 12, 31))) == {}


def test_ledger_advanced_cap_a_moved_committee_takes_its_branches_to_its_new_parent_that_year():
    tree = committee_moved(org_tree(), INT_A, CM_B, MOVED_ON)
    assert placements(tree, registered(BASE_A2)) == {
        BASE_A2: ((2017, MIDDLE),),
        INT_A: ((2017, MIDDLE),),
        CM_A: ((2017, MIDDLE), (2018, None)),
        CM_B: ((2018, MIDDLE),),
    }


def test_ledger_advanced_cap_a_branch_registered_after_its_first_assessed_year_counts_where_it_was_registered():  # noqa: E501
    """int-a moved under cm-b on 2018-01-15; a branch of base-a2 registered on 2018-03-01
    with its assessment for 2017 did not exist at the end of 2017, so its 2017 counts under
    the tree as it stood on its registration: cm-b, never cm-a."""
    tree = committee_moved(org_tree(), INT_A, CM_B, date(2018, 1, 15))
    branch = registered(BASE_A2, year=2017, on=MOVED_ON)
    assert placements(tree, branch) == {
        BASE_A2: ((2017, MIDDLE),),
        INT_A: ((2017, MIDDLE),),
        CM_B: ((2017, MIDDLE),),
    }


def test_ledger_advanced_cap_a_back_dated_committee_move_and_a_later_branch_move_place_the_branch_year_by_year():  # noqa: E501
    """The branch leaves base-a2 for base-a1 in 2019; int-a moved under cm-b in 2018:
    2017 under cm-a, 2018 under cm-b, 2019 under cm-a again."""
    branch = moved(registered(BASE_A2), BASE_A1, on=date(2019, 3, 1))
    tree = committee_moved(org_tree(), INT_A, CM_B, MOVED_ON)
    assert placements(tree, branch) == {
        BASE_A2: ((2017, MIDDLE), (2019, None)),
        INT_A: ((2017, MIDDLE), (2019, None)),
        CM_A: ((2017, MIDDLE), (2018, None), (2019, MIDDLE)),
        CM_B: ((2018, MIDDLE), (2019, None)),
        BASE_A1: ((2019, MIDDLE),),
    }


def test_ledger_advanced_cap_the_city_committee_and_the_department_are_never_placed():
    found = placements(org_tree(), moved(adjusted(registered(), 2018, ADVANCED), BASE_B1))
    assert CITY not in found
    assert OD not in found


# Handler: counts equal a recount whatever the recording order


def move_branch(branch_id: str, to: str, *, by: str, on: date) -> cmd.MoveBranch:
    return cmd.MoveBranch(
        actor=actor(by),
        reason="行政区划调整",
        effective_on=on,
        branch_id=branch_id,
        to_committee_id=to,
    )


def move_committee(committee_id: str, parent_id: str, *, on: date) -> cmd.MoveCommittee:
    return cmd.MoveCommittee(
        actor=actor(OD),
        reason="管理体制调整",
        effective_on=on,
        committee_id=committee_id,
        parent_id=parent_id,
    )


def wanderer_moves_in_2019_then_int_a_moves_in_2018(handler) -> None:
    """base-b1 leads nine middle branches; "wanderer" of base-a2 moves to base-a1 on
    2019-03-01, and only then is int-a's move under cm-b, dated 2018-03-01, recorded."""
    handler.execute_unit(middle_branches(BASE_B1, 9))
    handler.execute(register_branch("wanderer", BASE_A2))
    handler.execute(move_branch("wanderer", BASE_A1, by=CM_A, on=date(2019, 3, 1)))
    handler.execute(move_committee(INT_A, CM_B, on=MOVED_ON))


def test_ledger_advanced_cap_a_committee_move_recorded_after_a_later_dated_branch_move_keeps_counts_equal_to_a_recount(  # noqa: E501
    store, handler
):
    """The issue's defect: recounting int-a's branches "from 2018 on" counted the wanderer
    under cm-b in 2019 as well, one too many, though it leads from base-a1 (cm-a) by then."""
    wanderer_moves_in_2019_then_int_a_moves_in_2018(handler)

    assert by_year(store, CM_B) == [(0, 9), (0, 10), (0, 9)]
    assert by_year(store, CM_A) == [(0, 1), (0, 0), (0, 1)]
    assert by_year(store, INT_A) == [(0, 1), (0, 1), (0, 0)]
    assert by_year(store, BASE_A1) == [(0, 0), (0, 0), (0, 1)]
    assert_counts_equal_a_recount(store)


def test_ledger_advanced_cap_a_promotion_above_the_cap_is_refused_after_a_back_dated_committee_move(
    store, handler
):
    """With the wanderer wrongly counted, cm-b held 10 branches in 2019 and let one of
    base-b1's be promoted; a recount gives 9, whose limit is 0: refused."""
    wanderer_moves_in_2019_then_int_a_moves_in_2018(handler)
    before = store.event_count

    with pytest.raises(Refused) as caught:
        handler.execute_unit(
            [adjust_tier("base-b1-m0", 2019, ADVANCED, by=BASE_B1), approve(BASE_B1, 2019)]
        )

    assert caught.value.rule_id == "ledger.advanced_cap"
    assert caught.value.details == {
        "committee_id": CM_B,
        "year": 2019,
        "advanced": 1,
        "active": 9,
        "limit": 0,
    }
    assert store.event_count == before
    assert counts(store, CM_B, 2019) == (0, 9)


def test_ledger_advanced_cap_the_same_decisions_in_date_order_give_the_same_counts(store, handler):
    handler.execute_unit(middle_branches(BASE_B1, 9))
    handler.execute(register_branch("wanderer", BASE_A2))
    handler.execute(move_committee(INT_A, CM_B, on=MOVED_ON))
    handler.execute(move_branch("wanderer", BASE_A1, by=CITY, on=date(2019, 3, 1)))

    assert by_year(store, CM_B) == [(0, 9), (0, 10), (0, 9)]
    assert by_year(store, CM_A) == [(0, 1), (0, 0), (0, 1)]
    assert_counts_equal_a_recount(store)


def test_ledger_advanced_cap_a_back_dated_committee_move_recounts_a_branch_registered_later(
    store, handler
):
    """A branch of base-a2 registered in 2019 counts under cm-a until int-a's move, dated
    2018 but recorded after the registration, puts it under cm-b."""
    handler.execute(
        attrs.evolve(register_branch("late", BASE_A2, year=2019), effective_on=date(2019, 2, 1))
    )
    assert by_year(store, CM_A) == [(0, 0), (0, 0), (0, 1)]
    handler.execute(move_committee(INT_A, CM_B, on=MOVED_ON))

    assert by_year(store, CM_A) == [(0, 0), (0, 0), (0, 0)]
    assert by_year(store, CM_B) == [(0, 0), (0, 0), (0, 1)]
    assert_counts_equal_a_recount(store)


def test_ledger_advanced_cap_a_tier_change_and_a_dissolution_keep_counts_equal_to_a_recount(
    store, handler
):
    handler.execute_unit(middle_branches(BASE_A2, 10))
    handler.execute(adjust_tier("base-a2-m0", 2018, ADVANCED, by=BASE_A2))
    handler.execute(adjust_tier("base-a2-m0", 2019, MIDDLE, by=BASE_A2))
    handler.execute(
        cmd.DissolveBranch(
            actor=actor(BASE_A2),
            reason="单位撤销",
            effective_on=date(2019, 5, 1),
            branch_id="base-a2-m9",
        )
    )

    assert by_year(store, INT_A) == [(0, 10), (1, 10), (0, 9)]
    assert_counts_equal_a_recount(store)
