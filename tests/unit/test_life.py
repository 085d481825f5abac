"""The life of an organisation through the handler, on an in-process store: branches renamed,
moved, merged, split and dissolved; committees renamed, moved, merged and dissolved.

Every decision is judged on the tree as it stood on its `effective_on` (`org.jurisdiction`,
`org.hierarchy`), and every year's ledger counts the branches active under each committee at
the end of that year, so a change counts from the year of its `effective_on` and never
rewrites an earlier year (`ledger.advanced_cap`). The tree of `tests.unit.builders`:

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
from guoying.application.errors import AlreadyExists, NotAuthorized, NotFound, Refused
from guoying.application.service import Handler
from guoying.domain.advanced_cap import BranchCounted, CapExceptionApproved, cap_key
from guoying.domain.branch import Branch, BranchDissolved, BranchMoved, branch_key
from guoying.domain.branch_names import BranchNamed, BranchNameReleased, names_key
from guoying.domain.organization import TREE_KEY, CommitteeDissolved, OrgTree
from guoying.domain.values import CommitteeLevel, Sector, Tier, UnitKind
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
    OWNER,
    actor,
    adjust_tier,
    approvals,
    approve,
    approve_through,
    middle_branches,
    register_branch,
    unit_id,
)
from tests.unit.fakes import FakeEventStore
from tests.unit.recount import assert_counts_equal_a_recount, by_year

MOVED_ON = date(2018, 3, 1)
ADVANCED = Tier.ADVANCED


@pytest.fixture(autouse=True)
def counts_equal_a_recount_at_the_end(store: FakeEventStore):
    """`ledger.advanced_cap`: whatever a test here did, accepted or refused, every
    committee's counts then equal a recount of the branches from the tree."""
    yield
    if store.get(TREE_KEY) is not None:
        assert_counts_equal_a_recount(store)


# Helpers


def branch(store: FakeEventStore, branch_id: str) -> Branch:
    found = store.get(branch_key(branch_id))
    assert found is not None, branch_id
    return found


def tree(store: FakeEventStore) -> OrgTree:
    found = store.get(TREE_KEY)
    assert found is not None
    return found


def assert_refused_and_logged(
    store: FakeEventStore, error: Refused, rule_id: str, events_before: int
) -> None:
    """A refusal changes no aggregate and is appended, with its rule id, to the refusal log."""
    assert error.rule_id == rule_id
    assert store.event_count == events_before
    assert store.refusals[-1].rule_id == rule_id
    assert store.refusals[-1].message == error.message


def refused(
    store: FakeEventStore,
    handler: Handler,
    command: cmd.Command | list[cmd.Command],
    rule_id: str,
) -> Refused:
    """Execute a command (or a unit) that must be refused by `rule_id`, logged, and change
    nothing."""
    before, logged = store.event_count, len(store.refusals)
    kind = NotAuthorized if rule_id == "org.jurisdiction" else Refused
    unit = command if isinstance(command, list) else [command]
    with pytest.raises(kind) as caught:
        handler.execute_unit(unit)
    if rule_id != "org.jurisdiction":
        assert not isinstance(caught.value, NotAuthorized), caught.value
    assert_refused_and_logged(store, caught.value, rule_id, before)
    assert len(store.refusals) == logged + 1
    if not isinstance(command, list):
        assert store.refusals[-1].command == command
    return caught.value


def named(branch_id: str, name: str, base: str = BASE_A1, *, on: date = ON, year: int = 2017):
    """A RegisterBranch with a chosen name (the builders name branches after their id)."""
    return attrs.evolve(register_branch(branch_id, base, year=year), name=name, effective_on=on)


def move(
    branch_id: str,
    to: str,
    *,
    by: str = CITY,
    on: date = MOVED_ON,
    receiving: str | None = None,
) -> cmd.MoveBranch:
    return cmd.MoveBranch(
        actor=actor(by),
        reason="行政区划调整",
        effective_on=on,
        branch_id=branch_id,
        to_committee_id=to,
        receiving_decision_by=actor(receiving) if receiving else None,
    )


def merge(branch_id: str, into: str, *, by: str = BASE_A1, on: date = MOVED_ON):
    return cmd.MergeBranches(
        actor=actor(by),
        reason="机构改革",
        effective_on=on,
        branch_id=branch_id,
        into_branch_id=into,
    )


def dissolve(branch_id: str, *, by: str = BASE_A1, on: date = MOVED_ON) -> cmd.DissolveBranch:
    return cmd.DissolveBranch(
        actor=actor(by), reason="单位撤销", effective_on=on, branch_id=branch_id
    )


def rename(branch_id: str, name: str, *, by: str = BASE_A1, on: date = MOVED_ON):
    return cmd.RenameBranch(
        actor=actor(by), reason="更名", effective_on=on, branch_id=branch_id, name=name
    )


def new_branch(branch_id: str, name: str, tier: Tier = Tier.MIDDLE) -> cmd.NewBranch:
    return cmd.NewBranch(
        branch_id=branch_id,
        name=name,
        sector=Sector.RURAL,
        unit_ids=(unit_id(BASE_A1),),
        tier=tier,
    )


def split(
    branch_id: str,
    *new: cmd.NewBranch,
    by: str = BASE_A1,
    on: date = MOVED_ON,
    dissolve_original: bool = False,
) -> cmd.SplitBranch:
    return cmd.SplitBranch(
        actor=actor(by),
        reason="党员人数增加，分设党支部",
        effective_on=on,
        branch_id=branch_id,
        new_branches=new,
        dissolve_original=dissolve_original,
    )


def register_committee(
    committee_id: str,
    level: CommitteeLevel,
    parent_id: str,
    *,
    by: str = CITY,
    on: date = ON,
) -> cmd.RegisterCommittee:
    return cmd.RegisterCommittee(
        actor=actor(by),
        reason="建立组织",
        effective_on=on,
        committee_id=committee_id,
        name=f"{committee_id} committee",
        level=level,
        parent_id=parent_id,
    )


