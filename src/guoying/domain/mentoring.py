"""Red-flag branches mentoring weaker ones (§6, Annex 4): the `MentoringPair` aggregate and
the two counts its rules need, each decided on an aggregate that owns it.

A pair is one mentor and one mentee with the mentee's tier when paired, the goal, the
measures, the deadline and remarks (`mentoring.plan`). Only a branch holding a red-flag title
mentors, never itself (`mentoring.eligibility`). A mentor's active pairs are counted on its
`MentorLoad` (`mentor:<branch>`), judged against the policy's hard maximum when a unit ends,
so racing writers cannot pass it; fewer than the target is reported, never refused. A
mentee's one active mentor is held on its `MenteeRecord` (`mentee:<branch>`)
(`mentoring.ratio`).
"""

from __future__ import annotations

from datetime import date

from attrs import define, field, frozen

from guoying.domain.events import DomainEvent, Key, Streams, continued, next_version, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.policy import Policy
from guoying.domain.values import Decision, Tier


@frozen
class PairEnding:
    on: date
    reason: str
    decided_by: str


@define
class MentoringPair:
    id: str
    version: int
    pair_id: str
    mentor_branch_id: str
    mentee_branch_id: str
    mentee_tier: Tier
    goal: str
    measures: str
    deadline: date
    remarks: str
    formed_on: date
    ended: PairEnding | None = None

    @property
    def active(self) -> bool:
        return self.ended is None


pair_streams = Streams("pair", MentoringPair)
pair_key = pair_streams.key


@frozen(kw_only=True)
class MentoringPairFormed(DomainEvent[MentoringPair]):
    """A red-flag branch takes on a weaker one (帮带), with the plan of Annex 4."""

    pair_id: str
    mentor_branch_id: str
    mentee_branch_id: str
    mentee_tier: Tier
    goal: str
    measures: str
    deadline: date
    remarks: str

    def mutate(self, _: MentoringPair | None) -> MentoringPair:
        return MentoringPair(
            id=self.originator_id,
            version=self.originator_version,
            pair_id=self.pair_id,
            mentor_branch_id=self.mentor_branch_id,
            mentee_branch_id=self.mentee_branch_id,
            mentee_tier=self.mentee_tier,
            goal=self.goal,
            measures=self.measures,
            deadline=self.deadline,
            remarks=self.remarks,
            formed_on=self.effective_on,
        )


@frozen(kw_only=True)
class MentoringPairEnded(DomainEvent[MentoringPair]):
    """The pair ended; the reason says why (done, the mentor's title revoked, ...)."""

    def mutate(self, aggregate: MentoringPair | None) -> MentoringPair:
        assert aggregate is not None
        aggregate.ended = PairEnding(self.effective_on, self.reason, self.actor.committee_id)
        aggregate.version = self.originator_version
        return aggregate


@define
class MentorLoad:
    """The pairs a branch mentors now: the count `mentoring.ratio` caps."""

    id: str
    version: int
    active: tuple[str, ...] = ()

    def start_unit(self) -> None:
        return None

    def judge(self, policy: Policy) -> None:
        if len(self.active) > policy.mentees_max:
            mentor = self.id.removeprefix("mentor:")
            raise RuleViolation(
                "mentoring.ratio",
                f"branch {mentor!r} would mentor {len(self.active)} branches at once, more "
                f"than the maximum of {policy.mentees_max}",
                {"mentor_branch_id": mentor, "active": len(self.active)},
            )


mentor_key = Streams("mentor", MentorLoad).key


@frozen(kw_only=True)
class MenteeTaken(DomainEvent[MentorLoad]):
    pair_id: str

    def mutate(self, aggregate: MentorLoad | None) -> MentorLoad:
        load = continued(aggregate, self, MentorLoad)
        load.active = (*load.active, self.pair_id)
        return load


@frozen(kw_only=True)
class MenteeReleased(DomainEvent[MentorLoad]):
    pair_id: str

    def mutate(self, aggregate: MentorLoad | None) -> MentorLoad:
        load = continued(aggregate, self, MentorLoad)
        load.active = tuple(p for p in load.active if p != self.pair_id)
        return load


@define
class MenteeRecord:
    """The one pair a branch is mentored in now (`mentoring.ratio`)."""

    id: str
    version: int
    pair_id: str | None = None
    pairs: tuple[str, ...] = field(factory=tuple)


mentee_key = Streams("mentee", MenteeRecord).key


@frozen(kw_only=True)
class MentorAssigned(DomainEvent[MenteeRecord]):
    pair_id: str
    mentor_branch_id: str

    def mutate(self, aggregate: MenteeRecord | None) -> MenteeRecord:
        record = continued(aggregate, self, MenteeRecord)
        record.pair_id = self.pair_id
        record.pairs = (*record.pairs, self.pair_id)
        return record


@frozen(kw_only=True)
class MentorReleased(DomainEvent[MenteeRecord]):
    pair_id: str

    def mutate(self, aggregate: MenteeRecord | None) -> MenteeRecord:
        record = continued(aggregate, self, MenteeRecord)
        if record.pair_id == self.pair_id:
            record.pair_id = None
        return record


