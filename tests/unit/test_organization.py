"""The committee tree, jurisdiction and units, decided by the pure domain functions."""

from __future__ import annotations

from datetime import date

import pytest

from guoying.domain.exceptions import JurisdictionViolation, RuleViolation
from guoying.domain.organization import (
    TREE_ID,
    CommitteeRegistered,
    OrgTree,
    Unit,
    UnitRegistered,
    dissolve_committee,
    move_committee,
    register_committee,
    register_unit,
    rename_committee,
    unit_aggregate_id,
)
from guoying.domain.values import CommitteeLevel, UnitKind
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
    decision,
    org_tree,
)

Level = CommitteeLevel


def register(
    tree: OrgTree | None,
    committee_id: str,
    level: CommitteeLevel,
    parent_id: str | None,
    *,
    by: str = CITY,
    county_level: bool = False,
    name: str | None = None,
) -> CommitteeRegistered:
    return register_committee(
        tree,
        decision(by),
        committee_id=committee_id,
        name=f"{committee_id} committee" if name is None else name,
        level=level,
        parent_id=parent_id,
        county_level=county_level,
    )


def refused(rule_id: str):
    return pytest.raises(RuleViolation, match=rf"^{rule_id}:")


# org.hierarchy


def test_org_hierarchy_the_city_committee_founds_the_tree_as_its_root():
    event = register(None, CITY, Level.CITY, None)
    tree = event.mutate(None)
    assert event.originator_id == TREE_ID
    assert event.originator_version == 1
    assert tree.get(CITY).parent_id is None
    assert tree.version == 1


def test_org_hierarchy_the_city_committee_has_no_parent():
    with refused("org.hierarchy"):
        register(None, CITY, Level.CITY, "elsewhere")


def test_org_hierarchy_there_is_only_one_city_committee():
    tree = org_tree()
    with refused("org.hierarchy"):
        register(tree, "city-2", Level.CITY, None, by="city-2")


def test_org_jurisdiction_only_the_city_committee_itself_founds_the_tree():
    with pytest.raises(JurisdictionViolation) as caught:
        register(None, CITY, Level.CITY, None, by="someone-else")
    assert caught.value.rule_id == "org.jurisdiction"


def test_org_hierarchy_nothing_but_the_city_committee_can_start_an_empty_tree():
    """`org.hierarchy`: the root end is fixed; a committee needs an existing parent."""
    with refused("org.hierarchy"):
        register(None, CM_A, Level.CITY_MANAGED, CITY)


def test_org_hierarchy_a_committee_needs_an_existing_parent():
    with refused("org.hierarchy"):
        register(org_tree(), "base-x", Level.BASE, "no-such-committee")


def test_org_hierarchy_a_committee_id_is_registered_only_once():
    with refused("org.hierarchy"):
        register(org_tree(), BASE_A1, Level.BASE, CM_A)


@pytest.mark.parametrize("name", ["", "   "])
def test_org_hierarchy_a_committee_needs_a_name(name):
    with refused("org.hierarchy"):
        register(org_tree(), "base-x", Level.BASE, CM_A, name=name)


@pytest.mark.parametrize(
    ("level", "parent_id"),
    [
        (Level.ORGANIZATION_DEPARTMENT, CM_A),
        (Level.CITY_MANAGED, CM_A),
        (Level.CITY_MANAGED, OD),
        (Level.INTERMEDIATE, CITY),
        (Level.INTERMEDIATE, OD),
        (Level.INTERMEDIATE, BASE_A1),
        (Level.BASE, CITY),
        (Level.BASE, OD),
        (Level.BASE, BASE_A1),
    ],
)
def test_org_hierarchy_refuses_a_committee_in_the_wrong_place_of_the_tree(level, parent_id):
    """`org.hierarchy`: city at the root, city-managed under it, base committees at the
    bottom with nothing below them, any depth of intermediates in between."""
    with refused("org.hierarchy"):
        register(org_tree(), "new", level, parent_id)