def base_with_branch(handler: Handler, base: str, branch_id: str, *, parent: str = CM_B) -> None:
    """A base committee founded on ON, with a unit and one MIDDLE branch for 2017."""
    handler.execute(register_committee(base, CommitteeLevel.BASE, parent))
    handler.execute(
        cmd.RegisterUnit(
            actor=actor(base),
            reason="登记单位",
            effective_on=ON,
            unit_id=unit_id(base),
            name=f"village of {base}",
            kind=UnitKind.VILLAGE,
            committee_id=base,
        )
    )
    handler.execute(register_branch(branch_id, base))


def rename_committee(committee_id: str, name: str, *, by: str, on: date = MOVED_ON):
    return cmd.RenameCommittee(
        actor=actor(by), reason="撤镇设街道", effective_on=on, committee_id=committee_id, name=name
    )


def move_committee(
    committee_id: str,
    parent_id: str,
    *,
    by: str = OD,
    on: date = MOVED_ON,
) -> cmd.MoveCommittee:
    return cmd.MoveCommittee(
        actor=actor(by),
        reason="管理体制调整",
        effective_on=on,
        committee_id=committee_id,
        parent_id=parent_id,
    )


def merge_committees(committee_id: str, into: str, *, by: str = OD, on: date = MOVED_ON):
    return cmd.MergeCommittees(
        actor=actor(by),
        reason="撤并乡镇",
        effective_on=on,
        committee_id=committee_id,
        into_committee_id=into,
    )


def dissolve_committee(committee_id: str, *, by: str, on: date = MOVED_ON):
    return cmd.DissolveCommittee(
        actor=actor(by), reason="完成使命，予以撤销", effective_on=on, committee_id=committee_id
    )


def record_problem(branch_id: str, case_id: str, *, on: date = date(2018, 2, 1)):
    return cmd.RecordProblem(
        actor=actor(BASE_A1),
        reason="分析研判查摆问题",
        effective_on=on,
        branch_id=branch_id,
        case_id=case_id,
        problem="组织生活不规范",
        measure="每月召开主题党日",
        owner_id=OWNER,
        deadline=date(2018, 12, 31),
    )


# A branch moves (org.hierarchy, org.jurisdiction)


def test_org_hierarchy_a_move_keeps_the_past_years_counts_and_counts_the_branch_anew_from_its_year(
    store, handler
):
    """The year before the move stays counted under base-a1 and cm-a; from the move's year
    the branch counts under base-b1 and cm-b instead, and later years carry that over.
    (Eleven branches, so that ten left keep the one advanced within `ledger.advanced_cap`.)"""
    handler.execute_unit(middle_branches(BASE_A1, 10))
    handler.execute(register_branch("adv", tier=ADVANCED))

    outcome = handler.execute(move("base-a1-m0", BASE_B1))

    assert by_year(store, BASE_A1) == [(1, 11), (1, 10), (1, 10)]
    assert by_year(store, CM_A) == [(1, 11), (1, 10), (1, 10)]
    assert by_year(store, BASE_B1) == [(0, 0), (0, 1), (0, 1)]
    assert by_year(store, CM_B) == [(0, 0), (0, 1), (0, 1)]
    moved = branch(store, "base-a1-m0")
    assert moved.base_on(date(2018, 2, 28)) == BASE_A1
    assert moved.base_on(MOVED_ON) == BASE_B1
    assert [(type(e), e.originator_id) for e in outcome.events[:3]] == [
        (BranchMoved, branch_key("base-a1-m0").id),
        (BranchNameReleased, names_key(BASE_A1).id),
        (BranchNamed, names_key(BASE_B1).id),
    ]
    left, joined = ((2017, Tier.MIDDLE), (2018, None)), ((2018, Tier.MIDDLE),)
    assert {(e.originator_id, e.placement) for e in outcome.events[3:]} == {
        (cap_key(BASE_A1).id, left),
        (cap_key(CM_A).id, left),
        (cap_key(BASE_B1).id, joined),
        (cap_key(CM_B).id, joined),
    }
    assert all(isinstance(e, BranchCounted) for e in outcome.events[3:])
    assert_counts_equal_a_recount(store)


def test_org_hierarchy_a_move_within_one_city_managed_committee_leaves_its_count_alone(
    store, handler
):
    """cm-a is over both base committees: only the committees that change are written."""
    handler.execute_unit(middle_branches(BASE_A1, 2))

    outcome = handler.execute(move("base-a1-m0", BASE_A2, by=CM_A))

    assert {e.originator_id for e in outcome.events if isinstance(e, BranchCounted)} == {
        cap_key(c).id for c in (BASE_A1, BASE_A2, INT_A)
    }
    assert by_year(store, CM_A) == [(0, 2), (0, 2), (0, 2)]
    assert by_year(store, BASE_A1) == [(0, 2), (0, 1), (0, 1)]
    assert by_year(store, INT_A) == [(0, 0), (0, 1), (0, 1)]


def test_org_hierarchy_a_later_tier_follows_the_branch_to_its_new_committees_only(store, handler):
    """After a move in 2018 the 2019 evaluation is decided by the new base committee and
    counts there; base-a1 keeps its 2017 count."""
    handler.execute_unit(middle_branches(BASE_A1, 2))
    handler.execute(move("base-a1-m0", BASE_B1))

    handler.execute(adjust_tier("base-a1-m0", 2019, Tier.LAGGING, by=BASE_B1))

    assert branch(store, "base-a1-m0").tier_for(2019) is Tier.LAGGING
    assert by_year(store, BASE_A1) == [(0, 2), (0, 1), (0, 1)]
    assert by_year(store, BASE_B1) == [(0, 0), (0, 1), (0, 1)]


