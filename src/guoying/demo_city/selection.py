"""The demo city's selection of red-flag branches: the rounds of one selection year.

A `Season` writes a year's commands round by round and keeps track of each round's
candidates as the domain does (who entered, who was removed by a veto or an objection, who
passed on), so that each list it decides names only live candidates. The year's script
(`selection_years`) calls it in the order of the dates: a round refuses a step dated before
its last one (`selection.timeline`). Each call adds a `Step`: a unit the build applies, or
one command the build expects a rule to refuse.
"""

from __future__ import annotations

import random
from datetime import date

from attrs import define, field, frozen

from guoying.application import commands as c
from guoying.application.commands.base import C
from guoying.application.selection_lookups import ENTERPRISES, NON_PUBLIC
from guoying.demo_city.layout import (
    BASES,
    CITY,
    CITY_MANAGED,
    INTERMEDIATE,
    ORG_DEPARTMENT,
    Branch,
    base_actor,
)
from guoying.demo_city.selection_text import (
    CITY_NOTICE,
    DECIDED,
    DOCUMENT_PREFIX,
    FINAL,
    OPINIONS_GATHERED,
    PROCESS,
    dossier,
)
from guoying.domain.labels import TIER_LABELS
from guoying.domain.nomination import nomination_id_of
from guoying.domain.policy import Policy
from guoying.domain.values import CommitteeLevel, SelectionStep, Tier, VetoPeriod
from guoying.sample_text import person_name

# Each committee's parent, for the rounds a final list passes on to.
PARENTS: dict[str, str] = {
    **{base.committee_id: base.parent_id for base in BASES},
    **{cid: parent for cid, _, parent in INTERMEDIATE},
    **{cid: CITY for cid, _, _ in CITY_MANAGED},
}
LEVELS: dict[str, CommitteeLevel] = {
    CITY: CommitteeLevel.CITY,
    **{cid: CommitteeLevel.CITY_MANAGED for cid, _, _ in CITY_MANAGED},
    **{cid: CommitteeLevel.INTERMEDIATE for cid, _, _ in INTERMEDIATE},
    **{base.committee_id: CommitteeLevel.BASE for base in BASES},
}
_RANK = {Tier.ADVANCED: 0, Tier.MIDDLE: 1, Tier.LAGGING: 2, Tier.WEAK: 3}


@frozen
class Step:
    """Commands the build applies as one unit, or the one command it expects the rule
    `refused_by` to refuse; `year` is the selection year the step concerns."""

    year: int
    commands: tuple[c.Command, ...]
    refused_by: str | None = None


@frozen
class Adverse:
    """An agency's adverse answer about a candidate: a veto finding (`selection.veto`)."""

    agency: str
    finding_id: str
    area: str
    reason: str


