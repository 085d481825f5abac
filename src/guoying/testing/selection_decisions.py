"""How `SelectionModel` decides each selection command: the machine's own reading of rules.md
section 6, in the handlers' order of checks. Each function changes the model as the command
would change the store, or raises `Predicted` with the refusal the library must give."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from guoying.application import commands as c
from guoying.application.errors import NotAuthorized, NotFound
from guoying.domain.values import AwardLevel, CommitteeLevel, Tier, TitleLevel, VetoPeriod
from guoying.domain.vetoes import VetoSubject
from guoying.testing.selection_model import (
    NOT_PASSED,
    OBJECTION,
    STEP_FIRST,
    STEP_LEVEL,
    STEPS_FOR_LIST,
    TITLE_REVOKED,
    VETOED,
    FindingModel,
    NominationModel,
    Predicted,
    RoundModel,
    SelectionModel,
    refused,
)

__all__ = ["DECISIONS", "decide"]


def _on(command: c.Command) -> date:
    assert command.effective_on is not None, "the machine dates every decision"
    return command.effective_on


# The commands


def allot_places(model: SelectionModel, command: c.AllotPlaces) -> None:
    if model.deciding(command.committee_id) is not CommitteeLevel.CITY_MANAGED:
        raise refused("selection.allotment")
    actor = command.actor.committee_id
    if actor != model.city.organization_department_id:
        raise Predicted(NotAuthorized, "org.jurisdiction")
    if command.places < 0 or model.proposals.get(command.committee_id):
        raise refused("selection.allotment")
    model.allotments[command.committee_id] = command.places
    model.counted = True
    model.judge()


def set_round_places(model: SelectionModel, command: c.SetRoundPlaces) -> None:
    level = model.deciding(command.committee_id)
    if level not in (CommitteeLevel.BASE, CommitteeLevel.INTERMEDIATE):
        raise refused("selection.rounds")
    if command.actor.committee_id != model.parent_of(command.committee_id):
        raise Predicted(NotAuthorized, "org.jurisdiction")
    on = _on(command)
    model.require_open(model.rounds.get(command.committee_id), on)
    if command.places < 1:
        raise refused("selection.rounds")
    found = model.round(command.committee_id)
    found.places = command.places
    found.touch(on)


def apply_for_selection(model: SelectionModel, command: c.ApplyForSelection) -> None:
    plan = model.acting_on_branch(command, command.branch_id)
    on = _on(command)
    model.require_eligible(plan.branch_id, on)
    nomination_id = f"{plan.branch_id}-{command.year}"
    if nomination_id in model.nominations or on.year != command.year:
        raise refused("selection.timeline")
    window = range(command.year - model.policy.priority_window_years, command.year)
    awards = model.awards.get(plan.branch_id, {})
    priority = tuple(
        award_id
        for award_id, (level, year) in sorted(awards.items(), key=lambda a: (a[1][1], a[0]))
        if level.rank >= AwardLevel.PROVINCIAL.rank and year in window
    )
    nomination = NominationModel(
        nomination_id, plan.branch_id, plan.base_committee_id, None, priority
    )
    model.nominations[nomination_id] = nomination
    model.enter(nomination, plan.base_committee_id, on)


def record_selection_step(model: SelectionModel, command: c.RecordSelectionStep) -> None:
    nomination = model.require_nomination(command.nomination_id)
    committee_id = nomination.round_committee_id or nomination.base_committee_id
    level = model.deciding(committee_id)
    model.require_decider(command, committee_id, level)
    model.require_candidate_of(nomination, committee_id)
    on = _on(command)
    first = STEP_FIRST.get(command.step)
    first_on = nomination.steps.get(first) if first is not None else on
    if (
        STEP_LEVEL[command.step] is not level
        or command.step in nomination.steps
        or first_on is None
        or first_on > on
    ):
        raise refused("selection.timeline")
    nomination.steps[command.step] = on


def record_dossier(model: SelectionModel, command: c.RecordDossier) -> None:
    nomination = model.require_nomination(command.nomination_id)
    model.acting_on_branch(command, nomination.branch_id)
    if command.secretary_person_id not in model.city.person_ids:
        raise Predicted(NotFound)
    if nomination.ended is not None:
        raise refused("selection.timeline")
    nomination.dossier = True


def _record_finding(
    model: SelectionModel,
    subject: VetoSubject,
    subject_id: str,
    finding_id: str,
    found_on: date,
    period: VetoPeriod,
    effective_to: date | None,
    on: date,
) -> None:
    record = model.findings.setdefault(model.record_of(subject, subject_id), {})
    if finding_id in record or found_on > on:
        raise refused("selection.veto")
    if period is VetoPeriod.CALENDAR_YEAR:
        start, end = date(found_on.year, 1, 1), date(found_on.year, 12, 31)
    elif period is VetoPeriod.YEAR_AND_NEXT:
        start, end = date(found_on.year, 1, 1), date(found_on.year + 1, 12, 31)
    elif effective_to is None or effective_to < found_on:
        raise refused("selection.veto")
    else:
        start, end = found_on, effective_to
    record[finding_id] = FindingModel(finding_id, subject, subject_id, found_on, start, end)


def answer_consultation(model: SelectionModel, command: c.AnswerConsultation) -> None:
    level = model.deciding(command.committee_id)
    model.require_decider(command, command.committee_id, level)
    found = model.rounds.get(command.committee_id)
    if found is None:
        raise Predicted(NotFound)
    nomination = model.require_nomination(command.nomination_id)
    on = _on(command)
    model.require_open(found, on)
    if command.nomination_id not in found.live:
        raise refused("selection.rounds")
    key = (command.nomination_id, command.agency)
    if command.agency not in found.required[command.nomination_id] or key in found.answers:
        raise refused("selection.consultation")
    found.answers.add(key)
    found.touch(on)
    if not command.adverse:
        return
    if not command.finding_id or not command.area:
        raise refused("selection.consultation")
    _record_finding(
        model,
        VetoSubject.BRANCH,
        nomination.branch_id,
        command.finding_id,
        on,
        command.period,
        command.effective_to,
        on,
    )
    if model.in_effect(nomination.branch_id, on):
        model.veto(nomination, found, on)


def veto_nomination(model: SelectionModel, command: c.VetoNomination) -> None:
    nomination = model.require_nomination(command.nomination_id)
    committee_id = nomination.round_committee_id or nomination.base_committee_id
    level = model.deciding(committee_id)
    model.require_decider(command, committee_id, level)
    model.require_candidate_of(nomination, committee_id)
    on = _on(command)
    if command.finding_id not in {f.finding_id for f in model.in_effect(nomination.branch_id, on)}:
        raise refused("selection.veto")
    model.veto(nomination, model.rounds[committee_id], on)


def decide_round_list(model: SelectionModel, command: c.DecideRoundList) -> None:
    level = model.deciding(command.committee_id)
    model.require_decider(command, command.committee_id, level)
    on = _on(command)
    found = model.rounds.get(command.committee_id)
    if found is not None:
        model.veto_barred(found, found.live, on)
    if found is None or not found.candidates:
        raise refused("selection.rounds")
    model.require_open(found, on)
    places = model.places_of(command.committee_id)
    live = found.live
    if places is None or len(live) <= places:
        raise refused("selection.rounds")
    for nomination_id in (*command.passed, *command.titled):
        if nomination_id in found.removed:
            raise refused(
                "selection.veto"
                if found.removed[nomination_id] == VETOED
                else "selection.public_notice"
            )
        if nomination_id not in live:
            raise refused("selection.rounds")
    if (
        len(set(command.passed)) != len(command.passed)
        or len(set(command.titled)) != len(command.titled)
        or len(command.passed) > places
    ):
        raise refused("selection.rounds")
    if command.titled and level is not CommitteeLevel.CITY_MANAGED:
        raise refused("selection.title_levels")
    if level is CommitteeLevel.CITY_MANAGED and set(command.passed) - set(command.titled):
        raise refused("selection.timeline")
    if any(found.awaited(n) for n in live):
        raise refused("selection.consultation")
    chosen = list(dict.fromkeys((*command.titled, *command.passed)))
    for nomination_id in chosen:
        nomination = model.nominations[nomination_id]
        for step in STEPS_FOR_LIST.get(level, ()):
            if step not in nomination.steps or nomination.steps[step] > on:
                raise refused("selection.timeline")
        model.require_eligible(nomination.branch_id, on)
    if level is CommitteeLevel.CITY:
        for committee_id, proposed in model.proposals.items():
            listed = [p for p in command.passed if p in proposed]
            if len(listed) > model.allotments.get(committee_id, 0):
                raise refused("selection.allotment")
    found.passed, found.titled = command.passed, command.titled
    found.touch(on)
    for nomination_id in chosen:
        model.nominations[nomination_id].recommended_by.append(command.committee_id)
    for nomination_id in live:
        if nomination_id not in chosen:
            nomination = model.nominations[nomination_id]
            nomination.ended, nomination.round_committee_id = NOT_PASSED, None


def publish_notice(model: SelectionModel, command: c.PublishNotice) -> None:
    level = model.deciding(command.committee_id)
    model.require_decider(command, command.committee_id, level)
    found = model.rounds.get(command.committee_id)
    if found is None or found.passed is None or found.notice_on is not None:
        raise refused("selection.timeline")
    on = _on(command)
    model.require_in_order(found, on)
    found.notice_on = on
    found.notice_days = (
        model.policy.city_notice_days
        if level is CommitteeLevel.CITY
        else model.policy.unit_notice_days
    )
    found.touch(on)


def _noticed(found: RoundModel | None) -> RoundModel:
    if found is None or found.notice_on is None:
        raise refused("selection.timeline")
    if found.final_on is not None:
        raise refused("selection.public_notice")
    return found


def uphold_objection(model: SelectionModel, command: c.UpholdObjection) -> None:
    level = model.deciding(command.committee_id)
    model.require_decider(command, command.committee_id, level)
    nomination = model.require_nomination(command.nomination_id)
    found = _noticed(model.rounds.get(command.committee_id))
    on = _on(command)
    assert found.notice_on is not None
    assert found.final_from is not None
    if not found.notice_on <= on < found.final_from:
        raise refused("selection.public_notice")
    titled = (n for n in found.titled if n not in found.removed)
    if command.nomination_id not in (*found.listed, *titled):
        raise refused("selection.public_notice")
    found.removed[command.nomination_id] = OBJECTION
    found.touch(on)
    nomination.ended, nomination.round_committee_id = OBJECTION, None


def barred_at_finalisation(found: RoundModel) -> list[str]:
    """Whom a finalisation re-checks for a finding in effect: the list it makes final
    and, at a city-managed committee, the red-flag branches it confers."""
    titled = [n for n in found.titled if n not in found.removed]
    return list(dict.fromkeys((*found.listed, *titled)))


def finalise_list(model: SelectionModel, command: c.FinaliseList) -> None:
    level = model.deciding(command.committee_id)
    if level is not CommitteeLevel.CITY:
        model.require_decider(command, command.committee_id, level)
    elif command.actor.committee_id != command.committee_id:
        raise refused("selection.title_levels")
    on = _on(command)
    found = model.rounds.get(command.committee_id)
    if found is not None and found.notice_on is not None and found.final_on is None:
        model.veto_barred(found, barred_at_finalisation(found), on)
    found = _noticed(found)
    assert found.final_from is not None
    if on < found.final_from:
        raise refused("selection.public_notice")
    final = found.listed
    titled = [n for n in found.titled if n not in found.removed]
    found.final_on = on
    found.touch(on)
    if level is CommitteeLevel.CITY_MANAGED:
        for nomination_id in titled:
            _confer(model, nomination_id, TitleLevel.COMMITTEE, command.committee_id)
            if nomination_id not in final:
                model.nominations[nomination_id].round_committee_id = None
    elif level is CommitteeLevel.CITY:
        for nomination_id in final:
            _confer(model, nomination_id, TitleLevel.CITY, command.committee_id)
            model.nominations[nomination_id].round_committee_id = None
            proposer = model.proposer_of(nomination_id)
            model.named[proposer] = (*model.named.get(proposer, ()), nomination_id)
        if final:
            model.judge()
    else:
        parent = model.parent_of(command.committee_id)
        assert parent is not None
        for nomination_id in final:
            model.enter(model.nominations[nomination_id], parent, on)


def _confer(model: SelectionModel, nomination_id: str, level: TitleLevel, by: str) -> None:
    nomination = model.nominations[nomination_id]
    nomination.title = (level, by)
    nomination.titles.append((level, by))


def submit_proposals(model: SelectionModel, command: c.SubmitProposals) -> None:
    level = model.deciding(command.committee_id)
    model.require_decider(command, command.committee_id, level)
    if level is not CommitteeLevel.CITY_MANAGED:
        raise refused("selection.submission")
    found = model.rounds.get(command.committee_id)
    if found is None or found.final_on is None:
        raise refused("selection.timeline")
    if found.submitted:
        raise refused("selection.submission")
    on = _on(command)
    model.require_in_order(found, on)
    if any(not model.nominations[n].dossier for n in found.listed):
        raise refused("selection.submission")
    found.submitted = True
    found.touch(on)
    model.proposals[command.committee_id] = found.listed
    model.counted = True
    for nomination_id in found.listed:
        model.enter(model.nominations[nomination_id], model.city.city_id, on)
    model.judge()


def _require_decides_title(
    model: SelectionModel, command: c.Command, nomination: NominationModel
) -> None:
    if nomination.title is None:
        raise refused("title.revocation")
    if command.actor.committee_id not in model.city.lineage(nomination.title[1]):
        raise refused("title.revocation")


def _lower_tier(model: SelectionModel, branch_id: str, tier: Tier | None) -> None:
    if tier is None:
        return
    order = list(Tier)
    if order.index(tier) <= order.index(model.tiers[branch_id]):
        raise refused("title.revocation")
    model.tiers[branch_id] = tier


def _out_of_the_running(model: SelectionModel, nomination: NominationModel) -> None:
    """A proposal whose red-flag title is revoked leaves the city's round."""
    if nomination.title is not None or nomination.ended or nomination.round_committee_id is None:
        return
    model.rounds[nomination.round_committee_id].removed[nomination.nomination_id] = TITLE_REVOKED
    nomination.ended, nomination.round_committee_id = TITLE_REVOKED, None


