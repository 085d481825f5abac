"""Every stored event type, by the stable name it is stored under.

The types are found as the subclasses of `DomainEvent` in the aggregate modules imported
here: a new aggregate module adds one import line, and two event types of one name fail
at import.
"""

from __future__ import annotations

import sys

from guoying.domain import (  # noqa: F401 - imported for the event types they define
    accountability,
    advanced_cap,
    branch,
    branch_names,
    common_problems,
    corrections,
    cultivation,
    honours,
    legacy,
    mentoring,
    nomination,
    organization,
    person,
    plans,
    policy_registry,
    roster,
    selection_round,
    selection_year,
    supervision,
    vetoes,
)
from guoying.domain.events import AnyEvent, DomainEvent


def _event_types() -> dict[str, type[AnyEvent]]:
    found: dict[str, type[AnyEvent]] = {}
    pending: list[type[AnyEvent]] = list(DomainEvent.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        # attrs makes each slotted class anew; the class its module names is the real one.
        if cls.__module__.startswith("guoying.domain.") and cls is getattr(
            sys.modules[cls.__module__], cls.__name__, None
        ):
            other = found.setdefault(cls.__name__, cls)
            if other is not cls:
                raise TypeError(f"two event types are named {cls.__name__}: {other} and {cls}")
    return dict(sorted(found.items()))


EVENT_TYPES: dict[str, type[AnyEvent]] = _event_types()
