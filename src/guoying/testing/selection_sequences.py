"""Valid command sequences of a whole selection year on a small generated city.

Commands drawn field by field are nearly all refused by the selection's rules: a list before
every agency answered, a round with no more candidates than places, a finalisation before
the notice ends. `selection_years()` plans a year that gets through instead: it draws a
city (`cities()`, or the one you give), the branches of each base committee, the places of
every round and the allotments so that every round from the base committees up to the city
is competitive (`selection.rounds`), and then emits, in date order, the Organization
Department's allotments, the round places, the applications (some late), each round's
steps, consultation, list, notice and finalisation, the city-managed committees' forms and
submissions, the city's naming and the grants. Variations keep the year valid: enterprises
and non-public branches with more agencies to consult, joint branches, a candidate vetoed by
an agency's adverse answer, an objection upheld during a notice, a branch with a finding of
the year before taking part after its assessment (`selection.rehabilitation`), a priority
award, and a title revoked or downgraded after the naming. Every command of a sequence
applies::

    from hypothesis import given, settings
    from guoying import Guoying
    from guoying.domain.policy import PolicyBook
    from guoying.testing import selection_years

    @settings(max_examples=10, deadline=None)
    @given(selection_years())
    def test_a_year_names_its_taishan_pioneers(year):
        with Guoying("memory://", policies=PolicyBook((year.policy,))) as app:
            for command in year:
                app.execute(command)
            ...

`SelectionYear.named` says which nominations the city names and `titled` which red-flag
titles the city-managed committees confer; `SelectionLog` (`guoying.testing`) checks rules.md
section 10 on the store afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from typing import TypeVar

from attrs import define, field, frozen
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from guoying.application import commands as c
from guoying.domain.nomination import nomination_id_of
from guoying.domain.policy import Policy
from guoying.domain.values import (
    Actor,
    AwardLevel,
    CommitteeLevel,
    Sector,
    Tier,
    VetoPeriod,
)
from guoying.domain.vetoes import VetoSubject
from guoying.testing.city import CityLayout, cities
from guoying.testing.selection_model import (
    ENTERPRISES,
    NON_PUBLIC,
    SELECTION_POLICY,
    STEPS_FOR_LIST,
)

__all__ = ["SelectionYear", "selection_years"]

K = TypeVar("K", bound=c.Command)
SECTORS = (Sector.RURAL, Sector.RURAL, Sector.URBAN_COMMUNITY, *Sector)


@frozen
class SelectionYear:
    """A city, the commands that build it, and a selection year's decisions in order."""

    city: CityLayout
    policy: Policy
    year: int
    setup: tuple[c.Command, ...]
    decisions: tuple[c.Command, ...]
    named: tuple[str, ...]
    titled: tuple[str, ...]

    def __iter__(self) -> Iterator[c.Command]:
        return iter((*self.setup, *self.decisions))

    def __len__(self) -> int:
        return len(self.setup) + len(self.decisions)


@define
class _Round:
    """One round's plan: its candidates in order of entry, its places and its list."""

    committee_id: str
    level: CommitteeLevel
    candidates: list[str] = field(factory=list)
    places: int = 0
    vetoed: list[str] = field(factory=list)
    passed: list[str] = field(factory=list)
    titled: list[str] = field(factory=list)
    objected: list[str] = field(factory=list)
    final_on: date | None = None

    @property
    def going_up(self) -> list[str]:
        return [n for n in self.passed if n not in self.objected]


@define
class _Plan:
    draw: st.DrawFn
    city: CityLayout
    policy: Policy
    year: int
    sectors: dict[str, Sector] = field(factory=dict)
    bases: dict[str, str] = field(factory=dict)
    setup: list[c.Command] = field(factory=list)
    decisions: list[tuple[date, int, c.Command]] = field(factory=list)

    def at(self, on: date, command: c.Command) -> None:
        self.decisions.append((on, len(self.decisions), command))

    def children(self, committee_id: str) -> list[str]:
        return [k.committee_id for k in self.city.committees if k.parent_id == committee_id]

    def level(self, committee_id: str) -> CommitteeLevel:
        return self.city.committee(committee_id).level

    def by(self, committee_id: str) -> Actor:
        return self.city.secretary(committee_id)


