"""`ledger.row`: the problems common to a committee's branches (面上共性问题) and their
measures, one `CommonProblems` aggregate per committee."""

from __future__ import annotations

from attrs import define, field, frozen

from guoying.domain.events import DomainEvent, Streams, continued, next_version, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.policy import Policy
from guoying.domain.values import Decision


@frozen
class CommonProblem:
    problem_id: str
    year: int
    problem: str
    measure: str


@define
class CommonProblems:
    id: str
    version: int
    committee_id: str
    problems: dict[str, CommonProblem] = field(factory=dict)


problems_key = Streams("problems", CommonProblems).key


@frozen(kw_only=True)
class CommonProblemRecorded(DomainEvent[CommonProblems]):
    """A problem common to the committee's branches and its measure (面上共性问题)."""

    committee_id: str
    problem_id: str
    year: int
    problem: str
    measure: str

    def mutate(self, aggregate: CommonProblems | None) -> CommonProblems:
        found = continued(aggregate, self, CommonProblems, committee_id=self.committee_id)
        found.problems[self.problem_id] = CommonProblem(
            self.problem_id, self.year, self.problem, self.measure
        )
        return found


def record_common_problem(
    problems: CommonProblems | None,
    decision: Decision,
    policy: Policy,
    *,
    committee_id: str,
    problem_id: str,
    year: int,
    problem: str,
    measure: str,
) -> CommonProblemRecorded:
    if not policy.covers_year(year):
        raise RuleViolation("ledger.row", f"year {year} is outside policy {policy.version}")
    if problems and problem_id in problems.problems:
        raise RuleViolation("ledger.row", f"common problem {problem_id!r} is already recorded")
    if not problem.strip() or not measure.strip():
        raise RuleViolation("ledger.row", "a common problem needs its measure")
    return CommonProblemRecorded(
        **stamp(decision, problems_key(committee_id).id, next_version(problems)),
        committee_id=committee_id,
        problem_id=problem_id,
        year=year,
        problem=problem.strip(),
        measure=measure.strip(),
    )
