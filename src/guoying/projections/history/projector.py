"""The history projection: every decision on a branch, in order, with who, why and when."""

from __future__ import annotations

import json

from guoying.adapters.serialization import event_detail
from guoying.adapters.store import StoredRecord
from guoying.domain.events import AnyEvent
from guoying.projections.history.tables import NAME, VERSION, history, metadata
from guoying.projections.writer import ViewWriter


class HistoryProjection:
    name = NAME
    version = VERSION
    metadata = metadata

    def handle(self, views: ViewWriter, record: StoredRecord, event: AnyEvent) -> None:
        if not event.originator_id.startswith("branch:"):
            return
        detail = event_detail(event)
        views.insert(
            history,
            {
                "position": record.position,
                "branch_id": event.originator_id.removeprefix("branch:"),
                "version": event.originator_version,
                "event": type(event).__name__,
                "year": detail.get("year"),
                "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
                "actor_person_id": event.actor.person_id,
                "actor_committee_id": event.actor.committee_id,
                "reason": event.reason,
                "rule_ids": ",".join(event.authority.rule_ids),
                "policy_version": event.authority.policy_version,
                "effective_on": event.effective_on,
                "recorded_at": record.recorded_at,
            },
        )
