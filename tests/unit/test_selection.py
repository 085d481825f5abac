"""The annual selection through the handler: a whole year on the builders' tree, and each
refusal the issue lists, which changes nothing but the refusal log."""

from __future__ import annotations

from datetime import date, timedelta

import attrs
import pytest

from guoying.application import commands as cmd
from guoying.application.errors import GuoyingError, NotAuthorized, NotFound, Refused
from guoying.application.service import Handler
from guoying.domain.nomination import (
    BranchApplied,
    NominationVetoed,
    Outcome,
    SelectionStepRecorded,
    nomination_key,
)
from guoying.domain.policy import TAIAN_2017, PolicyBook
from guoying.domain.selection_round import RoundListDecided, round_key
from guoying.domain.selection_year import selection_key
from guoying.domain.values import (
    AwardLevel,
    Sector,
    SelectionStep,
    Tier,
    TitleLevel,
    UnitKind,
    VetoPeriod,
)
from guoying.domain.vetoes import VetoSubject
from tests.unit import selection_builders as sb
from tests.unit.builders import (
    BASE_A1,
    BASE_A2,
    BASE_B1,
    CITY,
    CM_A,
    CM_B,
    INT_A,
    OD,
    fixed_clock,
    setup_commands,
    unit_id,
)
from tests.unit.fakes import FakeEventStore

YEAR = sb.YEAR
A1, A2, B1 = sb.A1, sb.A2, sb.B1


def refused(store: FakeEventStore, handler: Handler, command: cmd.Command, rule_id: str) -> Refused:
    """The command is refused by `rule_id`, saves nothing and is logged."""
    before = store.event_count
    with pytest.raises(Refused) as raised:
        handler.execute(command)
    assert raised.value.rule_id == rule_id, raised.value
    assert store.event_count == before
    assert store.refusals[-1].rule_id == rule_id
    assert store.refusals[-1].command == command
    return raised.value


def not_found(store: FakeEventStore, handler: Handler, command: cmd.Command, field: str) -> None:
    before, logged = store.event_count, len(store.refusals)
    with pytest.raises(NotFound) as raised:
        handler.execute(command)
    assert raised.value.field == field
    assert store.event_count == before
    assert len(store.refusals) == logged


def nomination(store: FakeEventStore, nomination_id: str):
    found = store.get(nomination_key(nomination_id))
    assert found is not None
    return found


def test_a_whole_year_names_the_city_list_confers_committee_titles_and_counts_them(store, handler):
    sb.run(handler, sb.whole_year())
    for named in sb.NAMED:
        title = nomination(store, named).title
        assert title is not None
        assert (title.level, title.conferred_by) == (TitleLevel.CITY, CITY)
        assert nomination(store, named).representative_priority
    for proposal in set(sb.PROPOSALS) - set(sb.NAMED):
        found = nomination(store, proposal)
        assert found.title is not None
        assert found.title.level is TitleLevel.COMMITTEE
        assert found.ended is not None
        assert found.ended.outcome is Outcome.NOT_PASSED
    counts = store.get(selection_key(YEAR))
    assert counts is not None
    assert counts.named == {CM_A: (sb.NAMED[0],), CM_B: (sb.NAMED[1],)}
    # Each level's opinion is on the nomination, sealed by its committee and dated.
    assert [o.committee_id for o in nomination(store, sb.NAMED[0]).opinions] == [
        BASE_A1,
        CM_A,
        CITY,
    ]
    # Through the intermediate committee's own round, then not among cm-a's red-flag branches.
    through = nomination(store, A2[0])
    assert [o.committee_id for o in through.opinions] == [BASE_A2, INT_A]
    assert through.ended is not None
    assert (through.ended.outcome, through.ended.committee_id) == (Outcome.NOT_PASSED, CM_A)


