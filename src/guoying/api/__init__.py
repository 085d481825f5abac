"""The Python API: open a store by URL, execute commands, read the views.

>>> from guoying import Guoying
>>> with Guoying("memory://") as app:
...     app.refusals()
[]
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DatabaseError

from guoying.adapters.problems import store_problem
from guoying.adapters.serialization import CONVERTER, read_command
from guoying.adapters.verification import Checkpoint, CheckpointMismatch, Verdict
from guoying.api.assessment import AssessmentReads
from guoying.api.evaluations import EvaluationReads
from guoying.api.imports import ImportReads
from guoying.api.publicity import PublicityReads
from guoying.api.urls import STORE_ENV, default_store_url
from guoying.application.errors import (
    GuoyingError,
    InvalidCommand,
    StoreUnavailable,
)
from guoying.application.outcome import Outcome
from guoying.domain.cultivation import Batch
from guoying.domain.labels import (
    ADDED_HEADERS,
    ANNEX_SHEET,
    BATCH_LABELS,
    CULTIVATION_HEADERS,
    CULTIVATION_NOTES,
    CULTIVATION_TITLE,
    FORM_HEADERS,
    FORM_TITLE,
    LEDGER_HEADERS,
    LEDGER_NOTES,
    LEDGER_TITLE,
    LEVEL_LABELS,
    MENTORING_HEADERS,
    MENTORING_NOTES,
    MENTORING_TITLE,
    NOT_GIVEN,
    PLAN_STATUS_LABELS,
    SECTOR_LABELS,
    TIER_LABELS,
    TITLE_LABELS,
    cases_label,
    day_label,
    month_label,
    year_label,
)
from guoying.domain.plans import PlanStatus
from guoying.domain.policy import Policy, PolicyBook
from guoying.domain.values import Actor, CommitteeLevel, Sector, Tier, TitleLevel
from guoying.projections.assessment import (
    Assessment,
    LiaisonFigures,
    PlanFilingFigures,
    RectificationFigures,
    TitleFigures,
)
from guoying.projections.audit import AuditEntry, AuditFilter
from guoying.projections.catalogue import PROJECTIONS
from guoying.projections.evaluations.findings import Finding
from guoying.projections.evaluations.queries import (
    CaseNote,
    CommitteeEvaluations,
    Decided,
    EvaluationHistory,
    EvaluationRow,
    LiaisonNote,
    PairLink,
)
from guoying.projections.history.queries import HistoryEntry
from guoying.projections.ledger.coverage import LiaisonCoverage, Uncovered
from guoying.projections.ledger.figures import TierFigures
from guoying.projections.ledger.queries import CommonProblemRow, Ledger, LedgerRow
from guoying.projections.ledger.search import BranchFound
from guoying.projections.ledger.tree import CommitteeRow
from guoying.projections.mentoring.queries import (
    MentoringCoverage,
    MentoringView,
    MentorLoad,
    PairEnding,
    PairRow,
    ScheduleEntry,
    ScheduleFiling,
)
from guoying.projections.oversight.figures import OversightFigures
from guoying.projections.oversight.queries import (
    CommitteeOversight,
    ComplianceStatus,
    FalsificationEntry,
    FindingEntry,
    FundingEntry,
    GrantEntry,
    LinkageEntry,
    OversightReport,
    PeriodCompliance,
    ReevaluationFlag,
    VisitEntry,
)
from guoying.projections.plans.queries import (
    CultivationLine,
    CultivationPlanView,
    ImplementationPlanState,
    PlanFigures,
    PlanReturn,
    YearCount,
)
from guoying.projections.publicity import BranchProgress, ColumnEntry, RedFlagColumn
from guoying.projections.reading import Reading
from guoying.projections.refusals import RefusalEntry
from guoying.projections.replay import Difference
from guoying.projections.selection.form import FormAward, FormOpinion, NominationForm
from guoying.projections.selection.queries import (
    BoardEnding,
    BoardObjection,
    BoardRow,
    BoardStatus,
    BoardVeto,
    LateStep,
    SelectionBoard,
)
from guoying.projections.selection.titles import (
    TitleEnd,
    TitleEnding,
    TitleEntry,
    TitleRegister,
    VetoFlag,
)

if TYPE_CHECKING:
    from guoying.application.commands import Command, ErasePerson

# What callers of the API (the CLI among them) may use without reaching into the layers.
__all__ = [
    "BATCH_LABELS",
    "CULTIVATION_HEADERS",
    "CULTIVATION_TITLE",
    "FORM_HEADERS",
    "FORM_TITLE",
    "LEDGER_HEADERS",
    "LEDGER_TITLE",
    "LEVEL_LABELS",
    "NOT_GIVEN",
    "PLAN_STATUS_LABELS",
    "PROJECTIONS",
    "SECTOR_LABELS",
    "STORE_ENV",
    "TIER_LABELS",
    "TITLE_LABELS",
    "Actor",
    "Assessment",
    "AuditEntry",
    "AuditFilter",
    "Batch",
    "BoardEnding",
    "BoardObjection",
    "BoardRow",
    "BoardStatus",
    "BoardVeto",
    "BranchFound",
    "BranchProgress",
    "Checkpoint",
    "CheckpointMismatch",
    "ColumnEntry",
    "Command",
    "CommitteeLevel",
    "CommitteeOversight",
    "CommitteeRow",
    "ComplianceStatus",
    "CultivationLine",
    "CultivationPlanView",
    "Difference",
    "ErasePerson",
    "FalsificationEntry",
    "FindingEntry",
    "FormAward",
    "FormOpinion",
    "FundingEntry",
    "GrantEntry",
    "Guoying",
    "GuoyingError",
    "HistoryEntry",
    "ImplementationPlanState",
    "InvalidCommand",
    "LateStep",
    "Ledger",
    "LedgerRow",
    "LiaisonCoverage",
    "LiaisonFigures",
    "LinkageEntry",
    "NominationForm",
    "Outcome",
    "OversightFigures",
    "OversightReport",
    "PeriodCompliance",
    "PlanFigures",
    "PlanFilingFigures",
    "PlanReturn",
    "PlanStatus",
    "Policy",
    "PolicyBook",
    "Reading",
    "RectificationFigures",
    "RedFlagColumn",
    "ReevaluationFlag",
    "RefusalEntry",
    "Sector",
    "SelectionBoard",
    "StoreUnavailable",
    "Tier",
    "TierFigures",
    "TitleEnd",
    "TitleEnding",
    "TitleEntry",
    "TitleFigures",
    "TitleLevel",
    "TitleRegister",
    "Uncovered",
    "Verdict",
    "VetoFlag",
    "VisitEntry",
    "YearCount",
    "cases_label",
    "default_store_url",
    "opened",
    "parse_command",
    "to_data",
]
# Mentoring (Annex 4) and the annual evaluation histories.
__all__ += [
    "MENTORING_HEADERS",
    "MENTORING_TITLE",
    "CaseNote",
    "CommitteeEvaluations",
    "Decided",
    "EvaluationHistory",
    "EvaluationRow",
    "Finding",
    "LiaisonNote",
    "MentorLoad",
    "MentoringCoverage",
    "MentoringView",
    "PairEnding",
    "PairLink",
    "PairRow",
    "ScheduleEntry",
    "ScheduleFiling",
]
# The annexes as files (`guoying.forms`, `guoying export`).
__all__ += [
    "ADDED_HEADERS",
    "ANNEX_SHEET",
    "CULTIVATION_NOTES",
    "LEDGER_NOTES",
    "MENTORING_NOTES",
    "CommonProblemRow",
    "day_label",
    "month_label",
    "year_label",
]


def __getattr__(name: str) -> Any:
    # The commands are imported on first use (PEP 562): importing one imports every command
    # and its checks, which a read of the views does not need.
    if name in ("Command", "ErasePerson"):
        return getattr(import_module("guoying.application.commands"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_command(line: str) -> Command:
    """One command from one line of JSON; InvalidCommand lists every problem by its field
    path (`$.year: expected int`): malformed JSON, a line too long or nested too deep,
    duplicate keys, NaN, and every field's limits (docs/commands.md, Limits)."""
    return read_command(line)


def to_data(value: object) -> Any:
    """Any command or result of the API as plain data (dicts, lists, strings, numbers), the
    shape `--format json` prints."""
    return CONVERTER.unstructure(value)


@contextmanager
def opened(url: str | None = None, *, create: bool = True) -> Iterator[Guoying]:
    """A store opened for one piece of work and closed after it. A damaged database met on
    the way (a truncated file, a corrupt page) is raised as StoreUnavailable, so a caller
    handles one family of errors, GuoyingError; opening it reads it too."""
    try:
        guoying = Guoying(url, create=create)
    except DatabaseError as error:
        raise StoreUnavailable(store_problem(error)) from error
    try:
        yield guoying
    except DatabaseError as error:
        raise StoreUnavailable(store_problem(error)) from error
    finally:
        guoying.close()


class Guoying(AssessmentReads, EvaluationReads, PublicityReads, ImportReads):
    """One store, its command handler and its projections: the writes, the audit and each
    group of reads (`guoying.api.ledger`, `guoying.api.selection`, ...)."""