@pytest.mark.parametrize(
    ("level", "parent_id"),
    [
        (Level.CITY_MANAGED, CITY),
        (Level.INTERMEDIATE, CM_A),
        (Level.INTERMEDIATE, INT_A),
        (Level.BASE, CM_A),
        (Level.BASE, INT_A),
    ],
)
def test_org_hierarchy_accepts_a_committee_in_its_place_of_the_tree(level, parent_id):
    tree = org_tree()
    event = register(tree, "new", level, parent_id)
    tree = event.mutate(tree)
    assert tree.get("new").parent_id == parent_id
    assert event.originator_version == len(tree.committees)


def test_org_hierarchy_intermediate_committees_may_nest_to_any_depth():
    tree = org_tree()
    parent = CM_A
    for depth in range(5):
        tree = register(tree, f"int-{depth}", Level.INTERMEDIATE, parent).mutate(tree)
        parent = f"int-{depth}"
    tree = register(tree, "deep-base", Level.BASE, parent).mutate(tree)
    chain = [c.committee_id for c in tree.capped_chain("deep-base")]
    assert chain == ["deep-base", "int-4", "int-3", "int-2", "int-1", "int-0", CM_A]


def test_org_hierarchy_there_is_only_one_organization_department():
    with refused("org.hierarchy"):
        register(org_tree(), "od-2", Level.ORGANIZATION_DEPARTMENT, CITY)


@pytest.mark.parametrize("level", [Level.BASE, Level.INTERMEDIATE])
def test_org_hierarchy_county_level_belongs_only_to_a_city_managed_committee(level):
    with refused("org.hierarchy"):
        register(org_tree(), "new", level, CM_A, county_level=True)


def test_org_hierarchy_the_organization_department_is_never_county_level():
    tree = register(None, CITY, Level.CITY, None).mutate(None)
    with refused("org.hierarchy"):
        register(tree, OD, Level.ORGANIZATION_DEPARTMENT, CITY, county_level=True)


def test_org_hierarchy_a_city_managed_committee_may_be_county_level():
    tree = org_tree()
    tree = register(tree, "cm-c", Level.CITY_MANAGED, CITY, county_level=True).mutate(tree)
    assert tree.get("cm-c").county_level is True
    assert tree.get(CM_B).county_level is False


def test_org_hierarchy_a_committee_name_is_recorded_trimmed():
    event = register(org_tree(), "new", Level.BASE, CM_A, name="  Daiyue township  ")
    assert event.name == "Daiyue township"


def test_org_hierarchy_the_capped_chain_runs_from_the_base_committee_to_its_city_managed_one():
    """`org.hierarchy` and `ledger.advanced_cap`: the chain stops at the city-managed
    committee; the city committee is never in it."""
    tree = org_tree()
    assert [c.committee_id for c in tree.capped_chain(BASE_A1)] == [BASE_A1, CM_A]
    assert [c.committee_id for c in tree.capped_chain(BASE_A2)] == [BASE_A2, INT_A, CM_A]
    assert [c.committee_id for c in tree.capped_chain(BASE_B1)] == [BASE_B1, CM_B]


def test_org_hierarchy_lineage_climbs_from_a_committee_to_the_city():
    tree = org_tree()
    assert [c.committee_id for c in tree.lineage(BASE_A2)] == [BASE_A2, INT_A, CM_A, CITY]
    assert list(tree.lineage("nowhere")) == []


def test_org_hierarchy_each_committee_knows_its_city_managed_committee():
    tree = org_tree()
    assert tree.city_managed_of(BASE_A2).committee_id == CM_A
    assert tree.city_managed_of(CM_B).committee_id == CM_B
    assert tree.city_managed_of(CITY) is None