def test_selection_rounds_a_round_with_no_more_candidates_than_places_is_refused(store, handler):
    sb.run(handler, [*sb.register_all(), *sb.places(), *sb.applications(BASE_A1)])
    sb.run(handler, sb.base_steps(BASE_A1))
    on = date(YEAR, 3, 20)
    sb.run(handler, sb.consult(BASE_A1, A1, on))
    handler.execute(
        sb.command(cmd.SetRoundPlaces, CM_A, on, committee_id=BASE_A1, year=YEAR, places=4)
    )
    error = refused(store, handler, sb.decide(BASE_A1, A1[:2], on), "selection.rounds")
    assert error.details["candidates"] == 4
    assert error.details["places"] == 4


def test_selection_rounds_a_list_passes_no_more_than_its_places(store, handler):
    sb.run(handler, [*sb.register_all(), *sb.places(), *sb.applications(BASE_A1)])
    sb.run(handler, [*sb.base_steps(BASE_A1), *sb.consult(BASE_A1, A1, date(YEAR, 3, 20))])
    refused(store, handler, sb.decide(BASE_A1, A1[:3], date(YEAR, 3, 20)), "selection.rounds")


def test_selection_rounds_a_round_without_places_set_by_the_committee_above_is_refused(
    store, handler
):
    sb.run(handler, [*sb.register_all(), *sb.applications(BASE_A1), *sb.base_steps(BASE_A1)])
    sb.run(handler, sb.consult(BASE_A1, A1, date(YEAR, 3, 20)))
    refused(store, handler, sb.decide(BASE_A1, A1[:1], date(YEAR, 3, 20)), "selection.rounds")


def test_places_of_a_round_are_set_by_the_committee_above_only(store, handler):
    """org.jurisdiction: int-a sets base-a2's places, cm-a does not."""
    sb.run(handler, sb.register_all())
    error = refused(
        store,
        handler,
        sb.command(
            cmd.SetRoundPlaces, CM_A, date(YEAR, 1, 10), committee_id=BASE_A2, year=YEAR, places=2
        ),
        "org.jurisdiction",
    )
    assert isinstance(error, NotAuthorized)


def test_selection_consultation_no_list_is_decided_before_every_required_agency_answered(
    store, handler
):
    sb.run(handler, [*sb.register_all(), *sb.places(), *sb.applications(BASE_A1)])
    on = date(YEAR, 3, 20)
    answers = sb.consult(BASE_A1, A1, on)
    sb.run(handler, [*sb.base_steps(BASE_A1), *answers[:-1]])
    error = refused(store, handler, sb.decide(BASE_A1, A1[:2], on), "selection.consultation")
    assert error.details["awaited"] == [TAIAN_2017.agencies_always[-1]]
    handler.execute(answers[-1])
    handler.execute(sb.decide(BASE_A1, A1[:2], on))


def test_selection_consultation_an_enterprise_branch_also_needs_the_regulators(store, handler):
    branch = cmd.RegisterBranch(
        actor=sb.actor(BASE_A1),
        reason="first assessment",
        effective_on=date(2017, 6, 1),
        branch_id="firm",
        name="Branch of a firm",
        sector=Sector.NON_PUBLIC_ENTERPRISE,
        base_committee_id=BASE_A1,
        unit_ids=(unit_id(BASE_A1),),
        year=2017,
        tier=Tier.MIDDLE,
    )
    handler.execute(branch)
    handler.execute(
        sb.command(cmd.ApplyForSelection, BASE_A1, sb.APPLIED_ON, branch_id="firm", year=YEAR)
    )
    entered = store.get(round_key(BASE_A1, YEAR))
    assert entered is not None
    agencies = entered.candidates[f"firm-{YEAR}"].required_agencies
    assert set(TAIAN_2017.agencies_for_enterprises) <= set(agencies)
    assert set(TAIAN_2017.agencies_for_non_public) <= set(agencies)
    assert set(TAIAN_2017.agencies_always) <= set(agencies)
    refused(
        store,
        handler,
        sb.command(
            cmd.AnswerConsultation,
            BASE_A1,
            date(YEAR, 3, 5),
            committee_id=BASE_A1,
            year=YEAR,
            nomination_id=f"firm-{YEAR}",
            agency="lottery office",
        ),
        "selection.consultation",
    )


