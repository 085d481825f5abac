"""Column-building helpers shared by the view tables (ledger/ and history/)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column
from sqlalchemy.types import TypeEngine

from guoying.adapters.schema import Position


def position_key() -> Column[int]:
    """The store position of the event a row comes from, as (part of) the row's key."""
    return Column("position", Position, primary_key=True, autoincrement=False)


def required(kind: type[TypeEngine[Any]] | TypeEngine[Any], *names: str) -> list[Column[Any]]:
    """Columns of one type that are never null, in this order."""
    return [Column(name, kind, nullable=False) for name in names]
