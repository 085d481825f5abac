"""A branch's life: registered with its first assessment (`ledger.tiers`), renamed, moved,
merged, split and dissolved (`org.hierarchy`); the names one base committee leads are
unique (`ledger.row`). Every change of where or whether a branch counts is recounted under
`ledger.advanced_cap` when the unit ends."""

from __future__ import annotations

from guoying.application.commands import (
    DissolveBranch,
    MergeBranches,
    MoveBranch,
    NewBranch,
    RegisterBranch,
    RenameBranch,
    SplitBranch,
)
from guoying.application.errors import AlreadyExists, NotFound
from guoying.application.lookups import (
    acting_on_branch,
    require_active_committee,
    require_branch,
    require_committee,
    require_tree,
)
from guoying.application.placements import recount_branch
from guoying.application.registry import handles
from guoying.application.unit import Context
from guoying.domain import branch as branch_rules
from guoying.domain.branch import Branch, branch_key
from guoying.domain.branch_names import name_branch, names_key, release_name
from guoying.domain.exceptions import RuleViolation
from guoying.domain.organization import unit_key
from guoying.domain.values import CommitteeLevel


def register(
    ctx: Context,
    new: RegisterBranch | NewBranch,
    base_committee_id: str,
    year: int,
    *,
    split_from: str | None = None,
    at: str = "",
) -> None:
    """Found a branch with its first assessment, under a name free at its base committee:
    its id is free, its units are registered and its base committee stands from the
    decision's date on (`at`: where the branch is in the command)."""
    if ctx.uow.get(branch_key(new.branch_id)) is not None:
        raise AlreadyExists(f"{at}branch_id", new.branch_id)
    for index, unit_id in enumerate(new.unit_ids):
        if ctx.uow.get(unit_key(unit_id)) is None:
            raise NotFound(f"{at}unit_ids[{index}]", unit_id)
    require_tree(ctx).require_standing_after(base_committee_id, ctx.decision.effective_on)
    branch = ctx.record(
        branch_rules.register_branch(
            ctx.decision,
            ctx.policy,
            branch_id=new.branch_id,
            name=new.name,
            sector=new.sector,
            base_committee_id=base_committee_id,
            unit_ids=new.unit_ids,
            is_financial_institution=new.is_financial_institution,
            year=year,
            tier=new.tier,
            split_from=split_from,
        )
    )
    _claim_name(ctx, branch, base_committee_id)
    recount_branch(ctx, new.branch_id)


def _claim_name(ctx: Context, branch: Branch, committee_id: str) -> None:
    ctx.record(
        name_branch(
            ctx.uow.get(names_key(committee_id)),
            ctx.decision,
            committee_id=committee_id,
            branch_id=branch.branch_id,
            name=branch.name,
        )
    )


def _release_name(ctx: Context, branch: Branch, committee_id: str) -> None:
    released = release_name(
        ctx.uow.get(names_key(committee_id)),
        ctx.decision,
        committee_id=committee_id,
        branch_id=branch.branch_id,
    )
    if released is not None:
        ctx.record(released)


@handles(RegisterBranch, "ledger.tiers", "org.unit", "org.jurisdiction", "ledger.advanced_cap")
def register_branch(ctx: Context, command: RegisterBranch) -> None:
    tree = require_tree(ctx)
    base = require_committee(tree, command.base_committee_id, "base_committee_id")
    tree.at(ctx.decision.effective_on).require_jurisdiction(
        command.actor.committee_id, base.committee_id
    )
    if base.level is not CommitteeLevel.BASE:
        raise RuleViolation(
            "org.hierarchy",
            f"{base.committee_id!r} is not a base committee; branches "
            "belong to exactly one base committee",
        )
    register(ctx, command, command.base_committee_id, command.year)


@handles(RenameBranch, "ledger.row", "org.hierarchy", "org.jurisdiction")
def rename_branch(ctx: Context, command: RenameBranch) -> None:
    branch = acting_on_branch(ctx, command.branch_id)
    renamed = ctx.record(branch_rules.rename_branch(branch, ctx.decision, name=command.name))
    _claim_name(ctx, renamed, renamed.base_committee_id)


