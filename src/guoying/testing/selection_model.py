"""What `SelectionMachine` believes about a selection year, and the outcome it predicts.

The model is the machine's own reading of rules.md section 6, written apart from the
library: the rounds of each deciding committee (places, candidates, answers, the list, its
notice and the day it became final), the nominations (their round, steps, dossier, how they
ended, the title they hold), the veto findings on each branch's and unit's record with the
assessments of rehabilitation, the awards, and the year's counts (allotments, proposals,
names). `SelectionModel.predict` runs commands on a copy and says which error (and rule id)
the library must raise, or that it must apply them; the machine then demands that the library
agrees, and keeps the copy only when the commands were applied.

It follows the handlers' order of checks, so that a command breaking two rules is expected
to be refused by the one the library checks first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from attrs import define, evolve, field, frozen

from guoying.application import commands as c
from guoying.application.errors import GuoyingError, NotAuthorized, NotFound, Refused
from guoying.domain.policy import Policy
from guoying.domain.values import (
    AwardLevel,
    CommitteeLevel,
    Sector,
    SelectionStep,
    Tier,
    TitleLevel,
)
from guoying.domain.vetoes import VetoSubject
from guoying.testing.city import CityLayout

__all__ = [
    "SELECTION_BRANCHES",
    "SELECTION_POLICY",
    "BranchPlan",
    "FindingModel",
    "NominationModel",
    "Predicted",
    "RoundModel",
    "SelectionModel",
]

ENTERPRISES = frozenset({Sector.STATE_OWNED_ENTERPRISE, Sector.NON_PUBLIC_ENTERPRISE})
NON_PUBLIC = frozenset({Sector.NON_PUBLIC_ENTERPRISE, Sector.SOCIAL_ORGANIZATION})
# The steps each level records, the step that must come first, and what a list needs.
STEP_LEVEL = {
    SelectionStep.SECRETARY_REPORT: CommitteeLevel.BASE,
    SelectionStep.MEMBER_EVALUATION: CommitteeLevel.BASE,
    SelectionStep.SITE_INSPECTION: CommitteeLevel.CITY_MANAGED,
}
STEP_FIRST = {SelectionStep.MEMBER_EVALUATION: SelectionStep.SECRETARY_REPORT}
STEPS_FOR_LIST = {
    CommitteeLevel.BASE: (SelectionStep.SECRETARY_REPORT, SelectionStep.MEMBER_EVALUATION),
    CommitteeLevel.CITY_MANAGED: (SelectionStep.SITE_INSPECTION,),
}
VETOED, OBJECTION, NOT_PASSED = "VETOED", "OBJECTION_UPHELD", "NOT_PASSED"
TITLE_REVOKED = "TITLE_REVOKED"


@frozen
class Predicted(Exception):
    """The refusal the model expects: the error type and, for a rule, its id."""

    error: type[GuoyingError]
    rule_id: str | None = None

    def __str__(self) -> str:
        return f"{self.error.__name__} {self.rule_id or ''}".strip()


def refused(rule_id: str) -> Predicted:
    return Predicted(Refused, rule_id)


@frozen
class BranchPlan:
    """A branch of the machine's city, as it is registered."""

    branch_id: str
    base_committee_id: str
    unit_ids: tuple[str, ...]
    sector: Sector = Sector.RURAL
    tier: Tier = Tier.MIDDLE


# Two Taishan Pioneers a year, so that a year's names reach the cap; three agencies always
# consulted (and one more for enterprises, one for non-public branches), so that a round's
# consultation takes a few commands rather than dozens. Policy is data.
SELECTION_POLICY = Policy(
    version="selection-machine",
    effective_on=date(2017, 1, 1),
    annual_titles=2,
    agencies_always=("discipline inspection", "court", "public security"),
    agencies_for_enterprises=("tax",),
    agencies_for_non_public=("party-building body",),
)