def test_selection_consultation_an_adverse_answer_is_a_veto_finding_that_ends_the_nomination(
    store, handler
):
    sb.run(handler, [*sb.register_all(), *sb.places(), *sb.applications(BASE_A1)])
    handler.execute(
        sb.command(
            cmd.AnswerConsultation,
            BASE_A1,
            date(YEAR, 3, 15),
            committee_id=BASE_A1,
            year=YEAR,
            nomination_id=A1[3],
            agency="petitions office",
            adverse=True,
            finding_id="petition-1",
            area="collective petitions",
        )
    )
    vetoed = nomination(store, A1[3])
    assert vetoed.ended is not None
    assert vetoed.ended.outcome is Outcome.VETOED
    assert vetoed.ended.finding_id == "petition-1"
    vetoes = [e for e in store.stream(nomination_key(A1[3])) if isinstance(e, NominationVetoed)]
    assert vetoes[0].actor.committee_id == BASE_A1
    assert vetoes[0].issuing_agency == "petitions office"
    found = store.get(round_key(BASE_A1, YEAR))
    assert found is not None
    assert A1[3] not in found.live


def test_selection_veto_a_branch_under_a_finding_in_effect_cannot_apply(store, handler):
    sb.run(handler, sb.register_all())
    handler.execute(_finding(VetoSubject.BRANCH, "base-a1-b0", on=date(YEAR, 1, 5)))
    refused(store, handler, sb.applications(BASE_A1)[0], "selection.veto")


def test_selection_veto_a_finding_against_any_unit_of_a_joint_branch_bars_it(store, handler):
    sb.run(handler, sb.register_all())
    joint = cmd.RegisterBranch(
        actor=sb.actor(BASE_A1),
        reason="first assessment",
        effective_on=date(2017, 6, 1),
        branch_id="joint",
        name="Joint branch",
        sector=Sector.NON_PUBLIC_ENTERPRISE,
        base_committee_id=BASE_A1,
        unit_ids=(unit_id(BASE_A1), "unit-second"),
        year=2017,
        tier=Tier.MIDDLE,
    )
    handler.execute(
        cmd.RegisterUnit(
            actor=sb.actor(BASE_A1),
            reason="a second unit",
            effective_on=date(2017, 6, 1),
            unit_id="unit-second",
            name="the second unit",
            kind=UnitKind.ENTERPRISE,
            committee_id=BASE_A1,
        )
    )
    handler.execute(joint)
    handler.execute(_finding(VetoSubject.UNIT, "unit-second", on=date(YEAR, 1, 5)))
    refused(
        store,
        handler,
        sb.command(cmd.ApplyForSelection, BASE_A1, sb.APPLIED_ON, branch_id="joint", year=YEAR),
        "selection.veto",
    )


def _finding(
    subject: VetoSubject,
    subject_id: str,
    *,
    on: date,
    by: str = BASE_A1,
    finding_id: str = "finding-1",
    period: VetoPeriod = VetoPeriod.CALENDAR_YEAR,
) -> cmd.RecordVetoFinding:
    return sb.command(
        cmd.RecordVetoFinding,
        by,
        on,
        finding_id=finding_id,
        subject=subject,
        subject_id=subject_id,
        area="work safety",
        issuing_agency="work safety",
        found_on=on,
        period=period,
    )


def test_selection_veto_a_finding_in_effect_at_a_round_ends_the_nomination_there(store, handler):
    sb.run(handler, [*sb.register_all(), *sb.places(), *sb.applications(BASE_A1)])
    sb.run(handler, [*sb.base_steps(BASE_A1), *sb.consult(BASE_A1, A1, date(YEAR, 3, 20))])
    handler.execute(_finding(VetoSubject.BRANCH, "base-a1-b3", on=date(YEAR, 3, 18)))
    # Passing the barred candidate is refused; a list without it is decided, and the round
    # records the veto (who and why) on the way.
    refused(store, handler, sb.decide(BASE_A1, [A1[0], A1[3]], date(YEAR, 3, 20)), "selection.veto")
    handler.execute(sb.decide(BASE_A1, A1[:2], date(YEAR, 3, 20)))
    ended = nomination(store, A1[3]).ended
    assert ended is not None
    assert ended.outcome is Outcome.VETOED
    assert ended.committee_id == BASE_A1


