"""Mentoring pairs through the handler (§6, Annex 4): who mentors, how many, one mentor per
mentee, and a refusal that changes nothing but the refusal log."""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from guoying.application import commands as cmd
from guoying.application.errors import NotAuthorized, NotFound, Refused
from guoying.application.service import Handler
from guoying.domain.mentoring import (
    MentoringScheduleFiled,
    mentee_key,
    mentor_key,
    pair_key,
    schedule_key,
)
from guoying.domain.policy import TAIAN_2017, PolicyBook
from guoying.domain.values import Tier
from tests.unit import selection_builders as sb
from tests.unit.builders import BASE_A1, CM_A, CM_B, OD, fixed_clock, setup_commands
from tests.unit.fakes import FakeEventStore

ON = date(sb.YEAR, 7, 1)
MENTOR = "base-a1-b0"  # named Taishan Pioneer in the builders' year
MENTEES = ["base-a1-b2", "base-a1-b3", "base-a2-b1", "base-a2-b2"]


def pair(
    pair_id: str, mentee: str, *, mentor: str = MENTOR, by: str = CM_A
) -> cmd.FormMentoringPair:
    return sb.command(
        cmd.FormMentoringPair,
        by,
        ON,
        pair_id=pair_id,
        mentor_branch_id=mentor,
        mentee_branch_id=mentee,
        goal="reach the middle tier",
        measures="monthly joint Party lessons",
        deadline=date(sb.YEAR + 1, 6, 30),
        remarks="",
    )


def refused(store: FakeEventStore, handler: Handler, command: cmd.Command, rule_id: str) -> Refused:
    before = store.event_count
    with pytest.raises(Refused) as raised:
        handler.execute(command)
    assert raised.value.rule_id == rule_id
    assert store.event_count == before
    assert store.refusals[-1].rule_id == rule_id
    return raised.value


@pytest.fixture
def year(store, handler):
    sb.run(handler, sb.whole_year())
    return handler


def test_mentoring_plan_a_pair_records_the_mentee_s_tier_when_paired_and_its_plan(store, year):
    year.execute(pair("p1", MENTEES[0]))
    found = store.get(pair_key("p1"))
    assert found is not None
    assert (found.mentor_branch_id, found.mentee_branch_id) == (MENTOR, MENTEES[0])
    assert found.mentee_tier is Tier.MIDDLE
    assert found.deadline == date(sb.YEAR + 1, 6, 30)
    assert found.active


def test_mentoring_eligibility_a_branch_without_a_red_flag_title_does_not_mentor(store, year):
    refused(store, year, pair("p1", MENTEES[0], mentor="base-a1-b3"), "mentoring.eligibility")


def test_mentoring_eligibility_a_committee_level_title_is_enough(store, year):
    year.execute(pair("p1", MENTEES[0], mentor=sb.PROPOSALS[1].removesuffix(f"-{sb.YEAR}")))


def test_mentoring_eligibility_a_branch_never_mentors_itself(store, year):
    refused(store, year, pair("p1", MENTOR), "mentoring.eligibility")


def test_mentoring_ratio_a_branch_has_one_mentor_at_a_time(store, year):
    other = sb.PROPOSALS[1].removesuffix(f"-{sb.YEAR}")
    year.execute(pair("p1", MENTEES[0]))
    refused(store, year, pair("p2", MENTEES[0], mentor=other), "mentoring.ratio")
    year.execute(sb.command(cmd.EndMentoringPair, CM_A, date(sb.YEAR, 9, 1), pair_id="p1"))
    year.execute(
        attrs.evolve(pair("p2", MENTEES[0], mentor=other), effective_on=date(sb.YEAR, 9, 2))
    )
    record = store.get(mentee_key(MENTEES[0]))
    assert record is not None
    assert record.pair_id == "p2"


def test_mentoring_ratio_no_mentor_over_the_maximum_even_in_one_unit():
    """A policy with a maximum of two: a third pair is refused alone or inside a unit, and
    fewer than the target is never refused."""
    policy = attrs.evolve(TAIAN_2017, mentees_max=2)
    store = FakeEventStore()
    handler = Handler(store, clock=fixed_clock, policies=PolicyBook((policy,)))
    handler.execute_unit(setup_commands())
    sb.run(handler, sb.whole_year())
    handler.execute(pair("p1", MENTEES[0]))
    with pytest.raises(Refused) as raised:
        handler.execute_unit([pair("p2", MENTEES[1]), pair("p3", MENTEES[2])])
    assert raised.value.rule_id == "mentoring.ratio"
    assert store.get(pair_key("p2")) is None
    handler.execute(pair("p2", MENTEES[1]))
    refused(store, handler, pair("p3", MENTEES[2]), "mentoring.ratio")
    load = store.get(mentor_key(MENTOR))
    assert load is not None
    assert load.active == ("p1", "p2")


def test_org_jurisdiction_a_committee_pairs_only_branches_in_its_own_subtree(store, year):
    error = refused(store, year, pair("p1", MENTEES[0], by=CM_B), "org.jurisdiction")
    assert isinstance(error, NotAuthorized)


def test_an_unknown_pair_is_not_found(store, year):
    with pytest.raises(NotFound) as raised:
        year.execute(sb.command(cmd.EndMentoringPair, CM_A, ON, pair_id="nobody"))
    assert raised.value.field == "pair_id"


def schedule(pair_ids: tuple[str, ...], *, on: date, by: str = CM_A) -> cmd.FileMentoringSchedule:
    return sb.command(
        cmd.FileMentoringSchedule, by, on, committee_id=CM_A, year=sb.YEAR, pair_ids=pair_ids
    )


def test_mentoring_plan_a_schedule_filed_after_31_july_is_recorded_as_late_never_refused(
    store, year
):
    year.execute(pair("p1", MENTEES[0]))
    year.execute(schedule(("p1",), on=date(sb.YEAR, 8, 5)))
    filed = store.stream(schedule_key(CM_A, sb.YEAR))[0]
    assert isinstance(filed, MentoringScheduleFiled)
    assert filed.late
    assert filed.due_on == date(sb.YEAR, 7, 31)
    refused(store, year, schedule(("p1",), on=date(sb.YEAR, 8, 6)), "mentoring.plan")


def test_mentoring_eligibility_the_schedule_lists_taishan_pioneers_pairs_only(store, year):
    committee_titled = sb.PROPOSALS[1].removesuffix(f"-{sb.YEAR}")
    year.execute(pair("p1", MENTEES[0], mentor=committee_titled))
    refused(store, year, schedule(("p1",), on=date(sb.YEAR, 7, 20)), "mentoring.eligibility")


def test_mentoring_plan_the_schedule_is_filed_by_the_city_managed_committee_itself(store, year):
    year.execute(pair("p1", MENTEES[0]))
    error = refused(
        store, year, schedule(("p1",), on=date(sb.YEAR, 7, 20), by=OD), "org.jurisdiction"
    )
    assert isinstance(error, NotAuthorized)
    base = sb.command(
        cmd.FileMentoringSchedule,
        BASE_A1,
        date(sb.YEAR, 7, 20),
        committee_id=BASE_A1,
        year=sb.YEAR,
        pair_ids=("p1",),
    )
    refused(store, year, base, "mentoring.plan")
