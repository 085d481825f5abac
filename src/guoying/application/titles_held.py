"""Which red-flag titles a branch holds over time: what mentoring asks of a mentor.

A title is held from the day it is conferred until the day it is revoked or replaced (a
downgraded Taishan Pioneer holds the committee-level title from the downgrade on). Every
question here reads those intervals from all of the branch's nominations, so the answer
does not depend on the order in which dated decisions were recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from attrs import frozen

from guoying.application.ports import AggregateReader
from guoying.domain.nomination import nomination_id_of, nomination_key
from guoying.domain.values import TitleLevel


@frozen
class HeldSpan:
    """One title held by a branch: its level, from whose nomination, from and until when."""

    nomination_id: str
    level: TitleLevel
    since: date
    until: date | None

    def covers(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day < self.until)


def title_spans(reader: AggregateReader, branch_id: str, years: Iterable[int]) -> list[HeldSpan]:
    """Every title the branch held from its nominations of `years`, ended ones included."""
    spans = []
    for year in years:
        nomination_id = nomination_id_of(branch_id, year)
        nomination = reader.get(nomination_key(nomination_id))
        if nomination is not None:
            spans += [
                HeldSpan(nomination_id, level, since, until)
                for level, _, since, until in nomination.titles_held
            ]
    return spans


def holds_title(
    reader: AggregateReader,
    branch_id: str,
    on: date,
    first_year: int,
    levels: frozenset[TitleLevel] = frozenset(TitleLevel),
) -> bool:
    """`mentoring.eligibility`: a title of one of `levels` held on `on`, from any year's
    nomination of the branch since `first_year`."""
    spans = title_spans(reader, branch_id, range(first_year, on.year + 1))
    return any(s.level in levels and s.covers(on) for s in spans)


def first_day_untitled(spans: Iterable[HeldSpan], start: date) -> date | None:
    """The first day on or after `start` on which the branch holds no title, or None when
    one title or another is held from `start` on for good."""
    held = list(spans)
    day = start
    while True:
        covering = [s for s in held if s.covers(day)]
        if not covering:
            return day
        ends = [s.until for s in covering]
        if None in ends:
            return None
        day = max(e for e in ends if e is not None)