def move_branch_to(ctx: Context, branch: Branch, to_committee_id: str) -> None:
    """Another base committee leads the branch from the decision's date."""
    tree = require_tree(ctx)
    tree.require_standing_after(to_committee_id, ctx.decision.effective_on)
    leaving = branch.base_committee_id
    moved = ctx.record(
        branch_rules.move_branch(branch, ctx.decision, to_committee_id=to_committee_id)
    )
    if moved.base_committee_id != leaving:
        _release_name(ctx, moved, leaving)
        _claim_name(ctx, moved, moved.base_committee_id)
    recount_branch(ctx, branch.branch_id)


@handles(MoveBranch, "org.hierarchy", "ledger.row", "org.jurisdiction", "ledger.advanced_cap")
def move_branch(ctx: Context, command: MoveBranch) -> None:
    """Decided by a committee over both base committees, or by the sending committee with
    the receiving committee's decision (`org.jurisdiction`)."""
    tree = require_tree(ctx)
    branch = require_branch(ctx, command.branch_id)
    on = ctx.decision.effective_on
    view = tree.at(on)
    target = require_active_committee(view, tree, command.to_committee_id, "to_committee_id")
    if target.level is not CommitteeLevel.BASE:
        raise RuleViolation("org.hierarchy", f"{command.to_committee_id!r} is not a base committee")
    view.require_jurisdiction(command.actor.committee_id, branch.base_on(on))
    receiving = command.receiving_decision_by or command.actor
    view.require_jurisdiction(receiving.committee_id, command.to_committee_id)
    move_branch_to(ctx, branch, command.to_committee_id)


def end_branch(ctx: Context, branch: Branch, merged_into: str | None) -> None:
    ended = ctx.record(branch_rules.dissolve_branch(branch, ctx.decision, merged_into=merged_into))
    _release_name(ctx, ended, ended.base_committee_id)
    recount_branch(ctx, branch.branch_id)


@handles(DissolveBranch, "org.hierarchy", "org.jurisdiction", "ledger.advanced_cap")
def dissolve_branch(ctx: Context, command: DissolveBranch) -> None:
    end_branch(ctx, acting_on_branch(ctx, command.branch_id), None)


@handles(
    MergeBranches,
    "org.hierarchy",
    "ledger.rectification",
    "org.jurisdiction",
    "ledger.advanced_cap",
)
def merge_branches(ctx: Context, command: MergeBranches) -> None:
    if command.branch_id == command.into_branch_id:
        raise RuleViolation("org.hierarchy", "a branch cannot merge into itself")
    absorbed = acting_on_branch(ctx, command.branch_id)
    survivor = acting_on_branch(ctx, command.into_branch_id, "into_branch_id")
    survivor.require_active()
    ctx.record(branch_rules.absorb_branch(survivor, absorbed, ctx.decision))
    end_branch(ctx, absorbed, survivor.branch_id)


@handles(
    SplitBranch,
    "org.hierarchy",
    "ledger.tiers",
    "ledger.row",
    "org.jurisdiction",
    "ledger.advanced_cap",
)
def split_branch(ctx: Context, command: SplitBranch) -> None:
    """New branches founded out of one, each with its base committee's first assessment."""
    branch = acting_on_branch(ctx, command.branch_id)
    base = branch.base_on(ctx.decision.effective_on)
    new_ids = tuple(new.branch_id for new in command.new_branches)
    split = ctx.record(branch_rules.split_branch(branch, ctx.decision, new_branch_ids=new_ids))
    if command.dissolve_original:
        # The original ends first, so that a successor may carry on its name.
        end_branch(ctx, split, None)
    for index, new in enumerate(command.new_branches):
        register(
            ctx,
            new,
            base,
            ctx.decision.effective_on.year,
            split_from=branch.branch_id,
            at=f"new_branches[{index}].",
        )