def revoke_title(model: SelectionModel, command: c.RevokeTitle) -> None:
    nomination = model.require_nomination(command.nomination_id)
    _require_decides_title(model, command, nomination)
    nomination.title = None
    _lower_tier(model, nomination.branch_id, command.tier)
    _out_of_the_running(model, nomination)


def downgrade_title(model: SelectionModel, command: c.DowngradeTitle) -> None:
    nomination = model.require_nomination(command.nomination_id)
    _require_decides_title(model, command, nomination)
    assert nomination.title is not None
    if nomination.title[0] is TitleLevel.COMMITTEE:
        nomination.title = None
        _out_of_the_running(model, nomination)
    else:
        held_from = next(
            k
            for k in model.city.lineage(nomination.base_committee_id)
            if model.level_of(k) is CommitteeLevel.CITY_MANAGED
        )
        nomination.title = (TitleLevel.COMMITTEE, held_from)
        nomination.titles.append(nomination.title)
    _lower_tier(model, nomination.branch_id, command.tier)


def grant_reward(model: SelectionModel, command: c.GrantReward) -> None:
    nomination = model.require_nomination(command.nomination_id)
    actor = command.actor.committee_id
    if not model.city.has_committee(actor) or model.level_of(actor) not in (
        CommitteeLevel.CITY,
        CommitteeLevel.ORGANIZATION_DEPARTMENT,
    ):
        raise refused("reward.grant")
    if nomination.title is None or nomination.title[0] is not TitleLevel.CITY:
        raise refused("reward.grant")
    if nomination.rewarded:
        raise refused("reward.grant")
    nomination.rewarded = True


