"""Every stored event type, by the stable name it is stored under.

The types are found as the subclasses of `DomainEvent` in the aggregate modules imported
here: a new aggregate module adds one import line, and two event types of one name fail
at import.
"""

from __future__ import annotations

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
from guoying.domain.events import AnyEvent, event_types

EVENT_TYPES: dict[str, type[AnyEvent]] = event_types()