def test_org_jurisdiction_the_old_base_committee_no_longer_decides_on_a_moved_branch(
    store, handler
):
    handler.execute_unit(middle_branches(BASE_A1, 1))
    handler.execute(move("base-a1-m0", BASE_B1))

    refused(
        store,
        handler,
        adjust_tier("base-a1-m0", 2018, Tier.LAGGING, by=BASE_A1),
        "org.jurisdiction",
    )


def test_org_jurisdiction_the_sending_committee_needs_the_receiving_committees_decision(
    store, handler
):
    """base-a1 alone has no jurisdiction over base-b1; with base-b1's decision it moves."""
    handler.execute_unit(middle_branches(BASE_A1, 1))

    error = refused(store, handler, move("base-a1-m0", BASE_B1, by=BASE_A1), "org.jurisdiction")

    assert "base-b1" in error.message
    assert store.refusals[-1].subject_committee_id == BASE_A1
    handler.execute(move("base-a1-m0", BASE_B1, by=BASE_A1, receiving=BASE_B1))
    assert branch(store, "base-a1-m0").base_committee_id == BASE_B1


@pytest.mark.parametrize(
    ("by", "receiving"),
    [
        (BASE_A1, CM_A),  # the receiving decision from a committee not over base-b1
        (BASE_A1, BASE_A2),
        (BASE_B1, None),  # the receiving committee cannot pull a branch in by itself
        (BASE_B1, BASE_B1),
        (CM_B, None),
        (BASE_A2, BASE_B1),  # a committee not over the sending committee
    ],
)
def test_org_jurisdiction_a_move_is_decided_over_both_base_committees(
    store, handler, by, receiving
):
    handler.execute_unit(middle_branches(BASE_A1, 1))

    refused(
        store, handler, move("base-a1-m0", BASE_B1, by=by, receiving=receiving), "org.jurisdiction"
    )

    assert branch(store, "base-a1-m0").base_committee_id == BASE_A1


@pytest.mark.parametrize("by", [CITY, OD])
def test_org_jurisdiction_the_common_parent_or_the_department_moves_a_branch_alone(
    store, handler, by
):
    handler.execute_unit(middle_branches(BASE_A1, 1))

    handler.execute(move("base-a1-m0", BASE_B1, by=by))

    assert branch(store, "base-a1-m0").base_committee_id == BASE_B1
    assert store.refusals == []


def test_ledger_advanced_cap_an_advanced_branch_moved_into_a_committee_at_its_cap_is_refused(
    store, handler
):
    """base-b1 and cm-b have no branch, so one advanced branch is above floor(0.1 x 1) = 0."""
    handler.execute_unit(middle_branches(BASE_A1, 9))
    handler.execute(register_branch("adv", tier=ADVANCED))

    error = refused(store, handler, move("adv", BASE_B1), "ledger.advanced_cap")

    assert error.details == {
        "committee_id": BASE_B1,
        "year": 2018,
        "advanced": 1,
        "active": 1,
        "limit": 0,
    }
    assert branch(store, "adv").base_committee_id == BASE_A1
    assert by_year(store, BASE_A1) == [(1, 10), (1, 10), (1, 10)]


@pytest.mark.parametrize(
    "approved",
    [
        (),
        (BASE_B1,),  # cm-b is above its cap too
        (CM_B,),
    ],
)
def test_ledger_advanced_cap_a_move_needs_an_approval_for_each_committee_it_takes_above_its_cap(
    store, handler, approved
):
    handler.execute_unit(middle_branches(BASE_A1, 9))
    handler.execute(register_branch("adv", tier=ADVANCED))

    unit = [move("adv", BASE_B1), *(a for c in approved for a in approve_through(c, 2018))]
    error = refused(store, handler, unit, "ledger.advanced_cap")

    assert error.details["committee_id"] in {BASE_B1, CM_B} - set(approved)


@pytest.mark.parametrize(
    ("committee_id", "approver"),
    [
        (BASE_B1, CITY),  # base-b1's approver is cm-b
        (BASE_B1, BASE_A1),  # nor the sending committee
        (CM_B, CITY),  # cm-b's is the department
    ],
)
def test_org_jurisdiction_a_moves_approvals_come_from_each_committees_parent(
    store, handler, committee_id, approver
):
    handler.execute_unit(middle_branches(BASE_A1, 9))
    handler.execute(register_branch("adv", tier=ADVANCED))
    wrong = approve(committee_id, 2018, by=approver, on=MOVED_ON)
    right = [a for c in (BASE_B1, CM_B) if c != committee_id for a in approve_through(c, 2018)]

    refused(store, handler, [move("adv", BASE_B1), *right, wrong], "org.jurisdiction")

    assert store.refusals[-1].command == wrong
    assert branch(store, "adv").base_committee_id == BASE_A1


def test_ledger_advanced_cap_a_move_with_the_parents_approvals_in_its_unit_is_recorded(
    store, handler
):
    handler.execute_unit(middle_branches(BASE_A1, 9))
    handler.execute(register_branch("adv", tier=ADVANCED))

    outcome = handler.execute_unit([move("adv", BASE_B1), *approvals(BASE_B1, 2018)])

    granted = [e for e in outcome.events if isinstance(e, CapExceptionApproved)]
    assert [(e.committee_id, e.year) for e in granted] == [
        (BASE_B1, 2018),
        (BASE_B1, 2019),
        (CM_B, 2018),
        (CM_B, 2019),
    ]
    assert by_year(store, BASE_B1) == [(0, 0), (1, 1), (1, 1)]
    assert by_year(store, BASE_A1) == [(1, 10), (0, 9), (0, 9)]
    assert_counts_equal_a_recount(store)


def test_not_found_a_move_to_an_unknown_committee_or_of_an_unknown_branch(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 1))
    before = store.event_count

    with pytest.raises(NotFound) as to_nowhere:
        handler.execute(move("base-a1-m0", "ghost"))
    with pytest.raises(NotFound) as nobody:
        handler.execute(move("ghost", BASE_B1))

    assert (to_nowhere.value.field, to_nowhere.value.value) == ("to_committee_id", "ghost")
    assert (nobody.value.field, nobody.value.value) == ("branch_id", "ghost")
    assert store.event_count == before
    assert store.refusals == []


