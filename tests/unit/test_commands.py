"""Commands as data: a command that cannot be valid is refused when it is built."""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from guoying.application import commands as cmd
from guoying.application.catalogue import COMMAND_TYPES
from guoying.domain.accountability import FindingKind, FundingKind, LinkageKind
from guoying.domain.cultivation import Batch
from guoying.domain.policy import Policy
from guoying.domain.supervision import SupervisionMethod
from guoying.domain.values import (
    Actor,
    Authority,
    AwardLevel,
    CommitteeLevel,
    Decision,
    Sector,
    SelectionStep,
    Tier,
    UnitKind,
)
from guoying.domain.vetoes import VetoSubject
from tests.unit.builders import BASE_A1, BASE_B1, actor

ACTOR = actor(BASE_A1)

NEW_BRANCH: dict[str, object] = {
    "branch_id": "n",
    "name": "北店村第二党支部",
    "sector": Sector.RURAL,
    "unit_ids": ("u",),
    "tier": Tier.MIDDLE,
}

VALID: dict[type[cmd.Command], dict[str, object]] = {
    cmd.RegisterCommittee: {"committee_id": "c", "name": "n", "level": CommitteeLevel.BASE},
    cmd.RegisterUnit: {"unit_id": "u", "name": "n", "kind": UnitKind.VILLAGE, "committee_id": "c"},
    cmd.RegisterPerson: {"person_id": "p", "name": "Zhang San"},
    cmd.RegisterBranch: {
        "branch_id": "b",
        "name": "n",
        "sector": Sector.RURAL,
        "base_committee_id": "c",
        "unit_ids": ("u",),
        "year": 2017,
        "tier": Tier.MIDDLE,
    },
    cmd.AdjustTier: {"branch_id": "b", "year": 2017, "tier": Tier.MIDDLE},
    cmd.SetCreationTarget: {"branch_id": "b", "year": 2017, "target": Tier.ADVANCED},
    cmd.AssignLiaison: {"branch_id": "b", "person_id": "p", "position": "deputy"},
    cmd.RecordProblem: {
        "branch_id": "b",
        "case_id": "k",
        "problem": "p",
        "measure": "m",
        "owner_id": "o",
        "deadline": date(2017, 9, 1),
    },
    cmd.SignOffRectification: {"branch_id": "b", "case_id": "k", "outcome": "done"},
    cmd.RecordCommonProblem: {
        "committee_id": "c",
        "problem_id": "cp",
        "year": 2017,
        "problem": "p",
        "measure": "m",
    },
    # The life of an organisation
    cmd.RenameBranch: {"branch_id": "b", "name": "北店村第一党支部"},
    cmd.MoveBranch: {"branch_id": "b", "to_committee_id": "c"},
    cmd.MergeBranches: {"branch_id": "b", "into_branch_id": "b2"},
    cmd.SplitBranch: {"branch_id": "b", "new_branches": (cmd.NewBranch(**NEW_BRANCH),)},
    cmd.DissolveBranch: {"branch_id": "b"},
    cmd.RenameCommittee: {"committee_id": "c", "name": "中共岱岳区粥店街道工作委员会"},
    cmd.MoveCommittee: {"committee_id": "c", "parent_id": "p"},
    cmd.MergeCommittees: {"committee_id": "c", "into_committee_id": "c2"},
    cmd.DissolveCommittee: {"committee_id": "c"},
    # Rosters, corrections, policy versions and personal data
    cmd.AppointLeader: {"committee_id": "c", "person_id": "p", "position": "党委书记"},
    cmd.EndLeadership: {"committee_id": "c", "person_id": "p"},
    cmd.CorrectRecord: {"branch_id": "b", "corrects": "branch:b@2", "tier": Tier.MIDDLE},
    cmd.ApproveCapException: {"committee_id": "c", "year": 2017},
    cmd.PublishPolicy: {"policy": Policy(version="v2", effective_on=date(2019, 1, 1))},
    cmd.ErasePerson: {"person_id": "p"},
    # The annual selection
    cmd.AllotPlaces: {"year": 2018, "committee_id": "c", "places": 1},
    cmd.SetRoundPlaces: {"committee_id": "c", "year": 2018, "places": 2},
    cmd.RecordAward: {
        "branch_id": "b",
        "award_id": "a",
        "name": "省级先进基层党组织",
        "level": AwardLevel.PROVINCIAL,
        "year": 2016,
        "awarded_by": "省委",
    },
    cmd.RecordVetoFinding: {
        "finding_id": "f",
        "subject": VetoSubject.UNIT,
        "subject_id": "u",
        "area": "safety",
        "issuing_agency": "work safety",
        "found_on": date(2018, 2, 1),
    },
    cmd.AssessRehabilitation: {"branch_id": "b"},
    cmd.ApplyForSelection: {"branch_id": "b", "year": 2018},
    cmd.RecordSelectionStep: {"nomination_id": "b-2018", "step": SelectionStep.SECRETARY_REPORT},
    cmd.RecordDossier: {
        "nomination_id": "b-2018",
        "secretary_person_id": "p",
        "basic_facts": "f",
        "past_honours": "",
        "main_deeds": "d",
    },
    cmd.AnswerConsultation: {
        "committee_id": "c",
        "year": 2018,
        "nomination_id": "b-2018",
        "agency": "court",
    },
    cmd.VetoNomination: {"nomination_id": "b-2018", "finding_id": "f"},
    cmd.DecideRoundList: {"committee_id": "c", "year": 2018, "passed": ("b-2018",)},
    cmd.PublishNotice: {"committee_id": "c", "year": 2018},
    cmd.UpholdObjection: {"committee_id": "c", "year": 2018, "nomination_id": "b-2018"},
    cmd.FinaliseList: {"committee_id": "c", "year": 2018},
    cmd.SubmitProposals: {
        "committee_id": "c",
        "year": 2018,
        "document_no": "泰组字〔2018〕7号",
        "process": "p",
        "opinions_gathered": "o",
    },
    cmd.RevokeTitle: {"nomination_id": "b-2018", "tier": Tier.LAGGING},
    cmd.DowngradeTitle: {"nomination_id": "b-2018"},
    cmd.GrantReward: {"nomination_id": "b-2018"},
    # Mentoring
    cmd.FormMentoringPair: {
        "pair_id": "p",
        "mentor_branch_id": "b",
        "mentee_branch_id": "b2",
        "goal": "g",
        "measures": "m",
        "deadline": date(2019, 6, 30),
    },
    cmd.EndMentoringPair: {"pair_id": "p"},
    cmd.FileMentoringSchedule: {"committee_id": "c", "year": 2018, "pair_ids": ("p",)},
    # Supervision, accountability, linkage and funding
    cmd.RecordSupervisionVisit: {
        "visit_id": "v",
        "branch_id": "b",
        "method": SupervisionMethod.RANDOM_SPOT_CHECK,
        "findings": "f",
        "follow_up": "m",
    },
    cmd.HoldObservationExchange: {"exchange_id": "x", "committee_id": "c", "topic": "t"},
    cmd.HoldSpecialMeeting: {
        "meeting_id": "m",
        "committee_id": "c",
        "chaired_by": "p",
        "topic": "t",
    },
    cmd.RecordFalsification: {
        "finding_id": "f",
        "committee_id": "c",
        "year": 2018,
        "report": "r",
        "branch_ids": ("b",),
    },
    cmd.IssueAccountabilityFinding: {
        "finding_id": "k",
        "committee_id": "c",
        "held_for": FindingKind.MAJOR_ERROR,
        "decision": "d",
    },
    cmd.DecideRewardLinkage: {
        "decision_id": "l",
        "linked_to": LinkageKind.COMMENDATION,
        "branch_id": "b",
        "year": 2018,
        "measure": "m",
    },
    cmd.RecordFunding: {
        "funding_id": "f",
        "committee_id": "c",
        "year": 2018,
        "fund": FundingKind.COMMUNITY_WORK,
        "amount_yuan": 1000,
    },
    # Plans
    cmd.SubmitImplementationPlan: {
        "committee_id": "c",
        "year": 2017,
        "submitted_to": "p",
        "indicators": ("i",),
        "measures": ("m",),
        "responsibilities": ("r",),
    },
    cmd.AcceptImplementationPlan: {"committee_id": "c", "year": 2017},
    cmd.ReturnImplementationPlan: {"committee_id": "c", "year": 2017, "reasons": ("r",)},
    cmd.FileCultivationPlan: {
        "committee_id": "c",
        "year": 2017,
        "rows": (
            cmd.CultivationRow(
                year=2017,
                batch=Batch.FIRST,
                branch_id="b",
                measures=("m",),
                person_id="p",
                position="书记",
            ),
        ),
        "stated_number": 5,
    },
}