def test_org_hierarchy_a_subtree_holds_the_committee_and_everything_below_it():
    tree = org_tree()
    assert {c.committee_id for c in tree.subtree(CM_A)} == {CM_A, BASE_A1, INT_A, BASE_A2}
    assert {c.committee_id for c in tree.subtree(BASE_B1)} == {BASE_B1}
    assert tree.subtree("nowhere") == []


def test_ledger_advanced_cap_the_parent_approves_an_exception_or_the_department_for_city_managed():
    """`ledger.advanced_cap`: who approves an exception for each committee."""
    tree = org_tree()
    assert tree.approver_of(BASE_A1).committee_id == CM_A
    assert tree.approver_of(BASE_A2).committee_id == INT_A
    assert tree.approver_of(INT_A).committee_id == CM_A
    assert tree.approver_of(CM_A).committee_id == OD
    assert tree.approver_of(CM_B).committee_id == OD
    assert tree.approver_of(CITY) is None
    assert tree.approver_of("nowhere") is None


def test_ledger_advanced_cap_without_a_department_a_city_managed_committee_has_no_approver():
    tree = register(None, CITY, Level.CITY, None).mutate(None)
    tree = register(tree, CM_A, Level.CITY_MANAGED, CITY).mutate(tree)
    assert tree.approver_of(CM_A) is None


# org.jurisdiction


@pytest.mark.parametrize(
    ("actor_committee_id", "committee_id"),
    [
        (BASE_A1, BASE_A1),
        (CM_A, BASE_A1),
        (CM_A, BASE_A2),
        (INT_A, BASE_A2),
        (CM_A, CM_A),
        (CITY, BASE_B1),
        (CITY, CM_A),
    ],
)
def test_org_jurisdiction_a_committee_acts_within_its_own_subtree(actor_committee_id, committee_id):
    tree = org_tree()
    assert tree.may_act_on(actor_committee_id, committee_id)
    tree.require_jurisdiction(actor_committee_id, committee_id)


@pytest.mark.parametrize(
    ("actor_committee_id", "committee_id"),
    [
        (BASE_A1, CM_A),
        (BASE_A1, BASE_A2),
        (BASE_A2, INT_A),
        (INT_A, BASE_A1),
        (CM_A, BASE_B1),
        (CM_B, CM_A),
        (CM_A, CITY),
        ("unknown-committee", BASE_A1),
    ],
)
def test_org_jurisdiction_refuses_a_committee_acting_outside_its_subtree(
    actor_committee_id, committee_id
):
    tree = org_tree()
    assert not tree.may_act_on(actor_committee_id, committee_id)
    with pytest.raises(JurisdictionViolation) as caught:
        tree.require_jurisdiction(actor_committee_id, committee_id)
    assert caught.value.rule_id == "org.jurisdiction"
    assert caught.value.details == {
        "actor_committee_id": actor_committee_id,
        "committee_id": committee_id,
    }


@pytest.mark.parametrize("committee_id", [CITY, OD, CM_A, INT_A, BASE_A2, CM_B, BASE_B1])
def test_org_jurisdiction_the_organization_department_acts_city_wide(committee_id):
    assert org_tree().may_act_on(OD, committee_id)


def test_org_jurisdiction_not_even_the_organization_department_acts_on_an_unknown_committee():
    assert not org_tree().may_act_on(OD, "nowhere")


def test_org_jurisdiction_a_committee_registers_committees_only_under_its_own_subtree():
    tree = org_tree()
    with pytest.raises(JurisdictionViolation):
        register(tree, "base-x", Level.BASE, CM_B, by=CM_A)
    assert register(tree, "base-x", Level.BASE, INT_A, by=CM_A).parent_id == INT_A
    assert register(tree, "base-y", Level.BASE, CM_B, by=OD).parent_id == CM_B


# org.unit