def test_org_hierarchy_a_move_to_a_dissolved_committee_is_refused(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 1))
    handler.execute(register_committee("base-x", CommitteeLevel.BASE, CM_B))
    handler.execute(dissolve_committee("base-x", by=CM_B, on=date(2018, 1, 10)))

    refused(store, handler, move("base-a1-m0", "base-x"), "org.hierarchy")


def test_org_hierarchy_a_move_to_a_committee_not_yet_founded_on_its_date_is_refused(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 1))
    handler.execute(register_committee("base-y", CommitteeLevel.BASE, CM_B, on=date(2019, 1, 1)))

    refused(store, handler, move("base-a1-m0", "base-y"), "org.hierarchy")
    handler.execute(move("base-a1-m0", "base-y", on=date(2019, 1, 1)))


@pytest.mark.parametrize("to", [INT_A, CM_B, BASE_A1])
def test_org_hierarchy_a_branch_moves_only_to_another_base_committee(store, handler, to):
    handler.execute_unit(middle_branches(BASE_A1, 1))

    refused(store, handler, move("base-a1-m0", to), "org.hierarchy")


def test_org_hierarchy_a_move_cannot_be_dated_before_the_branchs_last_move(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 1))
    handler.execute(move("base-a1-m0", BASE_B1))

    refused(store, handler, move("base-a1-m0", BASE_A2, on=date(2018, 2, 1)), "org.hierarchy")


def test_ledger_row_a_branch_cannot_move_into_a_base_committee_with_an_active_branch_of_its_name(
    store, handler
):
    handler.execute(named("a", "北店村党支部", BASE_A1))
    handler.execute(named("b", "北店村党支部", BASE_B1))

    refused(store, handler, move("b", BASE_A1), "ledger.row")


# Branches merge (org.hierarchy, ledger.rectification)


def test_org_hierarchy_a_branch_cannot_merge_into_itself(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 1))

    refused(store, handler, merge("base-a1-m0", "base-a1-m0"), "org.hierarchy")

    assert branch(store, "base-a1-m0").active


def test_ledger_rectification_a_merger_moves_the_open_cases_to_the_survivor_and_ends_the_absorbed(
    store, handler
):
    """Open cases continue on the survivor as `absorbed/case`; closed ones stay with the
    absorbed branch's history; the absorbed branch is dissolved, naming its survivor, and
    stops counting from the merger's year."""
    handler.execute_unit(middle_branches(BASE_A1, 3))
    absorbed, survivor = "base-a1-m0", "base-a1-m1"
    handler.execute(record_problem(absorbed, "k1"))
    handler.execute(record_problem(absorbed, "k2"))
    handler.execute(
        cmd.SignOffRectification(
            actor=actor(BASE_A1),
            reason="验收销号",
            effective_on=date(2018, 2, 20),
            branch_id=absorbed,
            case_id="k2",
            outcome="已整改",
        )
    )
    handler.execute(record_problem(survivor, "k1"))

    outcome = handler.execute(merge(absorbed, survivor, on=date(2018, 6, 1)))

    kept = branch(store, survivor)
    assert sorted(kept.cases) == ["base-a1-m0/k1", "k1"]
    moved = kept.cases["base-a1-m0/k1"]
    assert (moved.problem, moved.owner_id, moved.found_on, moved.closed_on) == (
        "组织生活不规范",
        OWNER,
        date(2018, 2, 1),
        None,
    )
    assert kept.absorbed == [absorbed]
    ended = branch(store, absorbed)
    assert (ended.active, ended.ended_on, ended.merged_into) == (False, date(2018, 6, 1), survivor)
    assert isinstance(store.stream(branch_key(absorbed))[-1], BranchDissolved)
    assert by_year(store, BASE_A1) == [(0, 3), (0, 2), (0, 2)]
    assert branch_key(survivor).id in {e.originator_id for e in outcome.events}
    handler.execute(
        cmd.SignOffRectification(
            actor=actor(BASE_A1),
            reason="验收销号",
            effective_on=date(2018, 8, 1),
            branch_id=survivor,
            case_id="base-a1-m0/k1",
            outcome="已整改",
        )
    )
    assert branch(store, survivor).cases["base-a1-m0/k1"].closed_on == date(2018, 8, 1)


def test_org_hierarchy_a_dissolved_branch_neither_merges_nor_takes_another_in(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 3))
    handler.execute(dissolve("base-a1-m0"))

    refused(store, handler, merge("base-a1-m0", "base-a1-m1"), "org.hierarchy")
    refused(store, handler, merge("base-a1-m2", "base-a1-m0"), "org.hierarchy")


def test_org_jurisdiction_a_merger_is_decided_over_both_branches(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 1))
    handler.execute_unit(middle_branches(BASE_A2, 1))

    refused(store, handler, merge("base-a2-m0", "base-a1-m0", by=BASE_A1), "org.jurisdiction")
    refused(store, handler, merge("base-a2-m0", "base-a1-m0", by=INT_A), "org.jurisdiction")
    handler.execute(merge("base-a2-m0", "base-a1-m0", by=CM_A))

    assert by_year(store, INT_A) == [(0, 1), (0, 0), (0, 0)]
    assert by_year(store, CM_A) == [(0, 2), (0, 1), (0, 1)]


# A branch is dissolved (org.hierarchy)


