"""What a branch or the city would publish (`publicity.platform`): a branch's progress for
the province's online platform (灯塔—党建在线), and the city media's column on red-flag
branches (红旗支部风采). guoying exports them; it is a client of neither.

Both are composed from the views people already file (the ledger, the title register, the
Annex 3 forms), so what is published cannot say more than the record. Nothing personal is
published: no liaison, secretary or telephone number.
"""

from __future__ import annotations

from datetime import date

from attrs import frozen

from guoying.domain.values import Tier, TitleLevel
from guoying.projections.ledger.queries import LedgerRow
from guoying.projections.selection.form import NominationForm
from guoying.projections.selection.titles import TitleEntry, TitleRegister


@frozen
class BranchProgress:
    """A branch's progress in a year, as it would publish it on the platform."""

    branch_id: str
    name: str
    committee_id: str
    committee_name: str
    year: int
    tier: Tier
    target: Tier | None
    result: Tier | None
    problems: tuple[str, ...]
    measures: tuple[str, ...]
    cases_open: int
    cases_closed: int
    cases_overdue: int
    title: TitleLevel | None
    title_since: date | None
    mentees: tuple[str, ...]  # the branches it mentors, by name
    mentor: str | None


@frozen
class ColumnEntry:
    """One red-flag branch in the city media's column."""

    branch_id: str
    branch_name: str | None
    committee_name: str | None
    level: TitleLevel
    named_in: int
    since: date
    main_deeds: str | None
    grant_yuan: int | None


@frozen
class RedFlagColumn:
    """The column of a year: every red-flag title held at its end, Taishan Pioneers first."""

    year: int
    entries: tuple[ColumnEntry, ...]


def branch_progress(
    row: LedgerRow,
    committee_name: str,
    year: int,
    title: TitleEntry | None,
    *,
    mentees: tuple[str, ...] = (),
    mentor: str | None = None,
) -> BranchProgress:
    return BranchProgress(
        branch_id=row.branch_id,
        name=row.name,
        committee_id=row.base_committee_id,
        committee_name=committee_name,
        year=year,
        tier=row.tier,
        target=row.targets.get(year),
        result=row.results.get(year),
        problems=row.problems,
        measures=row.measures,
        cases_open=row.cases_open,
        cases_closed=row.cases_closed,
        cases_overdue=row.cases_overdue,
        title=title.level if title is not None else None,
        title_since=title.since if title is not None else None,
        mentees=mentees,
        mentor=mentor,
    )


def red_flag_column(register: TitleRegister, forms: dict[str, NominationForm]) -> RedFlagColumn:
    """The branches holding a title at the register's date, each once at the highest level
    and latest year it holds, with the main deeds of the Annex 3 form where the branch was
    proposed to the city."""
    shown: dict[str, TitleEntry] = {}
    for entry in register.held:
        kept = shown.get(entry.branch_id)
        if kept is None or (entry.level is TitleLevel.CITY, entry.year) > (
            kept.level is TitleLevel.CITY,
            kept.year,
        ):
            shown[entry.branch_id] = entry
    entries = []
    for entry in shown.values():
        form = forms.get(entry.nomination_id)
        entries.append(
            ColumnEntry(
                branch_id=entry.branch_id,
                branch_name=entry.branch_name,
                committee_name=form.city_managed_committee_name
                if form is not None
                else entry.conferred_by_name,
                level=entry.level,
                named_in=entry.year,
                since=entry.since,
                main_deeds=form.main_deeds if form is not None else None,
                grant_yuan=entry.reward_yuan,
            )
        )
    entries.sort(key=lambda e: (e.level is not TitleLevel.CITY, -e.named_in, e.branch_id))
    return RedFlagColumn(register.year, tuple(entries))