# Fields whose validator refuses a blank value, besides every command's `reason`.
NON_BLANK = [
    (cmd.RegisterCommittee, "committee_id"),
    (cmd.RegisterUnit, "unit_id"),
    (cmd.RegisterPerson, "person_id"),
    (cmd.RegisterPerson, "name"),
    (cmd.RegisterBranch, "branch_id"),
    (cmd.RecordProblem, "case_id"),
    (cmd.SignOffRectification, "outcome"),
    (cmd.RecordCommonProblem, "problem_id"),
    (cmd.RenameBranch, "name"),
    (cmd.RenameCommittee, "name"),
    (cmd.AppointLeader, "position"),
    (cmd.CorrectRecord, "corrects"),
    (cmd.ApproveCapException, "committee_id"),
    (cmd.RecordAward, "award_id"),
    (cmd.RecordVetoFinding, "finding_id"),
    (cmd.RecordVetoFinding, "issuing_agency"),
    (cmd.RecordDossier, "main_deeds"),
    (cmd.AnswerConsultation, "agency"),
    (cmd.SubmitProposals, "document_no"),
    (cmd.FormMentoringPair, "pair_id"),
    (cmd.RecordSupervisionVisit, "visit_id"),
    (cmd.HoldObservationExchange, "exchange_id"),
    (cmd.HoldSpecialMeeting, "meeting_id"),
    (cmd.RecordFalsification, "finding_id"),
    (cmd.IssueAccountabilityFinding, "finding_id"),
    (cmd.DecideRewardLinkage, "decision_id"),
    (cmd.RecordFunding, "funding_id"),
]


