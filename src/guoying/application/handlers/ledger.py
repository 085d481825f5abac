"""The ledger (Annex 1): tiers adjusted after each year's evaluation
(`ledger.annual_adjustment`), targets, liaisons, rectification cases, common problems,
corrections, and the parent committee's exception to `ledger.advanced_cap`."""

from __future__ import annotations

from guoying.application.commands import (
    AdjustTier,
    ApproveCapException,
    AssignLiaison,
    CorrectRecord,
    RecordCommonProblem,
    RecordProblem,
    SetCreationTarget,
    SignOffRectification,
)
from guoying.application.errors import InvalidCommand, NotFound
from guoying.application.lookups import (
    acting_on_branch,
    require_committee,
    require_person,
    require_tree,
)
from guoying.application.placements import recount_branch
from guoying.application.registry import handles
from guoying.application.unit import Context
from guoying.domain import branch as branch_rules
from guoying.domain import corrections
from guoying.domain.advanced_cap import approve_exception, cap_key
from guoying.domain.common_problems import problems_key, record_common_problem


@handles(AdjustTier, "ledger.annual_adjustment", "org.jurisdiction", "ledger.advanced_cap")
def adjust_tier(ctx: Context, command: AdjustTier) -> None:
    branch = acting_on_branch(ctx, command.branch_id)
    ctx.record(
        branch_rules.adjust_tier(
            branch, ctx.decision, ctx.policy, year=command.year, tier=command.tier
        )
    )
    recount_branch(ctx, command.branch_id)


@handles(ApproveCapException, "ledger.advanced_cap", "org.jurisdiction")
def approve_cap_exception(ctx: Context, command: ApproveCapException) -> None:
    tree = require_tree(ctx)
    require_committee(tree, command.committee_id, "committee_id")
    ctx.record(
        approve_exception(
            ctx.uow.get(cap_key(command.committee_id)),
            tree.at(ctx.decision.effective_on),
            ctx.decision,
            ctx.policy,
            committee_id=command.committee_id,
            year=command.year,
        )
    )


@handles(SetCreationTarget, "ledger.row", "org.jurisdiction")
def set_creation_target(ctx: Context, command: SetCreationTarget) -> None:
    branch = acting_on_branch(ctx, command.branch_id)
    ctx.record(
        branch_rules.set_creation_target(
            branch, ctx.decision, ctx.policy, year=command.year, target=command.target
        )
    )


@handles(AssignLiaison, "ledger.liaison_coverage", "org.jurisdiction")
def assign_liaison(ctx: Context, command: AssignLiaison) -> None:
    branch = acting_on_branch(ctx, command.branch_id)
    require_person(ctx, command.person_id)
    ctx.record(
        branch_rules.assign_liaison(
            branch, ctx.decision, person_id=command.person_id, position=command.position
        )
    )


@handles(RecordProblem, "ledger.rectification", "org.jurisdiction")
def record_problem(ctx: Context, command: RecordProblem) -> None:
    branch = acting_on_branch(ctx, command.branch_id)
    require_person(ctx, command.owner_id, "owner_id")
    ctx.record(
        branch_rules.record_problem(
            branch,
            ctx.decision,
            case_id=command.case_id,
            problem=command.problem,
            measure=command.measure,
            owner_id=command.owner_id,
            deadline=command.deadline,
        )
    )


@handles(SignOffRectification, "ledger.rectification", "org.jurisdiction")
def sign_off_rectification(ctx: Context, command: SignOffRectification) -> None:
    branch = acting_on_branch(ctx, command.branch_id)
    ctx.record(
        branch_rules.sign_off_rectification(
            branch, ctx.decision, case_id=command.case_id, outcome=command.outcome
        )
    )


@handles(RecordCommonProblem, "ledger.row", "org.jurisdiction")
def common_problem(ctx: Context, command: RecordCommonProblem) -> None:
    tree = require_tree(ctx)
    require_committee(tree, command.committee_id, "committee_id")
    tree.at(ctx.decision.effective_on).require_jurisdiction(
        command.actor.committee_id, command.committee_id
    )
    ctx.record(
        record_common_problem(
            ctx.uow.get(problems_key(command.committee_id)),
            ctx.decision,
            ctx.policy,
            committee_id=command.committee_id,
            problem_id=command.problem_id,
            year=command.year,
            problem=command.problem,
            measure=command.measure,
        )
    )


def _event_id(text: str) -> tuple[str, int]:
    # The command's validator has checked the form; this guards Python callers who skip it.
    aggregate_id, _, version = text.rpartition("@")
    if not aggregate_id or not version.isdigit():
        raise InvalidCommand(
            [f'$.corrects: expected an event id such as "branch:ID@3", not {text!r}']
        )
    return aggregate_id, int(version)


@handles(CorrectRecord, "ledger.row", "org.jurisdiction", "ledger.advanced_cap")
def correct_record(ctx: Context, command: CorrectRecord) -> None:
    """A recorded fact corrected by a new event naming it; a corrected tier is recounted
    under the caps it counts towards."""
    branch = acting_on_branch(ctx, command.branch_id)
    aggregate_id, version = _event_id(command.corrects)
    corrected = ctx.store.event(aggregate_id, version)
    if corrected is None or (version > branch.version and aggregate_id == branch.id):
        raise NotFound("corrects", command.corrects)
    if command.person_id is not None:
        require_person(ctx, command.person_id)
    ctx.record(
        corrections.correct_record(
            branch,
            corrected,
            ctx.decision,
            {name: getattr(command, name) for name in corrections.CORRECTED_FIELDS},
        )
    )
    recount_branch(ctx, command.branch_id)
