"""The annual selection (§5, Annex 3): places, applications, steps, consultation, lists,
notices, objections, vetoes and submissions, round by round up to the city's naming."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from guoying.application.commands import (
    AllotPlaces,
    AnswerConsultation,
    ApplyForSelection,
    DecideRoundList,
    FinaliseList,
    PublishNotice,
    RecordDossier,
    RecordSelectionStep,
    SetRoundPlaces,
    SubmitProposals,
    UpholdObjection,
    VetoNomination,
)
from guoying.application.lookups import acting_on_branch, require_branch, require_person
from guoying.application.registry import handles
from guoying.application.selection_lookups import (
    Deciding,
    decider_of,
    deciding,
    enter_round,
    finding_in_effect,
    require_eligible_now,
    require_nomination,
    require_selection_year,
    veto,
)
from guoying.application.unit import Context
from guoying.domain import nomination as n
from guoying.domain import selection_round as r
from guoying.domain import selection_year as y
from guoying.domain.exceptions import JurisdictionViolation, RuleViolation
from guoying.domain.honours import honours_key
from guoying.domain.policy import Policy
from guoying.domain.titles import confer
from guoying.domain.values import CommitteeLevel, SelectionStep, TitleLevel
from guoying.domain.vetoes import VetoSubject, record_finding, veto_key


@handles(AllotPlaces, "selection.allotment", "selection.annual_titles", "org.jurisdiction")
def allot_places(ctx: Context, command: AllotPlaces) -> None:
    """The city Organization Department allots the city's places among the city-managed
    committees; the allotments sum to at most the year's titles (judged on the count)."""
    at = deciding(ctx, command.committee_id, command.year)
    if at.committee.level is not CommitteeLevel.CITY_MANAGED:
        raise RuleViolation(
            "selection.allotment",
            f"places are allotted to city-managed committees, not to {command.committee_id!r}",
            {"committee_id": command.committee_id},
        )
    department = at.view.organization_department()
    if department is None or ctx.decision.actor.committee_id != department.committee_id:
        raise JurisdictionViolation(
            "the city Organization Department allots the year's places, not "
            f"{ctx.decision.actor.committee_id!r}",
            {"actor_committee_id": ctx.decision.actor.committee_id},
        )
    ctx.record(
        y.allot(
            ctx.uow.get(y.selection_key(command.year)),
            ctx.decision,
            year=command.year,
            committee_id=command.committee_id,
            places=command.places,
        )
    )


@handles(SetRoundPlaces, "selection.rounds", "org.jurisdiction")
def set_round_places(ctx: Context, command: SetRoundPlaces) -> None:
    at = deciding(ctx, command.committee_id, command.year)
    if at.committee.level not in {CommitteeLevel.BASE, CommitteeLevel.INTERMEDIATE}:
        raise RuleViolation(
            "selection.rounds",
            f"{command.committee_id!r} ({at.committee.level.value}) has no places set this way: "
            "a city-managed committee's come from its allotment, the city's from the allotments",
            {"committee_id": command.committee_id},
        )
    parent = at.committee.parent_id
    if ctx.decision.actor.committee_id != parent:
        raise JurisdictionViolation(
            f"the places of {command.committee_id!r}'s round are set by the committee above it, "
            f"{parent!r}, not by {ctx.decision.actor.committee_id!r}",
            {"committee_id": command.committee_id, "parent_id": parent},
        )
    ctx.record(
        r.set_places(
            ctx.uow.get(r.round_key(command.committee_id, command.year)),
            ctx.decision,
            committee_id=command.committee_id,
            year=command.year,
            places=command.places,
        )
    )


@handles(
    ApplyForSelection,
    "selection.timeline",
    "selection.veto",
    "selection.rehabilitation",
    "selection.priority",
    "selection.consultation",
    "org.jurisdiction",
)
def apply_for_selection(ctx: Context, command: ApplyForSelection) -> None:
    branch = acting_on_branch(ctx, command.branch_id)
    branch.require_active()
    branch.require_registered_by(ctx.decision.effective_on)
    policy = ctx.policy
    require_selection_year(policy, command.year)
    on = ctx.decision.effective_on
    base = branch.base_on(on)
    require_eligible_now(ctx, branch, on)
    honours = ctx.uow.get(honours_key(branch.branch_id))
    nomination = ctx.record(
        n.apply_for_selection(
            ctx.uow.get(n.nomination_key(n.nomination_id_of(branch.branch_id, command.year))),
            ctx.decision,
            branch_id=branch.branch_id,
            year=command.year,
            base_committee_id=base,
            priority_awards=honours.priority_awards(command.year, policy) if honours else (),
            due_on=policy.due_on(command.year, policy.applications_due),
        )
    )
    enter_round(ctx, nomination, base, branch)


