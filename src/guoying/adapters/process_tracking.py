"""Where each process has got to: a row of the tracking table beside the projections'
positions, moved only inside the transaction that writes what the process decided there.

A step names the position the process was at; a row found elsewhere means another runner
of the same process took that step first, and the whole write is undone (StepTaken).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from guoying.adapters import schema
from guoying.application.ports import ProcessStep, StepTaken

# Kept apart from the projections' names (`ledger@3`), which catch-up and rebuild manage.
PREFIX = "process:"


def position(conn: Connection, name: str) -> int:
    t = schema.tracking
    found = conn.execute(sa.select(t.c.position).where(t.c.projection == PREFIX + name)).scalar()
    return 0 if found is None else int(found)


def advance(conn: Connection, step: ProcessStep) -> None:
    t = schema.tracking
    key = PREFIX + step.name
    moved = conn.execute(
        t.update().where(t.c.projection == key, t.c.position == step.after).values(position=step.to)
    ).rowcount
    if moved == 1:
        return
    if step.after == 0 and position(conn, step.name) == 0:
        try:
            # A savepoint, so that a racing first step fails alone on PostgreSQL.
            with conn.begin_nested():
                conn.execute(t.insert().values(projection=key, position=step.to))
        except sa.exc.IntegrityError as error:
            raise StepTaken(f"process {step.name!r} took its first step elsewhere") from error
        return
    raise StepTaken(
        f"process {step.name!r} is no longer at position {step.after}: another runner moved it"
    )
