"""The history view: one row per decision on a branch, with who, why and when."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Column, Date, Integer, Table, Text

from guoying.projections.columns import position_key, required

metadata = sa.MetaData()

# The view's name and version as its store tracks them: raise VERSION whenever these tables
# or the handling of its projector change, and a store rebuilds the view from the events.
NAME = "history"
VERSION = 1

history = Table(
    "view_history",
    metadata,
    position_key(),
    Column("branch_id", Text, nullable=False, index=True),
    *required(Integer, "version"),
    *required(Text, "event"),
    Column("year", Integer),
    # What was decided, by whom, why and under which rules; from when, and when recorded.
    *required(Text, "detail", "actor_person_id", "actor_committee_id", "reason"),
    *required(Text, "rule_ids", "policy_version"),
    *required(Date, "effective_on"),
    *required(sa.BigInteger, "recorded_at"),
)