# Five or six branches per base committee of `selection_city()`: a joint branch serving two
# units, an enterprise and a social organisation (more agencies to consult).
SELECTION_BRANCHES = (
    BranchPlan("a0", "base-a", ("a1",)),
    BranchPlan("a1", "base-a", ("a1", "a2")),
    BranchPlan("a2", "base-a", ("a3",), Sector.NON_PUBLIC_ENTERPRISE),
    BranchPlan("a3", "base-a", ("a2",), Sector.URBAN_COMMUNITY),
    BranchPlan("a4", "base-a", ("a3",)),
    BranchPlan("b0", "base-b", ("b1",)),
    BranchPlan("b1", "base-b", ("b1",)),
    BranchPlan("b2", "base-b", ("b2",), Sector.SOCIAL_ORGANIZATION),
    BranchPlan("b3", "base-b", ("b1",)),
    BranchPlan("b4", "base-b", ("b2",), Sector.STATE_OWNED_ENTERPRISE),
    BranchPlan("b5", "base-b", ("b2",)),
    BranchPlan("c0", "base-c", ("c1",), Sector.URBAN_COMMUNITY),
    BranchPlan("c1", "base-c", ("c2",), Sector.PUBLIC_INSTITUTION),
    BranchPlan("c2", "base-c", ("c1",), Sector.URBAN_COMMUNITY),
    BranchPlan("c3", "base-c", ("c1", "c2")),
    BranchPlan("c4", "base-c", ("c2",), Sector.PUBLIC_INSTITUTION),
    BranchPlan("c5", "base-c", ("c1",), Sector.RURAL),
)


@frozen
class FindingModel:
    finding_id: str
    subject: VetoSubject
    subject_id: str
    found_on: date
    start: date
    end: date

    def in_effect(self, on: date) -> bool:
        return self.start <= on <= self.end


@define
class RoundModel:
    committee_id: str
    level: CommitteeLevel
    places: int | None = None
    candidates: list[str] = field(factory=list)
    required: dict[str, tuple[str, ...]] = field(factory=dict)
    removed: dict[str, str] = field(factory=dict)
    answers: set[tuple[str, str]] = field(factory=set)
    passed: tuple[str, ...] | None = None
    titled: tuple[str, ...] = ()
    notice_on: date | None = None
    notice_days: int = 0
    final_on: date | None = None
    submitted: bool = False
    last_on: date | None = None

    @property
    def live(self) -> list[str]:
        return [n for n in self.candidates if n not in self.removed]

    @property
    def listed(self) -> tuple[str, ...]:
        return tuple(n for n in self.passed or () if n not in self.removed)

    @property
    def final_from(self) -> date | None:
        if self.notice_on is None:
            return None
        return self.notice_on + timedelta(days=self.notice_days + 1)

    def awaited(self, nomination_id: str) -> list[str]:
        return [a for a in self.required[nomination_id] if (nomination_id, a) not in self.answers]

    def touch(self, on: date) -> None:
        self.last_on = on if self.last_on is None else max(self.last_on, on)

    def clone(self) -> RoundModel:
        return evolve(
            self,
            candidates=list(self.candidates),
            required=dict(self.required),
            removed=dict(self.removed),
            answers=set(self.answers),
        )


@define
class NominationModel:
    nomination_id: str
    branch_id: str
    base_committee_id: str
    round_committee_id: str | None
    priority_awards: tuple[str, ...] = ()
    steps: dict[SelectionStep, date] = field(factory=dict)
    dossier: bool = False
    ended: str | None = None
    title: tuple[TitleLevel, str] | None = None
    # Every title it ever held, as (level, conferred_by).
    titles: list[tuple[TitleLevel, str]] = field(factory=list)
    recommended_by: list[str] = field(factory=list)
    rewarded: bool = False

    def clone(self) -> NominationModel:
        return evolve(
            self,
            steps=dict(self.steps),
            titles=list(self.titles),
            recommended_by=list(self.recommended_by),
        )


