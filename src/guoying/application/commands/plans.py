"""Commands of the plans: each committee's implementation plan (§1), submitted, accepted or
returned, and a city-managed committee's three-year cultivation plan (§3, Annex 2)."""

from __future__ import annotations

from attrs import frozen

from guoying.application.commands.base import Command
from guoying.domain.cultivation import Batch

__all__ = [
    "AcceptImplementationPlan",
    "CultivationRow",
    "FileCultivationPlan",
    "ReturnImplementationPlan",
    "SubmitImplementationPlan",
]


@frozen(kw_only=True)
class SubmitImplementationPlan(Command):
    """A committee submits its implementation plan for the plan window containing `year`
    (or a returned plan again) to the body that reviews it: the city Organization
    Department for a city-managed committee, its parent for any other (`plan.filing`)."""

    committee_id: str
    year: int
    submitted_to: str
    indicators: tuple[str, ...]
    measures: tuple[str, ...]
    responsibilities: tuple[str, ...]


@frozen(kw_only=True)
class AcceptImplementationPlan(Command):
    """The body a plan was submitted to accepts it and keeps it on file (审核备案)."""

    committee_id: str
    year: int


@frozen(kw_only=True)
class ReturnImplementationPlan(Command):
    """The body a plan was submitted to returns it; `reasons` say what to change."""

    committee_id: str
    year: int
    reasons: tuple[str, ...]


@frozen(kw_only=True)
class CultivationRow:
    """A row of Annex 2 as the committee enters it; rows are numbered within each year in
    the order given. The liaison is a registered person; the position is the one shown."""

    year: int
    batch: Batch
    branch_id: str
    measures: tuple[str, ...]
    person_id: str
    position: str


@frozen(kw_only=True)
class FileCultivationPlan(Command):
    """A city-managed committee files its three-year cultivation plan (Annex 2) for the plan
    window containing `year` with the city Organization Department; filing again for the
    same window supersedes the earlier table. `stated_number` is the committee's own number
    of exemplars a year (required unless it is county-level)."""

    committee_id: str
    year: int
    rows: tuple[CultivationRow, ...]
    stated_number: int | None = None