def _plan_places(plan: _Plan) -> dict[str, int]:
    """How many each base and intermediate round passes on, and each city-managed
    committee's allotment: every round competitive, the allotments within the year's
    number, and at least one place for the city to name."""
    draw, city = plan.draw, plan.city
    passes: dict[str, int] = {}
    for base in city.base_ids:
        passes[base] = draw(st.integers(1, 2), label=f"{base} passes")
    managed = city.ids_at(CommitteeLevel.CITY_MANAGED)

    def candidates_of(committee_id: str) -> int:
        return sum(passes.get(k, 0) for k in plan.children(committee_id))

    for committee_id in city.ids_at(CommitteeLevel.INTERMEDIATE):
        below = [k for k in plan.children(committee_id) if k in passes]
        if not below:
            continue
        if candidates_of(committee_id) < 2:
            passes[below[0]] += 1
        most = candidates_of(committee_id) - 1
        passes[committee_id] = draw(st.integers(1, most), label=f"{committee_id} passes")
    if all(candidates_of(m) < 3 for m in managed):
        more = 3 - candidates_of(managed[0])
        first = next(k for k in plan.children(managed[0]) if k in passes)
        passes[first] += more
        if plan.level(first) is CommitteeLevel.INTERMEDIATE:  # and one of its bases too
            passes[next(k for k in plan.children(first) if k in passes)] += more
    left = plan.policy.annual_titles
    for committee_id in managed:
        most = min((candidates_of(committee_id) - 1) // plan.policy.candidates_per_place, left)
        passes[committee_id] = draw(st.integers(0, max(0, most)), label=f"{committee_id} places")
        left -= passes[committee_id]
    if not any(passes[m] for m in managed):
        able = next(m for m in managed if candidates_of(m) >= 3)
        passes[able] = 1
    return passes


def _branches(plan: _Plan, base: str, count: int) -> list[str]:
    """Register `count` branches of a base committee (last year, MIDDLE), serving one or two
    of its units each."""
    units = list(plan.city.units_of(base))
    branch_ids = []
    for index in range(count):
        branch_id = f"{base}-n{index}"
        sector = plan.draw(st.sampled_from(SECTORS), label="sector")
        served = plan.draw(
            st.lists(st.sampled_from(units), min_size=1, max_size=2, unique=True), label="units"
        )
        plan.setup.append(
            c.RegisterBranch(
                actor=plan.by(base),
                reason="first assessment",
                effective_on=date(plan.year - 1, 6, 1),
                branch_id=branch_id,
                name=f"{branch_id} 党支部",
                sector=sector,
                base_committee_id=base,
                unit_ids=tuple(served),
                year=plan.year - 1,
                tier=Tier.MIDDLE,
            )
        )
        plan.sectors[branch_id], plan.bases[branch_id] = sector, base
        branch_ids.append(branch_id)
    return branch_ids


def _agencies(plan: _Plan, branch_id: str) -> tuple[str, ...]:
    sector = plan.sectors[branch_id]
    return plan.policy.required_agencies(
        enterprise=sector in ENTERPRISES, non_public=sector in NON_PUBLIC
    )


def _command(kind: type[K], by: Actor, on: date, reason: str, **fields: object) -> K:
    return kind(actor=by, reason=reason, effective_on=on, **fields)


def _run_round(plan: _Plan, found: _Round, on: date) -> date:
    """Steps, consultation, the list, its notice and its finalisation; the day it is final."""
    committee_id, year = found.committee_id, plan.year
    by = plan.by(committee_id)
    if found.level is CommitteeLevel.CITY:
        department = plan.city.organization_department_id
        assert department is not None
        by = plan.by(department)
    for nomination_id in found.candidates:
        if nomination_id in found.vetoed:
            continue
        for step in STEPS_FOR_LIST.get(found.level, ()):
            plan.at(
                on,
                _command(
                    c.RecordSelectionStep,
                    by,
                    on,
                    "recorded",
                    nomination_id=nomination_id,
                    step=step,
                ),
            )
    for nomination_id in found.candidates:
        agencies = _agencies(plan, nomination_id.rsplit("-", 1)[0])
        if nomination_id in found.vetoed:
            plan.at(
                on,
                _command(
                    c.AnswerConsultation,
                    by,
                    on,
                    "an adverse answer",
                    committee_id=committee_id,
                    year=year,
                    nomination_id=nomination_id,
                    agency=agencies[0],
                    adverse=True,
                    finding_id=f"adverse-{nomination_id}",
                    area="discipline",
                    period=VetoPeriod.CALENDAR_YEAR,
                ),
            )
            continue
        for agency in agencies:
            plan.at(
                on,
                _command(
                    c.AnswerConsultation,
                    by,
                    on,
                    f"{agency} answered",
                    committee_id=committee_id,
                    year=year,
                    nomination_id=nomination_id,
                    agency=agency,
                ),
            )
    fields = {"committee_id": committee_id, "year": year}
    plan.at(
        on,
        _command(
            c.DecideRoundList,
            by,
            on,
            f"the opinion of {committee_id}",
            passed=tuple(found.passed),
            titled=tuple(found.titled),
            **fields,
        ),
    )
    plan.at(on, _command(c.PublishNotice, by, on, "the list is noticed", **fields))
    for nomination_id in found.objected:
        day = on + timedelta(days=1)
        plan.at(
            day,
            _command(
                c.UpholdObjection,
                by,
                day,
                "an objection upheld",
                nomination_id=nomination_id,
                **fields,
            ),
        )
    days = (
        plan.policy.city_notice_days
        if found.level is CommitteeLevel.CITY
        else plan.policy.unit_notice_days
    )
    final = on + timedelta(days=days + 1 + plan.draw(st.integers(0, 2), label="days after"))
    namer = plan.by(committee_id)
    plan.at(final, _command(c.FinaliseList, namer, final, "the notice ended", **fields))
    return final


def _year_opens(plan: _Plan, passes: dict[str, int]) -> dict[str, _Round]:
    """The allotments, the round places, the branches (with a priority award now and then,
    and one taking part again after its assessment), and their applications."""
    draw, city, year = plan.draw, plan.city, plan.year
    department = city.organization_department_id
    assert department is not None
    opened = date(year, 1, 5)
    for committee_id in city.ids_at(CommitteeLevel.CITY_MANAGED):
        plan.at(
            opened,
            _command(
                c.AllotPlaces,
                plan.by(department),
                opened,
                "the year's places",
                year=year,
                committee_id=committee_id,
                places=passes[committee_id],
            ),
        )
    rounds: dict[str, _Round] = {}
    for base in city.base_ids:
        objected = int(draw(st.integers(0, 3), label=f"objection at {base}") == 3)
        vetoed = int(draw(st.integers(0, 3), label=f"veto at {base}") == 3)
        extra = draw(st.integers(0, 1), label=f"more at {base}")
        places = passes[base] + objected
        found = rounds[base] = _Round(base, CommitteeLevel.BASE, places=places)
        branch_ids = _branches(plan, base, places + 1 + vetoed + extra)
        days = sorted(
            draw(st.integers(0, 95), label="applied, days after 10 January") for _ in branch_ids
        )
        for branch_id, day in zip(branch_ids, days, strict=True):
            on = date(year, 1, 10) + timedelta(days=day)
            plan.at(
                on,
                _command(
                    c.ApplyForSelection,
                    plan.by(base),
                    on,
                    "the branch applies",
                    branch_id=branch_id,
                    year=year,
                ),
            )
            found.candidates.append(nomination_id_of(branch_id, year))
        found.final_on = date(year, 1, 10) + timedelta(days=days[-1])
        found.vetoed = found.candidates[len(found.candidates) - vetoed :]
        going = [n for n in found.candidates if n not in found.vetoed]
        found.passed = draw(st.permutations(going), label="passed")[:places]
        found.objected = found.passed[len(found.passed) - objected :]
    for committee_id in city.ids_at(CommitteeLevel.BASE, CommitteeLevel.INTERMEDIATE):
        if committee_id in passes and (
            committee_id in rounds or plan.level(committee_id) is CommitteeLevel.INTERMEDIATE
        ):
            parent = city.committee(committee_id).parent_id
            assert parent is not None
            places = rounds[committee_id].places if committee_id in rounds else passes[committee_id]
            on = date(year, 1, 6)
            plan.at(
                on,
                _command(
                    c.SetRoundPlaces,
                    plan.by(parent),
                    on,
                    "the round's places",
                    committee_id=committee_id,
                    year=year,
                    places=places,
                ),
            )
    _past_and_priority(
        plan, [b for base in city.base_ids for b in plan.bases if plan.bases[b] == base]
    )
    return rounds


def _past_and_priority(plan: _Plan, branch_ids: list[str]) -> None:
    """A provincial award last year marks a branch for priority; a branch with a finding
    of last year takes part after a recorded assessment (`selection.rehabilitation`)."""
    draw, year = plan.draw, plan.year
    for branch_id in branch_ids:
        base = plan.bases[branch_id]
        kind = draw(st.integers(0, 7), label=f"{branch_id}'s past")
        if kind == 6:
            on = date(year - 1, 10, 1)
            plan.setup.append(
                _command(
                    c.RecordAward,
                    plan.by(base),
                    on,
                    "an award on record",
                    branch_id=branch_id,
                    award_id=f"award-{branch_id}",
                    name="全省先进基层党组织",
                    level=AwardLevel.PROVINCIAL,
                    year=year - 1,
                    awarded_by="省委",
                )
            )
        elif kind == 7:
            on = date(year - 1, 9, 1)
            plan.setup.append(
                _command(
                    c.RecordVetoFinding,
                    plan.by(base),
                    on,
                    "a finding was received",
                    finding_id=f"past-{branch_id}",
                    subject=VetoSubject.BRANCH,
                    subject_id=branch_id,
                    area="work safety",
                    issuing_agency="public security",
                    found_on=on,
                )
            )
            assessed = date(year, 1, 8)
            plan.at(
                assessed,
                _command(
                    c.AssessRehabilitation,
                    plan.by(base),
                    assessed,
                    "a comprehensive assessment (综合分析研判)",
                    branch_id=branch_id,
                ),
            )


def _going_up(plan: _Plan, rounds: dict[str, _Round], committee_id: str) -> list[str]:
    """The candidates a round receives: what the rounds below it pass on."""
    return [n for k in plan.children(committee_id) if k in rounds for n in rounds[k].going_up]


def _after(plan: _Plan, rounds: dict[str, _Round], committee_id: str) -> date:
    below = [rounds[k].final_on for k in plan.children(committee_id) if k in rounds]
    latest = max(d for d in below if d is not None)
    return latest + timedelta(days=plan.draw(st.integers(0, 3), label="days later"))


@st.composite
def _selection_year(
    draw: st.DrawFn, city: CityLayout | None, policy: Policy, year: int
) -> SelectionYear:
    city = city if city is not None else draw(cities())
    if not city.person_ids:
        raise ValueError("a selection year needs a registered person for the Annex 3 forms")
    plan = _Plan(draw, city, policy, year)
    plan.setup.extend(city.setup_commands(date(year - 1, 1, 1)))
    passes = _plan_places(plan)
    rounds = _year_opens(plan, passes)
    for base in city.base_ids:
        found = rounds[base]
        assert found.final_on is not None
        on = found.final_on + timedelta(days=draw(st.integers(0, 5), label="days later"))
        found.final_on = _run_round(plan, found, on)
    for committee_id in city.ids_at(CommitteeLevel.INTERMEDIATE):
        if committee_id in passes:
            found = rounds[committee_id] = _Round(
                committee_id,
                CommitteeLevel.INTERMEDIATE,
                _going_up(plan, rounds, committee_id),
                passes[committee_id],
            )
            found.passed = draw(st.permutations(found.candidates), label="passed")[: found.places]
            found.final_on = _run_round(plan, found, _after(plan, rounds, committee_id))
    titled: list[str] = []
    submitted: list[date] = []
    for committee_id in city.ids_at(CommitteeLevel.CITY_MANAGED):
        candidates = _going_up(plan, rounds, committee_id)
        found = rounds[committee_id] = _Round(committee_id, CommitteeLevel.CITY_MANAGED, candidates)
        proposals = policy.candidates_per_place * passes[committee_id]
        order = draw(st.permutations(candidates), label="titled")
        found.titled = order[: draw(st.integers(proposals, len(order)), label="titles")]
        found.passed = found.titled[:proposals]
        titled += found.titled
        final = found.final_on = _run_round(plan, found, _after(plan, rounds, committee_id))
        _submit(plan, found, final)
        submitted.append(final)
    named = _city_round(plan, rounds, passes, max(submitted))
    return SelectionYear(
        city,
        policy,
        year,
        tuple(plan.setup),
        tuple(command for _, _, command in sorted(plan.decisions, key=lambda d: (d[0], d[1]))),
        tuple(named),
        tuple(titled),
    )


def _submit(plan: _Plan, found: _Round, on: date) -> None:
    by = plan.by(found.committee_id)
    for nomination_id in found.passed:
        plan.at(
            on,
            _command(
                c.RecordDossier,
                by,
                on,
                "the Annex 3 form",
                nomination_id=nomination_id,
                secretary_person_id=plan.city.person_ids[0],
                basic_facts=f"the facts of {nomination_id}",
                past_honours="none",
                main_deeds=f"the deeds of {nomination_id}",
            ),
        )
    plan.at(
        on,
        _command(
            c.SubmitProposals,
            by,
            on,
            "the committee submits its proposals",
            committee_id=found.committee_id,
            year=plan.year,
            document_no=f"{found.committee_id}-{plan.year}-7",
            process="recommended, inspected on site, decided at the committee",
            opinions_gathered="every agency answered",
        ),
    )


def _city_round(
    plan: _Plan, rounds: dict[str, _Round], passes: dict[str, int], after: date
) -> list[str]:
    """The Organization Department's preliminary list (at most each committee's allotment
    from its proposals), the city's naming, the grants, and now and then a title revoked or
    downgraded afterwards."""
    draw, city = plan.draw, plan.city
    candidates = [n for k in city.ids_at(CommitteeLevel.CITY_MANAGED) for n in rounds[k].passed]
    named: list[str] = []
    for committee_id in city.ids_at(CommitteeLevel.CITY_MANAGED):
        proposals = rounds[committee_id].passed
        count = draw(st.integers(0, passes[committee_id]), label=f"named from {committee_id}")
        named += draw(st.permutations(proposals), label="named")[:count]
    if not named:
        named = [candidates[0]]
    found = rounds[city.city_id] = _Round(city.city_id, CommitteeLevel.CITY, candidates)
    found.passed = named
    on = after + timedelta(days=draw(st.integers(0, 3), label="days later"))
    final = _run_round(plan, found, on)
    department = city.organization_department_id
    assert department is not None
    granted = final + timedelta(days=7)
    for nomination_id in named:
        plan.at(
            granted,
            _command(
                c.GrantReward,
                plan.by(department),
                granted,
                "the Taishan Pioneer grant",
                nomination_id=nomination_id,
            ),
        )
    after_naming = draw(
        st.sampled_from((None, None, c.RevokeTitle, c.DowngradeTitle)), label="afterwards"
    )
    if after_naming is not None:
        later = final + timedelta(days=30)
        plan.at(
            later,
            _command(
                after_naming,
                plan.by(city.city_id),
                later,
                "discipline broken with bad influence",
                nomination_id=named[0],
            ),
        )
    return named


def selection_years(
    *, city: CityLayout | None = None, policy: Policy = SELECTION_POLICY, year: int = 2018
) -> SearchStrategy[SelectionYear]:
    """A whole selection year that applies command by command: a city (drawn with
    `cities()` unless given; it needs a registered person), its branches and the year's
    decisions up to the city's naming and after. `policy` (by default two titles a year and
    three agencies always consulted) must be the one the store judges by, and `year` one of
    its years after its first."""
    if not policy.first_year < year <= policy.last_year:
        raise ValueError(f"year {year} needs a year of policy {policy.version} before it")
    return _selection_year(city, policy, year)
