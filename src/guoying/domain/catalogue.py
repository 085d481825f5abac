"""Every stored event type, by the stable name it is stored under."""

from __future__ import annotations

from guoying.domain.branch import (
    BranchRegistered,
    CreationTargetSet,
    LiaisonAssigned,
    ProblemFound,
    RectificationSignedOff,
    TierAdjusted,
)
from guoying.domain.committee_ledger import (
    AdvancedCapExceptionRecorded,
    BranchTallied,
    CommonProblemRecorded,
)
from guoying.domain.events import DomainEvent
from guoying.domain.organization import CommitteeRegistered, UnitRegistered
from guoying.domain.person import PersonRegistered

EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.__name__: cls
    for cls in (
        CommitteeRegistered,
        UnitRegistered,
        PersonRegistered,
        BranchRegistered,
        TierAdjusted,
        CreationTargetSet,
        LiaisonAssigned,
        ProblemFound,
        RectificationSignedOff,
        BranchTallied,
        AdvancedCapExceptionRecorded,
        CommonProblemRecorded,
    )
}
