"""`ledger.row`: the problems common to a committee's branches, one CommonProblems
aggregate per committee (`problems:<committee>`)."""

from __future__ import annotations

import pytest

from guoying.domain.common_problems import CommonProblems, problems_key, record_common_problem
from guoying.domain.exceptions import RuleViolation
from guoying.domain.policy import TAIAN_2017
from tests.unit.builders import CM_A, decision


def refused(rule_id: str):
    return pytest.raises(RuleViolation, match=rf"^{rule_id}:")


def common(problems: CommonProblems | None, **overrides):
    fields = {
        "problem_id": "cp-1",
        "year": 2017,
        "problem": "  thin records ",
        "measure": " keep the ledger monthly  ",
    }
    fields.update(overrides)
    return record_common_problem(problems, decision(CM_A), TAIAN_2017, committee_id=CM_A, **fields)


def test_ledger_row_a_committee_records_its_common_problems_and_measures():
    problems = common(None).mutate(None)
    problem = problems.problems["cp-1"]
    assert (problem.year, problem.problem, problem.measure) == (
        2017,
        "thin records",
        "keep the ledger monthly",
    )
    assert problems.id == problems_key(CM_A).id
    assert (problems.committee_id, problems.version) == (CM_A, 1)


def test_ledger_row_a_committees_second_common_problem_continues_its_stream():
    first = common(None).mutate(None)
    event = common(first, problem_id="cp-2")
    assert event.originator_version == 2
    assert sorted(event.mutate(first).problems) == ["cp-1", "cp-2"]


def test_ledger_row_a_common_problem_is_recorded_only_once():
    with refused("ledger.row"):
        common(common(None).mutate(None))


@pytest.mark.parametrize("year", [2016, 2020])
def test_ledger_row_a_common_problem_outside_the_policy_years_is_refused(year):
    with refused("ledger.row"):
        common(None, year=year)


@pytest.mark.parametrize(("problem", "measure"), [(" ", "m"), ("p", "")])
def test_ledger_row_a_common_problem_needs_the_problem_and_its_measure(problem, measure):
    with refused("ledger.row"):
        common(None, problem=problem, measure=measure)
