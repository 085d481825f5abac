"""The Nomination aggregate: one branch's way through one year's selection (§5, Annex 3).

A nomination starts with the branch's application to its base committee, collects the
recorded steps each deciding level needs, is passed on round by round, and ends either with
a title or with the reason it went no further (not passed, vetoed, an objection upheld).
A title it earned is held until revoked or downgraded (`title.revocation`); the year's count
of titles is kept on `YearSelection`, so a revocation never frees a place.

Rules: `selection.timeline`, `selection.priority`, `selection.form`, `selection.veto`,
`selection.title_levels`, `title.revocation`, `reward.grant`,
`reward.representative_priority`.
"""

from __future__ import annotations

import enum
from datetime import date

from attrs import define, field, frozen

from guoying.domain.events import DomainEvent, Streams, next_version, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.values import CommitteeLevel, Decision, SelectionStep, TitleLevel


class Outcome(enum.StrEnum):
    """Why a nomination went no further."""

    NOT_PASSED = "NOT_PASSED"
    VETOED = "VETOED"
    OBJECTION_UPHELD = "OBJECTION_UPHELD"
    # Proposed for Taishan Pioneer under a red-flag title that was then revoked.
    TITLE_REVOKED = "TITLE_REVOKED"


@frozen
class Opinion:
    """A deciding committee's opinion on the candidate: sealed by `committee_id`, dated."""

    committee_id: str
    level: CommitteeLevel
    text: str
    on: date


@frozen
class Ending:
    outcome: Outcome
    committee_id: str
    reason: str
    on: date
    finding_id: str | None = None


@frozen
class Dossier:
    """What the Annex 3 form holds besides the opinions (`selection.form`)."""

    secretary_person_id: str
    basic_facts: str
    past_honours: str
    main_deeds: str


@frozen
class HeldTitle:
    level: TitleLevel
    conferred_by: str
    since: date


@define
class Nomination:
    id: str
    version: int
    nomination_id: str
    branch_id: str
    year: int
    base_committee_id: str
    priority_awards: tuple[str, ...] = ()
    # The committee whose round it is a candidate of now (None once it ended or was named).
    round_committee_id: str | None = None
    steps: dict[SelectionStep, date] = field(factory=dict)
    opinions: tuple[Opinion, ...] = ()
    dossier: Dossier | None = None
    ended: Ending | None = None
    title: HeldTitle | None = None
    # The titles it ever held, with how each ended: (level, conferred_by, since, ended_on).
    titles_held: tuple[tuple[TitleLevel, str, date, date | None], ...] = ()
    reward_yuan: int | None = None

    @property
    def is_candidate(self) -> bool:
        return self.ended is None and self.round_committee_id is not None

    @property
    def representative_priority(self) -> bool:
        """`reward.representative_priority`: a Taishan Pioneer's secretary is preferred."""
        return self.title is not None and self.title.level is TitleLevel.CITY

    def require_candidate_of(self, committee_id: str) -> None:
        if self.ended is not None:
            raise RuleViolation(
                "selection.timeline",
                f"nomination {self.nomination_id!r} ended ({self.ended.outcome.lower()} by "
                f"{self.ended.committee_id!r} on {self.ended.on})",
                {"nomination_id": self.nomination_id, "outcome": self.ended.outcome.value},
            )
        if self.round_committee_id != committee_id:
            where = self.round_committee_id or "no round"
            raise RuleViolation(
                "selection.timeline",
                f"nomination {self.nomination_id!r} is a candidate of {where!r}, not of "
                f"{committee_id!r}",
                {"nomination_id": self.nomination_id, "round_committee_id": where},
            )


nomination_streams = Streams("nomination", Nomination)
nomination_key = nomination_streams.key


def nomination_id_of(branch_id: str, year: int) -> str:
    """One nomination per branch and year."""
    return f"{branch_id}-{year}"


def _continued(aggregate: Nomination | None, event: DomainEvent[Nomination]) -> Nomination:
    assert aggregate is not None, event
    aggregate.version = event.originator_version
    return aggregate


