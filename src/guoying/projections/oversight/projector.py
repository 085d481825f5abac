"""The oversight projection: each supervision, accountability, linkage and funding event as
one row with the committee, branch and year it counts under."""

from __future__ import annotations

import json

from guoying.adapters.serialization import event_detail
from guoying.adapters.store import StoredRecord
from guoying.domain import accountability as acc
from guoying.domain import supervision as sup
from guoying.domain.events import AnyEvent
from guoying.projections.oversight.tables import (
    NAME,
    VERSION,
    flagged_branches,
    metadata,
    oversight_events,
)
from guoying.projections.writer import ViewWriter

_EVENTS = (
    sup.SupervisionVisitRecorded,
    sup.ObservationExchangeHeld,
    sup.SpecialMeetingHeld,
    acc.FalsificationFound,
    acc.AccountabilityFindingIssued,
    acc.RewardLinkageDecided,
    acc.FundingRecorded,
)


class OversightProjection:
    name = NAME
    version = VERSION
    metadata = metadata

    def handle(self, views: ViewWriter, record: StoredRecord, event: AnyEvent) -> None:
        if not isinstance(event, _EVENTS):
            return
        detail = event_detail(event)
        # A falsification counts in the year it was found; its report's year is in detail.
        found = isinstance(event, acc.FalsificationFound)
        year = event.effective_on.year if found else detail.get("year", event.effective_on.year)
        views.insert(
            oversight_events,
            {
                "position": record.position,
                "stream": event.originator_id,
                "event": type(event).__name__,
                "committee_id": event.committee_id,
                "branch_id": detail.get("branch_id"),
                "year": year,
                "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
                "actor_person_id": event.actor.person_id,
                "actor_committee_id": event.actor.committee_id,
                "reason": event.reason,
                "effective_on": event.effective_on,
                "recorded_at": record.recorded_at,
            },
        )
        if isinstance(event, acc.FalsificationFound):
            views.insert(
                flagged_branches,
                *(
                    {
                        "position": record.position,
                        "branch_id": branch_id,
                        "finding_id": event.finding_id,
                        "committee_id": event.committee_id,
                        "year": event.year,
                        "effective_on": event.effective_on,
                    }
                    for branch_id in event.branch_ids
                ),
            )