def test_org_hierarchy_a_dissolved_branch_cannot_be_adjusted_or_otherwise_changed(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 2))
    handler.execute(dissolve("base-a1-m0", on=date(2018, 3, 1)))

    error = refused(
        store, handler, adjust_tier("base-a1-m0", 2018, Tier.LAGGING, by=BASE_A1), "org.hierarchy"
    )

    assert "dissolved on 2018-03-01" in error.message
    for command in (
        rename("base-a1-m0", "新名称"),
        dissolve("base-a1-m0", on=date(2018, 4, 1)),
        move("base-a1-m0", BASE_A2, by=CM_A),
        record_problem("base-a1-m0", "k9", on=date(2018, 4, 1)),
        split("base-a1-m0", new_branch("n1", "新支部")),
    ):
        refused(store, handler, command, "org.hierarchy")
    assert by_year(store, BASE_A1) == [(0, 2), (0, 1), (0, 1)]
    assert by_year(store, CM_A) == [(0, 2), (0, 1), (0, 1)]


def test_org_jurisdiction_only_a_committee_over_the_branch_dissolves_it(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 1))

    refused(store, handler, dissolve("base-a1-m0", by=BASE_B1), "org.jurisdiction")
    refused(store, handler, dissolve("base-a1-m0", by=INT_A), "org.jurisdiction")

    assert branch(store, "base-a1-m0").active


# Names identify rows (ledger.row)


def test_ledger_row_a_branch_cannot_be_founded_with_the_name_of_an_active_branch_of_its_base(
    store, handler
):
    handler.execute(named("a", "北店村党支部"))

    error = refused(store, handler, named("b", "北店村党支部"), "ledger.row")

    assert error.details == {"branch_id": "a", "name": "北店村党支部"}
    refused(store, handler, named("b", "  北店村党支部 "), "ledger.row")
    handler.execute(named("b", "北店村党支部", BASE_B1))
    handler.execute(named("c", "北店村党支部", BASE_A2))


def test_ledger_row_the_name_is_free_again_once_its_branch_is_dissolved(store, handler):
    handler.execute(named("a", "北店村党支部"))
    handler.execute(dissolve("a"))

    handler.execute(named("b", "北店村党支部", on=date(2018, 4, 1), year=2018))

    assert branch(store, "b").name == "北店村党支部"


def test_ledger_row_the_name_is_free_again_once_its_branch_is_renamed(store, handler):
    handler.execute(named("a", "北店村党支部"))
    handler.execute(rename("a", "北店村第一党支部"))

    handler.execute(named("b", "北店村党支部", on=date(2018, 4, 1), year=2018))

    assert branch(store, "a").name == "北店村第一党支部"


def test_ledger_row_a_rename_to_a_taken_name_or_to_its_own_name_is_refused(store, handler):
    handler.execute(named("a", "北店村党支部"))
    handler.execute(named("b", "南店村党支部"))

    refused(store, handler, rename("b", "北店村党支部"), "ledger.row")
    refused(store, handler, rename("b", "南店村党支部"), "ledger.row")

    assert branch(store, "b").name == "南店村党支部"


def test_org_jurisdiction_a_committee_outside_the_branchs_subtree_cannot_rename_it(store, handler):
    handler.execute(named("a", "北店村党支部"))

    refused(store, handler, rename("a", "北店村第一党支部", by=BASE_B1), "org.jurisdiction")
    handler.execute(rename("a", "北店村第一党支部", by=CM_A))


def test_ledger_row_a_rename_dated_before_an_earlier_recorded_move_names_the_current_row(
    store, handler
):
    handler.execute(named("a", "老名称"))
    handler.execute(move("a", BASE_B1, on=date(2018, 3, 1)))
    handler.execute(rename("a", "新名称", on=date(2018, 1, 10)))

    handler.execute(named("x", "新名称", BASE_A1, on=date(2018, 5, 1), year=2018))
    with pytest.raises(Refused):
        handler.execute(named("y", "新名称", BASE_B1, on=date(2018, 5, 1), year=2018))


# A branch is split (org.hierarchy, ledger.tiers, ledger.advanced_cap)


def test_ledger_tiers_a_split_founds_branches_with_first_assessments_and_may_end_the_original(
    store, handler
):
    handler.execute_unit(middle_branches(BASE_A1, 9))
    handler.execute(named("orig", "北店村党支部"))

    handler.execute(
        split(
            "orig",
            new_branch("n1", "北店村第一党支部"),
            new_branch("n2", "北店村第二党支部", Tier.LAGGING),
            dissolve_original=True,
        )
    )

    for branch_id, tier in (("n1", Tier.MIDDLE), ("n2", Tier.LAGGING)):
        founded = branch(store, branch_id)
        assert founded.split_from == "orig"
        assert founded.base_committee_id == BASE_A1
        assert (founded.registered_year, founded.tiers) == (2018, [(2018, tier)])
        assert founded.memberships == [(MOVED_ON, BASE_A1)]
    original = branch(store, "orig")
    assert (original.active, original.ended_on, original.merged_into) == (False, MOVED_ON, None)
    assert by_year(store, BASE_A1) == [(0, 10), (0, 11), (0, 11)]
    assert by_year(store, CM_A) == [(0, 10), (0, 11), (0, 11)]


def test_ledger_tiers_a_split_without_dissolving_keeps_the_original_active(store, handler):
    handler.execute(named("orig", "北店村党支部"))

    handler.execute(split("orig", new_branch("n1", "北店村第二党支部")))

    assert branch(store, "orig").active
    assert by_year(store, BASE_A1) == [(0, 1), (0, 2), (0, 2)]


def test_ledger_tiers_a_split_is_assessed_by_the_branchs_own_base_committee(store, handler):
    """The new branches' first tiers are the base committee's assessment, not cm-a's."""
    handler.execute(named("orig", "北店村党支部"))

    refused(
        store, handler, split("orig", new_branch("n1", "北店村第二党支部"), by=CM_A), "ledger.tiers"
    )
    refused(
        store,
        handler,
        split("orig", new_branch("n1", "北店村第二党支部"), by=BASE_B1),
        "org.jurisdiction",
    )