@frozen(kw_only=True)
class BranchApplied(DomainEvent[Nomination]):
    """The branch applies through its base committee (申报); `priority_awards` are the awards
    that mark it for priority recommendation (`selection.priority`)."""

    nomination_id: str
    branch_id: str
    year: int
    base_committee_id: str
    priority_awards: tuple[str, ...]
    due_on: date
    late: bool

    def mutate(self, _: Nomination | None) -> Nomination:
        return Nomination(
            id=self.originator_id,
            version=self.originator_version,
            nomination_id=self.nomination_id,
            branch_id=self.branch_id,
            year=self.year,
            base_committee_id=self.base_committee_id,
            priority_awards=self.priority_awards,
            round_committee_id=self.base_committee_id,
        )


@frozen(kw_only=True)
class SelectionStepRecorded(DomainEvent[Nomination]):
    """A step the deciding committee took before deciding its list (`selection.timeline`)."""

    step: SelectionStep
    committee_id: str
    due_on: date | None
    late: bool

    def mutate(self, aggregate: Nomination | None) -> Nomination:
        nomination = _continued(aggregate, self)
        nomination.steps = {**nomination.steps, self.step: self.effective_on}
        return nomination


@frozen(kw_only=True)
class DossierRecorded(DomainEvent[Nomination]):
    """The facts, honours and deeds of the Annex 3 form (`selection.form`)."""

    secretary_person_id: str
    basic_facts: str
    past_honours: str
    main_deeds: str

    def mutate(self, aggregate: Nomination | None) -> Nomination:
        nomination = _continued(aggregate, self)
        nomination.dossier = Dossier(
            self.secretary_person_id, self.basic_facts, self.past_honours, self.main_deeds
        )
        return nomination


@frozen(kw_only=True)
class BranchRecommended(DomainEvent[Nomination]):
    """A deciding committee put the candidate on its list (recommended, selected, proposed
    or preliminarily listed); the reason is its opinion. The list is final after notice."""

    committee_id: str
    level: CommitteeLevel

    def mutate(self, aggregate: Nomination | None) -> Nomination:
        nomination = _continued(aggregate, self)
        opinion = Opinion(self.committee_id, self.level, self.reason, self.effective_on)
        nomination.opinions = (*nomination.opinions, opinion)
        return nomination


@frozen(kw_only=True)
class CandidateForwarded(DomainEvent[Nomination]):
    """The list it was on became final: it is now a candidate of the committee above."""

    from_committee_id: str
    to_committee_id: str

    def mutate(self, aggregate: Nomination | None) -> Nomination:
        nomination = _continued(aggregate, self)
        nomination.round_committee_id = self.to_committee_id
        return nomination


def _ended(
    event: DomainEvent[Nomination], aggregate: Nomination | None, ending: Ending
) -> Nomination:
    nomination = _continued(aggregate, event)
    nomination.ended = ending
    nomination.round_committee_id = None
    return nomination


@frozen(kw_only=True)
class NominationEnded(DomainEvent[Nomination]):
    """It went no further: not on the list its round decided, an objection upheld during
    the list's notice (`selection.public_notice`), or the red-flag title it was proposed
    under revoked (`title.revocation`)."""

    outcome: Outcome
    committee_id: str

    def mutate(self, aggregate: Nomination | None) -> Nomination:
        ending = Ending(self.outcome, self.committee_id, self.reason, self.effective_on)
        return _ended(self, aggregate, ending)


@frozen(kw_only=True)
class NominationVetoed(DomainEvent[Nomination]):
    """A veto finding in effect ended it at the round of `committee_id` (`selection.veto`)."""

    committee_id: str
    finding_id: str
    issuing_agency: str
    finding: str

    def mutate(self, aggregate: Nomination | None) -> Nomination:
        ending = Ending(
            Outcome.VETOED, self.committee_id, self.finding, self.effective_on, self.finding_id
        )
        return _ended(self, aggregate, ending)


