"""One deciding committee's round of a year's selection (`selection.rounds`).

A round holds its places (set by the committee above, as data), its candidates, the
agencies' answers (`selection.consultation`), the list it decided as a whole, the list's
public notice (`selection.public_notice`) and the day the list became final. Base
committees recommend, committees between a base committee and its city-managed committee
each run a round of their own, city-managed committees select (and confer their own
red-flag titles), and the city committee evaluates and names.
"""

from __future__ import annotations

import enum
from datetime import date, timedelta

from attrs import define, field, frozen

from guoying.domain.events import DomainEvent, Key, continued, next_version, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.policy import Policy
from guoying.domain.values import CommitteeLevel, Decision


class Removal(enum.StrEnum):
    VETOED = "VETOED"
    OBJECTION_UPHELD = "OBJECTION_UPHELD"
    # The red-flag title it was proposed under was revoked (`title.revocation`).
    TITLE_REVOKED = "TITLE_REVOKED"


@frozen
class Candidate:
    branch_id: str
    required_agencies: tuple[str, ...]
    entered_on: date


@frozen
class Answer:
    adverse: bool
    on: date


@frozen
class Notice:
    published_on: date
    days: int

    @property
    def final_from(self) -> date:
        """`selection.public_notice`: counted from the day after publication."""
        return self.published_on + timedelta(days=self.days + 1)


@define
class Round:
    id: str
    version: int
    committee_id: str
    year: int
    places: int | None = None
    candidates: dict[str, Candidate] = field(factory=dict)
    removed: dict[str, Removal] = field(factory=dict)
    answers: dict[tuple[str, str], Answer] = field(factory=dict)
    passed: tuple[str, ...] | None = None
    titled: tuple[str, ...] = ()
    notice: Notice | None = None
    final_on: date | None = None
    submitted_on: date | None = None
    # The latest business date of a step of the round: no step is dated before it.
    last_on: date | None = None

    @property
    def live(self) -> list[str]:
        return [n for n in self.candidates if n not in self.removed]

    @property
    def listed(self) -> tuple[str, ...]:
        """The decided list as it stands: its candidates less those removed since."""
        return tuple(n for n in self.passed or () if n not in self.removed)

    @property
    def noticed(self) -> tuple[str, ...]:
        """Every candidate the noticed list names: at a city-managed committee, its red-flag
        branches as well as its proposals among them."""
        return tuple(
            dict.fromkeys((*self.listed, *(n for n in self.titled if n not in self.removed)))
        )

    def awaited(self, nomination_id: str) -> tuple[str, ...]:
        candidate = self.candidates[nomination_id]
        return tuple(
            a for a in candidate.required_agencies if (nomination_id, a) not in self.answers
        )


def round_key(committee_id: str, year: int) -> Key[Round]:
    return Key(f"round:{committee_id}:{year}", Round)


def _round(
    aggregate: Round | None, event: DomainEvent[Round], committee_id: str, year: int
) -> Round:
    found = continued(aggregate, event, Round, committee_id=committee_id, year=year)
    found.last_on = max(found.last_on or event.effective_on, event.effective_on)
    return found


@frozen(kw_only=True)
class RoundPlacesSet(DomainEvent[Round]):
    """How many nominations the round may pass on, set by the committee above."""

    committee_id: str
    year: int
    places: int

    def mutate(self, aggregate: Round | None) -> Round:
        found = _round(aggregate, self, self.committee_id, self.year)
        found.places = self.places
        return found


@frozen(kw_only=True)
class CandidateEntered(DomainEvent[Round]):
    """A nomination entered the round, with the agencies to consult about it."""

    committee_id: str
    year: int
    nomination_id: str
    branch_id: str
    required_agencies: tuple[str, ...]

    def mutate(self, aggregate: Round | None) -> Round:
        found = _round(aggregate, self, self.committee_id, self.year)
        found.candidates = {
            **found.candidates,
            self.nomination_id: Candidate(
                self.branch_id, self.required_agencies, self.effective_on
            ),
        }
        return found


@frozen(kw_only=True)
class ConsultationAnswered(DomainEvent[Round]):
    """An agency's answer about a candidate; an adverse one is a veto finding."""

    nomination_id: str
    agency: str
    adverse: bool

    def mutate(self, aggregate: Round | None) -> Round:
        assert aggregate is not None
        found = _round(aggregate, self, aggregate.committee_id, aggregate.year)
        found.answers = {
            **found.answers,
            (self.nomination_id, self.agency): Answer(self.adverse, self.effective_on),
        }
        return found


