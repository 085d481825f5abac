"""The plans view: one row per event of an implementation plan or a cultivation plan, never
changed after.

The Annex 2 table and the plans' states are folds of these rows (queries.py), so a reading
as known at a store position or in effect on a business date is a filter on `position` and
`effective_on`, and a rebuild equals the incremental view by construction.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Column, Index, Integer, Table, Text

from guoying.projections.columns import position_key, required

metadata = sa.MetaData()

# The view's name and version as its store tracks them: raise VERSION whenever these tables
# or the handling of its projector change, and a store rebuilds the view from the events.
NAME = "plans"
VERSION = 1

plan_events = Table(
    "view_plan_events",
    metadata,
    position_key(),
    # `implementation-plan:COMMITTEE:START` or `cultivation:COMMITTEE:START`.
    Column("stream", Text, nullable=False),
    # "implementation" or "cultivation".
    Column("plan", Text, nullable=False),
    Column("committee_id", Text, nullable=False),
    # The first year of the plan window the plan covers.
    Column("window_start", Integer, nullable=False),
    *required(Text, "event", "detail", "actor_person_id", "actor_committee_id", "reason"),
    *required(sa.Date, "effective_on"),
    *required(sa.BigInteger, "recorded_at"),
    # A committee's plans of a window; every committee's plans of a window.
    Index("view_plan_events_by_committee", "committee_id", "window_start"),
    Index("view_plan_events_by_window", "window_start", "plan"),
)