@handles(RecordSelectionStep, "selection.timeline", "org.jurisdiction")
def record_selection_step(ctx: Context, command: RecordSelectionStep) -> None:
    nomination = require_nomination(ctx, command.nomination_id)
    committee_id = nomination.round_committee_id or nomination.base_committee_id
    at = deciding(ctx, committee_id, nomination.year)
    at.require_decider(ctx)
    due = (
        ctx.policy.due_on(nomination.year, ctx.policy.site_visits_due)
        if command.step is SelectionStep.SITE_INSPECTION
        else None
    )
    ctx.record(
        n.record_step(
            nomination,
            ctx.decision,
            step=command.step,
            committee_id=committee_id,
            level=at.committee.level,
            due_on=due,
        )
    )


@handles(RecordDossier, "selection.form", "org.jurisdiction")
def record_dossier(ctx: Context, command: RecordDossier) -> None:
    nomination = require_nomination(ctx, command.nomination_id)
    acting_on_branch(ctx, nomination.branch_id)
    require_person(ctx, command.secretary_person_id, "secretary_person_id")
    ctx.record(
        n.record_dossier(
            nomination,
            ctx.decision,
            secretary_person_id=command.secretary_person_id,
            basic_facts=command.basic_facts,
            past_honours=command.past_honours,
            main_deeds=command.main_deeds,
        )
    )


@handles(AnswerConsultation, "selection.consultation", "selection.veto", "org.jurisdiction")
def answer_consultation(ctx: Context, command: AnswerConsultation) -> None:
    at = decider_of(ctx, command.committee_id, command.year)
    found = at.require_round(ctx)
    nomination = require_nomination(ctx, command.nomination_id)
    found = ctx.record(
        r.answer(
            found,
            ctx.decision,
            nomination_id=command.nomination_id,
            agency=command.agency,
            adverse=command.adverse,
        )
    )
    if not command.adverse:
        return
    if not command.finding_id or not command.area:
        raise RuleViolation(
            "selection.consultation",
            "an adverse answer is a veto finding: give its finding_id and area",
            {"nomination_id": command.nomination_id, "agency": command.agency},
        )
    subject = veto_key(VetoSubject.BRANCH, nomination.branch_id)
    ctx.record(
        record_finding(
            ctx.uow.get(subject),
            ctx.decision,
            finding_id=command.finding_id,
            subject=VetoSubject.BRANCH,
            subject_id=nomination.branch_id,
            area=command.area,
            issuing_agency=command.agency,
            found_on=ctx.decision.effective_on,
            period=command.period,
            effective_to=command.effective_to,
        )
    )
    branch = require_branch(ctx, nomination.branch_id)
    finding = finding_in_effect(ctx, branch, ctx.decision.effective_on)
    if finding is not None:
        veto(ctx, nomination, found, finding)


@handles(VetoNomination, "selection.veto", "org.jurisdiction")
def veto_nomination(ctx: Context, command: VetoNomination) -> None:
    nomination = require_nomination(ctx, command.nomination_id)
    committee_id = nomination.round_committee_id or nomination.base_committee_id
    at = deciding(ctx, committee_id, nomination.year)
    at.require_decider(ctx)
    nomination.require_candidate_of(committee_id)
    branch = require_branch(ctx, nomination.branch_id)
    on = ctx.decision.effective_on
    finding = finding_in_effect(ctx, branch, on, command.finding_id)
    if finding is None:
        raise RuleViolation(
            "selection.veto",
            f"finding {command.finding_id!r} is not in effect on {on} against branch "
            f"{branch.branch_id!r} or its units",
            {"finding_id": command.finding_id},
        )
    veto(ctx, nomination, at.require_round(ctx), finding)


def _places(ctx: Context, at: Deciding, found: r.Round | None) -> int | None:
    """A base or intermediate round's places are set by the committee above; a
    city-managed committee passes on at most `candidates_per_place` per allotted place
    (`selection.proposal_ratio`); the city names at most the places allotted."""
    level = at.committee.level
    if level in {CommitteeLevel.BASE, CommitteeLevel.INTERMEDIATE}:
        return found.places if found else None
    year = ctx.uow.get(y.selection_key(at.year))
    if year is None or (
        level is CommitteeLevel.CITY_MANAGED and at.committee_id not in year.allotments
    ):
        return None
    if level is CommitteeLevel.CITY_MANAGED:
        return ctx.policy.candidates_per_place * year.allotments[at.committee_id]
    return min(year.allotted, ctx.policy.annual_titles)