@frozen(kw_only=True)
class CandidateRemoved(DomainEvent[Round]):
    """A candidate left the round: vetoed, or an objection upheld during the notice."""

    nomination_id: str
    removal: Removal

    def mutate(self, aggregate: Round | None) -> Round:
        assert aggregate is not None
        found = _round(aggregate, self, aggregate.committee_id, aggregate.year)
        found.removed = {**found.removed, self.nomination_id: self.removal}
        return found


@frozen(kw_only=True)
class RoundListDecided(DomainEvent[Round]):
    """The round's list, decided as a whole by the committee's collective decision; at a
    city-managed committee, `titled` are its own red-flag branches and `passed` its
    proposals for Taishan Pioneer among them."""

    passed: tuple[str, ...]
    titled: tuple[str, ...]
    not_passed: tuple[str, ...]
    places: int
    due_on: date | None
    late: bool

    def mutate(self, aggregate: Round | None) -> Round:
        assert aggregate is not None
        found = _round(aggregate, self, aggregate.committee_id, aggregate.year)
        found.passed = self.passed
        found.titled = self.titled
        return found


@frozen(kw_only=True)
class NoticePublished(DomainEvent[Round]):
    """The decided list is publicly noticed for `days` calendar days (CST); it may become
    final on `final_from` at the earliest."""

    days: int
    final_from: date

    def mutate(self, aggregate: Round | None) -> Round:
        assert aggregate is not None
        found = _round(aggregate, self, aggregate.committee_id, aggregate.year)
        found.notice = Notice(self.effective_on, self.days)
        return found


@frozen(kw_only=True)
class RoundListFinal(DomainEvent[Round]):
    """The list's notice ended: its candidates go on (or, at the city, are named)."""

    final: tuple[str, ...]
    titled: tuple[str, ...]
    due_on: date | None
    late: bool

    def mutate(self, aggregate: Round | None) -> Round:
        assert aggregate is not None
        found = _round(aggregate, self, aggregate.committee_id, aggregate.year)
        found.final_on = self.effective_on
        return found


@frozen(kw_only=True)
class ProposalsSubmitted(DomainEvent[Round]):
    """A city-managed committee's formal submission to the city Organization Department
    (`selection.submission`): the process followed, the opinions gathered and the list,
    each candidate's Annex 3 form and deeds recorded on its nomination."""

    document_no: str
    process: str
    opinions_gathered: str
    proposals: tuple[str, ...]

    def mutate(self, aggregate: Round | None) -> Round:
        assert aggregate is not None
        found = _round(aggregate, self, aggregate.committee_id, aggregate.year)
        found.submitted_on = self.effective_on
        return found


def require_in_order(found: Round | None, decision: Decision, step: str) -> None:
    """`selection.timeline`: no step of a round is dated before the one it follows."""
    if found is not None and found.last_on is not None and decision.effective_on < found.last_on:
        raise RuleViolation(
            "selection.timeline",
            f"{step} of round {found.id!r} cannot be dated {decision.effective_on}, before "
            f"its last step on {found.last_on}",
            {"round": found.id, "last_on": found.last_on.isoformat()},
        )


def require_open(found: Round | None, decision: Decision, step: str) -> None:
    """The round has not decided its list yet, and the step is dated in order."""
    if found is not None and found.passed is not None:
        raise RuleViolation(
            "selection.timeline",
            f"{step}: round {found.id!r} already decided its list",
            {"round": found.id},
        )
    require_in_order(found, decision, step)


def set_places(
    found: Round | None, decision: Decision, *, committee_id: str, year: int, places: int
) -> RoundPlacesSet:
    require_open(found, decision, "setting the places")
    if places < 1:
        raise RuleViolation(
            "selection.rounds",
            f"a round needs at least one place, not {places}",
            {"places": places},
        )
    return RoundPlacesSet(
        **stamp(decision, round_key(committee_id, year).id, next_version(found)),
        committee_id=committee_id,
        year=year,
        places=places,
    )


def enter_candidate(
    found: Round | None,
    decision: Decision,
    *,
    committee_id: str,
    year: int,
    nomination_id: str,
    branch_id: str,
    required_agencies: tuple[str, ...],
) -> CandidateEntered:
    require_open(found, decision, f"entering {nomination_id!r}")
    return CandidateEntered(
        **stamp(decision, round_key(committee_id, year).id, next_version(found)),
        committee_id=committee_id,
        year=year,
        nomination_id=nomination_id,
        branch_id=branch_id,
        required_agencies=required_agencies,
    )


