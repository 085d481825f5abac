"""Every read model a store keeps, in one place: the runner catches them up, `rebuild` and
`replay --check` rebuild them, and the API opens every store with them.

Each is known here by its name, version and tables; its projector, and with it every
aggregate module whose events it handles, is imported when it first handles an event, so a
read of views already caught up imports none of them.
"""

from __future__ import annotations

from functools import cached_property
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

from guoying.projections.history import tables as history
from guoying.projections.ledger import tables as ledger
from guoying.projections.mentoring import tables as mentoring
from guoying.projections.oversight import tables as oversight
from guoying.projections.plans import tables as plans
from guoying.projections.runner import Projection
from guoying.projections.selection import tables as selection

if TYPE_CHECKING:
    from guoying.adapters.store import StoredRecord
    from guoying.domain.events import AnyEvent
    from guoying.projections.writer import ViewWriter


class Deferred:
    """A projection by its tables module (NAME, VERSION, metadata) and the class of its
    projector, which is imported and made on the first event it handles."""

    def __init__(self, tables: ModuleType, projector: str, weight: float = 1.0) -> None:
        self.name: str = tables.NAME
        self.version: int = tables.VERSION
        self.metadata = tables.metadata
        # Its share of a rebuild's handling, to split the projections evenly among processes.
        self.weight = weight
        self._tables = tables.__name__
        self._projector = projector

    def __reduce__(self) -> tuple[object, tuple[str, str, float]]:
        # A parallel rebuild hands projections to other processes: by their modules' names.
        return (_deferred, (self._tables, self._projector, self.weight))

    @cached_property
    def projection(self) -> Projection:
        module, _, name = self._projector.rpartition(".")
        made: Projection = getattr(import_module(module), name)()
        return made

    def handle(self, views: ViewWriter, record: StoredRecord, event: AnyEvent) -> None:
        self.projection.handle(views, record, event)


def _deferred(tables: str, projector: str, weight: float) -> Deferred:
    return Deferred(import_module(tables), projector, weight)


# They hold no state of their own, so one instance serves every store. The weights are each
# projection's time handling the events of the bench's county at 2 years, in hundredths of
# a second on SQLite.
PROJECTIONS: tuple[Projection, ...] = (
    Deferred(ledger, "guoying.projections.ledger.projector.LedgerProjection", 17),
    Deferred(history, "guoying.projections.history.projector.HistoryProjection", 15),
    Deferred(selection, "guoying.projections.selection.projector.SelectionProjection", 4.5),
    Deferred(mentoring, "guoying.projections.mentoring.projector.MentoringProjection", 2),
    Deferred(oversight, "guoying.projections.oversight.projector.OversightProjection", 2),
    Deferred(plans, "guoying.projections.plans.projector.PlansProjection", 2.4),
)
