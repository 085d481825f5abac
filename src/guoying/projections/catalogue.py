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

    def __init__(self, tables: ModuleType, projector: str) -> None:
        self.name: str = tables.NAME
        self.version: int = tables.VERSION
        self.metadata = tables.metadata
        self._projector = projector

    @cached_property
    def projection(self) -> Projection:
        module, _, name = self._projector.rpartition(".")
        made: Projection = getattr(import_module(module), name)()
        return made

    def handle(self, views: ViewWriter, record: StoredRecord, event: AnyEvent) -> None:
        self.projection.handle(views, record, event)


# They hold no state of their own, so one instance serves every store.
PROJECTIONS: tuple[Projection, ...] = (
    Deferred(ledger, "guoying.projections.ledger.projector.LedgerProjection"),
    Deferred(history, "guoying.projections.history.projector.HistoryProjection"),
    Deferred(selection, "guoying.projections.selection.projector.SelectionProjection"),
    Deferred(mentoring, "guoying.projections.mentoring.projector.MentoringProjection"),
    Deferred(oversight, "guoying.projections.oversight.projector.OversightProjection"),
    Deferred(plans, "guoying.projections.plans.projector.PlansProjection"),
)
