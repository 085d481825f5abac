"""Implementation plans through the handler (§1, `plan.filing`): submitted to the right body,
accepted or returned with reasons, late recorded and never refused; a refusal changes
nothing but the refusal log."""

from __future__ import annotations

from datetime import date

import pytest

from guoying.application import commands as cmd
from guoying.application.errors import NotAuthorized, Refused
from guoying.application.service import Handler
from guoying.domain.plans import ImplementationPlanSubmitted, PlanStatus, implementation_plan_key
from guoying.domain.policy import TAIAN_2017
from tests.unit.builders import BASE_A1, BASE_A2, CITY, CM_A, CM_B, INT_A, OD, actor
from tests.unit.fakes import FakeEventStore

ON_TIME = date(2017, 7, 1)


def submit(
    committee_id: str, to: str, *, by: str | None = None, on: date = ON_TIME, year: int = 2017
) -> cmd.SubmitImplementationPlan:
    return cmd.SubmitImplementationPlan(
        actor=actor(by or committee_id),
        reason="党委会研究通过实施方案",
        effective_on=on,
        committee_id=committee_id,
        year=year,
        submitted_to=to,
        indicators=("先进党支部不超过10%", "软弱涣散党支部全部整顿"),
        measures=("每季度调度一次",),
        responsibilities=("书记为第一责任人",),
    )


def accept(committee_id: str, by: str, on: date = date(2017, 7, 20)) -> cmd.Command:
    return cmd.AcceptImplementationPlan(
        actor=actor(by),
        reason="审核通过，备案",
        effective_on=on,
        committee_id=committee_id,
        year=2017,
    )


def give_back(
    committee_id: str, by: str, reasons: tuple[str, ...] = ("创建指标不够具体",)
) -> cmd.ReturnImplementationPlan:
    return cmd.ReturnImplementationPlan(
        actor=actor(by),
        reason="退回修改",
        effective_on=date(2017, 7, 5),
        committee_id=committee_id,
        year=2017,
        reasons=reasons,
    )


def refused(store: FakeEventStore, handler: Handler, command: cmd.Command, rule_id: str) -> Refused:
    """Refused with `rule_id`, nothing written, and the refusal logged."""
    before, logged = store.event_count, len(store.refusals)
    with pytest.raises(Refused) as raised:
        handler.execute(command)
    assert raised.value.rule_id == rule_id
    assert store.event_count == before
    assert len(store.refusals) == logged + 1
    assert store.refusals[-1].rule_id == rule_id
    return raised.value


def state(store: FakeEventStore, committee_id: str, start: int = 2017) -> PlanStatus:
    plan = store.get(implementation_plan_key(committee_id, start))
    assert plan is not None
    return plan.status


@pytest.mark.parametrize(
    ("committee_id", "body"),
    [(CM_A, OD), (CM_B, OD), (INT_A, CM_A), (BASE_A1, CM_A), (BASE_A2, INT_A)],
)
def test_plan_filing_each_committee_files_with_the_body_above_it_which_accepts_it(
    store, handler, committee_id, body
):
    """`plan.filing`: a city-managed committee with the city Organization Department, a base
    or intermediate committee with its parent in the tree."""
    handler.execute(submit(committee_id, body))
    assert state(store, committee_id) is PlanStatus.SUBMITTED
    handler.execute(accept(committee_id, body))
    assert state(store, committee_id) is PlanStatus.ACCEPTED


@pytest.mark.parametrize(
    ("committee_id", "wrong"), [(CM_A, CITY), (BASE_A2, CM_A), (BASE_A1, OD), (INT_A, OD)]
)
def test_plan_filing_a_plan_filed_with_the_wrong_body_is_refused(
    store, handler, committee_id, wrong
):
    error = refused(store, handler, submit(committee_id, wrong), "plan.filing")
    assert "submitted_to" in error.message


def test_org_jurisdiction_a_committee_submitting_another_committees_plan_is_refused(store, handler):
    error = refused(store, handler, submit(BASE_A1, CM_A, by=CM_A), "org.jurisdiction")
    assert isinstance(error, NotAuthorized)