def record_veto_finding(model: SelectionModel, command: c.RecordVetoFinding) -> None:
    if command.subject is VetoSubject.BRANCH:
        model.acting_on_branch(command, command.subject_id)
    else:
        unit = next((u for u in model.city.units if u.unit_id == command.subject_id), None)
        if unit is None:
            raise Predicted(NotFound)
        if not model.city.may_act_on(command.actor.committee_id, unit.committee_id):
            raise Predicted(NotAuthorized, "org.jurisdiction")
    _record_finding(
        model,
        command.subject,
        command.subject_id,
        command.finding_id,
        command.found_on,
        command.period,
        command.effective_to,
        _on(command),
    )


def assess_rehabilitation(model: SelectionModel, command: c.AssessRehabilitation) -> None:
    plan = model.acting_on_branch(command, command.branch_id)
    on = _on(command)
    past = model.findings_against(plan.branch_id)
    if not past or model.in_effect(plan.branch_id, on):
        raise refused("selection.rehabilitation")
    model.assessments.setdefault(plan.branch_id, []).append(
        (on, frozenset(f.finding_id for f in past))
    )


def record_award(model: SelectionModel, command: c.RecordAward) -> None:
    plan = model.acting_on_branch(command, command.branch_id)
    awards = model.awards.setdefault(plan.branch_id, {})
    if command.award_id in awards or command.year > _on(command).year:
        raise refused("selection.priority")
    awards[command.award_id] = (command.level, command.year)


DECISIONS: dict[type[c.Command], Callable[[SelectionModel, Any], None]] = {
    c.AllotPlaces: allot_places,
    c.SetRoundPlaces: set_round_places,
    c.ApplyForSelection: apply_for_selection,
    c.RecordSelectionStep: record_selection_step,
    c.RecordDossier: record_dossier,
    c.AnswerConsultation: answer_consultation,
    c.VetoNomination: veto_nomination,
    c.DecideRoundList: decide_round_list,
    c.PublishNotice: publish_notice,
    c.UpholdObjection: uphold_objection,
    c.FinaliseList: finalise_list,
    c.SubmitProposals: submit_proposals,
    c.RevokeTitle: revoke_title,
    c.DowngradeTitle: downgrade_title,
    c.GrantReward: grant_reward,
    c.RecordVetoFinding: record_veto_finding,
    c.AssessRehabilitation: assess_rehabilitation,
    c.RecordAward: record_award,
}


def decide(model: SelectionModel, command: c.Command) -> None:
    """Change the model as the command would change the store, or raise `Predicted`."""
    decision = DECISIONS.get(type(command))
    if decision is None:
        raise TypeError(f"the selection model does not know {type(command).__name__}")
    decision(model, command)