def unit(
    tree: OrgTree,
    *,
    unit_id: str = "village-1",
    committee_id: str = BASE_A1,
    by: str = BASE_A1,
    name: str = "Xiagang village",
    existing: Unit | None = None,
) -> UnitRegistered:
    return register_unit(
        tree,
        existing,
        decision(by),
        unit_id=unit_id,
        name=name,
        kind=UnitKind.VILLAGE,
        committee_id=committee_id,
    )


def test_org_unit_a_base_committee_registers_a_unit_its_branches_serve():
    event = unit(org_tree(), name="  Xiagang village ")
    registered = event.mutate(None)
    assert event.originator_id == unit_aggregate_id("village-1")
    assert (registered.unit_id, registered.name, registered.kind, registered.committee_id) == (
        "village-1",
        "Xiagang village",
        UnitKind.VILLAGE,
        BASE_A1,
    )


def test_org_unit_a_unit_id_is_registered_only_once():
    tree = org_tree()
    existing = unit(tree).mutate(None)
    with refused("org.unit"):
        unit(tree, existing=existing)


@pytest.mark.parametrize("committee_id", [CM_A, INT_A, CITY, OD, "nowhere"])
def test_org_unit_a_unit_belongs_to_a_base_committee(committee_id):
    with refused("org.unit"):
        unit(org_tree(), committee_id=committee_id, by=CITY)


def test_org_unit_a_unit_needs_a_name():
    with refused("org.unit"):
        unit(org_tree(), name="  ")


def test_org_jurisdiction_a_committee_registers_units_only_within_its_subtree():
    tree = org_tree()
    with pytest.raises(JurisdictionViolation):
        unit(tree, committee_id=BASE_A1, by=BASE_B1)
    assert unit(tree, committee_id=BASE_A2, by=CM_A).committee_id == BASE_A2


# The tree over time: each change kept as what it changed, from its date


def registered_on(tree: OrgTree, committee_id: str, level: Level, parent_id: str, on: date):
    return register_committee(
        tree,
        decision(CITY, on=on),
        committee_id=committee_id,
        name=f"{committee_id} committee",
        level=level,
        parent_id=parent_id,
        county_level=False,
    ).mutate(tree)


def moved(tree: OrgTree, committee_id: str, parent_id: str, on: date) -> OrgTree:
    return move_committee(
        tree, decision(CITY, on=on), committee_id=committee_id, parent_id=parent_id
    ).mutate(tree)


def renamed(tree: OrgTree, committee_id: str, name: str, on: date) -> OrgTree:
    event = rename_committee(tree, decision(CITY, on=on), committee_id=committee_id, name=name)
    return event.mutate(tree)


def dissolved(tree: OrgTree, committee_id: str, on: date) -> OrgTree:
    return dissolve_committee(
        tree, decision(CITY, on=on), committee_id=committee_id, active_branches=0
    ).mutate(tree)


MOVED_ON = date(2018, 3, 1)


def test_org_hierarchy_a_committee_stands_as_it_did_on_each_date():
    tree = renamed(moved(org_tree(), INT_A, CM_B, MOVED_ON), INT_A, "新名称", date(2019, 1, 1))
    assert tree.state_on(INT_A, date(2017, 1, 1)) is None
    assert (tree.state_on(INT_A, ON).parent_id, tree.state_on(INT_A, ON).name) == (
        CM_A,
        "int-a committee",
    )
    assert tree.state_on(INT_A, MOVED_ON).parent_id == CM_B
    assert tree.state_on(INT_A, date(2019, 1, 1)).name == "新名称"
    assert tree.at(date(2018, 2, 28)).get(INT_A).parent_id == CM_A


def test_ledger_advanced_cap_the_capped_chain_on_a_date_follows_the_tree_of_that_date():
    tree = moved(org_tree(), INT_A, CM_B, MOVED_ON)
    assert tree.capped_chain_on(date(2017, 12, 31), BASE_A2) == [BASE_A2, INT_A, CM_A]
    assert tree.capped_chain_on(date(2018, 12, 31), BASE_A2) == [BASE_A2, INT_A, CM_B]
    assert tree.capped_chain_on(date(2018, 12, 31), BASE_A1) == [BASE_A1, CM_A]
    assert tree.capped_chain_on(date(2016, 12, 31), BASE_A2) == []