@frozen(kw_only=True)
class TitleConferred(DomainEvent[Nomination]):
    """A red-flag title: by a city-managed committee (COMMITTEE) or, as Taishan Pioneer, by
    the city committee (CITY), whose secretary is then preferred as a representative
    (`reward.representative_priority`)."""

    level: TitleLevel
    conferred_by: str
    year: int
    representative_priority: bool
    # A city-managed committee's red-flag branch it also proposes for Taishan Pioneer stays
    # a candidate; any other titled nomination has reached the end of its way.
    proposed: bool = False

    def mutate(self, aggregate: Nomination | None) -> Nomination:
        nomination = _continued(aggregate, self)
        if nomination.title is not None:
            nomination.titles_held = _closed(nomination, self.effective_on)
        nomination.title = HeldTitle(self.level, self.conferred_by, self.effective_on)
        nomination.titles_held = (
            *nomination.titles_held,
            (self.level, self.conferred_by, self.effective_on, None),
        )
        if not self.proposed:
            nomination.round_committee_id = None
        return nomination


def _closed(
    nomination: Nomination, on: date
) -> tuple[tuple[TitleLevel, str, date, date | None], ...]:
    """The titles held, the one held now ended on `on`."""
    return tuple(
        (level, by, since, on if ended is None else ended)
        for level, by, since, ended in nomination.titles_held
    )


@frozen(kw_only=True)
class TitleRevoked(DomainEvent[Nomination]):
    """The title is withdrawn outright (直接取消) or, held at committee level, by a
    downgrade (`title.revocation`); the reason is the cause."""

    level: TitleLevel
    decided_by: str
    by_downgrade: bool

    def mutate(self, aggregate: Nomination | None) -> Nomination:
        nomination = _continued(aggregate, self)
        nomination.titles_held = _closed(nomination, self.effective_on)
        nomination.title = None
        return nomination


@frozen(kw_only=True)
class TitleDowngraded(DomainEvent[Nomination]):
    """A Taishan Pioneer becomes a committee-level red-flag branch of `now_held_from`
    (降级处理, `title.revocation`); the reason is the cause."""

    decided_by: str
    now_held_from: str

    def mutate(self, aggregate: Nomination | None) -> Nomination:
        nomination = _continued(aggregate, self)
        nomination.titles_held = _closed(nomination, self.effective_on)
        nomination.title = HeldTitle(TitleLevel.COMMITTEE, self.now_held_from, self.effective_on)
        nomination.titles_held = (
            *nomination.titles_held,
            (TitleLevel.COMMITTEE, self.now_held_from, self.effective_on, None),
        )
        return nomination


@frozen(kw_only=True)
class RewardGranted(DomainEvent[Nomination]):
    """The Party-building funds a Taishan Pioneer receives from the city's Party dues
    (`reward.grant`)."""

    amount_yuan: int

    def mutate(self, aggregate: Nomination | None) -> Nomination:
        nomination = _continued(aggregate, self)
        nomination.reward_yuan = self.amount_yuan
        return nomination


def apply_for_selection(
    existing: Nomination | None,
    decision: Decision,
    *,
    branch_id: str,
    year: int,
    base_committee_id: str,
    priority_awards: tuple[str, ...],
    due_on: date,
) -> BranchApplied:
    nomination_id = nomination_id_of(branch_id, year)
    if existing is not None:
        raise RuleViolation(
            "selection.timeline",
            f"branch {branch_id!r} has already applied for {year} ({nomination_id!r})",
            {"nomination_id": nomination_id},
        )
    if decision.effective_on.year != year:
        raise RuleViolation(
            "selection.timeline",
            f"applications for {year} are made in {year}, not on {decision.effective_on}",
            {"year": year},
        )
    return BranchApplied(
        **stamp(decision, nomination_key(nomination_id).id, 1),
        nomination_id=nomination_id,
        branch_id=branch_id,
        year=year,
        base_committee_id=base_committee_id,
        priority_awards=priority_awards,
        due_on=due_on,
        late=decision.effective_on > due_on,
    )


