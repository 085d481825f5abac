"""Checking an import's rows against the rules without writing: each row's commands, the
people they register, and the unit they make together."""

from __future__ import annotations

from collections.abc import Iterable

from guoying.api import Command, Guoying, GuoyingError
from guoying.api.imports import Refused
from guoying.forms.annex1_reader import Problem
from guoying.forms.import_report import ImportIssue, PlannedCommand


class RowPlan:
    def __init__(self, row: int | None) -> None:
        self.row = row
        self.commands: list[PlannedCommand] = []
        self.issues: list[ImportIssue] = []
        # The people this row names who are not registered yet.
        self.new_people: list[str] = []
        self.refused = False

    def add(self, column: str | None, command: Command) -> None:
        self.commands.append(PlannedCommand(self.row, column, command))

    def issue(self, column: str | None, rule_id: str, message: str) -> None:
        self.issues.append(ImportIssue(self.row, column, rule_id, "refused", message))


def assemble(plans: Iterable[RowPlan], people: dict[str, PlannedCommand]) -> list[PlannedCommand]:
    """The rows' commands as one unit: each new person registered once, before the first
    row that names them."""
    registered: set[str] = set()
    unit: list[PlannedCommand] = []
    for plan in plans:
        for person_id in plan.new_people:
            if person_id not in registered:
                registered.add(person_id)
                unit.append(people[person_id])
        unit.extend(plan.commands)
    return unit


def check_rows(
    guoying: Guoying,
    plans: list[RowPlan],
    *,
    log_refusal: bool,
    people: dict[str, PlannedCommand],
    partial: bool,
    complete: bool,
) -> list[ImportIssue]:
    """Every row the rules refuse, judged as the unit would be, on its end state: the unit
    of all rows is decided; a refused row is named with the command's column, set aside, and
    the rows left are decided again until they pass. (A row is not judged alone: on its own
    it may break a count, such as `ledger.advanced_cap`, that the whole file keeps.)

    A count broken on the end state is reported once, at the row the rule names, unless
    `partial`: setting a row aside changes the count (one branch fewer allows fewer advanced
    ones), so the rows after it would be refused for a count the file as a whole broke. For
    the same reason a count is not judged once a row is set aside (`complete` is false when
    the caller set some aside already): the file is refused for those rows, and a count of
    what is left would blame rows that are not at fault."""
    issues: list[ImportIssue] = []
    set_aside = not complete
    while True:
        left = [p for p in plans if not p.refused]
        unit = assemble(left, people)
        failed = guoying.trial([p.command for p in unit], log_refusal=log_refusal) if unit else None
        if failed is None:
            return issues
        culprit = unit[failed[0]]
        counted = isinstance(failed[1], Refused) and bool(failed[1].details.get("judged_on"))
        if counted and set_aside and not partial:
            return issues
        for plan in left:
            if plan.row == culprit.row:
                plan.refused = True
        issues.append(from_error(culprit.row, culprit.column, failed[1]))
        if counted and not partial:
            return issues
        set_aside = True


def from_problem(problem: Problem) -> ImportIssue:
    return ImportIssue(problem.row, problem.column, problem.rule_id, problem.kind, problem.message)


def from_error(row: int | None, column: str | None, error: GuoyingError) -> ImportIssue:
    return ImportIssue(row, column, error.rule_id, error.kind, str(error))