def test_selection_veto_explicitly_by_the_round_needs_a_finding_in_effect(store, handler):
    sb.run(handler, [*sb.register_all(), *sb.places(), *sb.applications(BASE_A1)])
    veto = sb.command(
        cmd.VetoNomination, BASE_A1, date(YEAR, 3, 5), nomination_id=A1[1], finding_id="f"
    )
    refused(store, handler, veto, "selection.veto")
    handler.execute(_finding(VetoSubject.BRANCH, "base-a1-b1", on=date(YEAR, 3, 5), finding_id="f"))
    handler.execute(veto)
    assert nomination(store, A1[1]).ended is not None


def test_selection_rehabilitation_an_older_finding_needs_an_assessment_before_applying(
    store, handler
):
    sb.run(handler, sb.register_all())
    handler.execute(_finding(VetoSubject.BRANCH, "base-a1-b0", on=date(2017, 8, 1)))
    application = sb.applications(BASE_A1)[0]
    refused(store, handler, application, "selection.rehabilitation")
    assess = sb.command(cmd.AssessRehabilitation, BASE_A1, date(YEAR, 2, 1), branch_id="base-a1-b0")
    handler.execute(assess)
    handler.execute(application)
    assert nomination(store, A1[0]).ended is None


def test_selection_rehabilitation_never_lifts_a_finding_still_in_effect(store, handler):
    sb.run(handler, sb.register_all())
    handler.execute(
        _finding(
            VetoSubject.BRANCH, "base-a1-b0", on=date(2017, 8, 1), period=VetoPeriod.YEAR_AND_NEXT
        )
    )
    refused(
        store,
        handler,
        sb.command(cmd.AssessRehabilitation, BASE_A1, date(YEAR, 2, 1), branch_id="base-a1-b0"),
        "selection.rehabilitation",
    )


def test_selection_priority_a_provincial_award_in_recent_years_marks_the_application(
    store, handler
):
    sb.run(handler, sb.register_all())
    for award_id, level, year in (
        ("provincial-2016", AwardLevel.PROVINCIAL, 2016),
        ("city-2017", AwardLevel.CITY, 2017),
        ("national-2012", AwardLevel.NATIONAL, 2012),
    ):
        handler.execute(
            sb.command(
                cmd.RecordAward,
                BASE_A1,
                date(2017, 12, 1),
                branch_id="base-a1-b0",
                award_id=award_id,
                name=award_id,
                level=level,
                year=year,
                awarded_by="the province",
            )
        )
    sb.run(handler, sb.applications(BASE_A1))
    assert nomination(store, A1[0]).priority_awards == ("provincial-2016",)
    assert nomination(store, A1[1]).priority_awards == ()


def test_selection_timeline_an_application_after_the_first_quarter_is_recorded_as_late(
    store, handler
):
    sb.run(handler, [*sb.register_all(), *sb.applications(BASE_A1, on=date(YEAR, 4, 2))])
    applied = store.stream(nomination_key(A1[0]))[0]
    assert isinstance(applied, BranchApplied)
    assert applied.late
    assert applied.due_on == date(YEAR, 3, 31)


def test_selection_timeline_steps_out_of_order_are_refused(store, handler):
    sb.run(handler, [*sb.register_all(), *sb.places(), *sb.applications(BASE_A1)])
    on = date(YEAR, 3, 10)
    evaluation, report = (
        sb.steps(BASE_A1, A1[:1], on, step)[0]
        for step in (SelectionStep.MEMBER_EVALUATION, SelectionStep.SECRETARY_REPORT)
    )
    refused(store, handler, evaluation, "selection.timeline")
    handler.execute(report)
    handler.execute(evaluation)
    # A site inspection is the city-managed committee's step, not the base committee's.
    inspection = sb.steps(BASE_A1, A1[:1], on, SelectionStep.SITE_INSPECTION)[0]
    refused(store, handler, inspection, "selection.timeline")
    # A notice before the list, a list before its steps.
    notice = sb.notice_and_final(BASE_A1, on)[0]
    refused(store, handler, notice, "selection.timeline")
    sb.run(handler, sb.consult(BASE_A1, A1, on))
    refused(store, handler, sb.decide(BASE_A1, A1[:2], on), "selection.timeline")