# Which step a committee of each level records, and the step that must come before it.
STEP_LEVELS: dict[SelectionStep, CommitteeLevel] = {
    SelectionStep.SECRETARY_REPORT: CommitteeLevel.BASE,
    SelectionStep.MEMBER_EVALUATION: CommitteeLevel.BASE,
    SelectionStep.SITE_INSPECTION: CommitteeLevel.CITY_MANAGED,
}
STEP_BEFORE: dict[SelectionStep, SelectionStep] = {
    SelectionStep.MEMBER_EVALUATION: SelectionStep.SECRETARY_REPORT,
}
# The steps a list of each level needs recorded for every candidate it passes.
STEPS_NEEDED: dict[CommitteeLevel, tuple[SelectionStep, ...]] = {
    CommitteeLevel.BASE: (SelectionStep.SECRETARY_REPORT, SelectionStep.MEMBER_EVALUATION),
    CommitteeLevel.CITY_MANAGED: (SelectionStep.SITE_INSPECTION,),
}


def record_step(
    nomination: Nomination,
    decision: Decision,
    *,
    step: SelectionStep,
    committee_id: str,
    level: CommitteeLevel,
    due_on: date | None,
) -> SelectionStepRecorded:
    nomination.require_candidate_of(committee_id)
    if STEP_LEVELS[step] is not level:
        raise RuleViolation(
            "selection.timeline",
            f"{step.value} is a step of a {STEP_LEVELS[step].value} committee's round, not of "
            f"{committee_id!r} ({level.value})",
            {"step": step.value},
        )
    if step in nomination.steps:
        raise RuleViolation(
            "selection.timeline",
            f"{step.value} is already recorded for {nomination.nomination_id!r}",
            {"step": step.value},
        )
    before = STEP_BEFORE.get(step)
    if before is not None and (
        before not in nomination.steps or nomination.steps[before] > decision.effective_on
    ):
        raise RuleViolation(
            "selection.timeline",
            f"{step.value} comes after {before.value}, which is not recorded for "
            f"{nomination.nomination_id!r} by {decision.effective_on}",
            {"step": step.value, "needs": before.value},
        )
    return SelectionStepRecorded(
        **stamp(decision, nomination.id, next_version(nomination)),
        step=step,
        committee_id=committee_id,
        due_on=due_on,
        late=due_on is not None and decision.effective_on > due_on,
    )


def require_steps(nomination: Nomination, level: CommitteeLevel, on: date) -> None:
    for step in STEPS_NEEDED.get(level, ()):
        if step not in nomination.steps or nomination.steps[step] > on:
            raise RuleViolation(
                "selection.timeline",
                f"{nomination.nomination_id!r} cannot be passed before its {step.value} is "
                "recorded",
                {"nomination_id": nomination.nomination_id, "step": step.value},
            )


def record_dossier(
    nomination: Nomination,
    decision: Decision,
    *,
    secretary_person_id: str,
    basic_facts: str,
    past_honours: str,
    main_deeds: str,
) -> DossierRecorded:
    if nomination.ended is not None:
        nomination.require_candidate_of(nomination.round_committee_id or "")
    return DossierRecorded(
        **stamp(decision, nomination.id, next_version(nomination)),
        secretary_person_id=secretary_person_id,
        basic_facts=basic_facts,
        past_honours=past_honours,
        main_deeds=main_deeds,
    )


def recommend(
    nomination: Nomination, decision: Decision, *, committee_id: str, level: CommitteeLevel
) -> BranchRecommended:
    return BranchRecommended(
        **stamp(decision, nomination.id, next_version(nomination)),
        committee_id=committee_id,
        level=level,
    )


def forward(
    nomination: Nomination, decision: Decision, *, to_committee_id: str
) -> CandidateForwarded:
    return CandidateForwarded(
        **stamp(decision, nomination.id, next_version(nomination)),
        from_committee_id=nomination.round_committee_id or nomination.base_committee_id,
        to_committee_id=to_committee_id,
    )


def end(
    nomination: Nomination, decision: Decision, *, outcome: Outcome, committee_id: str
) -> NominationEnded:
    return NominationEnded(
        **stamp(decision, nomination.id, next_version(nomination)),
        outcome=outcome,
        committee_id=committee_id,
    )


def vetoed(
    nomination: Nomination,
    decision: Decision,
    *,
    committee_id: str,
    finding_id: str,
    issuing_agency: str,
    finding: str,
) -> NominationVetoed:
    return NominationVetoed(
        **stamp(decision, nomination.id, next_version(nomination)),
        committee_id=committee_id,
        finding_id=finding_id,
        issuing_agency=issuing_agency,
        finding=finding,
    )
