"""The committee tree (`org.hierarchy`), units (`org.unit`) and leadership rosters
(`ledger.liaison_coverage`).

A committee moved, or merged into another, changes where the branches under it count from
the year of the move on: those branches are recounted when the unit ends.
"""

from __future__ import annotations

from datetime import date

from guoying.application.commands import (
    AppointLeader,
    DissolveCommittee,
    EndLeadership,
    MergeCommittees,
    MoveCommittee,
    RegisterCommittee,
    RegisterUnit,
    RenameCommittee,
)
from guoying.application.errors import AlreadyExists
from guoying.application.handlers.branches import move_branch_to
from guoying.application.lookups import (
    require_active_committee,
    require_committee,
    require_person,
    require_tree,
)
from guoying.application.placements import recount_committee
from guoying.application.registry import handles
from guoying.application.unit import Context
from guoying.domain import organization as org_rules
from guoying.domain import roster as roster_rules
from guoying.domain.advanced_cap import cap_key
from guoying.domain.branch import Branch, branch_key
from guoying.domain.exceptions import RuleViolation
from guoying.domain.organization import CommitteeMap, OrgTree, unit_key
from guoying.domain.roster import roster_key
from guoying.domain.values import CommitteeLevel


@handles(RegisterCommittee, "org.hierarchy", "org.jurisdiction")
def register_committee(ctx: Context, command: RegisterCommittee) -> None:
    if ctx.tree is not None and ctx.tree.get(command.committee_id) is not None:
        raise AlreadyExists("committee_id", command.committee_id)
    ctx.record(
        org_rules.register_committee(
            ctx.tree,
            ctx.decision,
            committee_id=command.committee_id,
            name=command.name,
            level=command.level,
            parent_id=command.parent_id,
            county_level=command.county_level,
        )
    )


@handles(RegisterUnit, "org.unit", "org.jurisdiction")
def register_unit(ctx: Context, command: RegisterUnit) -> None:
    tree = require_tree(ctx)
    require_committee(tree, command.committee_id, "committee_id")
    if ctx.uow.get(unit_key(command.unit_id)) is not None:
        raise AlreadyExists("unit_id", command.unit_id)
    ctx.record(
        org_rules.register_unit(
            tree,
            None,
            ctx.decision,
            unit_id=command.unit_id,
            name=command.name,
            kind=command.kind,
            committee_id=command.committee_id,
        )
    )


@handles(RenameCommittee, "org.hierarchy", "org.jurisdiction")
def rename_committee(ctx: Context, command: RenameCommittee) -> None:
    tree = require_tree(ctx)
    require_active_committee(
        tree.at(ctx.decision.effective_on), tree, command.committee_id, "committee_id"
    )
    ctx.record(
        org_rules.rename_committee(
            tree, ctx.decision, committee_id=command.committee_id, name=command.name
        )
    )


@handles(MoveCommittee, "org.hierarchy", "org.jurisdiction", "ledger.advanced_cap")
def move_committee(ctx: Context, command: MoveCommittee) -> None:
    tree = require_tree(ctx)
    view = tree.at(ctx.decision.effective_on)
    require_active_committee(view, tree, command.committee_id, "committee_id")
    require_active_committee(view, tree, command.parent_id, "parent_id")
    ctx.record(
        org_rules.move_committee(
            tree, ctx.decision, committee_id=command.committee_id, parent_id=command.parent_id
        )
    )
    recount_committee(ctx, command.committee_id)


