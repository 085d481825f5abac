"""Mentoring (§6, Annex 4): a red-flag branch takes on a weaker one, within the jurisdiction
of the committee that decides it; the counts are judged when the unit ends."""

from __future__ import annotations

from datetime import date

from guoying.application.commands import EndMentoringPair, FormMentoringPair
from guoying.application.errors import NotFound
from guoying.application.lookups import acting_on_branch
from guoying.application.registry import handles
from guoying.application.unit import Context
from guoying.domain import mentoring as m
from guoying.domain.nomination import nomination_id_of, nomination_key


def _holds_title(ctx: Context, branch_id: str, on: date) -> bool:
    """`mentoring.eligibility`: a red-flag title of either level held on `on`, from any
    year's nomination of the branch."""
    for year in range(ctx.policy.first_year, on.year + 1):
        nomination = ctx.uow.get(nomination_key(nomination_id_of(branch_id, year)))
        title = nomination.title if nomination is not None else None
        if title is not None and title.since <= on:
            return True
    return False


@handles(
    FormMentoringPair,
    "mentoring.eligibility",
    "mentoring.ratio",
    "mentoring.plan",
    "org.jurisdiction",
)
def form_mentoring_pair(ctx: Context, command: FormMentoringPair) -> None:
    on = ctx.decision.effective_on
    mentor = acting_on_branch(ctx, command.mentor_branch_id, "mentor_branch_id")
    mentee = acting_on_branch(ctx, command.mentee_branch_id, "mentee_branch_id")
    mentor.require_active()
    mentee.require_active()
    tier = mentee.tier_for(on.year)
    assert tier is not None  # an active branch has a tier from its registration on
    ctx.record(
        m.form_pair(
            ctx.uow.get(m.pair_key(command.pair_id)),
            ctx.uow.get(m.mentee_key(mentee.branch_id)),
            ctx.decision,
            pair_id=command.pair_id,
            mentor_branch_id=mentor.branch_id,
            mentee_branch_id=mentee.branch_id,
            mentee_tier=tier,
            mentor_titled=_holds_title(ctx, mentor.branch_id, on),
            goal=command.goal,
            measures=command.measures,
            deadline=command.deadline,
            remarks=command.remarks,
        )
    )
    ctx.record(
        m.take_mentee(
            ctx.uow.get(m.mentor_key(mentor.branch_id)),
            ctx.decision,
            mentor=mentor.branch_id,
            pair_id=command.pair_id,
        )
    )
    ctx.record(
        m.assign_mentor(
            ctx.uow.get(m.mentee_key(mentee.branch_id)),
            ctx.decision,
            mentee=mentee.branch_id,
            pair_id=command.pair_id,
            mentor=mentor.branch_id,
        )
    )


@handles(EndMentoringPair, "mentoring.plan", "org.jurisdiction")
def end_mentoring_pair(ctx: Context, command: EndMentoringPair) -> None:
    pair = ctx.uow.get(m.pair_key(command.pair_id))
    if pair is None:
        raise NotFound("pair_id", command.pair_id)
    acting_on_branch(ctx, pair.mentor_branch_id)
    ended, released, freed = m.end_pair(
        pair,
        ctx.uow.get(m.mentor_key(pair.mentor_branch_id)),
        ctx.uow.get(m.mentee_key(pair.mentee_branch_id)),
        ctx.decision,
    )
    ctx.record(ended)
    ctx.record(released)
    ctx.record(freed)