@pytest.mark.parametrize("new", [(), ("orig",), ("n1", "n1")])
def test_org_hierarchy_a_split_founds_at_least_one_new_branch_each_once_never_itself(
    store, handler, new
):
    handler.execute(named("orig", "北店村党支部"))

    command = split("orig", *(new_branch(b, f"支部{i}") for i, b in enumerate(new)))

    refused(store, handler, command, "org.hierarchy")


def test_a_split_into_a_taken_branch_id_or_an_unknown_unit_is_refused_unlogged(store, handler):
    handler.execute(named("orig", "北店村党支部"))
    handler.execute(named("taken", "南店村党支部"))
    before = store.event_count

    with pytest.raises(AlreadyExists) as taken:
        handler.execute(split("orig", new_branch("taken", "北店村第二党支部")))
    with pytest.raises(NotFound) as no_unit:
        handler.execute(
            split("orig", attrs.evolve(new_branch("n1", "北店村第二党支部"), unit_ids=("ghost",)))
        )

    assert taken.value.field == "new_branches[0].branch_id"
    assert no_unit.value.field == "new_branches[0].unit_ids[0]"
    assert store.event_count == before
    assert store.refusals == []


def test_ledger_advanced_cap_a_split_founding_an_advanced_branch_above_the_cap_needs_approvals(
    store, handler
):
    handler.execute(named("orig", "北店村党支部"))
    command = split("orig", new_branch("n1", "北店村第二党支部", ADVANCED))

    refused(store, handler, command, "ledger.advanced_cap")
    handler.execute_unit([command, *approvals(BASE_A1, 2018)])

    assert by_year(store, BASE_A1) == [(0, 1), (1, 2), (1, 2)]
    assert_counts_equal_a_recount(store)


def test_ledger_row_a_successor_may_keep_the_name_of_the_original_it_replaces(store, handler):
    handler.execute(named("orig", "北店村党支部"))

    handler.execute(
        split(
            "orig",
            new_branch("n1", "北店村党支部"),
            new_branch("n2", "北店村第二党支部"),
            dissolve_original=True,
        )
    )

    assert branch(store, "n1").name == "北店村党支部"


# Committees move (org.hierarchy, org.jurisdiction, ledger.advanced_cap)


def test_org_hierarchy_a_committee_move_recounts_its_subtrees_branches_from_the_moves_year(
    store, handler
):
    """int-a (with base-a2 and its three branches) moves from cm-a to cm-b in 2018."""
    handler.execute_unit(middle_branches(BASE_A2, 3))
    handler.execute_unit(middle_branches(BASE_A1, 2))

    handler.execute(move_committee(INT_A, CM_B))

    assert by_year(store, CM_A) == [(0, 5), (0, 2), (0, 2)]
    assert by_year(store, CM_B) == [(0, 0), (0, 3), (0, 3)]
    assert by_year(store, INT_A) == [(0, 3), (0, 3), (0, 3)]
    assert by_year(store, BASE_A2) == [(0, 3), (0, 3), (0, 3)]
    assert tree(store).at(date(2018, 2, 28)).get(INT_A).parent_id == CM_A
    assert tree(store).at(MOVED_ON).get(INT_A).parent_id == CM_B


def test_org_jurisdiction_after_a_committee_move_each_decision_is_judged_on_the_tree_of_its_date(
    store, handler
):
    handler.execute_unit(middle_branches(BASE_A2, 1))
    handler.execute(move_committee(INT_A, CM_B))

    handler.execute(record_problem_by(CM_A, "base-a2-m0", "k1", on=date(2018, 2, 1)))
    refused(
        store, handler, record_problem_by(CM_A, "base-a2-m0", "k2", on=MOVED_ON), "org.jurisdiction"
    )
    handler.execute(record_problem_by(CM_B, "base-a2-m0", "k2", on=MOVED_ON))


def record_problem_by(by: str, branch_id: str, case_id: str, *, on: date) -> cmd.RecordProblem:
    return attrs.evolve(record_problem(branch_id, case_id, on=on), actor=actor(by))


@pytest.mark.parametrize(
    ("committee_id", "parent_id"),
    [
        (INT_A, INT_A),  # into itself
        (INT_A, BASE_A1),  # under a base committee
        (CM_A, CM_B),  # city-managed committees stay under the city committee
        (INT_A, CM_A),  # where it already sits
    ],
)
def test_org_hierarchy_a_committee_moves_only_below_a_city_managed_committee_under_a_fit_parent(
    store, handler, committee_id, parent_id
):
    refused(store, handler, move_committee(committee_id, parent_id), "org.hierarchy")


def test_org_hierarchy_a_committee_cannot_move_into_its_own_subtree(store, handler):
    handler.execute(register_committee("int-a2", CommitteeLevel.INTERMEDIATE, INT_A))

    refused(store, handler, move_committee(INT_A, "int-a2"), "org.hierarchy")


def test_org_jurisdiction_a_committee_move_is_decided_over_the_old_and_the_new_parent(
    store, handler
):
    refused(store, handler, move_committee(INT_A, CM_B, by=CM_A), "org.jurisdiction")
    refused(store, handler, move_committee(INT_A, CM_B, by=CM_B), "org.jurisdiction")
    handler.execute(move_committee(INT_A, CM_B, by=CITY))


def test_not_found_a_committee_move_under_an_unknown_parent(store, handler):
    before = store.event_count
    with pytest.raises(NotFound) as caught:
        handler.execute(move_committee(INT_A, "ghost"))
    assert caught.value.field == "parent_id"
    assert store.event_count == before


