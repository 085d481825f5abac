"""The selection view: one row per event of the annual selection, never changed after.

The board, the register and the form are folds of these rows (queries.py), so a reading as
known at a store position or in effect on a business date is a filter on `position` and
`effective_on`, and a rebuild equals the incremental view by construction.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Column, Date, Index, Integer, Table, Text

from guoying.projections.columns import position_key, required

metadata = sa.MetaData()

# The view's name and version as its store tracks them: raise VERSION whenever these tables
# or the handling of its projector change, and a store rebuilds the view from the events.
NAME = "selection"
VERSION = 1

selection_events = Table(
    "view_selection_events",
    metadata,
    position_key(),
    # The stream (`nomination:B-Y`, `round:C:Y`, `veto:branch:B`, `veto:unit:U`,
    # `honours:B`): a branch's veto findings and awards are read by it.
    Column("stream", Text, nullable=False, index=True),
    # The selection year of a nomination's or a round's event; none for findings and awards.
    Column("year", Integer),
    Column("nomination_id", Text, index=True),
    Column("branch_id", Text),
    # The round's committee, or the committee an event names (the one a step or an opinion
    # is of, the one a title was conferred by).
    Column("committee_id", Text),
    *required(Text, "event", "detail", "actor_person_id", "actor_committee_id", "reason"),
    *required(Date, "effective_on"),
    *required(sa.BigInteger, "recorded_at"),
    # A board reads one year's rows, or a committee's nominations' rows (by nomination) and
    # their rounds' lists of the year (by year and event); the register reads the title
    # events up to a year (by event and year).
    Index("view_selection_events_by_year", "year", "event"),
    Index("view_selection_events_by_event", "event", "year"),
)
