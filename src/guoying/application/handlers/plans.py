"""The plans: implementation plans submitted to the body above and reviewed by it
(`plan.filing`), and the three-year cultivation plan of Annex 2 (`cultivation.*`)."""

from __future__ import annotations

from guoying.application.commands import (
    AcceptImplementationPlan,
    FileCultivationPlan,
    ReturnImplementationPlan,
    SubmitImplementationPlan,
)
from guoying.application.lookups import (
    require_active_committee,
    require_branch,
    require_person,
    require_tree,
)
from guoying.application.registry import handles
from guoying.application.unit import Context
from guoying.domain import cultivation as c
from guoying.domain import plans as p
from guoying.domain.exceptions import JurisdictionViolation
from guoying.domain.organization import Committee, CommitteeMap


def _committee(ctx: Context, committee_id: str) -> tuple[CommitteeMap, Committee]:
    tree = require_tree(ctx)
    view = tree.at(ctx.decision.effective_on)
    return view, require_active_committee(view, tree, committee_id, "committee_id")


@handles(SubmitImplementationPlan, "plan.filing", "org.jurisdiction")
def submit_implementation_plan(ctx: Context, command: SubmitImplementationPlan) -> None:
    view, committee = _committee(ctx, command.committee_id)
    window = p.window_of(ctx.policy, command.year)
    ctx.record(
        p.submit_plan(
            ctx.uow.get(p.implementation_plan_key(committee.committee_id, window[0])),
            view,
            ctx.decision,
            ctx.policy,
            committee=committee,
            year=command.year,
            submitted_to=command.submitted_to,
            indicators=command.indicators,
            measures=command.measures,
            responsibilities=command.responsibilities,
        )
    )


def _submitted(ctx: Context, committee_id: str, year: int) -> p.ImplementationPlan | None:
    _committee(ctx, committee_id)
    window = p.window_of(ctx.policy, year)
    return ctx.uow.get(p.implementation_plan_key(committee_id, window[0]))


@handles(AcceptImplementationPlan, "plan.filing", "org.jurisdiction")
def accept_implementation_plan(ctx: Context, command: AcceptImplementationPlan) -> None:
    plan = _submitted(ctx, command.committee_id, command.year)
    ctx.record(p.accept_plan(plan, ctx.decision, committee_id=command.committee_id))


@handles(ReturnImplementationPlan, "plan.filing", "org.jurisdiction")
def return_implementation_plan(ctx: Context, command: ReturnImplementationPlan) -> None:
    plan = _submitted(ctx, command.committee_id, command.year)
    ctx.record(
        p.return_plan(
            plan, ctx.decision, committee_id=command.committee_id, reasons=command.reasons
        )
    )


@handles(
    FileCultivationPlan,
    "cultivation.batches",
    "cultivation.row",
    "cultivation.minimum",
    "cultivation.coverage",
    "cultivation.deadline",
    "org.hierarchy",
    "org.jurisdiction",
)
def file_cultivation_plan(ctx: Context, command: FileCultivationPlan) -> None:
    """Every row's branch lies in the filing committee's subtree on the filing date
    (`org.jurisdiction`) and its liaison is a registered person."""
    on = ctx.decision.effective_on
    view, committee = _committee(ctx, command.committee_id)
    c.require_filer(committee, ctx.decision)
    planned = []
    for index, row in enumerate(command.rows):
        branch = require_branch(ctx, row.branch_id, f"rows[{index}].branch_id")
        base = branch.base_on(on)
        if not view.may_act_on(committee.committee_id, base):
            raise JurisdictionViolation(
                f"rows[{index}].branch_id: branch {row.branch_id!r} is not in "
                f"{committee.committee_id!r}'s subtree on {on}",
                {"branch_id": row.branch_id, "committee_id": committee.committee_id},
            )
        branch.require_active("cultivation.row")
        require_person(ctx, row.person_id, f"rows[{index}].person_id")
        planned.append(
            c.PlannedExemplar(
                year=row.year,
                batch=row.batch,
                branch_id=branch.branch_id,
                sector=branch.sector,
                measures=row.measures,
                person_id=row.person_id,
                position=row.position,
            )
        )
    window = p.window_of(ctx.policy, command.year, "cultivation.row")
    ctx.record(
        c.file_cultivation_plan(
            ctx.uow.get(c.cultivation_key(committee.committee_id, window[0])),
            view,
            ctx.decision,
            ctx.policy,
            committee=committee,
            year=command.year,
            stated_number=command.stated_number,
            rows=planned,
        )
    )