def test_ledger_advanced_cap_a_committee_move_bringing_an_advanced_branch_needs_approvals(
    store, handler
):
    """int-a brings its one branch, advanced by approvals for 2017, into cm-b, which has one
    middle branch: 2 active allow no advanced branch in 2018 and 2019 without the
    department's approval for each."""
    handler.execute_unit([register_branch("adv", BASE_A2, tier=ADVANCED), *approvals(BASE_A2)])
    handler.execute(register_branch("b1", BASE_B1))
    command = move_committee(INT_A, CM_B)

    error = refused(store, handler, command, "ledger.advanced_cap")
    assert error.details["committee_id"] == CM_B
    assert error.details["year"] == 2018
    handler.execute_unit([command, *approve_through(CM_B, 2018, on=MOVED_ON)])

    assert by_year(store, CM_B) == [(0, 1), (1, 2), (1, 2)]
    assert by_year(store, CM_A) == [(1, 1), (0, 0), (0, 0)]
    assert_counts_equal_a_recount(store)


# Committees merge (org.hierarchy, org.jurisdiction)


def test_org_hierarchy_a_base_committee_merger_moves_its_branches_and_ends_it(store, handler):
    handler.execute_unit(middle_branches(BASE_A2, 3))
    handler.execute_unit(middle_branches(BASE_A1, 2))

    outcome = handler.execute(merge_committees(BASE_A2, BASE_A1, by=CM_A))

    for number in range(3):
        moved = branch(store, f"base-a2-m{number}")
        assert moved.base_on(date(2017, 12, 31)) == BASE_A2
        assert moved.base_on(MOVED_ON) == BASE_A1
    assert by_year(store, BASE_A2) == [(0, 3), (0, 0), (0, 0)]
    assert by_year(store, INT_A) == [(0, 3), (0, 0), (0, 0)]
    assert by_year(store, BASE_A1) == [(0, 2), (0, 5), (0, 5)]
    assert by_year(store, CM_A) == [(0, 5), (0, 5), (0, 5)]
    [ended] = [e for e in outcome.events if isinstance(e, CommitteeDissolved)]
    assert (ended.committee_id, ended.merged_into) == (BASE_A2, BASE_A1)
    assert tree(store).at(MOVED_ON).get_active(BASE_A2) is None
    assert tree(store).at(date(2018, 2, 28)).get_active(BASE_A2) is not None


def test_org_hierarchy_an_intermediate_committee_merger_moves_its_committees_and_branches(
    store, handler
):
    handler.execute(register_committee("int-b", CommitteeLevel.INTERMEDIATE, CM_B))
    handler.execute_unit(middle_branches(BASE_A2, 3))

    handler.execute(merge_committees(INT_A, "int-b"))

    view = tree(store).at(MOVED_ON)
    assert view.get(BASE_A2).parent_id == "int-b"
    assert view.get_active(INT_A) is None
    assert by_year(store, BASE_A2) == [(0, 3), (0, 3), (0, 3)]
    assert by_year(store, INT_A) == [(0, 3), (0, 0), (0, 0)]
    assert by_year(store, CM_A) == [(0, 3), (0, 0), (0, 0)]
    assert by_year(store, "int-b") == [(0, 0), (0, 3), (0, 3)]
    assert by_year(store, CM_B) == [(0, 0), (0, 3), (0, 3)]


@pytest.mark.parametrize(
    ("committee_id", "into"),
    [
        (BASE_A1, BASE_A1),  # into itself
        (INT_A, BASE_A1),  # of different levels
        (CM_B, CM_A),  # city-managed committees do not merge
    ],
)
def test_org_hierarchy_committees_merge_only_with_another_of_their_level_below_city_managed(
    store, handler, committee_id, into
):
    refused(store, handler, merge_committees(committee_id, into), "org.hierarchy")


def test_org_jurisdiction_a_committee_merger_is_decided_over_both_parents(store, handler):
    refused(store, handler, merge_committees(BASE_A2, BASE_A1, by=INT_A), "org.jurisdiction")
    refused(store, handler, merge_committees(BASE_B1, BASE_A1, by=CM_A), "org.jurisdiction")
    handler.execute(merge_committees(BASE_B1, BASE_A1, by=CITY))


def test_ledger_row_a_merger_bringing_a_branch_whose_name_is_taken_is_refused(store, handler):
    handler.execute(named("a", "北店村党支部", BASE_A1))
    handler.execute(named("b", "北店村党支部", BASE_A2))

    refused(store, handler, merge_committees(BASE_A2, BASE_A1, by=CM_A), "ledger.row")


# Committees are dissolved (org.hierarchy, org.jurisdiction)


def test_org_hierarchy_a_committee_still_leading_branches_cannot_be_dissolved(store, handler):
    handler.execute_unit(middle_branches(BASE_A1, 1))

    error = refused(store, handler, dissolve_committee(BASE_A1, by=CM_A), "org.hierarchy")

    assert "still leads 1" in error.message
    handler.execute(move("base-a1-m0", BASE_B1))
    handler.execute(dissolve_committee(BASE_A1, by=CM_A))
    assert tree(store).at(MOVED_ON).get_active(BASE_A1) is None


def test_org_hierarchy_a_committee_with_committees_under_it_cannot_be_dissolved(store, handler):
    error = refused(store, handler, dissolve_committee(INT_A, by=CM_A), "org.hierarchy")

    assert "committees under it" in error.message


@pytest.mark.parametrize("committee_id", [CITY, OD])
def test_org_hierarchy_the_two_fixed_ends_of_the_tree_cannot_be_dissolved(
    store, handler, committee_id
):
    refused(store, handler, dissolve_committee(committee_id, by=CITY), "org.hierarchy")


def test_org_hierarchy_a_dissolved_committee_cannot_be_dissolved_again_or_renamed(store, handler):
    handler.execute(register_committee("base-x", CommitteeLevel.BASE, CM_B))
    handler.execute(dissolve_committee("base-x", by=CM_B))

    refused(
        store, handler, dissolve_committee("base-x", by=CM_B, on=date(2018, 4, 1)), "org.hierarchy"
    )
    refused(store, handler, rename_committee("base-x", "新名称", by=CM_B), "org.hierarchy")