def test_selection_timeline_a_step_dated_before_the_round_s_last_step_is_refused(store, handler):
    sb.run(handler, [*sb.register_all(), *sb.places(), *sb.applications(BASE_A1)])
    sb.run(handler, [*sb.base_steps(BASE_A1), *sb.consult(BASE_A1, A1, date(YEAR, 3, 20))])
    refused(store, handler, sb.decide(BASE_A1, A1[:2], date(YEAR, 3, 19)), "selection.timeline")


def test_selection_timeline_a_city_managed_decision_after_may_is_recorded_as_late(store, handler):
    sb.run(handler, sb.through_intermediate())
    on = date(YEAR, 6, 3)
    sb.run(
        handler,
        [
            *sb.steps(CM_A, sb.CM_A_CANDIDATES, on, SelectionStep.SITE_INSPECTION),
            *sb.consult(CM_A, sb.CM_A_CANDIDATES, on),
            sb.decide(CM_A, sb.PROPOSALS[:2], on, titled=sb.PROPOSALS[:2]),
        ],
    )
    steps = [e for e in store.stream(nomination_key(A1[0])) if isinstance(e, SelectionStepRecorded)]
    assert steps[-1].late
    decided = [e for e in store.stream(round_key(CM_A, YEAR)) if isinstance(e, RoundListDecided)]
    assert decided[0].late
    assert decided[0].due_on == date(YEAR, 5, 31)


def test_selection_public_notice_a_list_is_final_on_d_plus_4_at_the_earliest(store, handler):
    """Published on D with 3 days: refused on D+3, final on D+4 (CST calendar days)."""
    sb.run(handler, [*sb.register_all(), *sb.places(), *sb.applications(BASE_A1)])
    published = date(YEAR, 3, 20)
    sb.run(handler, [*sb.base_steps(BASE_A1), *sb.consult(BASE_A1, A1, published)])
    notice, final = [
        sb.decide(BASE_A1, A1[:2], published),
        *sb.notice_and_final(BASE_A1, published),
    ][1:]
    sb.run(handler, [sb.decide(BASE_A1, A1[:2], published), notice])
    early = sb.command(
        cmd.FinaliseList, BASE_A1, published + timedelta(days=3), committee_id=BASE_A1, year=YEAR
    )
    error = refused(store, handler, early, "selection.public_notice")
    assert error.details["final_from"] == (published + timedelta(days=4)).isoformat()
    handler.execute(final)
    assert nomination(store, A1[0]).round_committee_id == CM_A


def test_selection_public_notice_an_objection_upheld_during_the_notice_removes_the_candidate(
    store, handler
):
    sb.run(handler, [*sb.register_all(), *sb.places(), *sb.applications(BASE_A1)])
    on = date(YEAR, 3, 20)
    sb.run(
        handler,
        [*sb.base_steps(BASE_A1), *sb.consult(BASE_A1, A1, on), sb.decide(BASE_A1, A1[:2], on)],
    )
    objection = sb.command(
        cmd.UpholdObjection,
        BASE_A1,
        on + timedelta(days=1),
        committee_id=BASE_A1,
        year=YEAR,
        nomination_id=A1[1],
    )
    # An objection is upheld during a notice; before one, the step is out of order.
    refused(store, handler, objection, "selection.timeline")
    notice, final = sb.notice_and_final(BASE_A1, on)
    handler.execute(notice)
    handler.execute(objection)
    ended = nomination(store, A1[1]).ended
    assert ended is not None
    assert ended.outcome is Outcome.OBJECTION_UPHELD
    handler.execute(final)
    assert nomination(store, A1[0]).round_committee_id == CM_A
    assert nomination(store, A1[1]).round_committee_id is None
    # After the list is final, an objection is no longer upheld.
    late = sb.command(
        cmd.UpholdObjection,
        BASE_A1,
        on + timedelta(days=5),
        committee_id=BASE_A1,
        year=YEAR,
        nomination_id=A1[0],
    )
    refused(store, handler, late, "selection.public_notice")