def _due(policy: Policy, level: CommitteeLevel, year: int) -> date | None:
    if level is CommitteeLevel.CITY_MANAGED:
        return policy.due_on(year, policy.site_visits_due)
    if level is CommitteeLevel.CITY:
        return policy.due_on(year, policy.naming_around) + timedelta(policy.naming_grace_days)
    return None


def _veto_those_barred(ctx: Context, found: r.Round, ids: Iterable[str]) -> r.Round:
    """A finding in effect at a round ends the nomination there (`selection.veto`)."""
    on = ctx.decision.effective_on
    for nomination_id in list(ids):
        nomination = require_nomination(ctx, nomination_id)
        finding = finding_in_effect(ctx, require_branch(ctx, nomination.branch_id), on)
        if finding is not None:
            found = veto(ctx, nomination, found, finding)
    return found


@handles(
    DecideRoundList,
    "selection.rounds",
    "selection.consultation",
    "selection.veto",
    "selection.rehabilitation",
    "selection.timeline",
    "selection.title_levels",
    "selection.proposal_ratio",
    "selection.allotment",
    "org.jurisdiction",
)
def decide_round_list(ctx: Context, command: DecideRoundList) -> None:
    at = decider_of(ctx, command.committee_id, command.year)
    found = at.round(ctx)
    if found is not None:
        found = _veto_those_barred(ctx, found, found.live)
    level = at.committee.level
    on = ctx.decision.effective_on
    event = r.decide_list(
        found,
        ctx.decision,
        round_id=at.key.id,
        level=level,
        places=_places(ctx, at, found),
        passed=command.passed,
        titled=command.titled,
        due_on=_due(ctx.policy, level, at.year),
    )
    for nomination_id in dict.fromkeys((*command.titled, *command.passed)):
        nomination = require_nomination(ctx, nomination_id)
        n.require_steps(nomination, level, on)
        require_eligible_now(ctx, require_branch(ctx, nomination.branch_id), on)
    if level is CommitteeLevel.CITY:
        _require_within_allotments(ctx, at.year, command.passed)
    ctx.record(event)
    for nomination_id in dict.fromkeys((*command.titled, *command.passed)):
        nomination = require_nomination(ctx, nomination_id)
        ctx.record(n.recommend(nomination, ctx.decision, committee_id=at.committee_id, level=level))
    for nomination_id in event.not_passed:
        nomination = require_nomination(ctx, nomination_id)
        ctx.record(
            n.end(
                nomination, ctx.decision, outcome=n.Outcome.NOT_PASSED, committee_id=at.committee_id
            )
        )


def _require_within_allotments(ctx: Context, year: int, passed: tuple[str, ...]) -> None:
    """`selection.allotment`: the city's list names at most a committee's allotment from
    its proposals (judged again on the count when the names are recorded)."""
    counts = ctx.uow.get(y.selection_key(year))
    assert counts is not None  # the city round has places only with allotments
    for committee_id, proposed in counts.proposals.items():
        listed = [p for p in passed if p in proposed]
        allotment = counts.allotments.get(committee_id, 0)
        if len(listed) > allotment:
            raise RuleViolation(
                "selection.allotment",
                f"the list names {len(listed)} of {committee_id!r}'s proposals, more than its "
                f"allotment of {allotment}",
                {"committee_id": committee_id, "listed": len(listed), "allotment": allotment},
            )


@handles(PublishNotice, "selection.public_notice", "selection.timeline", "org.jurisdiction")
def publish_notice(ctx: Context, command: PublishNotice) -> None:
    at = decider_of(ctx, command.committee_id, command.year)
    ctx.record(
        r.publish_notice(
            at.round(ctx),
            ctx.decision,
            ctx.policy,
            round_id=at.key.id,
            level=at.committee.level,
        )
    )


@handles(UpholdObjection, "selection.public_notice", "org.jurisdiction")
def uphold_objection(ctx: Context, command: UpholdObjection) -> None:
    at = decider_of(ctx, command.committee_id, command.year)
    nomination = require_nomination(ctx, command.nomination_id)
    ctx.record(
        r.uphold_objection(
            at.round(ctx),
            ctx.decision,
            round_id=at.key.id,
            nomination_id=command.nomination_id,
        )
    )
    ctx.record(
        n.end(
            nomination,
            ctx.decision,
            outcome=n.Outcome.OBJECTION_UPHELD,
            committee_id=at.committee_id,
        )
    )