def require_live(found: Round, nomination_id: str) -> None:
    if nomination_id not in found.live:
        raise RuleViolation(
            "selection.rounds",
            f"{nomination_id!r} is not a candidate of round {found.id!r}",
            {"nomination_id": nomination_id, "round": found.id},
        )


def answer(
    found: Round, decision: Decision, *, nomination_id: str, agency: str, adverse: bool
) -> ConsultationAnswered:
    require_open(found, decision, "a consultation answer")
    require_live(found, nomination_id)
    required = found.candidates[nomination_id].required_agencies
    if agency not in required:
        raise RuleViolation(
            "selection.consultation",
            f"{agency!r} is not an agency consulted about {nomination_id!r} (required: "
            f"{', '.join(required)})",
            {"agency": agency},
        )
    if (nomination_id, agency) in found.answers:
        raise RuleViolation(
            "selection.consultation",
            f"{agency!r} has already answered about {nomination_id!r}",
            {"agency": agency},
        )
    return ConsultationAnswered(
        **stamp(decision, found.id, next_version(found)),
        nomination_id=nomination_id,
        agency=agency,
        adverse=adverse,
    )


def remove(found: Round, decision: Decision, nomination_id: str, why: Removal) -> CandidateRemoved:
    return CandidateRemoved(
        **stamp(decision, found.id, next_version(found)),
        nomination_id=nomination_id,
        removal=why,
    )


def decide_list(
    found: Round | None,
    decision: Decision,
    *,
    round_id: str,
    level: CommitteeLevel,
    places: int | None,
    passed: tuple[str, ...],
    titled: tuple[str, ...],
    due_on: date | None,
) -> RoundListDecided:
    """`selection.rounds`: a competitive round decides its list as a whole, after every
    required agency answered about every candidate (`selection.consultation`)."""
    if found is None or not found.candidates:
        raise RuleViolation("selection.rounds", f"round {round_id!r} has no candidates")
    require_open(found, decision, "deciding the list")
    if places is None:
        raise RuleViolation(
            "selection.rounds",
            f"round {found.id!r} has no places set by the committee above",
            {"round": found.id},
        )
    live = found.live
    if len(live) <= places:
        raise RuleViolation(
            "selection.rounds",
            f"round {found.id!r} has {len(live)} candidates for {places} places; a round is "
            "competitive (差额): more candidates than places",
            {"round": found.id, "candidates": len(live), "places": places},
        )
    for nomination_id in (*passed, *titled):
        if nomination_id in found.removed:
            raise RuleViolation(
                "selection.veto"
                if found.removed[nomination_id] is Removal.VETOED
                else "selection.public_notice",
                f"{nomination_id!r} was removed from round {found.id!r} "
                f"({found.removed[nomination_id].lower()})",
                {"nomination_id": nomination_id},
            )
        require_live(found, nomination_id)
    if len(set(passed)) != len(passed) or len(set(titled)) != len(titled):
        raise RuleViolation("selection.rounds", "a list names each candidate once")
    if len(passed) > places:
        raise RuleViolation(
            "selection.rounds",
            f"round {found.id!r} passes {len(passed)} candidates on, more than its {places} places",
            {"round": found.id, "passed": len(passed), "places": places},
        )
    if titled and level is not CommitteeLevel.CITY_MANAGED:
        raise RuleViolation(
            "selection.title_levels",
            f"only the city committee and city-managed committees confer the red-flag name; "
            f"{decision.actor.committee_id!r} ({level.value}) may pick advanced branches but "
            "never under that name",
            {"committee_id": decision.actor.committee_id},
        )
    if level is CommitteeLevel.CITY_MANAGED:
        outside = [n for n in passed if n not in titled]
        if outside:
            raise RuleViolation(
                "selection.timeline",
                f"a city-managed committee proposes for Taishan Pioneer among the red-flag "
                f"branches it confers; {outside[0]!r} is not among them",
                {"nomination_id": outside[0]},
            )
    for nomination_id in live:
        waiting = found.awaited(nomination_id)
        if waiting:
            raise RuleViolation(
                "selection.consultation",
                f"the list of round {found.id!r} cannot be decided before every required "
                f"agency has answered; about {nomination_id!r}, {', '.join(waiting)} "
                f"{'has' if len(waiting) == 1 else 'have'} not",
                {"nomination_id": nomination_id, "awaited": list(waiting)},
            )
    return RoundListDecided(
        **stamp(decision, found.id, next_version(found)),
        passed=passed,
        titled=titled,
        not_passed=tuple(n for n in live if n not in passed and n not in titled),
        places=places,
        due_on=due_on,
        late=due_on is not None and decision.effective_on > due_on,
    )


