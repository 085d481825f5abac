"""The oversight view: one row per supervision, accountability, linkage or funding event,
never changed after, and one row per branch a falsification finding names.

Compliance, figures and re-evaluation flags are folds of these rows read at a store position
and on a business date (queries.py), so a rebuild equals the incremental view by
construction.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Column, Date, Index, Integer, Table, Text

from guoying.projections.columns import position_key, required

metadata = sa.MetaData()

# The view's name and version as its store tracks them: raise VERSION whenever these tables
# or the handling of its projector change, and a store rebuilds the view from the events.
NAME = "oversight"
VERSION = 1

oversight_events = Table(
    "view_oversight_events",
    metadata,
    position_key(),
    *required(Text, "stream", "event"),
    # The committee the record is of: the visiting committee, the one that held an exchange
    # or a meeting, the one found against, the linked branch's base committee, the funded.
    Column("committee_id", Text, nullable=False),
    Column("branch_id", Text),
    # The year it counts in: the year of the date of a visit, an exchange, a meeting or a
    # finding (a falsification too: its report's year is in `detail`); the linkage's or the
    # funding's own year.
    Column("year", Integer, nullable=False),
    *required(Text, "detail", "actor_person_id", "actor_committee_id", "reason"),
    *required(Date, "effective_on"),
    *required(sa.BigInteger, "recorded_at"),
    Index("view_oversight_events_by_year", "year", "committee_id"),
)

# The branches a falsification finding flags for re-evaluation
# (`accountability.falsification`), by branch.
flagged_branches = Table(
    "view_oversight_flagged",
    metadata,
    position_key(),
    Column("branch_id", Text, primary_key=True),
    *required(Text, "finding_id", "committee_id"),
    *required(Integer, "year"),
    *required(Date, "effective_on"),
)