@pytest.mark.parametrize("reviewer", [OD, INT_A, CM_B])
def test_org_jurisdiction_only_the_body_a_plan_was_submitted_to_reviews_it(
    store, handler, reviewer
):
    handler.execute(submit(BASE_A1, CM_A))
    error = refused(store, handler, accept(BASE_A1, reviewer), "org.jurisdiction")
    assert isinstance(error, NotAuthorized)
    refused(store, handler, give_back(BASE_A1, reviewer), "org.jurisdiction")


def test_plan_filing_the_city_committee_and_the_department_file_no_plan(store, handler):
    refused(store, handler, submit(OD, CITY), "plan.filing")


def test_plan_filing_a_returned_plan_says_why_and_is_submitted_again_as_a_new_revision(
    store, handler
):
    handler.execute(submit(BASE_A1, CM_A))
    refused(store, handler, give_back(BASE_A1, CM_A, reasons=()), "plan.filing")
    refused(store, handler, give_back(BASE_A1, CM_A, reasons=(" ",)), "plan.filing")
    handler.execute(give_back(BASE_A1, CM_A))
    assert state(store, BASE_A1) is PlanStatus.RETURNED
    handler.execute(submit(BASE_A1, CM_A, on=date(2017, 7, 12)))
    plan = store.get(implementation_plan_key(BASE_A1, 2017))
    assert plan is not None
    assert (plan.status, plan.revision, plan.first_submitted_on) == (
        PlanStatus.SUBMITTED,
        2,
        ON_TIME,
    )
    assert not plan.late  # the plan was first submitted in time
    handler.execute(accept(BASE_A1, CM_A))
    assert state(store, BASE_A1) is PlanStatus.ACCEPTED


def test_plan_filing_a_pending_or_accepted_plan_is_not_submitted_again(store, handler):
    handler.execute(submit(BASE_A1, CM_A))
    refused(store, handler, submit(BASE_A1, CM_A), "plan.filing")
    handler.execute(accept(BASE_A1, CM_A))
    refused(store, handler, submit(BASE_A1, CM_A), "plan.filing")
    refused(store, handler, accept(BASE_A1, CM_A), "plan.filing")


def test_plan_filing_a_plan_never_submitted_is_neither_accepted_nor_returned(store, handler):
    refused(store, handler, accept(BASE_A1, CM_A), "plan.filing")
    refused(store, handler, give_back(BASE_A1, CM_A), "plan.filing")


def test_plan_filing_a_plan_lists_its_indicators_measures_and_responsibilities(store, handler):
    import attrs

    for name in ("indicators", "measures", "responsibilities"):
        empty = attrs.evolve(submit(BASE_A1, CM_A), **{name: ()})
        error = refused(store, handler, empty, "plan.filing")
        assert name in error.message


def test_plan_filing_a_late_submission_is_recorded_as_late_with_its_due_date_never_refused(
    store, handler
):
    handler.execute(submit(CM_B, OD, on=date(2017, 8, 2)))
    filed = store.stream(implementation_plan_key(CM_B, 2017))[0]
    assert isinstance(filed, ImplementationPlanSubmitted)
    assert filed.late
    assert filed.due_on == TAIAN_2017.implementation_plan_due == date(2017, 7, 10)
    assert (filed.window_start, filed.window_end) == (2017, 2019)


def test_plan_filing_a_plan_covers_the_plan_window_so_any_year_of_it_names_the_same_plan(
    store, handler
):
    handler.execute(submit(BASE_A1, CM_A, year=2018))
    refused(store, handler, submit(BASE_A1, CM_A, year=2019), "plan.filing")
    assert state(store, BASE_A1) is PlanStatus.SUBMITTED


def test_plan_filing_a_year_outside_the_policy_is_refused(store, handler):
    refused(store, handler, submit(BASE_A1, CM_A, year=2021), "plan.filing")


def test_plan_filing_a_later_windows_plans_are_due_on_the_same_day_of_its_first_year():
    """Reading: the source dates only the first plans; later windows keep the month and day."""
    assert TAIAN_2017.plan_due(2017, TAIAN_2017.implementation_plan_due) == date(2017, 7, 10)
    assert TAIAN_2017.plan_due(2020, TAIAN_2017.first_plan_due) == date(2020, 7, 10)
