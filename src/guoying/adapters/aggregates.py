"""Aggregates read from the store's events, kept in a cache of their own.

A decision reads five to seven aggregates (the tree, the policy registry, a branch, its
committees' ledgers). eventsourcing's Repository asks the store whether each cached one is
still current, a query apiece; `CachedAggregates.refresh` instead reads, with one query,
which aggregates were written since the last look, and only those are fast-forwarded when
a decision reads them (docs/adr/001-store.md).

The invariant: every cached aggregate that is not in `_stale` holds all of its events
stored at positions up to `_seen`. Writers commit in position order (the store's head
lock), so reading the positions after `_seen` finds every write that could break it. The
cache changes only under `_lock`, and an aggregate read while a refresh ran is not kept.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import attrs
import sqlalchemy as sa
from eventsourcing.application import LRUCache
from eventsourcing.persistence import EventStore
from sqlalchemy.engine import Connection

from guoying.adapters import schema
from guoying.domain.events import AnyEvent

# Writes read per query when looking at what was written since the last look.
REFRESH_LIMIT = 1000

_AFTER = (
    sa.select(schema.events.c.id, schema.events.c.originator_id, schema.events.c.originator_version)
    .where(schema.events.c.id > sa.bindparam("after"))
    .order_by(schema.events.c.id)
    .limit(REFRESH_LIMIT)
)
_LAST = sa.select(sa.func.coalesce(sa.func.max(schema.events.c.id), 0))


def clone(aggregate: Any) -> Any:
    """A private copy of an aggregate. Aggregates are attrs classes whose containers hold
    only immutable values (frozen attrs classes, tuples, enums, strings), so copying each
    container is enough: a fraction of the cost of `copy.deepcopy`, which walks every
    value."""
    copied = copy.copy(aggregate)
    for name in attrs.fields_dict(type(aggregate)):
        value = getattr(aggregate, name)
        if isinstance(value, dict | list | set):
            setattr(copied, name, value.copy())
    return copied


def project(aggregate: Any, events: Iterable[Any]) -> Any:
    """Fold events onto a copy, so that a cached aggregate another caller may be copying
    is never changed under it."""
    events = list(events)
    if not events:
        return aggregate
    current = None if aggregate is None else clone(aggregate)
    for event in events:
        current = event.mutate(current)
    return current


class CachedAggregates:
    def __init__(
        self,
        events: EventStore[str],
        connect: Callable[[], AbstractContextManager[Connection]],
        *,
        maxsize: int = 4096,
    ) -> None:
        self.events = events
        # The store's own: while a thread holds the store's head, it reads in that write.
        self.connect = connect
        self.maxsize = maxsize
        # More writes than this since the last look, or stale aggregates: forget the cache.
        self._forget_after = 4 * maxsize
        self._cache: LRUCache[str, Any] = LRUCache(maxsize)
        self._lock = threading.Lock()
        self._stale: set[str] = set()
        # Bumped by every refresh that moves `_seen`: a read that saw it change is not kept.
        self._generation = 0
        with connect() as conn:
            self._seen = int(conn.execute(_LAST).scalar_one())

    def get(self, aggregate_id: str, *, refreshed: bool = False) -> Any | None:
        """A private copy of the aggregate: as of now, or, when `refreshed`, as of the
        last `refresh` (no query at all for a cached aggregate nobody wrote since)."""
        with self._lock:
            cached = self._cached(aggregate_id)
            stale = aggregate_id in self._stale
            generation = self._generation
        if refreshed and cached is not None and not stale:
            return clone(cached)
        gt = None if cached is None else cached.version
        found = project(cached, self.events.get(aggregate_id, gt=gt))
        if found is None:
            return None
        with self._lock:
            if self._generation == generation:
                self._keep(aggregate_id, found)
                self._stale.discard(aggregate_id)
        return clone(found)

    def refresh(self) -> None:
        """Look once at what was written since the last look: the aggregates written are
        marked stale, page by page; after more writes than the cache could hold, it is
        forgotten instead (cheaper than sorting them out)."""
        rows: list[Any] = []
        last: int | None = None
        with self.connect() as conn:
            after = self._seen
            while True:
                page = conn.execute(_AFTER, {"after": after}).all()
                rows += page
                if len(page) < REFRESH_LIMIT:
                    break
                after = int(page[-1].id)
                if len(rows) >= self._forget_after:
                    last = int(conn.execute(_LAST).scalar_one())
                    break
        if not rows:
            return
        with self._lock:
            self._generation += 1
            if last is not None or len(self._stale) > self._forget_after:
                self._forget(max(last or 0, int(rows[-1].id)))
                return
            for row in rows:
                # One not cached is read whole from the store when asked for.
                cached = self._cached(row.originator_id)
                if cached is not None and cached.version < row.originator_version:
                    self._stale.add(row.originator_id)
            self._seen = max(self._seen, int(rows[-1].id))

    def saved(self, events: Sequence[AnyEvent]) -> None:
        """Fold a successful write onto the cached aggregates it continues."""
        by_aggregate: dict[str, list[AnyEvent]] = {}
        for event in events:
            by_aggregate.setdefault(event.originator_id, []).append(event)
        with self._lock:
            for aggregate_id, written in by_aggregate.items():
                cached = self._cached(aggregate_id)
                version = 0 if cached is None else cached.version
                if version == written[0].originator_version - 1:
                    self._keep(aggregate_id, project(cached, written))

    def _cached(self, aggregate_id: str) -> Any | None:
        try:
            return self._cache.get(aggregate_id)
        except KeyError:
            return None

    def _keep(self, aggregate_id: str, aggregate: Any) -> None:
        # Never put an older version over a newer one that another reader or writer kept.
        cached = self._cached(aggregate_id)
        if cached is None or cached.version <= aggregate.version:
            self._cache.put(aggregate_id, aggregate)

    def _forget(self, seen: int) -> None:
        self._cache = LRUCache(self.maxsize)
        self._stale.clear()
        self._seen = seen
