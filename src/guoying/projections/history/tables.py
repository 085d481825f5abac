"""The history view: one row per decision on a branch, with who, why and when."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Column, Date, Integer, Table, Text

from guoying.adapters.schema import Position

metadata = sa.MetaData()

history = Table(
    "view_history",
    metadata,
    Column("position", Position, primary_key=True, autoincrement=False),
    Column("branch_id", Text, nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("event", Text, nullable=False),
    Column("year", Integer),
    Column("detail", Text, nullable=False),
    Column("actor_person_id", Text, nullable=False),
    Column("actor_committee_id", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("rule_ids", Text, nullable=False),
    Column("policy_version", Text, nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("recorded_at", sa.BigInteger, nullable=False),
)
