"""The mentoring view: one row per event of a pair or a schedule, never changed after.

Pairs, loads and schedules are folds of these rows (queries.py), so a reading as known at a
store position or in effect on a business date is a filter on `position` and
`effective_on`, and a rebuild equals the incremental view by construction.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Column, Index, Integer, Table, Text

from guoying.projections.columns import position_key, required

metadata = sa.MetaData()

# The view's name and version as its store tracks them: raise VERSION whenever these tables
# or the handling of its projector change, and a store rebuilds the view from the events.
NAME = "mentoring"
VERSION = 1

mentoring_events = Table(
    "view_mentoring_events",
    metadata,
    position_key(),
    # `pair:ID` or `schedule:COMMITTEE:YEAR`.
    Column("stream", Text, nullable=False),
    Column("event", Text, nullable=False),
    # A pair's rows: its id on every row, the two branches on the row that formed it (an
    # ending names only the pair); a subtree's pairs are found by their branches.
    Column("pair_id", Text, index=True),
    Column("mentor_branch_id", Text, index=True),
    Column("mentee_branch_id", Text, index=True),
    # A schedule's rows: the city-managed committee that filed it and its year.
    Column("committee_id", Text),
    Column("year", Integer),
    *required(Text, "detail", "actor_person_id", "actor_committee_id", "reason"),
    *required(sa.Date, "effective_on"),
    *required(sa.BigInteger, "recorded_at"),
    Index("view_mentoring_events_by_year", "year", "committee_id"),
)
