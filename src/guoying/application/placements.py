"""Keeping every committee's `AdvancedCount` equal to a recount, whatever the order.

A decision that changes a branch (its tiers, its base committee, its end) or the tree (a
committee moved) marks the branches concerned; when the unit ends, each one's placement
is computed from the tree and the branch as they then stand and written to every committee
whose record of it differs, the ones it used to count under included. The counts are then
judged (`ledger.advanced_cap`), so every decision is judged on counts that equal a recount.
"""

from __future__ import annotations

from attrs import define, field

from guoying.application.unit import Context, UnitOfWork
from guoying.domain.advanced_cap import cap_key, count_branch
from guoying.domain.branch import branch_key
from guoying.domain.organization import TREE_KEY
from guoying.domain.placement import placements
from guoying.domain.policy import Policy
from guoying.domain.values import Decision


@define
class ChangedPlacements:
    # Each branch to recount, with the decision (and its policy) its new placement is
    # recorded under: the last one in the unit that concerned it.
    branches: dict[str, tuple[Decision, Policy, object]] = field(factory=dict)
    # Committees moved in the tree, from a year on, and the command that moved them.
    committees: list[tuple[str, int, Decision, Policy, object]] = field(factory=list)

    def finish(self, uow: UnitOfWork) -> None:
        tree, tree_before = uow.get(TREE_KEY), uow.before(TREE_KEY)
        assert tree is not None
        affected = dict(self.branches)
        for committee_id, year, decision, policy, cause in self.committees:
            count = uow.before(cap_key(committee_id))
            for branch_id in count.counted_from(year) if count else ():
                affected.setdefault(branch_id, (decision, policy, cause))
        for branch_id, (decision, policy, cause) in sorted(affected.items()):
            branch = uow.get(branch_key(branch_id))
            if branch is None:
                continue
            earlier = uow.before(branch_key(branch_id))
            old = placements(tree_before, earlier) if tree_before and earlier else {}
            new = placements(tree, branch)
            for committee_id in [*new, *(c for c in old if c not in new)]:
                count = uow.get(cap_key(committee_id))
                wanted = new.get(committee_id, ())
                if (count.placements.get(branch_id, ()) if count else ()) == wanted:
                    continue
                uow.record(
                    count_branch(
                        count,
                        decision,
                        committee_id=committee_id,
                        branch_id=branch_id,
                        placement=wanted,
                    ),
                    policy,
                    cause,
                )


def recount_branch(ctx: Context, branch_id: str) -> None:
    ctx.uow.concern(ChangedPlacements).branches[branch_id] = (
        ctx.decision,
        ctx.policy,
        ctx.command,
    )


def recount_committee(ctx: Context, committee_id: str) -> None:
    """A committee moved: every branch counted under it from the year of the move on."""
    ctx.uow.concern(ChangedPlacements).committees.append(
        (committee_id, ctx.decision.effective_on.year, ctx.decision, ctx.policy, ctx.command)
    )
