"""Every command type, by the name JSON Lines give it, each with its registered handler.

Importing this module imports every handler module, and fails when a command type defined
in `guoying.application.commands` has no handler.
"""

from __future__ import annotations

from guoying.application import handlers  # noqa: F401 - registers every handler
from guoying.application.commands import Command
from guoying.application.registry import REGISTRY, command_classes

REGISTRY.check_complete(command_classes())

COMMAND_TYPES: dict[str, type[Command]] = {t.__name__: t for t in REGISTRY.command_types()}
