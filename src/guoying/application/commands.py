"""Commands as data: imperative attrs classes, read from JSON Lines by the converter.

Every command carries its actor and a reason; `effective_on` defaults to today in China
Standard Time when it is not given.
"""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from guoying.domain.policy import Policy
from guoying.domain.values import (
    Actor,
    CapException,
    CommitteeLevel,
    FieldValueError,
    Sector,
    Tier,
    UnitKind,
    non_blank,
)


@frozen(kw_only=True)
class Command:
    actor: Actor
    reason: str = field(validator=non_blank)
    effective_on: date | None = None


@frozen(kw_only=True)
class RegisterCommittee(Command):
    committee_id: str = field(validator=non_blank)
    name: str
    level: CommitteeLevel
    parent_id: str | None = None
    county_level: bool = False


@frozen(kw_only=True)
class RegisterUnit(Command):
    unit_id: str = field(validator=non_blank)
    name: str
    kind: UnitKind
    committee_id: str


@frozen(kw_only=True)
class RegisterPerson(Command):
    """Names and telephone numbers are personal data, stored apart from the events."""

    person_id: str = field(validator=non_blank)
    name: str = field(validator=non_blank)
    phone: str = ""


@frozen(kw_only=True)
class RegisterBranch(Command):
    """Enter a branch in the ledger with its base committee's first assessment."""

    branch_id: str = field(validator=non_blank)
    name: str
    sector: Sector
    base_committee_id: str
    unit_ids: tuple[str, ...]
    is_financial_institution: bool = False
    year: int
    tier: Tier
    cap_exceptions: tuple[CapException, ...] = ()


@frozen(kw_only=True)
class AdjustTier(Command):
    """Record a year's evaluation result, which sets the branch's tier from that year."""

    branch_id: str
    year: int
    tier: Tier
    cap_exceptions: tuple[CapException, ...] = ()


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


@frozen(kw_only=True)
class RenameBranch(Command):
    branch_id: str
    name: str = field(validator=non_blank)


@frozen(kw_only=True)
class MoveBranch(Command):
    """Another base committee leads the branch from `effective_on`.

    Decided by a committee over both base committees (their common parent), or by the
    sending committee with the receiving committee's decision in `receiving_decision_by`.
    """

    branch_id: str
    to_committee_id: str
    receiving_decision_by: Actor | None = None
    cap_exceptions: tuple[CapException, ...] = ()


@frozen(kw_only=True)
class MergeBranches(Command):
    """`branch_id` ends and its history and open rectification cases go to `into_branch_id`."""

    branch_id: str
    into_branch_id: str
    cap_exceptions: tuple[CapException, ...] = ()


@frozen(kw_only=True)
class NewBranch:
    """A branch founded by a split, with its first assessment."""

    branch_id: str = field(validator=non_blank)
    name: str = field(validator=non_blank)
    sector: Sector
    unit_ids: tuple[str, ...]
    tier: Tier
    is_financial_institution: bool = False


@frozen(kw_only=True)
class SplitBranch(Command):
    """Found new branches out of one, each with its first assessment for the year of
    `effective_on`; the original ends too when `dissolve_original` is true."""

    branch_id: str
    new_branches: tuple[NewBranch, ...]
    dissolve_original: bool = False
    cap_exceptions: tuple[CapException, ...] = ()


@frozen(kw_only=True)
class DissolveBranch(Command):
    """The branch ends; the committees it counted under have one branch fewer, which may
    take one above `ledger.advanced_cap` unless `cap_exceptions` approves it."""

    branch_id: str
    cap_exceptions: tuple[CapException, ...] = ()


@frozen(kw_only=True)
class RenameCommittee(Command):
    committee_id: str
    name: str = field(validator=non_blank)


@frozen(kw_only=True)
class MoveCommittee(Command):
    """The committee and its subtree sit under another parent from `effective_on`."""

    committee_id: str
    parent_id: str
    cap_exceptions: tuple[CapException, ...] = ()


@frozen(kw_only=True)
class MergeCommittees(Command):
    """`committee_id` ends; its committees and branches move to `into_committee_id`."""

    committee_id: str
    into_committee_id: str
    cap_exceptions: tuple[CapException, ...] = ()


@frozen(kw_only=True)
class DissolveCommittee(Command):
    committee_id: str


@frozen(kw_only=True)
class AppointLeader(Command):
    """A person joins the committee's leadership (`ledger.liaison_coverage`)."""

    committee_id: str
    person_id: str
    position: str = field(validator=non_blank)


@frozen(kw_only=True)
class EndLeadership(Command):
    committee_id: str
    person_id: str


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
    cap_exceptions: tuple[CapException, ...] = ()


@frozen(kw_only=True)
class PublishPolicy(Command):
    """Publish a complete policy version taking effect on `policy.effective_on`; fields not
    given take the 2017 Tai'an values. Only the city Organization Department publishes."""

    policy: Policy


@frozen(kw_only=True)
class ErasePerson(Command):
    """Erase one person's name and telephone number; only the city Organization
    Department, as the keeper of the personal data, erases."""

    person_id: str


COMMAND_TYPES: dict[str, type[Command]] = {
    cls.__name__: cls
    for cls in (
        RegisterCommittee,
        RegisterUnit,
        RegisterPerson,
        RegisterBranch,
        AdjustTier,
        SetCreationTarget,
        AssignLiaison,
        RecordProblem,
        SignOffRectification,
        RecordCommonProblem,
        RenameBranch,
        MoveBranch,
        MergeBranches,
        SplitBranch,
        DissolveBranch,
        RenameCommittee,
        MoveCommittee,
        MergeCommittees,
        DissolveCommittee,
        AppointLeader,
        EndLeadership,
        CorrectRecord,
        PublishPolicy,
        ErasePerson,
    )
}
