"""The annual selection of a synthetic city: one small, competitive selection a year.

From the second year on, each city-managed committee with base committees of its own (at
most two, of four branches or more, taken in turn year by year) takes part: four branches of
each base committee apply and three pass on; the city-managed committee titles three of its
candidates and proposes two for its one allotted place; the city names one proposal of each
committee and grants its funds. Each year the city also downgrades the first Taishan
Pioneer named the year before, so the title register holds titles of every kind of end.

A year is a few dozen commands per taking-part committee, against thousands for the ledger,
so the city's history stays as cheap to generate as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from guoying.application import commands as c
from guoying.application.commands.base import C
from guoying.application.selection_lookups import ENTERPRISES, NON_PUBLIC
from guoying.domain.nomination import nomination_id_of
from guoying.domain.policy import Policy
from guoying.domain.values import Actor, CommitteeLevel, SelectionStep
from guoying.synthetic.branches import BranchPlan
from guoying.synthetic.tree import CityPlan

APPLICANTS = 4  # per base committee; three pass on
BASES_PER_COMMITTEE = 2


def _actor(committee_id: str) -> Actor:
    return Actor(f"system:synthetic:{committee_id}", committee_id, "import")


def _command(kind: type[C], by: str, on: date, **fields: object) -> C:
    return kind(actor=_actor(by), reason="评选程序", effective_on=on, **fields)


def taking_part(plan: CityPlan, index: int, policy: Policy) -> dict[str, list[str]]:
    """The base committees taking part in year `index`, by city-managed committee: those
    with at most `policy.annual_titles` committees, each allotted one place."""
    found: dict[str, list[str]] = {}
    for committee in plan.committees:
        if committee.level is not CommitteeLevel.CITY_MANAGED:
            continue
        own = [
            p.committee_id
            for p in plan.committees
            if p.parent_id == committee.committee_id
            and p.level is CommitteeLevel.BASE
            and len(plan.branches.get(p.committee_id, ())) >= APPLICANTS
        ]
        if own and len(found) < policy.annual_titles:
            start = index * BASES_PER_COMMITTEE
            count = min(BASES_PER_COMMITTEE, len(own))
            found[committee.committee_id] = [own[(start + k) % len(own)] for k in range(count)]
    return found


def _applicants(plan: CityPlan, base_id: str, index: int) -> list[BranchPlan]:
    own = plan.branches[base_id]
    return [own[(index * APPLICANTS + k) % len(own)] for k in range(APPLICANTS)]


def _consult(
    committee_id: str,
    year: int,
    on: date,
    branches: Iterable[BranchPlan],
    policy: Policy,
    *,
    by: str | None = None,
) -> list[c.Command]:
    """Every agency consulted about each branch answers, none adversely."""
    return [
        _command(
            c.AnswerConsultation,
            by or committee_id,
            on,
            committee_id=committee_id,
            year=year,
            nomination_id=nomination_id_of(b.branch_id, year),
            agency=agency,
        )
        for b in branches
        for agency in policy.required_agencies(
            enterprise=b.financial or b.sector in ENTERPRISES, non_public=b.sector in NON_PUBLIC
        )
    ]


def _round(
    committee_id: str, year: int, on: date, passed: list[str], titled: list[str], *, by: str
) -> list[c.Command]:
    """The list decided and noticed on the same day."""
    return [
        _command(
            c.DecideRoundList,
            by,
            on,
            committee_id=committee_id,
            year=year,
            passed=tuple(passed),
            titled=tuple(titled),
        ),
        _command(c.PublishNotice, by, on, committee_id=committee_id, year=year),
    ]


def _final(committee_id: str, year: int, on: date, *, by: str | None = None) -> c.Command:
    return _command(c.FinaliseList, by or committee_id, on, committee_id=committee_id, year=year)


def _ids(branches: Iterable[BranchPlan], year: int) -> list[str]:
    return [nomination_id_of(b.branch_id, year) for b in branches]


def _committee_rounds(
    plan: CityPlan, index: int, cm: str, bases: list[str], policy: Policy
) -> tuple[list[c.Command], list[BranchPlan]]:
    """The base rounds of a city-managed committee and its own round; its proposals."""
    year = plan.year(index)
    commands: list[c.Command] = []
    forwarded: list[BranchPlan] = []
    base_on = date(year, 3, 20)
    for base_id in bases:
        applicants = _applicants(plan, base_id, index)
        ids = _ids(applicants, year)
        commands.append(
            _command(
                c.SetRoundPlaces,
                cm,
                date(year, 1, 10),
                committee_id=base_id,
                year=year,
                places=APPLICANTS - 1,
            )
        )
        commands += [
            _command(
                c.ApplyForSelection, base_id, date(year, 3, 1), branch_id=b.branch_id, year=year
            )
            for b in applicants
        ]
        commands += [
            _command(c.RecordSelectionStep, base_id, date(year, 3, 10), nomination_id=i, step=step)
            for i in ids
            for step in (SelectionStep.SECRETARY_REPORT, SelectionStep.MEMBER_EVALUATION)
        ]
        commands += _consult(base_id, year, base_on, applicants, policy)
        commands += _round(base_id, year, base_on, ids[:-1], [], by=base_id)
        commands.append(
            _final(base_id, year, base_on + timedelta(days=policy.unit_notice_days + 1))
        )
        forwarded += applicants[:-1]
    inspected, decided = date(year, 5, 10), date(year, 5, 20)
    ids = _ids(forwarded, year)
    commands += [
        _command(
            c.RecordSelectionStep,
            cm,
            inspected,
            nomination_id=i,
            step=SelectionStep.SITE_INSPECTION,
        )
        for i in ids
    ]
    commands += _consult(cm, year, inspected, forwarded, policy)
    proposals = ids[: policy.candidates_per_place]
    commands += _round(cm, year, decided, proposals, ids[:3], by=cm)
    commands.append(_final(cm, year, decided + timedelta(days=policy.unit_notice_days + 1)))
    return commands, forwarded[: policy.candidates_per_place]


def selection_commands(plan: CityPlan, index: int, policy: Policy) -> list[c.Command]:
    """Year `index`'s selection, in the order the committees take its steps (none in the
    first year: the branches are registered in its middle)."""
    parts = taking_part(plan, index, policy) if index else {}
    if not parts:
        return []
    year = plan.year(index)
    city, od = plan.city_id, plan.organization_department_id
    commands: list[c.Command] = [
        _command(c.AllotPlaces, od, date(year, 1, 10), year=year, committee_id=cm, places=1)
        for cm in parts
    ]
    if index > 1 and taking_part(plan, index - 1, policy):
        named = _named(plan, index - 1, policy)
        commands.append(_command(c.DowngradeTitle, city, date(year, 2, 1), nomination_id=named))
    proposed: list[BranchPlan] = []
    submitted = date(year, 5, 30)
    for cm, bases in parts.items():
        rounds, proposals = _committee_rounds(plan, index, cm, bases, policy)
        commands += rounds
        commands += [
            _command(
                c.RecordDossier,
                cm,
                submitted,
                nomination_id=i,
                secretary_person_id=f"{b.base_committee_id}-p1",
                basic_facts=f"{b.name}：党员队伍稳定，组织生活规范",
                past_honours="无",
                main_deeds=f"{b.name}：带领群众发展集体经济",
            )
            for b, i in zip(proposals, _ids(proposals, year), strict=True)
        ]
        commands.append(
            _command(
                c.SubmitProposals,
                cm,
                submitted,
                committee_id=cm,
                year=year,
                document_no=f"{cm}〔{year}〕1号",
                process="基层党委差额推荐，市管党委实地考察、党委会集体研究",
                opinions_gathered="征求同级纪检等单位意见，均无异议",
            )
        )
        proposed += proposals
    listed = date(year, 6, 10)
    names = _ids(proposed[:: policy.candidates_per_place], year)
    commands += _consult(city, year, listed, proposed, policy, by=od)
    commands += _round(city, year, listed, names, [], by=od)
    named_on = listed + timedelta(days=policy.city_notice_days + 1)
    commands.append(_final(city, year, named_on))
    commands += [
        _command(c.GrantReward, city, named_on + timedelta(days=5), nomination_id=i) for i in names
    ]
    return commands


def _named(plan: CityPlan, index: int, policy: Policy) -> str:
    """The first Taishan Pioneer named in year `index`."""
    bases = next(iter(taking_part(plan, index, policy).values()))
    first = _applicants(plan, bases[0], index)[0]
    return nomination_id_of(first.branch_id, plan.year(index))
