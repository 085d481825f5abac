"""The handlers, one module per capability; importing this package registers them all.

Every module of this package is imported here, so a new capability is a new module and
nothing else (docs/adding-an-aggregate.md).
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
