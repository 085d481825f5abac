"""Commands of mentoring (§6, Annex 4): pairs formed and ended."""

from __future__ import annotations

from datetime import date

from attrs import field, frozen

from guoying.application.commands.base import Command
from guoying.domain.values import non_blank

__all__ = ["EndMentoringPair", "FileMentoringSchedule", "FormMentoringPair"]


@frozen(kw_only=True)
class FormMentoringPair(Command):
    """A red-flag branch takes on a weaker branch (帮带): the plan of Annex 4. The mentee's
    tier when paired is recorded from the ledger."""

    pair_id: str = field(validator=non_blank)
    mentor_branch_id: str
    mentee_branch_id: str
    goal: str
    measures: str
    deadline: date
    remarks: str = ""


@frozen(kw_only=True)
class EndMentoringPair(Command):
    """End a pair; the reason says why."""

    pair_id: str


@frozen(kw_only=True)
class FileMentoringSchedule(Command):
    """A city-managed committee files the year's schedule of its Taishan Pioneers' pairs
    (Annex 4) with the city Organization Department, by 31 July (policy)."""

    committee_id: str
    year: int
    pair_ids: tuple[str, ...]
