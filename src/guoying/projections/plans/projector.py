"""The plans projection: every event of an implementation plan or a cultivation plan, as
one row with its plan, committee and window."""

from __future__ import annotations

import json

from guoying.adapters.serialization import event_detail
from guoying.adapters.store import StoredRecord
from guoying.domain.events import AnyEvent
from guoying.projections.plans.tables import NAME, VERSION, metadata, plan_events
from guoying.projections.writer import ViewWriter

# The stream prefixes of the plans, and the plan each one is.
_PLANS = {"implementation-plan:": "implementation", "cultivation:": "cultivation"}


class PlansProjection:
    name = NAME
    version = VERSION
    metadata = metadata

    def handle(self, views: ViewWriter, record: StoredRecord, event: AnyEvent) -> None:
        stream = event.originator_id
        prefix = next((p for p in _PLANS if stream.startswith(p)), None)
        if prefix is None:
            return
        # `PREFIX:COMMITTEE:START`: a committee id may itself hold a colon, the year not.
        committee_id, _, start = stream.removeprefix(prefix).rpartition(":")
        detail = event_detail(event)
        views.insert(
            plan_events,
            {
                "position": record.position,
                "stream": stream,
                "plan": _PLANS[prefix],
                "committee_id": committee_id,
                "window_start": int(start),
                "event": type(event).__name__,
                "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
                "actor_person_id": event.actor.person_id,
                "actor_committee_id": event.actor.committee_id,
                "reason": event.reason,
                "effective_on": event.effective_on,
                "recorded_at": record.recorded_at,
            },
        )