def test_selection_title_levels_a_base_committee_never_confers_the_red_flag_name(store, handler):
    sb.run(handler, [*sb.register_all(), *sb.places(), *sb.applications(BASE_A1)])
    on = date(YEAR, 3, 20)
    sb.run(handler, [*sb.base_steps(BASE_A1), *sb.consult(BASE_A1, A1, on)])
    refused(store, handler, sb.decide(BASE_A1, A1[:2], on, titled=A1[:2]), "selection.title_levels")


def test_selection_title_levels_only_the_city_committee_names_taishan_pioneers(store, handler):
    sb.run(handler, sb.through_city_list())
    refused(store, handler, sb.naming(by=OD), "selection.title_levels")
    handler.execute(sb.naming())


def test_org_jurisdiction_a_committee_decides_only_its_own_round(store, handler):
    sb.run(handler, [*sb.register_all(), *sb.places(), *sb.applications(BASE_A1)])
    on = date(YEAR, 3, 20)
    sb.run(handler, [*sb.base_steps(BASE_A1), *sb.consult(BASE_A1, A1, on)])
    for outsider in (BASE_B1, CM_A):
        error = refused(
            store, handler, sb.decide(BASE_A1, A1[:2], on, by=outsider), "org.jurisdiction"
        )
        assert isinstance(error, NotAuthorized)


def test_selection_proposal_ratio_proposals_over_two_per_allotted_place_are_refused(store, handler):
    sb.run(handler, sb.through_intermediate())
    sb.run(
        handler, sb.city_managed_round(CM_A, sb.CM_A_CANDIDATES, sb.PROPOSALS[:2], sb.PROPOSALS[:2])
    )
    submitted = date(YEAR, 5, 30)
    sb.run(handler, sb.dossiers(sb.PROPOSALS[:2], CM_A, submitted))
    # The allotment lowered to nothing before the submission: two proposals are over the ratio.
    handler.execute(
        sb.command(cmd.AllotPlaces, OD, submitted, year=YEAR, committee_id=CM_A, places=0)
    )
    submission = sb.command(
        cmd.SubmitProposals,
        CM_A,
        submitted,
        committee_id=CM_A,
        year=YEAR,
        document_no="cm-a-2018-7",
        process="p",
        opinions_gathered="o",
    )
    refused(store, handler, submission, "selection.proposal_ratio")


def test_selection_submission_needs_every_proposal_s_form(store, handler):
    sb.run(handler, sb.through_intermediate())
    sb.run(
        handler, sb.city_managed_round(CM_A, sb.CM_A_CANDIDATES, sb.PROPOSALS[:2], sb.PROPOSALS[:2])
    )
    submitted = date(YEAR, 5, 30)
    sb.run(handler, sb.dossiers(sb.PROPOSALS[:1], CM_A, submitted))
    submission = sb.command(
        cmd.SubmitProposals,
        CM_A,
        submitted,
        committee_id=CM_A,
        year=YEAR,
        document_no="cm-a-2018-7",
        process="p",
        opinions_gathered="o",
    )
    error = refused(store, handler, submission, "selection.submission")
    assert error.details["nomination_id"] == sb.PROPOSALS[1]


def test_selection_allotment_allotments_sum_to_at_most_the_year_s_titles(store, handler):
    on = date(YEAR, 1, 10)
    handler.execute(sb.command(cmd.AllotPlaces, OD, on, year=YEAR, committee_id=CM_A, places=60))
    refused(
        store,
        handler,
        sb.command(cmd.AllotPlaces, OD, on, year=YEAR, committee_id=CM_B, places=41),
        "selection.allotment",
    )
    handler.execute(sb.command(cmd.AllotPlaces, OD, on, year=YEAR, committee_id=CM_B, places=40))
    error = refused(
        store,
        handler,
        sb.command(cmd.AllotPlaces, CM_A, on, year=YEAR, committee_id=CM_B, places=1),
        "org.jurisdiction",
    )
    assert isinstance(error, NotAuthorized)