@define
class SelectionModel:
    """The machine's belief about one selection year of one city."""

    city: CityLayout
    policy: Policy
    year: int
    branches: dict[str, BranchPlan] = field(factory=dict)
    tiers: dict[str, Tier] = field(factory=dict)
    rounds: dict[str, RoundModel] = field(factory=dict)
    nominations: dict[str, NominationModel] = field(factory=dict)
    findings: dict[str, dict[str, FindingModel]] = field(factory=dict)
    assessments: dict[str, list[tuple[date, frozenset[str]]]] = field(factory=dict)
    awards: dict[str, dict[str, tuple[AwardLevel, int]]] = field(factory=dict)
    allotments: dict[str, int] = field(factory=dict)
    proposals: dict[str, tuple[str, ...]] = field(factory=dict)
    named: dict[str, tuple[str, ...]] = field(factory=dict)
    # The year's counting aggregate exists once any count was recorded.
    counted: bool = False

    def clone(self) -> SelectionModel:
        """A copy to predict on: its own containers, sharing only what never changes (the
        city, the policy, branch plans, findings)."""
        return evolve(
            self,
            branches=dict(self.branches),
            tiers=dict(self.tiers),
            rounds={k: r.clone() for k, r in self.rounds.items()},
            nominations={k: n.clone() for k, n in self.nominations.items()},
            findings={k: dict(f) for k, f in self.findings.items()},
            assessments={k: list(a) for k, a in self.assessments.items()},
            awards={k: dict(a) for k, a in self.awards.items()},
            allotments=dict(self.allotments),
            proposals=dict(self.proposals),
            named=dict(self.named),
        )

    def add_branch(self, plan: BranchPlan) -> None:
        self.branches[plan.branch_id] = plan
        self.tiers[plan.branch_id] = plan.tier

    # Predicting

    def predict(
        self, commands: Sequence[c.Command]
    ) -> tuple[Predicted | None, c.Command | None, SelectionModel]:
        """Run the commands, in order and as one unit, on a copy: the refusal expected, the
        command refused and this model unchanged; or None, None and the changed copy."""
        from guoying.testing.selection_decisions import decide

        after = self.clone()
        for command in commands:
            try:
                decide(after, command)
            except Predicted as predicted:
                return predicted, command, self
        return None, None, after

    # What the checks read

    def level_of(self, committee_id: str) -> CommitteeLevel:
        return self.city.committee(committee_id).level

    def parent_of(self, committee_id: str) -> str | None:
        return self.city.committee(committee_id).parent_id

    def round(self, committee_id: str) -> RoundModel:
        found = self.rounds.get(committee_id)
        if found is None:
            found = self.rounds[committee_id] = RoundModel(
                committee_id, self.level_of(committee_id)
            )
        return found

    def record_of(self, subject: VetoSubject, subject_id: str) -> str:
        return f"{subject.lower()}:{subject_id}"

    def findings_against(self, branch_id: str) -> list[FindingModel]:
        """Every finding on the branch's record and on those of the units it serves."""
        plan = self.branches[branch_id]
        records = [
            self.record_of(VetoSubject.BRANCH, branch_id),
            *(self.record_of(VetoSubject.UNIT, u) for u in plan.unit_ids),
        ]
        found = [f for r in records for f in self.findings.get(r, {}).values()]
        return sorted(found, key=lambda f: (f.found_on, f.finding_id))

    def in_effect(self, branch_id: str, on: date) -> list[FindingModel]:
        return [f for f in self.findings_against(branch_id) if f.in_effect(on)]

    def places_of(self, committee_id: str) -> int | None:
        """A round's places: set by the committee above, twice the allotment at a
        city-managed committee, the allotments (at most the year's number) at the city."""
        level = self.level_of(committee_id)
        if level in (CommitteeLevel.BASE, CommitteeLevel.INTERMEDIATE):
            found = self.rounds.get(committee_id)
            return found.places if found else None
        if not self.counted:
            return None
        if level is CommitteeLevel.CITY_MANAGED:
            if committee_id not in self.allotments:
                return None
            return self.policy.candidates_per_place * self.allotments[committee_id]
        return min(sum(self.allotments.values()), self.policy.annual_titles)

    def required_agencies(self, branch_id: str) -> tuple[str, ...]:
        sector = self.branches[branch_id].sector
        return self.policy.required_agencies(
            enterprise=sector in ENTERPRISES, non_public=sector in NON_PUBLIC
        )

    def proposer_of(self, nomination_id: str) -> str:
        return next(k for k, ids in self.proposals.items() if nomination_id in ids)

    # Shared checks, in the handlers' order

    def deciding(self, committee_id: str) -> CommitteeLevel:
        if not self.city.has_committee(committee_id):
            raise Predicted(NotFound)
        level = self.level_of(committee_id)
        if level is CommitteeLevel.ORGANIZATION_DEPARTMENT:
            raise refused("selection.rounds")
        return level

    def require_decider(self, command: c.Command, committee_id: str, level: CommitteeLevel) -> None:
        actor = command.actor.committee_id
        if actor == committee_id:
            return
        if (
            level is CommitteeLevel.CITY
            and self.city.has_committee(actor)
            and self.level_of(actor) is CommitteeLevel.ORGANIZATION_DEPARTMENT
        ):
            return
        raise Predicted(NotAuthorized, "org.jurisdiction")

    def acting_on_branch(self, command: c.Command, branch_id: str) -> BranchPlan:
        plan = self.branches.get(branch_id)
        if plan is None:
            raise Predicted(NotFound)
        if not self.city.may_act_on(command.actor.committee_id, plan.base_committee_id):
            raise Predicted(NotAuthorized, "org.jurisdiction")
        return plan

    def require_nomination(self, nomination_id: str) -> NominationModel:
        found = self.nominations.get(nomination_id)
        if found is None:
            raise Predicted(NotFound)
        return found

    def require_candidate_of(self, nomination: NominationModel, committee_id: str) -> None:
        if nomination.ended is not None or nomination.round_committee_id != committee_id:
            raise refused("selection.timeline")

    def require_open(self, found: RoundModel | None, on: date) -> None:
        if found is None:
            return
        if found.passed is not None:
            raise refused("selection.timeline")
        self.require_in_order(found, on)

    def require_in_order(self, found: RoundModel, on: date) -> None:
        if found.last_on is not None and on < found.last_on:
            raise refused("selection.timeline")

    def is_eligible(self, branch_id: str, on: date) -> bool:
        """No finding in effect, and every older one assessed (`selection.rehabilitation`)."""
        try:
            self.require_eligible(branch_id, on)
        except Predicted:
            return False
        return True

    def require_eligible(self, branch_id: str, on: date) -> None:
        if self.in_effect(branch_id, on):
            raise refused("selection.veto")
        considered = {
            i for when, ids in self.assessments.get(branch_id, []) if when <= on for i in ids
        }
        if any(f.finding_id not in considered for f in self.findings_against(branch_id)):
            raise refused("selection.rehabilitation")

    def enter(self, nomination: NominationModel, committee_id: str, on: date) -> None:
        nomination.round_committee_id = committee_id
        found = self.rounds.get(committee_id)
        self.require_open(found, on)
        found = self.round(committee_id)
        found.candidates.append(nomination.nomination_id)
        found.required[nomination.nomination_id] = self.required_agencies(nomination.branch_id)
        found.touch(on)

    def veto(self, nomination: NominationModel, found: RoundModel, on: date) -> None:
        nomination.ended = VETOED
        nomination.round_committee_id = None
        found.removed[nomination.nomination_id] = VETOED
        found.touch(on)

    def veto_barred(self, found: RoundModel, ids: Iterable[str], on: date) -> None:
        for nomination_id in list(ids):
            nomination = self.nominations[nomination_id]
            if self.in_effect(nomination.branch_id, on):
                self.veto(nomination, found, on)

    def judge(self) -> None:
        """`YearSelection`'s count, on the end state of the command."""
        policy = self.policy
        if sum(len(n) for n in self.named.values()) > policy.annual_titles:
            raise refused("selection.annual_titles")
        if sum(self.allotments.values()) > policy.annual_titles:
            raise refused("selection.allotment")
        for committee_id, proposed in self.proposals.items():
            if len(proposed) > policy.candidates_per_place * self.allotments.get(committee_id, 0):
                raise refused("selection.proposal_ratio")
        for committee_id, named in self.named.items():
            if len(named) > self.allotments.get(committee_id, 0):
                raise refused("selection.allotment")
