"""Running the demo's plans and oversight (`plans`, `oversight`) and what they came to.

The steps go through `selection_summary.attempt` like the selection's, so a step the demo
expects a rule to refuse is logged and anything else is a broken demo. The summary line is
counted back from the store, as the mentoring line is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from attrs import define, field

from guoying.api import Guoying
from guoying.demo_city.layout import CITY
from guoying.demo_city.selection import Step
from guoying.demo_city.selection_summary import attempt
from guoying.domain.accountability import FalsificationFound, FundingRecorded
from guoying.domain.cultivation import CultivationPlanFiled
from guoying.domain.plans import (
    ImplementationPlanAccepted,
    ImplementationPlanReturned,
    ImplementationPlanSubmitted,
)


@define
class Work:
    """The commands the plans and oversight applied and the refusals the demo meant."""

    applied: int = 0
    refused: list[str] = field(factory=list)


def run_work(guoying: Guoying, steps: Iterable[Step]) -> Work:
    work = Work()
    for step in steps:
        _, refused = attempt(guoying, step)
        if refused is None:
            work.applied += len(step.commands)
        else:
            work.refused.append(refused)
    return work


def _streams(guoying: Guoying, prefix: str) -> list[list[Any]]:
    store = guoying.store
    return [list(store.events(stream)) for stream in store.stream_ids(prefix)]


def _plans(guoying: Guoying) -> str:
    plans = _streams(guoying, "implementation-plan:")
    firsts = [e[0] for e in plans if isinstance(e[0], ImplementationPlanSubmitted)]
    returned = sum(any(isinstance(x, ImplementationPlanReturned) for x in e) for e in plans)
    accepted = sum(isinstance(e[-1], ImplementationPlanAccepted) for e in plans)
    return (
        f"{len(plans)} implementation plans submitted ({sum(e.late for e in firsts)} late, "
        f"{returned} returned and submitted again), {accepted} accepted"
    )


def _cultivation(guoying: Guoying) -> str:
    filings = [
        [x for x in e if isinstance(x, CultivationPlanFiled)]
        for e in _streams(guoying, "cultivation:")
    ]
    per_committee = []
    for filed in filings:
        last = filed[-1]
        years = Counter(entry.year for entry in last.entries)
        counts = "/".join(str(years[y]) for y in range(last.window_start, last.window_end + 1))
        per_committee.append(f"{last.committee_id} {counts}")
    late = sum(filed[0].late for filed in filings)
    return (
        f"cultivation plans of {len(filings)} committees ({late} late), exemplars a year "
        f"{', '.join(per_committee)}"
    )


def work_line(guoying: Guoying, work: Work) -> str:
    """What the demo's plans and oversight came to, read back from the store (after the
    views caught up: the flags still standing are the oversight view's)."""
    found = [e[0] for e in _streams(guoying, "falsification:")]
    named = {b for e in found if isinstance(e, FalsificationFound) for b in e.branch_ids}
    flagged = {flag.branch_id for flag in guoying.reevaluation_flags(CITY)}
    funded = sum(
        e.amount_yuan
        for events in _streams(guoying, "funding:")
        for e in events
        if isinstance(e, FundingRecorded)
    )
    counts = {
        prefix: len(guoying.store.stream_ids(f"{prefix}:"))
        for prefix in ("visit", "exchange", "meeting", "accountability", "linkage")
    }
    return (
        f"Plans and oversight: {_plans(guoying)}; {_cultivation(guoying)}; "
        f"{counts['visit']} supervision visits, {counts['exchange']} observation exchanges, "
        f"{counts['meeting']} special meetings; {len(found)} falsification finding "
        f"({len(flagged & named)} of its {len(named)} branches still flagged), "
        f"{counts['accountability']} accountability finding; {counts['linkage']} reward "
        f"linkage decisions; {funded:,} yuan of funds recorded; refused as intended: "
        f"{', '.join(work.refused) or 'none'}."
    )
