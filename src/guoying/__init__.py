"""guoying (过硬): an event-sourced record of solid Party-branch building."""

from guoying.api import Guoying
from guoying.application.commands import (
    COMMAND_TYPES,
    AdjustTier,
    AssignLiaison,
    Command,
    RecordCommonProblem,
    RecordProblem,
    RegisterBranch,
    RegisterCommittee,
    RegisterPerson,
    RegisterUnit,
    SetCreationTarget,
    SignOffRectification,
)
from guoying.application.errors import (
    AlreadyExists,
    Conflict,
    GuoyingError,
    InvalidCommand,
    NotAuthorized,
    NotFound,
    OutOfRange,
    Refused,
    StoreUnavailable,
)
from guoying.application.service import Outcome
from guoying.domain.exceptions import RuleViolation
from guoying.domain.policy import DEFAULT_POLICY_BOOK, TAIAN_2017, Policy, PolicyBook
from guoying.domain.values import (
    Actor,
    CapException,
    CommitteeLevel,
    Sector,
    Tier,
    UnitKind,
)

__all__ = [
    "COMMAND_TYPES",
    "DEFAULT_POLICY_BOOK",
    "TAIAN_2017",
    "Actor",
    "AdjustTier",
    "AlreadyExists",
    "AssignLiaison",
    "CapException",
    "Command",
    "CommitteeLevel",
    "Conflict",
    "Guoying",
    "GuoyingError",
    "InvalidCommand",
    "NotAuthorized",
    "NotFound",
    "OutOfRange",
    "Outcome",
    "Policy",
    "PolicyBook",
    "RecordCommonProblem",
    "RecordProblem",
    "Refused",
    "RegisterBranch",
    "RegisterCommittee",
    "RegisterPerson",
    "RegisterUnit",
    "RuleViolation",
    "Sector",
    "SetCreationTarget",
    "SignOffRectification",
    "StoreUnavailable",
    "Tier",
    "UnitKind",
]
