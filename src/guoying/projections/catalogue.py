"""Every read model a store keeps, in one place: the runner catches them up, `rebuild` and
`replay --check` rebuild them, and the API opens every store with them."""

from __future__ import annotations

from guoying.projections.history.projector import HistoryProjection
from guoying.projections.ledger.projector import LedgerProjection
from guoying.projections.mentoring.projector import MentoringProjection
from guoying.projections.oversight.projector import OversightProjection
from guoying.projections.plans.projector import PlansProjection
from guoying.projections.runner import Projection
from guoying.projections.selection.projector import SelectionProjection

# They hold no state of their own, so one instance serves every store.
PROJECTIONS: tuple[Projection, ...] = (
    LedgerProjection(),
    HistoryProjection(),
    SelectionProjection(),
    MentoringProjection(),
    OversightProjection(),
    PlansProjection(),
)
