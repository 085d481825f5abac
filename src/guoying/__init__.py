"""guoying (过硬): an event-sourced record of solid Party-branch building.

Every name is imported on first use (PEP 562): `import guoying` and each command line start
pay for no store, no event framework and no form writer they do not use.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
    from guoying.application.outcome import Outcome
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
    __all__ += application.commands.__all__

# Each name beside its module; the commands come from their modules' own lists (below), so
# a new command is exported where it is defined and nowhere else.
_MODULES = {
    "Guoying": "guoying.api",
    "COMMAND_TYPES": "guoying.application.catalogue",
    "Outcome": "guoying.application.outcome",
    "RuleViolation": "guoying.domain.exceptions",
    "AuditEntry": "guoying.projections.audit",
    "AuditFilter": "guoying.projections.audit",
    **dict.fromkeys(
        [
            "AlreadyExists",
            "Conflict",
            "GuoyingError",
            "InvalidCommand",
            "NotAuthorized",
            "NotFound",
            "OutOfRange",
            "Refused",
            "StoreUnavailable",
        ],
        "guoying.application.errors",
    ),
    **dict.fromkeys(
        ["DEFAULT_POLICY_BOOK", "TAIAN_2017", "Policy", "PolicyBook"], "guoying.domain.policy"
    ),
    **dict.fromkeys(["RULE_IDS", "RuleId"], "guoying.domain.rules"),
    **dict.fromkeys(
        ["Actor", "CommitteeLevel", "Sector", "Tier", "UnitKind"], "guoying.domain.values"
    ),
}
_COMMANDS = "guoying.application.commands"


def __getattr__(name: str) -> Any:
    if name.startswith("__") and name != "__all__":
        # Probes by tools (`__wrapped__`, `__path__` ...) must not import the commands.
        raise AttributeError(f"module 'guoying' has no attribute {name!r}")
    if name == "__all__":
        everything = [*_MODULES, *import_module(_COMMANDS).__all__]
        globals()["__all__"] = everything
        return everything
    module = _MODULES.get(name)
    if module is None:
        commands = import_module(_COMMANDS)
        if name not in commands.__all__:
            raise AttributeError(f"module 'guoying' has no attribute {name!r}")
        module = _COMMANDS
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_MODULES, *import_module(_COMMANDS).__all__})