def form_pair(
    existing: MentoringPair | None,
    mentee: MenteeRecord | None,
    decision: Decision,
    *,
    pair_id: str,
    mentor_branch_id: str,
    mentee_branch_id: str,
    mentee_tier: Tier,
    mentor_titled: bool,
    goal: str,
    measures: str,
    deadline: date,
    remarks: str,
) -> MentoringPairFormed:
    if existing is not None:
        raise RuleViolation(
            "mentoring.plan", f"pair {pair_id!r} already exists", {"pair_id": pair_id}
        )
    if mentor_branch_id == mentee_branch_id:
        raise RuleViolation(
            "mentoring.eligibility",
            f"branch {mentor_branch_id!r} cannot mentor itself",
            {"mentor_branch_id": mentor_branch_id},
        )
    if not mentor_titled:
        raise RuleViolation(
            "mentoring.eligibility",
            f"branch {mentor_branch_id!r} holds no red-flag title on {decision.effective_on}; "
            "only a red-flag branch mentors",
            {"mentor_branch_id": mentor_branch_id},
        )
    if mentee is not None and mentee.pair_id is not None:
        raise RuleViolation(
            "mentoring.ratio",
            f"branch {mentee_branch_id!r} already has a mentor (pair {mentee.pair_id!r}); a "
            "branch has one mentor at a time",
            {"mentee_branch_id": mentee_branch_id, "pair_id": mentee.pair_id},
        )
    for name, text in (("goal", goal), ("measures", measures)):
        if not text.strip():
            raise RuleViolation("mentoring.plan", f"a pair records its {name}", {"field": name})
    if deadline <= decision.effective_on:
        raise RuleViolation(
            "mentoring.plan",
            f"the deadline {deadline} is not after the pair is formed ({decision.effective_on})",
            {"deadline": deadline.isoformat()},
        )
    return MentoringPairFormed(
        **stamp(decision, pair_key(pair_id).id, 1),
        pair_id=pair_id,
        mentor_branch_id=mentor_branch_id,
        mentee_branch_id=mentee_branch_id,
        mentee_tier=mentee_tier,
        goal=goal,
        measures=measures,
        deadline=deadline,
        remarks=remarks,
    )


def take_mentee(
    load: MentorLoad | None, decision: Decision, *, mentor: str, pair_id: str
) -> MenteeTaken:
    return MenteeTaken(
        **stamp(decision, mentor_key(mentor).id, next_version(load)), pair_id=pair_id
    )


def assign_mentor(
    record: MenteeRecord | None, decision: Decision, *, mentee: str, pair_id: str, mentor: str
) -> MentorAssigned:
    return MentorAssigned(
        **stamp(decision, mentee_key(mentee).id, next_version(record)),
        pair_id=pair_id,
        mentor_branch_id=mentor,
    )


def end_pair(
    pair: MentoringPair, load: MentorLoad | None, record: MenteeRecord | None, decision: Decision
) -> tuple[MentoringPairEnded, MenteeReleased, MentorReleased]:
    if pair.ended is not None:
        raise RuleViolation(
            "mentoring.plan",
            f"pair {pair.pair_id!r} ended on {pair.ended.on}",
            {"pair_id": pair.pair_id},
        )
    if decision.effective_on < pair.formed_on:
        raise RuleViolation(
            "mentoring.plan",
            f"pair {pair.pair_id!r} was formed on {pair.formed_on}; it cannot end before",
            {"pair_id": pair.pair_id},
        )
    return (
        MentoringPairEnded(**stamp(decision, pair.id, next_version(pair))),
        MenteeReleased(
            **stamp(decision, mentor_key(pair.mentor_branch_id).id, next_version(load)),
            pair_id=pair.pair_id,
        ),
        MentorReleased(
            **stamp(decision, mentee_key(pair.mentee_branch_id).id, next_version(record)),
            pair_id=pair.pair_id,
        ),
    )


@define
class MentoringSchedule:
    """A city-managed committee's schedule of its Taishan Pioneers' pairs for a year
    (Annex 4), filed with the city Organization Department (`mentoring.plan`)."""

    id: str
    version: int
    committee_id: str
    year: int
    pair_ids: tuple[str, ...] = ()
    filed_on: date | None = None


def schedule_key(committee_id: str, year: int) -> Key[MentoringSchedule]:
    return Key(f"schedule:{committee_id}:{year}", MentoringSchedule)


@frozen(kw_only=True)
class MentoringScheduleFiled(DomainEvent[MentoringSchedule]):
    """Filed by 31 July (policy); a later filing is recorded as late, never refused."""

    committee_id: str
    year: int
    pair_ids: tuple[str, ...]
    due_on: date
    late: bool

    def mutate(self, _: MentoringSchedule | None) -> MentoringSchedule:
        return MentoringSchedule(
            id=self.originator_id,
            version=self.originator_version,
            committee_id=self.committee_id,
            year=self.year,
            pair_ids=self.pair_ids,
            filed_on=self.effective_on,
        )


def file_schedule(
    existing: MentoringSchedule | None,
    decision: Decision,
    policy: Policy,
    *,
    committee_id: str,
    year: int,
    pair_ids: tuple[str, ...],
) -> MentoringScheduleFiled:
    if existing is not None:
        raise RuleViolation(
            "mentoring.plan",
            f"{committee_id!r} filed its mentoring schedule for {year} on {existing.filed_on}",
            {"committee_id": committee_id, "year": year},
        )
    if not policy.covers_year(year) or decision.effective_on.year < year:
        raise RuleViolation(
            "mentoring.plan",
            f"a schedule for {year} is filed in or after {year}, within policy "
            f"{policy.version} ({policy.first_year}-{policy.last_year})",
            {"year": year},
        )
    if len(set(pair_ids)) != len(pair_ids):
        raise RuleViolation("mentoring.plan", "a schedule lists each pair once")
    due = policy.due_on(year, policy.mentoring_schedule_due)
    return MentoringScheduleFiled(
        **stamp(decision, schedule_key(committee_id, year).id, 1),
        committee_id=committee_id,
        year=year,
        pair_ids=pair_ids,
        due_on=due,
        late=decision.effective_on > due,
    )
