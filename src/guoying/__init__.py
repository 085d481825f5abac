"""guoying (过硬): an event-sourced record of solid Party-branch building."""

from guoying import application
from guoying.api import Guoying
from guoying.application.catalogue import COMMAND_TYPES
from guoying.application.commands import *  # noqa: F403 - every command, by its own __all__
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
from guoying.domain.rules import RULE_IDS, RuleId
from guoying.domain.values import Actor, CommitteeLevel, Sector, Tier, UnitKind
from guoying.projections.audit import AuditEntry, AuditFilter

__all__ = [
    "COMMAND_TYPES",
    "DEFAULT_POLICY_BOOK",
    "RULE_IDS",
    "TAIAN_2017",
    "Actor",
    "AlreadyExists",
    "AuditEntry",
    "AuditFilter",
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
    "Refused",
    "RuleId",
    "RuleViolation",
    "Sector",
    "StoreUnavailable",
    "Tier",
    "UnitKind",
]
# The commands come from their modules' own lists, so a new command is exported where it
# is defined and nowhere else.
__all__ += application.commands.__all__