def publish_notice(
    found: Round | None, decision: Decision, policy: Policy, *, round_id: str, level: CommitteeLevel
) -> NoticePublished:
    if found is None or found.passed is None:
        raise RuleViolation(
            "selection.timeline",
            f"round {round_id!r} has no decided list to notice",
            {"round": round_id},
        )
    if found.notice is not None:
        raise RuleViolation(
            "selection.timeline",
            f"the list of round {found.id!r} was noticed on {found.notice.published_on}",
            {"round": found.id},
        )
    require_in_order(found, decision, "the notice")
    days = policy.city_notice_days if level is CommitteeLevel.CITY else policy.unit_notice_days
    return NoticePublished(
        **stamp(decision, found.id, next_version(found)),
        days=days,
        final_from=Notice(decision.effective_on, days).final_from,
    )


def _require_noticed(found: Round | None, round_id: str, step: str) -> Notice:
    if found is None or found.notice is None:
        raise RuleViolation(
            "selection.timeline",
            f"{step}: the list of round {round_id!r} has not been noticed",
            {"round": round_id},
        )
    if found.final_on is not None:
        raise RuleViolation(
            "selection.public_notice",
            f"{step}: the list of round {found.id!r} became final on {found.final_on}",
            {"round": found.id, "final_on": found.final_on.isoformat()},
        )
    return found.notice


def uphold_objection(
    found: Round | None, decision: Decision, *, round_id: str, nomination_id: str
) -> CandidateRemoved:
    notice = _require_noticed(found, round_id, "an objection")
    assert found is not None
    on = decision.effective_on
    if not notice.published_on <= on < notice.final_from:
        raise RuleViolation(
            "selection.public_notice",
            f"an objection is upheld during the notice ({notice.published_on} to "
            f"{notice.final_from - timedelta(days=1)}), not on {on}",
            {"round": found.id},
        )
    if nomination_id not in found.noticed:
        raise RuleViolation(
            "selection.public_notice",
            f"{nomination_id!r} is not on the noticed list of round {found.id!r}",
            {"nomination_id": nomination_id},
        )
    return remove(found, decision, nomination_id, Removal.OBJECTION_UPHELD)


def finalise_list(
    found: Round | None, decision: Decision, *, round_id: str, due_on: date | None
) -> RoundListFinal:
    """`selection.public_notice`: no list becomes final before its notice ends."""
    notice = _require_noticed(found, round_id, "making the list final")
    assert found is not None
    if decision.effective_on < notice.final_from:
        raise RuleViolation(
            "selection.public_notice",
            f"the list of round {found.id!r} was noticed on {notice.published_on} for "
            f"{notice.days} days and becomes final on {notice.final_from} at the earliest, "
            f"not on {decision.effective_on}",
            {"round": found.id, "final_from": notice.final_from.isoformat()},
        )
    return RoundListFinal(
        **stamp(decision, found.id, next_version(found)),
        final=found.listed,
        titled=tuple(n for n in found.titled if n not in found.removed),
        due_on=due_on,
        late=due_on is not None and decision.effective_on > due_on,
    )


def submit_proposals(
    found: Round | None,
    decision: Decision,
    *,
    round_id: str,
    document_no: str,
    process: str,
    opinions_gathered: str,
    without_form: tuple[str, ...],
) -> ProposalsSubmitted:
    """`selection.submission`: a formal submission, made once the list is final, with every
    proposed candidate's Annex 3 form."""
    if found is None or found.final_on is None:
        raise RuleViolation(
            "selection.timeline",
            f"round {round_id!r} submits its proposals once its list is final",
            {"round": round_id},
        )
    if found.submitted_on is not None:
        raise RuleViolation(
            "selection.submission",
            f"round {found.id!r} submitted its proposals on {found.submitted_on}",
            {"round": found.id},
        )
    require_in_order(found, decision, "the submission")
    if without_form:
        raise RuleViolation(
            "selection.submission",
            f"the submission of round {found.id!r} needs the Annex 3 form and deeds of every "
            f"proposal; {without_form[0]!r} has none recorded",
            {"nomination_id": without_form[0]},
        )
    for name, text in (("document_no", document_no), ("process", process)):
        if not text.strip():
            raise RuleViolation("selection.submission", f"a submission states its {name}")
    return ProposalsSubmitted(
        **stamp(decision, found.id, next_version(found)),
        document_no=document_no,
        process=process,
        opinions_gathered=opinions_gathered,
        proposals=found.listed,
    )
