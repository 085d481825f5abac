"""Commands as data: imperative attrs classes, read from JSON Lines by the converter.

Every command carries its actor and a reason; `effective_on` defaults to today in China
Standard Time when it is not given.
"""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from guoying.domain.values import (
    Actor,
    CapException,
    CommitteeLevel,
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
    )
}
