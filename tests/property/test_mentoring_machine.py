"""Mentoring (rules.md section 7) in `guoying.testing`, run against the memory store.

`MentoringMachine` starts each example from a drawn selection year (red-flag titles of both
levels), then forms pairs (valid and deliberately wrong), forms and ends pairs in one unit,
ends pairs, revokes and downgrades titles (the process ends a revoked mentor's pairs) and
files Annex 4 schedules, predicting every outcome: `mentoring.eligibility`,
`mentoring.ratio`, `mentoring.plan`, `title.revocation`, `org.jurisdiction`. After every
step it checks, from the store, no mentor without a title, no mentee with two mentors, no
mentor over the maximum, each pair ended at most once, and rules.md 10 item 1.

The tests after it show the checks can fail: on a store where pairs were written past the
handler, and on a library whose process no longer ends a revoked mentor's pairs.
"""

from __future__ import annotations

import os
from datetime import date

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test

from guoying import Guoying
from guoying.application import commands as c
from guoying.application.pairs_on_revocation import PairsEndedOnRevocation
from guoying.domain import mentoring as m
from guoying.domain.events import AnyEvent
from guoying.domain.policy import PolicyBook
from guoying.domain.values import Authority, Decision, Sector, Tier
from guoying.testing import MENTORING_POLICY, MentoringChecks, MentoringMachine, selection_city
from guoying.testing import strategies as gs

# CI runs the property suite on two cores: fewer examples there. An example (a selection
# year, then 30 steps) takes a few tenths of a second on `memory://`.
IN_CI = os.environ.get("CI") == "true"

TestMentoringMachine = MentoringMachine.TestCase
TestMentoringMachine.settings = settings(
    max_examples=6 if IN_CI else 12, stateful_step_count=30, deadline=None
)
TestMentoringMachine.__doc__ = """`mentoring.eligibility`, `mentoring.ratio`,
`mentoring.plan`, `title.revocation`, `org.jurisdiction` and rules.md 10 item 1 on the
memory store: no mentor without a title, no mentee with two mentors, no mentor over the
maximum, whatever the sequence of pairs, endings, revocations and schedules."""


CITY = selection_city()
ON = date(2018, 7, 1)


def _setup() -> list[c.Command]:
    """The city and four untitled branches of base-b (no selection year: nobody holds a
    red-flag title)."""
    branches = [
        c.RegisterBranch(
            actor=CITY.secretary("base-b"),
            reason="first assessment",
            effective_on=date(2017, 6, 1),
            branch_id=f"b{index}",
            name=f"b{index} 党支部",
            sector=Sector.RURAL,
            base_committee_id="base-b",
            unit_ids=("b1",),
            year=2017,
            tier=Tier.MIDDLE,
        )
        for index in range(4)
    ]
    return [*CITY.setup_commands(date(2017, 1, 1)), *branches]


def _formed_past_the_handler(pair_id: str, mentor: str, mentee: str, app: Guoying) -> None:
    """A pair written straight to the store, as a broken handler would: the domain's events
    with the title check answered yes and the counts never judged."""
    decision = Decision(
        CITY.secretary("county"),
        "written past the handler",
        ON,
        Authority(("mentoring.eligibility",), MENTORING_POLICY.version),
    )
    store = app.store
    events: list[AnyEvent] = [
        m.form_pair(
            None,
            None,
            decision,
            pair_id=pair_id,
            mentor_branch_id=mentor,
            mentee_branch_id=mentee,
            mentee_tier=Tier.MIDDLE,
            mentor_titled=True,
            goal="reach the middle tier",
            measures="monthly joint Party lessons",
            deadline=date(2019, 6, 30),
            remarks="",
        ),
        m.take_mentee(store.get(m.mentor_key(mentor)), decision, mentor=mentor, pair_id=pair_id),
        m.assign_mentor(
            store.get(m.mentee_key(mentee)), decision, mentee=mentee, pair_id=pair_id, mentor=mentor
        ),
    ]
    store.save(events)


@settings(max_examples=50, deadline=None)
@given(
    gs.form_mentoring_pair_commands(branch_ids=["b0", "b1"], committee_ids=["base-b"]),
    gs.end_mentoring_pair_commands(committee_ids=["base-b"], pair_ids=["p1"]),
    gs.file_mentoring_schedule_commands(
        committee_ids=["county"], pair_ids=st.lists(st.sampled_from(["p1", "p2"])).map(tuple)
    ),
)
def test_the_kit_draws_mentoring_commands_from_the_ids_it_is_given(
    form: c.FormMentoringPair, end: c.EndMentoringPair, schedule: c.FileMentoringSchedule
) -> None:
    """`mentoring.plan`: a drawn pair's mentor and mentee come from the branch ids given
    and its deadline is after the pairing; an ending and a schedule name the pairs given,
    a schedule is filed in the year it is for."""
    assert {form.mentor_branch_id, form.mentee_branch_id} <= {"b0", "b1"}
    assert form.deadline > form.effective_on
    assert form.actor.committee_id == "base-b"
    assert end.pair_id == "p1"
    assert set(schedule.pair_ids) <= {"p1", "p2"}
    assert schedule.effective_on is not None
    assert schedule.effective_on.year == schedule.year


def test_the_checks_flag_pairs_the_rules_forbid_written_past_the_handler() -> None:
    """`mentoring.eligibility` and `mentoring.ratio`: `MentoringChecks` finds a mentor
    without a red-flag title, a mentee with two active mentors and a mentor over the
    maximum (two) in a store where the handler was bypassed, and passes the store before."""
    book = PolicyBook((MENTORING_POLICY,))
    with Guoying("memory://", policies=book) as app:
        app.execute_unit(_setup())
        checks = MentoringChecks(app.store, MENTORING_POLICY)
        assert checks.problems(ON) == []
        _formed_past_the_handler("p1", "b0", "b1", app)
        problems = checks.problems(ON)
        assert problems == [
            (
                "mentoring.eligibility: p1 is active but its mentor 'b0' holds no red-flag "
                "title on 2018-07-01"
            )
        ]
        with pytest.raises(AssertionError, match=r"mentoring\.eligibility"):
            checks.check(ON)
        _formed_past_the_handler("p2", "b0", "b2", app)
        _formed_past_the_handler("p3", "b0", "b3", app)
        _formed_past_the_handler("p4", "b3", "b1", app)
        problems = checks.problems(ON)
        assert "mentoring.ratio: branch 'b1' has 2 active mentors (p1, p4)" in problems
        assert (
            "mentoring.ratio: branch 'b0' mentors 3 branches at once, more than the maximum of 2"
        ) in problems


def test_the_machine_catches_a_library_that_keeps_a_revoked_mentor_s_pairs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`mentoring.eligibility`: with the process that ends a revoked mentor's pairs doing
    nothing, the machine fails (on the endings the model expects, or on an active pair
    whose mentor holds no title). No shrinking: the first failing example is enough."""
    monkeypatch.setattr(PairsEndedOnRevocation, "commands", lambda *_: [])
    with pytest.raises(AssertionError) as failed:
        run_state_machine_as_test(
            MentoringMachine,
            settings=settings(
                max_examples=30,
                stateful_step_count=30,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.generate],
            ),
        )
    assert "pair:" in str(failed.value) or "mentoring.eligibility" in str(failed.value)
