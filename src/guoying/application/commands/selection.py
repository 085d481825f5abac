"""Commands of the annual selection (§5, Annex 3): places, applications, steps, consultation,
lists, notices, objections, vetoes, submissions, titles and rewards."""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from guoying.application.commands.base import Command
from guoying.domain.values import (
    AwardLevel,
    SelectionStep,
    Tier,
    VetoPeriod,
    non_blank,
)
from guoying.domain.vetoes import VetoSubject

__all__ = [
    "AllotPlaces",
    "AnswerConsultation",
    "ApplyForSelection",
    "AssessRehabilitation",
    "DecideRoundList",
    "DowngradeTitle",
    "FinaliseList",
    "GrantReward",
    "PublishNotice",
    "RecordAward",
    "RecordDossier",
    "RecordSelectionStep",
    "RecordVetoFinding",
    "RevokeTitle",
    "SetRoundPlaces",
    "SubmitProposals",
    "UpholdObjection",
    "VetoNomination",
]


@frozen(kw_only=True)
class AllotPlaces(Command):
    """The city Organization Department allots the year's Taishan Pioneer places to a
    city-managed committee before proposals are made (`selection.allotment`)."""

    year: int
    committee_id: str
    places: int


@frozen(kw_only=True)
class SetRoundPlaces(Command):
    """The committee above sets how many nominations the round of `committee_id` may pass
    on in `year` (`selection.rounds`)."""

    committee_id: str
    year: int
    places: int


@frozen(kw_only=True)
class RecordAward(Command):
    """An award on a branch's record (曾受表彰情况), read for priority recommendation."""

    branch_id: str
    award_id: str = field(validator=non_blank)
    name: str = field(validator=non_blank)
    level: AwardLevel
    year: int
    awarded_by: str = field(validator=non_blank)


@frozen(kw_only=True)
class RecordVetoFinding(Command):
    """A one-vote-veto finding received by the actor's committee from `issuing_agency`,
    against a unit or a branch (`selection.veto`). `effective_to` only with a stated span."""

    finding_id: str = field(validator=non_blank)
    subject: VetoSubject
    subject_id: str
    area: str = field(validator=non_blank)
    issuing_agency: str = field(validator=non_blank)
    found_on: date
    period: VetoPeriod = VetoPeriod.CALENDAR_YEAR
    effective_to: date | None = None


@frozen(kw_only=True)
class AssessRehabilitation(Command):
    """A recorded comprehensive assessment (综合分析研判): the branch's past problems are
    resolved and it may take part again (`selection.rehabilitation`)."""

    branch_id: str


@frozen(kw_only=True)
class ApplyForSelection(Command):
    """The branch applies, through its base committee, for the year's selection."""

    branch_id: str
    year: int


@frozen(kw_only=True)
class RecordSelectionStep(Command):
    """A step the deciding committee took about a candidate (`selection.timeline`)."""

    nomination_id: str
    step: SelectionStep


@frozen(kw_only=True)
class RecordDossier(Command):
    """The facts of the Annex 3 form: the secretary (by id), basic facts, past honours and
    main deeds (`selection.form`)."""

    nomination_id: str
    secretary_person_id: str
    basic_facts: str = field(validator=non_blank)
    past_honours: str
    main_deeds: str = field(validator=non_blank)


@frozen(kw_only=True)
class AnswerConsultation(Command):
    """An agency's answer about a candidate of the round of `committee_id` and `year`
    (`selection.consultation`). An adverse answer is a veto finding: give its `finding_id`
    and `area`; it is in effect for `period` from the answer's date."""

    committee_id: str
    year: int
    nomination_id: str
    agency: str = field(validator=non_blank)
    adverse: bool = False
    finding_id: str | None = None
    area: str | None = None
    period: VetoPeriod = VetoPeriod.CALENDAR_YEAR
    effective_to: date | None = None


@frozen(kw_only=True)
class VetoNomination(Command):
    """End a nomination at its round because of a veto finding in effect."""

    nomination_id: str
    finding_id: str


@frozen(kw_only=True)
class DecideRoundList(Command):
    """The deciding committee's collective decision on its round's list, as a whole; the
    reason is its opinion. At a city-managed committee, `titled` are the red-flag branches it
    confers and `passed` its Taishan Pioneer proposals among them; at the city, `passed` is
    the Organization Department's preliminary list."""

    committee_id: str
    year: int
    passed: tuple[str, ...]
    titled: tuple[str, ...] = ()


@frozen(kw_only=True)
class PublishNotice(Command):
    """Publish the decided list for objections (`selection.public_notice`)."""

    committee_id: str
    year: int


@frozen(kw_only=True)
class UpholdObjection(Command):
    """An objection upheld during the notice removes the candidate from the list."""

    committee_id: str
    year: int
    nomination_id: str


@frozen(kw_only=True)
class FinaliseList(Command):
    """The list becomes final after its notice: its candidates go on to the committee above,
    a city-managed committee's red-flag titles are conferred, and at the city the city
    committee names the Taishan Pioneers."""

    committee_id: str
    year: int


@frozen(kw_only=True)
class SubmitProposals(Command):
    """A city-managed committee's formal submission of its final proposals to the city
    Organization Department (`selection.submission`)."""

    committee_id: str
    year: int
    document_no: str = field(validator=non_blank)
    process: str = field(validator=non_blank)
    opinions_gathered: str = field(validator=non_blank)


@frozen(kw_only=True)
class RevokeTitle(Command):
    """Revoke a red-flag title outright (`title.revocation`); the reason is the cause. The
    branch's tier may be lowered to `tier` for the decision's year in the same decision."""

    nomination_id: str
    tier: Tier | None = None


@frozen(kw_only=True)
class DowngradeTitle(Command):
    """Downgrade a red-flag title (`title.revocation`): a Taishan Pioneer becomes a
    committee-level red-flag branch, a committee-level title is revoked."""

    nomination_id: str
    tier: Tier | None = None


@frozen(kw_only=True)
class GrantReward(Command):
    """Grant a Taishan Pioneer its Party-building funds (`reward.grant`, amount from
    policy)."""

    nomination_id: str
