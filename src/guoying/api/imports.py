"""What an import of a form needs beyond the views: which people are registered already,
and the commands it records (an import records ordinary commands, under the same rules)."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module
from typing import TYPE_CHECKING, Any

from guoying.adapters.serialization import command_to_json
from guoying.api.core import Core
from guoying.application.errors import Refused
from guoying.domain.person import person_key
from guoying.domain.values import UnitKind

if TYPE_CHECKING:
    from guoying.application.commands import (
        AdjustTier,
        AssignLiaison,
        RecordCommonProblem,
        RecordProblem,
        RegisterBranch,
        RegisterPerson,
        RegisterUnit,
        SetCreationTarget,
    )

__all__ = [
    "AdjustTier",
    "AssignLiaison",
    "ImportReads",
    "RecordCommonProblem",
    "RecordProblem",
    "Refused",
    "RegisterBranch",
    "RegisterPerson",
    "RegisterUnit",
    "SetCreationTarget",
    "UnitKind",
    "command_data",
]

# The commands, imported on first use (PEP 562): importing one imports every command, which
# a read of the views does not need.
_COMMANDS = frozenset(
    {
        "AdjustTier",
        "AssignLiaison",
        "RecordCommonProblem",
        "RecordProblem",
        "RegisterBranch",
        "RegisterPerson",
        "RegisterUnit",
        "SetCreationTarget",
    }
)


def __getattr__(name: str) -> Any:
    if name not in _COMMANDS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module("guoying.application.commands"), name)


# A command as one line of `guoying apply` takes it: {"command": "AdjustTier", ...}.
command_data = command_to_json


class ImportReads(Core):
    def people_known(self, person_ids: Iterable[str]) -> set[str]:
        """The ids among `person_ids` that name a registered person (erased ones too: an id
        is never registered twice)."""
        return {p for p in set(person_ids) if self.store.get(person_key(p)) is not None}