def test_org_hierarchy_a_back_dated_move_shows_through_a_later_dated_rename_recorded_before_it():
    """The rename dated 2019 was recorded first; the move dated 2018 still moves int-a in
    2019, and the 2019 name stays."""
    tree = renamed(org_tree(), INT_A, "新名称", date(2019, 1, 1))
    tree = moved(tree, INT_A, CM_B, MOVED_ON)
    for state in (tree.state_on(INT_A, date(2019, 6, 1)), tree.at(date(2019, 6, 1)).get(INT_A)):
        assert (state.parent_id, state.name) == (CM_B, "新名称")
    assert (tree.get(INT_A).parent_id, tree.get(INT_A).name) == (CM_B, "新名称")
    assert tree.state_on(INT_A, date(2018, 6, 1)).name == "int-a committee"
    assert tree.capped_chain_on(date(2019, 12, 31), BASE_A2) == [BASE_A2, INT_A, CM_B]


def test_org_hierarchy_a_move_cannot_be_dated_before_a_later_recorded_move_of_the_same_committee():
    tree = moved(org_tree(), INT_A, CM_B, date(2019, 1, 1))
    with refused("org.hierarchy") as caught:
        moved(tree, INT_A, CM_B, MOVED_ON)
    assert "already moves on 2019-01-01" in caught.value.message


def test_org_hierarchy_a_back_dated_move_that_would_make_a_later_tree_a_cycle_is_refused():
    """int-y moves under int-x in 2019 (recorded first); int-x moving under int-y from 2018
    would put each inside the other's subtree in 2019."""
    tree = registered_on(org_tree(), "int-x", Level.INTERMEDIATE, CM_A, ON)
    tree = registered_on(tree, "int-y", Level.INTERMEDIATE, CM_B, ON)
    tree = moved(tree, "int-y", "int-x", date(2019, 1, 1))
    with refused("org.hierarchy") as caught:
        moved(tree, "int-x", "int-y", MOVED_ON)
    assert "own subtree" in caught.value.message


def test_org_hierarchy_nothing_moves_under_a_committee_a_later_recorded_decision_dissolves():
    tree = registered_on(org_tree(), "int-x", Level.INTERMEDIATE, CM_B, ON)
    tree = dissolved(tree, "int-x", date(2019, 1, 1))
    assert tree.dissolved_after("int-x", MOVED_ON) == date(2019, 1, 1)
    assert tree.dissolved_after("int-x", date(2019, 1, 1)) is None
    assert tree.dissolved_after(INT_A, MOVED_ON) is None
    with refused("org.hierarchy") as caught:
        moved(tree, BASE_A2, "int-x", MOVED_ON)
    assert caught.value.details == {"committee_id": "int-x", "dissolved_on": "2019-01-01"}
    tree.require_standing_after(INT_A, MOVED_ON)


def test_org_hierarchy_a_committee_is_not_dissolved_before_a_later_recorded_committee_under_it():
    tree = registered_on(org_tree(), "int-x", Level.INTERMEDIATE, CM_B, ON)
    tree = registered_on(tree, "base-x", Level.BASE, "int-x", date(2019, 1, 1))
    with refused("org.hierarchy") as caught:
        dissolved(tree, "int-x", MOVED_ON)
    assert "committees under it" in caught.value.message


def test_org_hierarchy_the_tree_knows_the_years_it_changed_in():
    tree = renamed(moved(org_tree(), INT_A, CM_B, MOVED_ON), INT_A, "新名称", date(2019, 5, 1))
    assert tree.change_years() == {2017, 2018, 2019}
    assert tree.change_years_after(2017) == {2018, 2019}
    assert tree.change_years_after(2019) == set()
