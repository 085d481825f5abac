"""The selection projection: every event of a nomination, a round, a veto record or a
branch's honours, as one row with its year, nomination, branch and committee."""

from __future__ import annotations

import json
from typing import Any

from guoying.adapters.serialization import event_detail
from guoying.adapters.store import StoredRecord
from guoying.domain.events import AnyEvent
from guoying.projections.selection.tables import NAME, VERSION, metadata, selection_events
from guoying.projections.writer import ViewWriter

# The committee a row is filed under: the first of these an event carries.
_COMMITTEE_FIELDS = (
    "committee_id",
    "conferred_by",
    "decided_by",
    "to_committee_id",
    "base_committee_id",
    "received_by",
)


# The streams of the selection: nominations, rounds, veto records and branches' honours.
_SELECTED = ("nomination:", "round:", "veto:", "honours:")


def _keys(stream: str, detail: dict[str, Any]) -> dict[str, Any]:
    """Year, nomination, branch and committee of a row of one of the selected streams."""
    kind, _, subject = stream.partition(":")
    committee = next((detail[f] for f in _COMMITTEE_FIELDS if detail.get(f)), None)
    if kind == "nomination":
        # One nomination per branch and year: `nomination:{branch_id}-{year}`.
        branch_id, _, year = subject.rpartition("-")
        return {
            "year": int(year),
            "nomination_id": subject,
            "branch_id": branch_id,
            "committee_id": committee,
        }
    if kind == "round":
        committee_id, _, year = subject.rpartition(":")
        return {
            "year": int(year),
            "nomination_id": detail.get("nomination_id"),
            "branch_id": detail.get("branch_id"),
            "committee_id": committee_id,
        }
    if kind == "veto":
        subject_kind, _, subject_id = subject.partition(":")
        return {
            "year": None,
            "nomination_id": None,
            "branch_id": subject_id if subject_kind == "branch" else None,
            "committee_id": committee,
        }
    # `honours:{branch_id}`
    return {"year": None, "nomination_id": None, "branch_id": subject, "committee_id": None}


class SelectionProjection:
    name = NAME
    version = VERSION
    metadata = metadata

    def handle(self, views: ViewWriter, record: StoredRecord, event: AnyEvent) -> None:
        stream = event.originator_id
        if not stream.startswith(_SELECTED):
            return
        detail = event_detail(event)
        keys = _keys(stream, detail)
        views.insert(
            selection_events,
            {
                "position": record.position,
                "stream": stream,
                **keys,
                "event": type(event).__name__,
                "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True),
                "actor_person_id": event.actor.person_id,
                "actor_committee_id": event.actor.committee_id,
                "reason": event.reason,
                "effective_on": event.effective_on,
                "recorded_at": record.recorded_at,
            },
        )