@define
class Season:
    """One selection year of the demo city, written step by step."""

    year: int
    policy: Policy
    branches: dict[str, Branch]
    # The tier each branch stood at when the year's selection began.
    standing: dict[str, Tier]
    # What the Annex 3 form says of a branch's past honours, and the branches those mark
    # for priority recommendation (`selection.priority`).
    honours: dict[str, str]
    priority: frozenset[str]
    # Branches a story of the year follows through its rounds, ranked first.
    favoured: frozenset[str]
    # Branch secretaries already registered (a person is registered once).
    secretaries: set[str]
    rng: random.Random
    steps: list[Step] = field(factory=list)
    entered: dict[str, list[str]] = field(factory=dict)
    removed: set[str] = field(factory=set)
    listed: dict[str, tuple[str, ...]] = field(factory=dict)
    named: dict[str, tuple[str, ...]] = field(factory=dict)

    # Steps

    def apply(self, commands: list[c.Command]) -> None:
        if commands:
            self.steps.append(Step(self.year, tuple(commands)))

    def refuse(self, command: c.Command, rule_id: str) -> None:
        self.steps.append(Step(self.year, (command,), refused_by=rule_id))

    def command(self, kind: type[C], by: str, on: date, reason: str, **fields: object) -> C:
        return kind(actor=base_actor(by), reason=reason, effective_on=on, **fields)

    # What the rounds hold

    def branch_of(self, nomination_id: str) -> Branch:
        return self.branches[nomination_id.removesuffix(f"-{self.year}")]

    def rank(self, branch_id: str) -> tuple[bool, bool, int, str]:
        """Followed and priority branches first, then by tier, then in the ledger's order."""
        return (
            branch_id not in self.favoured,
            branch_id not in self.priority,
            _RANK[self.standing[branch_id]],
            branch_id,
        )

    def ranked(self, ids: list[str] | tuple[str, ...]) -> list[str]:
        return sorted(ids, key=lambda n: self.rank(self.branch_of(n).branch_id))

    def live(self, committee_id: str) -> list[str]:
        return self.ranked([n for n in self.entered.get(committee_id, []) if n not in self.removed])

    def pool(self, base: str, count: int, leave: frozenset[str]) -> list[str]:
        """The `count` branches of a base committee that apply: the best standing among
        those advanced or in the middle."""
        own = [
            b.branch_id
            for b in self.branches.values()
            if b.base.committee_id == base
            and b.branch_id not in leave
            and self.standing[b.branch_id] in (Tier.ADVANCED, Tier.MIDDLE)
        ]
        return sorted(own, key=self.rank)[:count]

    # The year's places (`selection.allotment`, `selection.rounds`)

    def places(self, on: date, allotments: dict[str, int], places: dict[str, int]) -> None:
        reason = f"研究确定{self.year}年度“泰山先锋”红旗党支部推荐名额"
        self.apply(
            [
                *(
                    self.command(
                        c.AllotPlaces,
                        ORG_DEPARTMENT,
                        on,
                        f"市委组织部分配{self.year}年度“泰山先锋”红旗党支部名额",
                        year=self.year,
                        committee_id=committee_id,
                        places=count,
                    )
                    for committee_id, count in allotments.items()
                ),
                *(
                    self.command(
                        c.SetRoundPlaces,
                        PARENTS[committee_id],
                        on,
                        reason,
                        committee_id=committee_id,
                        year=self.year,
                        places=count,
                    )
                    for committee_id, count in places.items()
                ),
            ]
        )

    # Applications and the base committees' recorded steps (`selection.timeline`)

    def application(self, branch_id: str, on: date, reason: str) -> c.ApplyForSelection:
        base = self.branches[branch_id].base.committee_id
        return self.command(
            c.ApplyForSelection, base, on, reason, branch_id=branch_id, year=self.year
        )

    def applications(self, on: date, chosen: dict[str, list[str]], reason: str) -> None:
        self.apply([self.application(b, on, reason) for own in chosen.values() for b in own])
        for base, own in chosen.items():
            self.entered.setdefault(base, []).extend(nomination_id_of(b, self.year) for b in own)

    def base_steps(self, nominations: list[str], report_on: date, evaluation_on: date) -> None:
        """The secretary's report, then the members' and public evaluation, recorded by
        each candidate's base committee."""
        self.apply(
            [
                self.command(
                    c.RecordSelectionStep,
                    self.branch_of(nomination_id).base.committee_id,
                    on,
                    reason,
                    nomination_id=nomination_id,
                    step=step,
                )
                for step, on, reason in (
                    (SelectionStep.SECRETARY_REPORT, report_on, "党支部书记向党委专题述职"),
                    (SelectionStep.MEMBER_EVALUATION, evaluation_on, "组织党员和群众代表测评推荐"),
                )
                for nomination_id in nominations
            ]
        )

    def site_inspections(self, committee_id: str, on: date) -> None:
        self.apply(
            [
                self.command(
                    c.RecordSelectionStep,
                    committee_id,
                    on,
                    "实地考察：查阅资料、座谈了解、走访群众",
                    nomination_id=nomination_id,
                    step=SelectionStep.SITE_INSPECTION,
                )
                for nomination_id in self.live(committee_id)
            ]
        )

    # Consultation (`selection.consultation`, `selection.veto`)

    def required(self, nomination_id: str) -> tuple[str, ...]:
        branch = self.branch_of(nomination_id)
        return self.policy.required_agencies(
            enterprise=branch.financial or branch.sector in ENTERPRISES,
            non_public=branch.sector in NON_PUBLIC,
        )

    def consult(
        self,
        committee_id: str,
        on: date,
        *,
        adverse: dict[str, Adverse] | None = None,
    ) -> None:
        """Every required agency answers about every live candidate; an adverse answer ends
        the nomination there and then (no agency answers after it)."""
        by = ORG_DEPARTMENT if committee_id == CITY else committee_id
        commands: list[c.Command] = []
        for nomination_id in self.live(committee_id):
            against = (adverse or {}).get(nomination_id)
            for agency in self.required(nomination_id):
                hostile = against is not None and against.agency == agency
                commands.append(
                    self.command(
                        c.AnswerConsultation,
                        by,
                        on,
                        against.reason
                        if against and hostile
                        else "征求意见回复：未发现不宜推荐的问题",
                        committee_id=committee_id,
                        year=self.year,
                        nomination_id=nomination_id,
                        agency=agency,
                        adverse=hostile,
                        finding_id=against.finding_id if against and hostile else None,
                        area=against.area if against and hostile else None,
                        period=VetoPeriod.CALENDAR_YEAR,
                    )
                )
                if hostile:
                    self.removed.add(nomination_id)
                    break
        self.apply(commands)

    # Lists, notices and objections (`selection.rounds`, `selection.public_notice`)

    def decision(
        self,
        committee_id: str,
        on: date,
        passed: list[str],
        titled: list[str] | None = None,
        reason: str | None = None,
    ) -> c.DecideRoundList:
        by = ORG_DEPARTMENT if committee_id == CITY else committee_id
        return self.command(
            c.DecideRoundList,
            by,
            on,
            reason or DECIDED[LEVELS[committee_id]],
            committee_id=committee_id,
            year=self.year,
            passed=tuple(passed),
            titled=tuple(titled or ()),
        )

    def decide(
        self, committee_id: str, on: date, passed: list[str], titled: list[str] | None = None
    ) -> None:
        by = ORG_DEPARTMENT if committee_id == CITY else committee_id
        notice = CITY_NOTICE if committee_id == CITY else "推荐名单在本单位公示"
        self.apply(
            [
                self.decision(committee_id, on, passed, titled),
                self.command(
                    c.PublishNotice, by, on, notice, committee_id=committee_id, year=self.year
                ),
            ]
        )
        self.listed[committee_id] = tuple(passed)

    def uphold_objection(self, committee_id: str, nomination_id: str, on: date, why: str) -> None:
        self.apply(
            [
                self.command(
                    c.UpholdObjection,
                    committee_id,
                    on,
                    why,
                    committee_id=committee_id,
                    year=self.year,
                    nomination_id=nomination_id,
                )
            ]
        )
        self.removed.add(nomination_id)

    def finalisation(self, committee_id: str, on: date) -> c.FinaliseList:
        return self.command(
            c.FinaliseList,
            committee_id,
            on,
            FINAL[LEVELS[committee_id]],
            committee_id=committee_id,
            year=self.year,
        )

    def finalise(self, committee_ids: list[str], on: date) -> None:
        """The lists become final: base and intermediate lists pass on, a city-managed
        committee confers its red-flag titles, the city committee names."""
        self.apply([self.finalisation(committee_id, on) for committee_id in committee_ids])
        for committee_id in committee_ids:
            final = tuple(n for n in self.listed[committee_id] if n not in self.removed)
            self.listed[committee_id] = final
            if LEVELS[committee_id] in (CommitteeLevel.BASE, CommitteeLevel.INTERMEDIATE):
                self.entered.setdefault(PARENTS[committee_id], []).extend(final)

    # Proposals (`selection.submission`, `selection.form`)

    def submit(self, committee_id: str, on: date, number: int) -> None:
        """Each proposal's secretary registered (once) by its base committee, its Annex 3
        facts recorded by the city-managed committee, then the formal submission."""
        commands: list[c.Command] = []
        for nomination_id in self.listed[committee_id]:
            branch = self.branch_of(nomination_id)
            secretary = f"{branch.branch_id}-sj"
            if secretary not in self.secretaries:
                self.secretaries.add(secretary)
                commands.append(
                    self.command(
                        c.RegisterPerson,
                        branch.base.committee_id,
                        on,
                        "党支部书记，填报推荐审批表",
                        person_id=secretary,
                        name=person_name(self.rng),
                        phone=f"0538-8{self.rng.randrange(100000, 999999)}",
                    )
                )
            facts, deeds = dossier(
                branch,
                members=self.rng.randrange(9, 80),
                measure=self.rng.randrange(3, 40),
                standing=f"{self._standing_label()}{TIER_LABELS[self.standing[branch.branch_id]]}",
            )
            commands.append(
                self.command(
                    c.RecordDossier,
                    committee_id,
                    on,
                    "填写红旗党支部推荐审批表（附件3）",
                    nomination_id=nomination_id,
                    secretary_person_id=secretary,
                    basic_facts=facts,
                    past_honours=self.honours.get(branch.branch_id, "无"),
                    main_deeds=deeds,
                )
            )
        commands.append(
            self.command(
                c.SubmitProposals,
                committee_id,
                on,
                "向市委组织部正式报送“泰山先锋”红旗党支部推荐材料",
                committee_id=committee_id,
                year=self.year,
                document_no=f"{DOCUMENT_PREFIX[committee_id]}〔{self.year}〕{number}号",
                process=PROCESS,
                opinions_gathered=OPINIONS_GATHERED,
            )
        )
        self.apply(commands)
        self.entered.setdefault(CITY, []).extend(self.listed[committee_id])

    def _standing_label(self) -> str:
        return "2017年分析研判为" if self.year == 2017 else f"{self.year - 1}年度考评为"

    # The city's list and naming (`selection.allotment`, `selection.annual_titles`)

    def city_list(self, allotments: dict[str, int]) -> list[str]:
        """The Organization Department's preliminary list: the best of each city-managed
        committee's proposals, at most its allotment; no story is favoured here."""
        chosen: list[str] = []
        for committee_id, places in allotments.items():
            proposed = self.listed[committee_id]
            chosen += sorted(proposed, key=lambda n: self.rank(self.branch_of(n).branch_id)[1:])[
                :places
            ]
        return chosen

    def name(self, on: date) -> None:
        self.finalise([CITY], on)
        self.named = {
            committee_id: tuple(n for n in self.listed[CITY] if n in self.listed[committee_id])
            for committee_id, _, _ in CITY_MANAGED
        }

    def grant(self, on: date) -> None:
        self.apply(
            [
                self.command(
                    c.GrantReward,
                    ORG_DEPARTMENT,
                    on,
                    "从市级管理的党费中拨付党建工作经费1万元",
                    nomination_id=nomination_id,
                )
                for nomination_id in self.listed[CITY]
            ]
        )