def test_selection_allotment_the_city_names_at_most_a_committee_s_allotment(store, handler):
    sb.run(handler, sb.through_city_managed())
    sb.run(handler, sb.consult(CITY, sb.PROPOSALS, sb.CITY_LISTED_ON, by=OD))
    # Two of cm-a's proposals on a list of two: its allotment is one.
    refused(
        store,
        handler,
        sb.decide(CITY, sb.PROPOSALS[:2], sb.CITY_LISTED_ON, by=OD),
        "selection.allotment",
    )


def test_selection_annual_titles_a_naming_over_the_year_s_number_is_refused():
    """A version of the policy lowering the year's number after the allotments: the naming
    of two is refused by `selection.annual_titles`."""
    lowered = attrs.evolve(
        TAIAN_2017, version="lowered", effective_on=date(YEAR, 6, 12), annual_titles=1
    )
    store = FakeEventStore()
    handler = Handler(store, clock=fixed_clock, policies=PolicyBook((TAIAN_2017, lowered)))
    handler.execute_unit(setup_commands())
    sb.run(handler, sb.through_city_list())
    refused(store, handler, sb.naming(), "selection.annual_titles")
    counts = store.get(selection_key(YEAR))
    assert counts is not None
    assert counts.named_count == 0


def test_unknown_nomination_and_unknown_round_are_not_found(store, handler):
    sb.run(handler, [*sb.register_all(), *sb.places()])
    not_found(
        store,
        handler,
        sb.command(
            cmd.RecordSelectionStep,
            BASE_A1,
            date(YEAR, 3, 1),
            nomination_id="nobody-2018",
            step=SelectionStep.SECRETARY_REPORT,
        ),
        "nomination_id",
    )
    not_found(
        store,
        handler,
        sb.command(
            cmd.AnswerConsultation,
            CM_B,
            date(YEAR, 3, 1),
            committee_id=CM_B,
            year=YEAR,
            nomination_id="nobody-2018",
            agency="court",
        ),
        "committee_id",
    )
    not_found(store, handler, sb.decide("no-such-committee", (), date(YEAR, 3, 1)), "committee_id")


def test_a_failed_command_leaves_every_aggregate_as_it_was(store, handler):
    sb.run(handler, sb.through_city_list())
    before = {key: list(events) for key, events in store.streams.items()}
    with pytest.raises(GuoyingError):
        handler.execute(sb.naming(on=sb.NAMED_ON - timedelta(days=1)))
    assert store.streams == before


def test_selection_public_notice_an_objection_removes_a_red_flag_branch_not_proposed(
    store, handler
):
    """A city-managed committee's noticed list names its red-flag branches too: an objection
    upheld against one it does not propose removes it, and it is not titled."""
    sb.run(handler, sb.through_intermediate())
    titled = sb.CM_A_CANDIDATES  # all three titled, two proposed
    on = date(YEAR, 5, 10)
    sb.run(
        handler,
        [
            *sb.steps(CM_A, titled, on, SelectionStep.SITE_INSPECTION),
            *sb.consult(CM_A, titled, on),
            sb.decide(CM_A, sb.PROPOSALS[:1], date(YEAR, 5, 20), titled=titled[:2]),
        ],
    )
    notice, final = sb.notice_and_final(CM_A, date(YEAR, 5, 20))
    handler.execute(notice)
    handler.execute(
        sb.command(
            cmd.UpholdObjection,
            CM_A,
            date(YEAR, 5, 21),
            committee_id=CM_A,
            year=YEAR,
            nomination_id=titled[1],
        )
    )
    handler.execute(final)
    assert nomination(store, titled[1]).title is None
    assert nomination(store, titled[0]).title is not None
