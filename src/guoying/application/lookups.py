"""Finding what a command names, or saying which field named something unknown."""

from __future__ import annotations

from guoying.application.errors import NotFound
from guoying.application.unit import Context
from guoying.domain.branch import Branch, branch_key
from guoying.domain.exceptions import RuleViolation
from guoying.domain.organization import Committee, CommitteeMap, OrgTree
from guoying.domain.person import person_key


def require_tree(ctx: Context) -> OrgTree:
    if ctx.tree is None:
        raise NotFound("committee_id", "(the committee tree is empty: register the city first)")
    return ctx.tree


def require_committee(tree: OrgTree, committee_id: str, field: str) -> Committee:
    committee = tree.get(committee_id)
    if committee is None:
        raise NotFound(field, committee_id)
    return committee


def require_active_committee(
    view: CommitteeMap, tree: OrgTree, committee_id: str, field: str
) -> Committee:
    require_committee(tree, committee_id, field)
    committee = view.get_active(committee_id)
    if committee is None:
        seen = view.get(committee_id)
        state = seen.ended() if seen else f"was not yet founded on {view.on}"
        raise RuleViolation("org.hierarchy", f"committee {committee_id!r} {state}")
    return committee


def require_branch(ctx: Context, branch_id: str, field: str = "branch_id") -> Branch:
    branch = ctx.uow.get(branch_key(branch_id))
    if branch is None:
        raise NotFound(field, branch_id)
    return branch


def require_person(ctx: Context, person_id: str, field: str = "person_id") -> None:
    if ctx.uow.get(person_key(person_id)) is None:
        raise NotFound(field, person_id)


def acting_on_branch(ctx: Context, branch_id: str, field: str = "branch_id") -> Branch:
    """The branch, once the actor is found to have jurisdiction over its base committee on
    the decision's date (`org.jurisdiction`)."""
    branch = require_branch(ctx, branch_id, field)
    tree = require_tree(ctx)
    on = ctx.decision.effective_on
    tree.at(on).require_jurisdiction(ctx.decision.actor.committee_id, branch.base_on(on))
    return branch
