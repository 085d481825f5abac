"""Commands of the ledger (Annex 1): tiers, targets, liaisons, rectification, common
problems, corrections, and the parent's exception to `ledger.advanced_cap`."""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from guoying.application.commands.base import Command
from guoying.domain.values import FieldValueError, Tier, non_blank

__all__ = [
    "AdjustTier",
    "ApproveCapException",
    "AssignLiaison",
    "CorrectRecord",
    "RecordCommonProblem",
    "RecordProblem",
    "SetCreationTarget",
    "SignOffRectification",
]


@frozen(kw_only=True)
class AdjustTier(Command):
    """Record a year's evaluation result, which sets the branch's tier from that year."""

    branch_id: str
    year: int
    tier: Tier


@frozen(kw_only=True)
class SetCreationTarget(Command):
    branch_id: str
    year: int
    target: Tier


@frozen(kw_only=True)
class AssignLiaison(Command):
    branch_id: str
    person_id: str
    position: str


@frozen(kw_only=True)
class RecordProblem(Command):
    branch_id: str
    case_id: str = field(validator=non_blank)
    problem: str
    measure: str
    owner_id: str
    deadline: date


@frozen(kw_only=True)
class SignOffRectification(Command):
    branch_id: str
    case_id: str
    outcome: str = field(validator=non_blank)


@frozen(kw_only=True)
class RecordCommonProblem(Command):
    committee_id: str
    problem_id: str = field(validator=non_blank)
    year: int
    problem: str
    measure: str


def _event_id(_: object, attribute: object, value: str) -> None:
    aggregate, _, version = value.rpartition("@")
    if not aggregate.strip() or not version.isdigit():
        raise FieldValueError(
            getattr(attribute, "name", "corrects"),
            f'expects an event id such as "branch:ID@3", not {value!r}',
        )


@frozen(kw_only=True)
class CorrectRecord(Command):
    """Correct a recorded fact of a branch by a new event that names the one it corrects.

    `corrects` is the event's id as `apply` prints it ("branch:ID@VERSION"). Give only the
    values the fact records: `tier` (a first assessment or an adjustment), `target`,
    `problem`/`measure`/`deadline`/`owner_id` (a problem found), `person_id`/`position`
    (a liaison).
    """

    branch_id: str
    corrects: str = field(validator=_event_id)
    tier: Tier | None = None
    target: Tier | None = None
    problem: str | None = None
    measure: str | None = None
    deadline: date | None = None
    owner_id: str | None = None
    person_id: str | None = None
    position: str | None = None


@frozen(kw_only=True)
class ApproveCapException(Command):
    """The parent committee's own decision (the city Organization Department's, for a
    city-managed committee) that `committee_id` may go above `ledger.advanced_cap` in
    `year`; the reason is its justification. It may travel in one unit with the decision
    that needs it."""

    committee_id: str = field(validator=non_blank)
    year: int
