"""Whether a branch holds a red-flag title on a date: what mentoring asks of a mentor."""

from __future__ import annotations

from datetime import date

from guoying.application.ports import AggregateReader
from guoying.domain.nomination import nomination_id_of, nomination_key
from guoying.domain.values import TitleLevel


def holds_title(
    reader: AggregateReader,
    branch_id: str,
    on: date,
    first_year: int,
    levels: frozenset[TitleLevel] = frozenset(TitleLevel),
) -> bool:
    """`mentoring.eligibility`: a title of one of `levels` held on `on`, from any year's
    nomination of the branch since `first_year` (a revoked one is held no longer; a
    downgraded Taishan Pioneer holds the committee level)."""
    for year in range(first_year, on.year + 1):
        nomination = reader.get(nomination_key(nomination_id_of(branch_id, year)))
        title = nomination.title if nomination is not None else None
        if title is not None and title.since <= on and title.level in levels:
            return True
    return False
