"""Every stored event type, by the stable name it is stored under."""

from __future__ import annotations

from guoying.domain.branch import (
    BranchAbsorbed,
    BranchDissolved,
    BranchMoved,
    BranchRegistered,
    BranchRenamed,
    BranchSplit,
    CreationTargetSet,
    LiaisonAssigned,
    ProblemFound,
    RecordCorrected,
    RectificationSignedOff,
    TierAdjusted,
)
from guoying.domain.committee_ledger import (
    AdvancedCapExceptionRecorded,
    BranchJoined,
    BranchLeft,
    BranchNamed,
    BranchTallied,
    CommonProblemRecorded,
)
from guoying.domain.events import DomainEvent
from guoying.domain.organization import (
    CommitteeDissolved,
    CommitteeMoved,
    CommitteeRegistered,
    CommitteeRenamed,
    UnitRegistered,
)
from guoying.domain.person import PersonalDataErased, PersonRegistered
from guoying.domain.policy_registry import PolicyPublished
from guoying.domain.roster import LeaderAppointed, LeadershipEnded

EVENT_TYPES: dict[str, type[DomainEvent]] = {
    cls.__name__: cls
    for cls in (
        CommitteeRegistered,
        CommitteeRenamed,
        CommitteeMoved,
        CommitteeDissolved,
        UnitRegistered,
        PersonRegistered,
        BranchRegistered,
        TierAdjusted,
        CreationTargetSet,
        LiaisonAssigned,
        ProblemFound,
        RectificationSignedOff,
        BranchRenamed,
        BranchMoved,
        BranchDissolved,
        BranchAbsorbed,
        BranchSplit,
        BranchTallied,
        BranchJoined,
        BranchLeft,
        BranchNamed,
        AdvancedCapExceptionRecorded,
        CommonProblemRecorded,
        LeaderAppointed,
        LeadershipEnded,
        RecordCorrected,
        PolicyPublished,
        PersonalDataErased,
    )
}