@handles(MergeCommittees, "org.hierarchy", "ledger.row", "org.jurisdiction", "ledger.advanced_cap")
def merge_committees(ctx: Context, command: MergeCommittees) -> None:
    """The absorbed committee's committees and branches move to the survivor; then it ends."""
    tree = require_tree(ctx)
    on = ctx.decision.effective_on
    view = tree.at(on)
    require_active_committee(view, tree, command.committee_id, "committee_id")
    require_active_committee(view, tree, command.into_committee_id, "into_committee_id")
    absorbed, survivor = org_rules.check_merger(
        tree, ctx.decision, committee_id=command.committee_id, into_id=command.into_committee_id
    )
    if absorbed.level not in (CommitteeLevel.BASE, CommitteeLevel.INTERMEDIATE):
        raise RuleViolation("org.hierarchy", "only base and intermediate committees merge")
    assert absorbed.parent_id is not None
    assert survivor.parent_id is not None
    view.require_jurisdiction(command.actor.committee_id, absorbed.parent_id)
    view.require_jurisdiction(command.actor.committee_id, survivor.parent_id)
    for child in view.active_children(absorbed.committee_id):
        tree = ctx.record(
            org_rules.move_committee(
                tree, ctx.decision, committee_id=child.committee_id, parent_id=survivor.committee_id
            )
        )
        recount_committee(ctx, child.committee_id)
    if absorbed.level is CommitteeLevel.BASE:
        for branch in _leading(ctx, view, absorbed.committee_id, on):
            if branch.base_on(on) == absorbed.committee_id:
                move_branch_to(ctx, branch, survivor.committee_id)
    recount_committee(ctx, absorbed.committee_id)
    ctx.record(
        org_rules.dissolve_committee(
            tree,
            ctx.decision,
            committee_id=absorbed.committee_id,
            active_branches=len(_leading(ctx, tree.at(on), absorbed.committee_id, on)),
            merged_into=survivor.committee_id,
        )
    )


def _leading(ctx: Context, view: CommitteeMap, committee_id: str, on: date) -> list[Branch]:
    """The branches the committee's subtree leads on a date or any later date, as already
    recorded: whoever counted under it from the year before on is a candidate."""
    count = ctx.uow.get(cap_key(committee_id))
    subtree = {c.committee_id for c in view.subtree(committee_id)}
    found = []
    for branch_id in count.counted_from(on.year - 1) if count else ():
        branch = ctx.uow.get(branch_key(branch_id))
        if branch is None:
            continue
        dates = [on, *(since for since, _ in branch.memberships if since > on)]
        if any(
            (branch.ended_on is None or branch.ended_on > when) and branch.base_on(when) in subtree
            for when in dates
        ):
            found.append(branch)
    return found


@handles(DissolveCommittee, "org.hierarchy", "org.jurisdiction")
def dissolve_committee(ctx: Context, command: DissolveCommittee) -> None:
    tree = require_tree(ctx)
    on = ctx.decision.effective_on
    view = tree.at(on)
    require_active_committee(view, tree, command.committee_id, "committee_id")
    ctx.record(
        org_rules.dissolve_committee(
            tree,
            ctx.decision,
            committee_id=command.committee_id,
            active_branches=len(_leading(ctx, view, command.committee_id, on)),
        )
    )


def _roster_change(ctx: Context, committee_id: str, person_id: str) -> OrgTree:
    """A committee's leadership is kept by the committee itself or one above it."""
    tree = require_tree(ctx)
    view = tree.at(ctx.decision.effective_on)
    require_active_committee(view, tree, committee_id, "committee_id")
    view.require_jurisdiction(ctx.decision.actor.committee_id, committee_id)
    require_person(ctx, person_id)
    return tree


@handles(AppointLeader, "ledger.liaison_coverage", "org.jurisdiction")
def appoint_leader(ctx: Context, command: AppointLeader) -> None:
    _roster_change(ctx, command.committee_id, command.person_id)
    ctx.record(
        roster_rules.appoint_leader(
            ctx.uow.get(roster_key(command.committee_id)),
            ctx.decision,
            committee_id=command.committee_id,
            person_id=command.person_id,
            position=command.position,
        )
    )


@handles(EndLeadership, "ledger.liaison_coverage", "org.jurisdiction")
def end_leadership(ctx: Context, command: EndLeadership) -> None:
    _roster_change(ctx, command.committee_id, command.person_id)
    ctx.record(
        roster_rules.end_leadership(
            ctx.uow.get(roster_key(command.committee_id)),
            ctx.decision,
            committee_id=command.committee_id,
            person_id=command.person_id,
        )
    )