@handles(
    FinaliseList,
    "selection.public_notice",
    "selection.veto",
    "selection.title_levels",
    "selection.annual_titles",
    "selection.allotment",
    "selection.timeline",
    "reward.representative_priority",
    "org.jurisdiction",
)
def finalise_list(ctx: Context, command: FinaliseList) -> None:
    at = deciding(ctx, command.committee_id, command.year)
    level = at.committee.level
    if level is not CommitteeLevel.CITY:
        at.require_decider(ctx)
    elif ctx.decision.actor.committee_id != at.committee_id:
        raise RuleViolation(
            "selection.title_levels",
            f"the city committee names the Taishan Pioneers, not "
            f"{ctx.decision.actor.committee_id!r}",
            {"committee_id": ctx.decision.actor.committee_id},
        )
    found = at.round(ctx)
    if found is not None and found.notice is not None and found.final_on is None:
        # The red-flag branches a city-managed committee confers, not only its proposals.
        titled = (n for n in found.titled if n not in found.removed)
        found = _veto_those_barred(ctx, found, dict.fromkeys((*found.listed, *titled)))
    event = r.finalise_list(
        found,
        ctx.decision,
        round_id=at.key.id,
        due_on=_due(ctx.policy, level, at.year),
    )
    ctx.record(event)
    if level is CommitteeLevel.CITY_MANAGED:
        for nomination_id in event.titled:
            nomination = require_nomination(ctx, nomination_id)
            ctx.record(
                confer(
                    nomination,
                    at.view,
                    ctx.decision,
                    level=TitleLevel.COMMITTEE,
                    proposed=nomination_id in event.final,
                )
            )
    elif level is CommitteeLevel.CITY:
        _name(ctx, at, event.final)
    else:
        parent = at.committee.parent_id
        assert parent is not None  # a base or intermediate committee has one
        for nomination_id in event.final:
            nomination = require_nomination(ctx, nomination_id)
            enter_round(ctx, nomination, parent, require_branch(ctx, nomination.branch_id))


def _name(ctx: Context, at: Deciding, final: tuple[str, ...]) -> None:
    """The city committee names the final list; each name counts against the year's titles
    and its committee's allotment."""
    counts = ctx.uow.get(y.selection_key(at.year))
    assert counts is not None
    by_committee: dict[str, list[str]] = {}
    for nomination_id in final:
        nomination = require_nomination(ctx, nomination_id)
        ctx.record(confer(nomination, at.view, ctx.decision, level=TitleLevel.CITY))
        proposer = next(c for c, ids in counts.proposals.items() if nomination_id in ids)
        by_committee.setdefault(proposer, []).append(nomination_id)
    for committee_id, named in sorted(by_committee.items()):
        ctx.record(
            y.count_titles(
                ctx.uow.get(y.selection_key(at.year)),
                ctx.decision,
                year=at.year,
                committee_id=committee_id,
                nomination_ids=tuple(named),
            )
        )


@handles(
    SubmitProposals,
    "selection.submission",
    "selection.proposal_ratio",
    "selection.timeline",
    "org.jurisdiction",
)
def submit_proposals(ctx: Context, command: SubmitProposals) -> None:
    at = decider_of(ctx, command.committee_id, command.year)
    if at.committee.level is not CommitteeLevel.CITY_MANAGED:
        raise RuleViolation(
            "selection.submission",
            f"proposals are submitted by city-managed committees, not {command.committee_id!r}",
            {"committee_id": command.committee_id},
        )
    found = at.round(ctx)
    listed = found.listed if found else ()
    without_form = tuple(i for i in listed if require_nomination(ctx, i).dossier is None)
    event = r.submit_proposals(
        found,
        ctx.decision,
        round_id=at.key.id,
        document_no=command.document_no,
        process=command.process,
        opinions_gathered=command.opinions_gathered,
        without_form=without_form,
    )
    ctx.record(event)
    ctx.record(
        y.count_proposals(
            ctx.uow.get(y.selection_key(at.year)),
            ctx.decision,
            year=at.year,
            committee_id=at.committee_id,
            nomination_ids=event.proposals,
        )
    )
    city = next(c for c in at.view.lineage(at.committee_id) if c.level is CommitteeLevel.CITY)
    for nomination_id in event.proposals:
        nomination = require_nomination(ctx, nomination_id)
        enter_round(ctx, nomination, city.committee_id, require_branch(ctx, nomination.branch_id))
