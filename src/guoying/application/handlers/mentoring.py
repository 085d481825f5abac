"""Mentoring (§6, Annex 4): a red-flag branch takes on a weaker one, within the jurisdiction
of the committee that decides it; the counts are judged when the unit ends."""

from __future__ import annotations

from datetime import date

from guoying.application.commands import (
    EndMentoringPair,
    FileMentoringSchedule,
    FormMentoringPair,
)
from guoying.application.errors import NotFound
from guoying.application.lookups import (
    acting_on_branch,
    require_active_committee,
    require_committee,
    require_tree,
)
from guoying.application.registry import handles
from guoying.application.titles_held import holds_title
from guoying.application.unit import Context
from guoying.domain import mentoring as m
from guoying.domain.exceptions import JurisdictionViolation, RuleViolation
from guoying.domain.values import CommitteeLevel, TitleLevel


def _holds_title(
    ctx: Context, branch_id: str, on: date, levels: frozenset[TitleLevel] = frozenset(TitleLevel)
) -> bool:
    return holds_title(ctx.uow, branch_id, on, ctx.policy.first_year, levels)


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


@handles(FileMentoringSchedule, "mentoring.plan", "mentoring.eligibility", "org.jurisdiction")
def file_mentoring_schedule(ctx: Context, command: FileMentoringSchedule) -> None:
    """The schedule is the city-managed committee's own filing; it lists active pairs of
    Taishan Pioneers within its jurisdiction (rules.md `mentoring.eligibility`)."""
    on = ctx.decision.effective_on
    tree = require_tree(ctx)
    require_committee(tree, command.committee_id, "committee_id")
    view = tree.at(on)
    committee = require_active_committee(view, tree, command.committee_id, "committee_id")
    if committee.level is not CommitteeLevel.CITY_MANAGED:
        raise RuleViolation(
            "mentoring.plan",
            f"a mentoring schedule is filed by a city-managed committee, not by "
            f"{command.committee_id!r} ({committee.level.value})",
            {"committee_id": command.committee_id},
        )
    if ctx.decision.actor.committee_id != command.committee_id:
        raise JurisdictionViolation(
            f"{command.committee_id!r} files its own schedule, not "
            f"{ctx.decision.actor.committee_id!r}",
            {"committee_id": command.committee_id},
        )
    for pair_id in command.pair_ids:
        pair = ctx.uow.get(m.pair_key(pair_id))
        if pair is None:
            raise NotFound("pair_ids", pair_id)
        acting_on_branch(ctx, pair.mentor_branch_id)
        if not pair.active:
            raise RuleViolation(
                "mentoring.plan", f"pair {pair_id!r} has ended", {"pair_id": pair_id}
            )
        if not _holds_title(ctx, pair.mentor_branch_id, on, frozenset({TitleLevel.CITY})):
            raise RuleViolation(
                "mentoring.eligibility",
                f"the schedule lists Taishan Pioneers' pairs; the mentor of {pair_id!r}, "
                f"{pair.mentor_branch_id!r}, holds no Taishan Pioneer title on {on}",
                {"pair_id": pair_id},
            )
    ctx.record(
        m.file_schedule(
            ctx.uow.get(m.schedule_key(command.committee_id, command.year)),
            ctx.decision,
            ctx.policy,
            committee_id=command.committee_id,
            year=command.year,
            pair_ids=command.pair_ids,
        )
    )
