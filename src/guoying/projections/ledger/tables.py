"""The ledger's view tables: the committee tree and the branches as dated changes, and the
bitemporal rows behind Annex 1 (tiers, targets, liaisons, cases, common problems, leaders)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import BigInteger, Boolean, Column, Date, Integer, Table, Text

from guoying.projections.columns import position_key

metadata = sa.MetaData()

# The view's name and version as its store tracks them: raise VERSION whenever these tables
# or the handling of its projector change, and a store rebuilds the view from the events.
NAME = "ledger"
VERSION = 7


def _dated_changes(name: str, subject: str, *extra: sa.Index) -> Table:
    """What changes about a subject over time (`attribute` becomes `value` from
    `valid_from`), one row per change, in the order the events recorded them."""
    return Table(
        name,
        metadata,
        position_key(),
        Column("seq", Integer, primary_key=True, autoincrement=False),
        Column(subject, Text, nullable=False, index=True),
        Column("valid_from", Date, nullable=False),
        Column("attribute", Text, nullable=False),
        Column("value", Text),
        *extra,
    )


# What never changes about a committee; its name, parent and whether it is active change
# over time and are kept as dated changes, so that any year's tree can be drawn.
committees = Table(
    "view_committees",
    metadata,
    Column("committee_id", Text, primary_key=True),
    Column("level", Text, nullable=False),
    Column("county_level", Boolean, nullable=False),
)
committee_changes = _dated_changes(
    "view_committee_changes",
    "committee_id",
    # A subtree is found by following parent links down from its root (`tree.subtree_at`).
    sa.Index("view_committee_changes_by_value", "attribute", "value", "committee_id"),
)
units = Table(
    "view_units",
    metadata,
    Column("unit_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("committee_id", Text, nullable=False),
)
branches = Table(
    "view_branches",
    metadata,
    Column("branch_id", Text, primary_key=True),
    Column("sector", Text, nullable=False),
    Column("unit_ids", Text, nullable=False),
    Column("is_financial_institution", Boolean, nullable=False),
    Column("registered_year", Integer, nullable=False),
    Column("split_from", Text),
    Column("merged_into", Text, index=True),
)
# A branch's name, base committee and whether it is active, as dated changes.
branch_changes = _dated_changes(
    "view_branch_changes",
    "branch_id",
    # A subtree's readings start from the branches its base committees ever led.
    sa.Index("view_branch_changes_by_value", "attribute", "value", "branch_id"),
)


def _known() -> tuple[Column[int], Column[int]]:
    """Bitemporal rows: a row is what the store knew from the event at `known_from` until
    the event at `known_to` superseded it, so any past store position can be read back."""
    return (
        Column("known_from", BigInteger, primary_key=True, autoincrement=False),
        # Not indexed: SQLite would pick an index on it over the key for "known_to IS NULL",
        # scanning every current row of the table instead of one branch's.
        Column("known_to", BigInteger),
    )


# The tier a branch was given for a year (first assessment or adjustment); later years
# carry it over until the next row.
tiers = Table(
    "view_tiers",
    metadata,
    Column("branch_id", Text, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("tier", Text, nullable=False),
    Column("is_evaluation", Boolean, nullable=False),
    Column("effective_on", Date, nullable=False),
    *_known(),
)
targets = Table(
    "view_targets",
    metadata,
    Column("branch_id", Text, primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("target", Text, nullable=False),
    Column("effective_on", Date, nullable=False),
    *_known(),
)
liaisons = Table(
    "view_liaisons",
    metadata,
    Column("branch_id", Text, primary_key=True),
    position_key(),
    Column("version", Integer, nullable=False),
    Column("effective_on", Date, nullable=False),
    Column("person_id", Text, nullable=False),
    Column("title", Text, nullable=False),
    *_known(),
)
cases = Table(
    "view_cases",
    metadata,
    Column("branch_id", Text, primary_key=True),
    Column("case_id", Text, primary_key=True),
    Column("problem", Text, nullable=False),
    Column("measure", Text, nullable=False),
    Column("owner_id", Text, nullable=False),
    Column("deadline", Date, nullable=False),
    Column("found_on", Date, nullable=False),
    Column("closed_on", Date),
    Column("outcome", Text),
    *_known(),
)
common_problems = Table(
    "view_common_problems",
    metadata,
    Column("committee_id", Text, primary_key=True),
    Column("problem_id", Text, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("problem", Text, nullable=False),
    Column("measure", Text, nullable=False),
    *_known(),
)

leaders = Table(
    "view_leaders",
    metadata,
    Column("committee_id", Text, primary_key=True),
    Column("person_id", Text, primary_key=True),
    Column("since", Date, primary_key=True),
    Column("position", Text, nullable=False),
    Column("until", Date),
    *_known(),
)
cap_exceptions = Table(
    "view_cap_exceptions",
    metadata,
    position_key(),
    Column("committee_id", Text, nullable=False, index=True),
    Column("years", Text, nullable=False),
    Column("justification", Text, nullable=False),
    Column("approved_by_person_id", Text, nullable=False),
    Column("approved_by_committee_id", Text, nullable=False),
    Column("effective_on", Date, nullable=False),
)


def visible(table: sa.FromClause, cut: int | None) -> sa.ColumnElement[bool]:
    """The rows of a bitemporal table the store knew at position `cut` (now without one)."""
    if cut is None:
        return table.c.known_to.is_(None)
    return (table.c.known_from <= cut) & (table.c.known_to.is_(None) | (table.c.known_to > cut))


def of_branches(table: Table, branch_ids: Sequence[str], cut: int | None) -> sa.Select[Any]:
    """The rows of a bitemporal table of branches' records, for these branches, that the
    store knew at position `cut` (now without one)."""
    return sa.select(table).where(table.c.branch_id.in_(branch_ids)).where(visible(table, cut))
