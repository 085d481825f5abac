"""What a branch's record holds about the selection: awards, veto findings, rehabilitation;
and the titles after conferral: revocation, downgrade and the grant."""

from __future__ import annotations

from guoying.application.commands import (
    AssessRehabilitation,
    DowngradeTitle,
    GrantReward,
    RecordAward,
    RecordVetoFinding,
    RevokeTitle,
)
from guoying.application.errors import NotFound
from guoying.application.lookups import acting_on_branch, require_branch, require_tree
from guoying.application.placements import recount_branch
from guoying.application.registry import handles
from guoying.application.selection_lookups import deciding, require_nomination, veto_records
from guoying.application.unit import Context
from guoying.domain import branch as branch_rules
from guoying.domain import selection_round as r
from guoying.domain import titles
from guoying.domain.exceptions import RuleViolation
from guoying.domain.honours import honours_key, record_award
from guoying.domain.nomination import Nomination, Outcome, end
from guoying.domain.organization import unit_key
from guoying.domain.values import Tier
from guoying.domain.vetoes import VetoSubject, assess_rehabilitation, record_finding, veto_key


@handles(RecordAward, "selection.priority", "org.jurisdiction")
def record_branch_award(ctx: Context, command: RecordAward) -> None:
    branch = acting_on_branch(ctx, command.branch_id)
    ctx.record(
        record_award(
            ctx.uow.get(honours_key(branch.branch_id)),
            ctx.decision,
            branch_id=branch.branch_id,
            award_id=command.award_id,
            name=command.name,
            level=command.level,
            year=command.year,
            awarded_by=command.awarded_by,
        )
    )


@handles(RecordVetoFinding, "selection.veto", "org.jurisdiction")
def record_veto_finding(ctx: Context, command: RecordVetoFinding) -> None:
    """Recorded by the committee or department that received it, within its jurisdiction
    over the branch or the unit."""
    on = ctx.decision.effective_on
    view = require_tree(ctx).at(on)
    if command.subject is VetoSubject.BRANCH:
        committee_id = acting_on_branch(ctx, command.subject_id, "subject_id").base_on(on)
    else:
        unit = ctx.uow.get(unit_key(command.subject_id))
        if unit is None:
            raise NotFound("subject_id", command.subject_id)
        committee_id = unit.committee_id
        view.require_jurisdiction(ctx.decision.actor.committee_id, committee_id)
    ctx.record(
        record_finding(
            ctx.uow.get(veto_key(command.subject, command.subject_id)),
            ctx.decision,
            finding_id=command.finding_id,
            subject=command.subject,
            subject_id=command.subject_id,
            area=command.area,
            issuing_agency=command.issuing_agency,
            found_on=command.found_on,
            period=command.period,
            effective_to=command.effective_to,
        )
    )


@handles(AssessRehabilitation, "selection.rehabilitation", "org.jurisdiction")
def assess(ctx: Context, command: AssessRehabilitation) -> None:
    branch = acting_on_branch(ctx, command.branch_id)
    own, units = veto_records(ctx, branch)
    ctx.record(assess_rehabilitation(own, units, ctx.decision, branch_id=branch.branch_id))


def _lower_tier(ctx: Context, nomination: Nomination, tier: Tier | None) -> None:
    """`title.revocation`: the same decision may lower the branch's tier for its year."""
    if tier is None:
        return
    branch = require_branch(ctx, nomination.branch_id)
    year = ctx.decision.effective_on.year
    current = branch.tier_for(year)
    order = list(Tier)
    if current is not None and order.index(tier) <= order.index(current):
        raise RuleViolation(
            "title.revocation",
            f"the decision may lower branch {branch.branch_id!r}'s tier; {tier.value} is not "
            f"below its tier for {year}, {current.value}",
            {"tier": tier.value, "current": current.value},
        )
    ctx.record(branch_rules.adjust_tier(branch, ctx.decision, ctx.policy, year=year, tier=tier))
    recount_branch(ctx, branch.branch_id)


def _out_of_the_running(ctx: Context, nomination: Nomination) -> None:
    """A red-flag branch proposed for Taishan Pioneer whose title is revoked leaves the
    city's round: proposals are made among red-flag branches (`selection.timeline` (3))."""
    if nomination.title is not None or not nomination.is_candidate:
        return
    at = deciding(ctx, nomination.round_committee_id or "", nomination.year)
    ctx.record(
        r.remove(
            at.require_round(ctx), ctx.decision, nomination.nomination_id, r.Removal.TITLE_REVOKED
        )
    )
    ctx.record(
        end(
            nomination,
            ctx.decision,
            outcome=Outcome.TITLE_REVOKED,
            committee_id=at.committee_id,
        )
    )


@handles(RevokeTitle, "title.revocation", "ledger.annual_adjustment", "ledger.advanced_cap")
def revoke_title(ctx: Context, command: RevokeTitle) -> None:
    nomination = require_nomination(ctx, command.nomination_id)
    view = require_tree(ctx).at(ctx.decision.effective_on)
    _out_of_the_running(ctx, ctx.record(titles.revoke(nomination, view, ctx.decision)))
    _lower_tier(ctx, nomination, command.tier)


@handles(DowngradeTitle, "title.revocation", "ledger.annual_adjustment", "ledger.advanced_cap")
def downgrade_title(ctx: Context, command: DowngradeTitle) -> None:
    nomination = require_nomination(ctx, command.nomination_id)
    view = require_tree(ctx).at(ctx.decision.effective_on)
    _out_of_the_running(ctx, ctx.record(titles.downgrade(nomination, view, ctx.decision)))
    _lower_tier(ctx, nomination, command.tier)


@handles(GrantReward, "reward.grant")
def grant_reward(ctx: Context, command: GrantReward) -> None:
    nomination = require_nomination(ctx, command.nomination_id)
    view = require_tree(ctx).at(ctx.decision.effective_on)
    ctx.record(titles.grant_reward(nomination, view, ctx.decision, ctx.policy))