def test_org_jurisdiction_a_dissolved_committee_acts_no_more(store, handler):
    handler.execute_unit(middle_branches(BASE_A2, 1))
    handler.execute(merge_committees(BASE_A2, BASE_A1, by=CM_A))

    error = refused(
        store,
        handler,
        adjust_tier("base-a2-m0", 2018, Tier.LAGGING, by=BASE_A2),
        "org.jurisdiction",
    )

    assert "was dissolved" in error.message
    handler.execute(adjust_tier("base-a2-m0", 2018, Tier.LAGGING, by=BASE_A1))


def test_org_jurisdiction_only_a_committee_over_its_parent_dissolves_a_committee(store, handler):
    handler.execute(register_committee("base-x", CommitteeLevel.BASE, CM_B))

    refused(store, handler, dissolve_committee("base-x", by=CM_A), "org.jurisdiction")
    refused(store, handler, dissolve_committee("base-x", by=BASE_B1), "org.jurisdiction")
    handler.execute(dissolve_committee("base-x", by=CM_B))


def test_org_hierarchy_a_committee_cannot_be_dissolved_on_a_date_it_still_leads_a_branch(
    store, handler
):
    base_with_branch(handler, "base-x", "bx")
    handler.execute(move("bx", BASE_B1, by=CM_B, on=date(2018, 9, 1)))

    refused(
        store, handler, dissolve_committee("base-x", by=CM_B, on=date(2018, 6, 1)), "org.hierarchy"
    )


# Committees are renamed (org.hierarchy, org.jurisdiction)


def test_org_hierarchy_a_renamed_committee_keeps_its_old_name_in_the_tree_of_earlier_dates(
    store, handler
):
    handler.execute(rename_committee(BASE_A1, "中共岱岳区粥店街道工作委员会", by=CM_A))

    assert tree(store).at(date(2018, 2, 28)).get(BASE_A1).name == "base-a1 committee"
    assert tree(store).at(MOVED_ON).get(BASE_A1).name == "中共岱岳区粥店街道工作委员会"


def test_org_jurisdiction_a_committee_outside_the_subtree_cannot_rename_a_committee(store, handler):
    refused(store, handler, rename_committee(BASE_A1, "新名称", by=CM_B), "org.jurisdiction")
    refused(store, handler, rename_committee(CM_A, "新名称", by=BASE_A1), "org.jurisdiction")


def test_not_found_renaming_an_unknown_committee(store, handler):
    with pytest.raises(NotFound) as caught:
        handler.execute(rename_committee("ghost", "新名称", by=CITY))
    assert caught.value.field == "committee_id"


# The tree is dated (org.jurisdiction)


def test_org_jurisdiction_a_committee_founded_later_has_no_jurisdiction_over_an_earlier_decision(
    store, handler
):
    """A committee registered on 2018-12-20 did not exist for a first assessment dated
    2017-06-30; from its founding date it decides."""
    handler.execute(register_committee("town", CommitteeLevel.BASE, CM_B, on=date(2018, 12, 20)))
    handler.execute(
        cmd.RegisterUnit(
            actor=actor("town"),
            reason="登记单位",
            effective_on=date(2018, 12, 20),
            unit_id="u-town",
            name="town village",
            kind=UnitKind.VILLAGE,
            committee_id="town",
        )
    )
    command = attrs.evolve(
        register_branch("t1", "town", unit_ids=("u-town",)), effective_on=date(2017, 6, 30)
    )

    error = refused(store, handler, command, "org.jurisdiction")

    assert "'town' did not exist on 2017-06-30" in error.message
    handler.execute(attrs.evolve(command, effective_on=date(2018, 12, 20), year=2018))


def refused_by_one_of(
    store: FakeEventStore, handler: Handler, command: cmd.Command, rule_ids: set[str]
) -> None:
    """Refused by one of `rule_ids` (where the fix may name either), logged, nothing written."""
    before = store.event_count
    with pytest.raises(Refused) as caught:
        handler.execute(command)
    assert caught.value.rule_id in rule_ids
    assert_refused_and_logged(store, caught.value, caught.value.rule_id, before)


def test_org_hierarchy_a_committee_cannot_be_registered_under_a_dissolved_parent(store, handler):
    handler.execute(register_committee("int-x", CommitteeLevel.INTERMEDIATE, CM_B))
    handler.execute(dissolve_committee("int-x", by=CM_B, on=date(2018, 1, 1)))

    command = register_committee(
        "base-y", CommitteeLevel.BASE, "int-x", by=CM_B, on=date(2018, 2, 1)
    )

    refused(store, handler, command, "org.hierarchy")


@pytest.mark.parametrize("by", [CM_B, "int-late"])
def test_org_jurisdiction_a_committee_cannot_be_registered_before_its_parent_was_founded(
    store, handler, by
):
    """`org.hierarchy` or `org.jurisdiction`: int-late was founded on 2019-01-01, so on
    2017-06-01 there is no parent to register base-z under."""
    handler.execute(
        register_committee("int-late", CommitteeLevel.INTERMEDIATE, CM_B, on=date(2019, 1, 1))
    )

    command = register_committee("base-z", CommitteeLevel.BASE, "int-late", by=by, on=ON)

    refused_by_one_of(store, handler, command, {"org.hierarchy", "org.jurisdiction"})


def test_org_unit_a_unit_cannot_be_registered_under_a_dissolved_base_committee(store, handler):
    handler.execute(register_committee("base-x", CommitteeLevel.BASE, CM_B))
    handler.execute(dissolve_committee("base-x", by=CM_B, on=date(2018, 1, 1)))
    command = cmd.RegisterUnit(
        actor=actor(CM_B),
        reason="登记单位",
        effective_on=date(2018, 2, 1),
        unit_id="u-x",
        name="village of base-x",
        kind=UnitKind.VILLAGE,
        committee_id="base-x",
    )

    refused_by_one_of(store, handler, command, {"org.unit", "org.hierarchy", "org.jurisdiction"})
