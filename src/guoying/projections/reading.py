"""Which state a query reads: as known at a store position, in effect on a business date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from attrs import frozen
from sqlalchemy.engine import Connection

from guoying.adapters import schema
from guoying.domain.values import year_end

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@frozen
class Reading:
    """Which state to read: as known at a store position (`cut`, now without one) and in
    effect on a business date (`as_of`, the end of the ledger's year without one)."""

    cut: int | None = None
    as_of: date | None = None


NOW = Reading()


def business_date(year: int, reading: Reading) -> date:
    end = year_end(year)
    return min(end, reading.as_of) if reading.as_of else end


def recorded_time(microseconds: int) -> datetime:
    return datetime.fromtimestamp(microseconds / 1_000_000, tz=UTC)


def store_position_at(conn: Connection, moment: datetime) -> int:
    """The last store position recorded at or before a moment (0 before the first).

    Recorded time never decreases along the store's order, so this is one index lookup.
    """
    # Exact integer microseconds: a float timestamp can land one below a recorded time.
    microseconds = (moment - EPOCH) // timedelta(microseconds=1)
    found = conn.execute(
        sa.select(sa.func.max(schema.events.c.id)).where(
            schema.events.c.recorded_at <= microseconds
        )
    ).scalar()
    return int(found or 0)
