"""The mentoring projection: every event of a pair (`pair:`) or a schedule (`schedule:`) as
one row; the counts the write side keeps (`mentor:`, `mentee:`) are folds of these and are
not copied."""

from __future__ import annotations

import json

from guoying.adapters.serialization import event_detail
from guoying.adapters.store import StoredRecord
from guoying.domain.events import AnyEvent
from guoying.domain.mentoring import (
    MentoringPairEnded,
    MentoringPairFormed,
    MentoringScheduleFiled,
)
from guoying.projections.mentoring.tables import NAME, VERSION, mentoring_events, metadata
from guoying.projections.writer import ViewWriter

_SHOWN = (MentoringPairFormed, MentoringPairEnded, MentoringScheduleFiled)


class MentoringProjection:
    name = NAME
    version = VERSION
    metadata = metadata

    def handle(self, views: ViewWriter, record: StoredRecord, event: AnyEvent) -> None:
        if not isinstance(event, _SHOWN):
            return
        stream = event.originator_id
        kind, _, subject = stream.partition(":")
        detail = event_detail(event)
        views.insert(
            mentoring_events,
            {
                "position": record.position,
                "stream": stream,
                "event": type(event).__name__,
                "pair_id": subject if kind == "pair" else None,
                "mentor_branch_id": detail.get("mentor_branch_id"),
                "mentee_branch_id": detail.get("mentee_branch_id"),
                "committee_id": detail.get("committee_id"),
                "year": detail.get("year"),
                "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
                "actor_person_id": event.actor.person_id,
                "actor_committee_id": event.actor.committee_id,
                "reason": event.reason,
                "effective_on": event.effective_on,
                "recorded_at": record.recorded_at,
            },
        )