def test_every_command_type_has_a_valid_example_here():
    assert set(VALID) == set(COMMAND_TYPES.values())


@pytest.mark.parametrize("kind", list(VALID), ids=lambda kind: kind.__name__)
def test_a_command_with_an_actor_and_a_reason_is_built(kind):
    command = kind(actor=ACTOR, reason="the committee decided", **VALID[kind])
    assert command.actor == ACTOR
    assert command.effective_on is None


@pytest.mark.parametrize("reason", ["", " ", "\t\n"])
@pytest.mark.parametrize("kind", list(VALID), ids=lambda kind: kind.__name__)
def test_a_command_with_a_blank_reason_is_refused(kind, reason):
    """Every decision records why (rules.md §10.5): a blank reason is refused at once."""
    with pytest.raises(ValueError, match="reason must not be blank"):
        kind(actor=ACTOR, reason=reason, **VALID[kind])


@pytest.mark.parametrize(("kind", "name"), NON_BLANK, ids=lambda x: getattr(x, "__name__", x))
def test_a_command_with_a_blank_identifier_or_required_text_is_refused(kind, name):
    expected = EXPECTED_BLANK.get(name, "must not be blank")
    with pytest.raises(ValueError, match=f"{name} {expected}"):
        kind(actor=ACTOR, reason="r", **{**VALID[kind], name: "  "})


# A correction names an event id, so a blank one is refused as not being one.
EXPECTED_BLANK = {"corrects": "expects an event id"}


@pytest.mark.parametrize("corrects", ["branch:b1", "branch:b1@", "@3", "branch:b1@three"])
def test_a_correction_naming_something_other_than_an_event_id_is_refused(corrects):
    """`ledger.row`: a correction names the event it corrects as `branch:ID@VERSION`."""
    with pytest.raises(ValueError, match="corrects expects an event id"):
        cmd.CorrectRecord(
            actor=ACTOR, reason="r", **{**VALID[cmd.CorrectRecord], "corrects": corrects}
        )


@pytest.mark.parametrize("name", ["branch_id", "name"])
def test_a_new_branch_of_a_split_with_a_blank_id_or_name_is_refused(name):
    with pytest.raises(ValueError, match=f"{name} must not be blank"):
        cmd.NewBranch(**{**NEW_BRANCH, name: " "})


def test_ledger_advanced_cap_an_approval_is_a_command_of_its_own_not_a_field_of_a_request():
    """The parent's approval travels beside the request, in one unit; no request carries
    exceptions any more."""
    for kind in COMMAND_TYPES.values():
        assert "cap_exceptions" not in {f.name for f in attrs.fields(kind)}, kind.__name__
    approval = cmd.ApproveCapException(
        actor=actor(BASE_B1), reason="an outstanding year", committee_id="c", year=2018
    )
    assert (approval.committee_id, approval.year, approval.reason) == (
        "c",
        2018,
        "an outstanding year",
    )


def test_a_move_may_carry_the_receiving_committees_decision():
    receiving = actor(BASE_B1)
    command = cmd.MoveBranch(
        actor=ACTOR, reason="r", **VALID[cmd.MoveBranch], receiving_decision_by=receiving
    )
    assert command.receiving_decision_by == receiving
    assert (
        cmd.MoveBranch(actor=ACTOR, reason="r", **VALID[cmd.MoveBranch]).receiving_decision_by
        is None
    )


@pytest.mark.parametrize(("person_id", "committee_id"), [(" ", "c"), ("p", "")])
def test_an_actor_names_a_person_and_the_committee_they_act_for(person_id, committee_id):
    with pytest.raises(ValueError, match="must not be blank"):
        Actor(person_id, committee_id)


def test_a_decision_with_a_blank_reason_is_refused():
    with pytest.raises(ValueError, match="reason must not be blank"):
        Decision(ACTOR, "  ", date(2017, 6, 1), Authority((), "taian-2017"))


def test_every_command_type_is_listed_under_its_class_name():
    assert all(name == kind.__name__ for name, kind in COMMAND_TYPES.items())
    defined = {
        value
        for value in vars(cmd).values()
        if isinstance(value, type) and issubclass(value, cmd.Command) and value is not cmd.Command
    }
    assert defined == set(COMMAND_TYPES.values())
