"""Supervision, accountability, linkage and funding (§4, §7, §8, §9): who may record each,
and on what. Exchanges, special meetings, linkage decisions and funding are recorded, never
judged; their compliance and figures are the read side's (projections/oversight)."""

from __future__ import annotations

from datetime import date

from guoying.application.commands import (
    DecideRewardLinkage,
    HoldObservationExchange,
    HoldSpecialMeeting,
    IssueAccountabilityFinding,
    RecordFalsification,
    RecordFunding,
    RecordSupervisionVisit,
)
from guoying.application.lookups import (
    acting_on_branch,
    require_active_committee,
    require_branch,
    require_person,
    require_tree,
)
from guoying.application.registry import handles
from guoying.application.unit import Context
from guoying.domain import accountability as acc
from guoying.domain import supervision as sup
from guoying.domain.exceptions import JurisdictionViolation, RuleViolation
from guoying.domain.organization import Committee, CommitteeMap
from guoying.domain.rules import RuleId
from guoying.domain.values import year_end


def _committee_acted_on(ctx: Context, committee_id: str) -> tuple[CommitteeMap, Committee]:
    """The tree on the decision's date and the committee, once the actor is found to have
    jurisdiction over it: itself, a committee above it, or the Organization Department."""
    tree = require_tree(ctx)
    view = tree.at(ctx.decision.effective_on)
    committee = require_active_committee(view, tree, committee_id, "committee_id")
    view.require_jurisdiction(ctx.decision.actor.committee_id, committee_id)
    return view, committee


def _issued_from_above(ctx: Context, committee_id: str, rule_id: RuleId) -> CommitteeMap:
    """`org.jurisdiction` for a finding against a committee: only a body above it, or the
    city Organization Department, finds against it; never the committee itself."""
    view, _ = _committee_acted_on(ctx, committee_id)
    if ctx.decision.actor.committee_id == committee_id:
        raise JurisdictionViolation(
            f"{committee_id!r} cannot record a finding ({rule_id}) against itself; a body "
            "above it or the city Organization Department does",
            {"committee_id": committee_id},
        )
    return view


@handles(RecordSupervisionVisit, "supervision.methods", "org.jurisdiction")
def record_supervision_visit(ctx: Context, command: RecordSupervisionVisit) -> None:
    on = ctx.decision.effective_on
    branch = acting_on_branch(ctx, command.branch_id)
    branch.require_registered_by(on)
    branch.require_active()
    visitor = require_tree(ctx).at(on).get_active(ctx.decision.actor.committee_id)
    assert visitor is not None  # jurisdiction is only found for an active committee
    ctx.record(
        sup.record_visit(
            ctx.uow.get(sup.visit_key(command.visit_id)),
            ctx.decision,
            visit_id=command.visit_id,
            level=visitor.level,
            branch_id=branch.branch_id,
            branch_committee_id=branch.base_on(on),
            method=command.method,
            findings=command.findings,
            follow_up=command.follow_up,
        )
    )


@handles(HoldObservationExchange, "supervision.exchange", "org.jurisdiction")
def hold_observation_exchange(ctx: Context, command: HoldObservationExchange) -> None:
    _committee_acted_on(ctx, command.committee_id)
    ctx.record(
        sup.hold_exchange(
            ctx.uow.get(sup.exchange_key(command.exchange_id)),
            ctx.decision,
            exchange_id=command.exchange_id,
            committee_id=command.committee_id,
            topic=command.topic,
            participants=command.participants,
        )
    )


@handles(HoldSpecialMeeting, "supervision.special_meeting", "org.jurisdiction")
def hold_special_meeting(ctx: Context, command: HoldSpecialMeeting) -> None:
    _committee_acted_on(ctx, command.committee_id)
    require_person(ctx, command.chaired_by, "chaired_by")
    ctx.record(
        sup.hold_special_meeting(
            ctx.uow.get(sup.meeting_key(command.meeting_id)),
            ctx.decision,
            meeting_id=command.meeting_id,
            committee_id=command.committee_id,
            chaired_by=command.chaired_by,
            topic=command.topic,
        )
    )


@handles(RecordFalsification, "accountability.falsification", "org.jurisdiction")
def record_falsification(ctx: Context, command: RecordFalsification) -> None:
    """The branches concerned are the reporting committee's: in its subtree at the end of the
    report's year (or on the finding's date, if earlier)."""
    _issued_from_above(ctx, command.committee_id, "accountability.falsification")
    at: date = min(year_end(command.year), ctx.decision.effective_on)
    then = require_tree(ctx).at(at)
    for index, branch_id in enumerate(command.branch_ids):
        branch = require_branch(ctx, branch_id, f"branch_ids[{index}]")
        if not then.may_act_on(command.committee_id, branch.base_on(at)):
            raise RuleViolation(
                "accountability.falsification",
                f"branch {branch_id!r} was not under {command.committee_id!r} on {at}; the "
                "branches concerned are those of the reporting committee",
                {"branch_id": branch_id, "committee_id": command.committee_id},
            )
    ctx.record(
        acc.find_falsification(
            ctx.uow.get(acc.falsification_key(command.finding_id)),
            ctx.decision,
            ctx.policy,
            finding_id=command.finding_id,
            committee_id=command.committee_id,
            year=command.year,
            report=command.report,
            branch_ids=command.branch_ids,
        )
    )


@handles(IssueAccountabilityFinding, "accountability.findings", "org.jurisdiction")
def issue_accountability_finding(ctx: Context, command: IssueAccountabilityFinding) -> None:
    _issued_from_above(ctx, command.committee_id, "accountability.findings")
    for index, person_id in enumerate(command.person_ids):
        require_person(ctx, person_id, f"person_ids[{index}]")
    ctx.record(
        acc.issue_finding(
            ctx.uow.get(acc.accountability_key(command.finding_id)),
            ctx.decision,
            finding_id=command.finding_id,
            committee_id=command.committee_id,
            kind=command.held_for,
            person_ids=command.person_ids,
            decision_taken=command.decision,
        )
    )


@handles(DecideRewardLinkage, "reward.linkage", "org.jurisdiction")
def decide_reward_linkage(ctx: Context, command: DecideRewardLinkage) -> None:
    """The tier is the ledger's, never the command's: the branch's tier in effect for the
    year (its evaluation result, or the tier carried over) as the branch stands now."""
    branch = acting_on_branch(ctx, command.branch_id)
    if command.person_id is not None:
        require_person(ctx, command.person_id)
    ctx.record(
        acc.decide_linkage(
            ctx.uow.get(acc.linkage_key(command.decision_id)),
            ctx.decision,
            decision_id=command.decision_id,
            kind=command.linked_to,
            branch_id=branch.branch_id,
            person_id=command.person_id,
            committee_id=branch.base_on(ctx.decision.effective_on),
            year=command.year,
            tier=branch.tier_for(command.year),
            evaluated=command.year in branch.results,
            measure=command.measure,
        )
    )


@handles(RecordFunding, "resources.funding", "org.jurisdiction")
def record_funding(ctx: Context, command: RecordFunding) -> None:
    _committee_acted_on(ctx, command.committee_id)
    ctx.record(
        acc.record_funding(
            ctx.uow.get(acc.funding_key(command.funding_id)),
            ctx.decision,
            ctx.policy,
            funding_id=command.funding_id,
            committee_id=command.committee_id,
            year=command.year,
            kind=command.fund,
            amount_yuan=command.amount_yuan,
        )
    )
