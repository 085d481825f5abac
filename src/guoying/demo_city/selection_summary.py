"""Running the demo's selection steps through the API, and what each year came to.

A step the demo expects a rule to refuse goes through `Guoying.execute` like any command,
so the refusal is logged (`guoying refusals`); anything else than the expected refusal (a
step applied that should have been refused, a refusal by another rule, a unit refused) is a
broken demo and raises. The summary of a year is counted from the events the build wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from attrs import define, field

from guoying.api import Guoying
from guoying.application.errors import Refused
from guoying.demo_city.selection import Step
from guoying.domain.nomination import (
    BranchApplied,
    NominationEnded,
    NominationVetoed,
    Outcome,
    RewardGranted,
    SelectionStepRecorded,
    TitleConferred,
    TitleDowngraded,
    TitleRevoked,
)
from guoying.domain.selection_round import RoundListDecided, RoundListFinal
from guoying.domain.values import TitleLevel


class DemoBroken(AssertionError):
    """The demo's selection did not go as written: a bug in the demo or in the library."""


@define
class YearSummary:
    """What one selection year of the demo came to, counted from the events written."""

    year: int
    applied: int = 0
    applied_late: int = 0
    # Steps of the rounds recorded as late: inspections, lists decided, lists made final.
    late: int = 0
    vetoed: int = 0
    objections: int = 0
    titled: int = 0
    named: int = 0
    revoked: int = 0
    downgraded: int = 0
    granted_yuan: int = 0
    refused: list[str] = field(factory=list)

    def count(self, events: Iterable[Any]) -> None:
        for event in events:
            self._count(event)

    def _count(self, event: Any) -> None:
        if isinstance(event, BranchApplied):
            self.applied += 1
            self.applied_late += event.late
        elif isinstance(event, SelectionStepRecorded | RoundListDecided | RoundListFinal):
            self.late += event.late
        elif isinstance(event, NominationVetoed):
            self.vetoed += 1
        elif isinstance(event, NominationEnded) and event.outcome is Outcome.OBJECTION_UPHELD:
            self.objections += 1
        elif isinstance(event, TitleConferred):
            if event.level is TitleLevel.CITY:
                self.named += 1
            else:
                self.titled += 1
        elif isinstance(event, TitleRevoked):
            if event.by_downgrade:
                self.downgraded += 1
            else:
                self.revoked += 1
        elif isinstance(event, TitleDowngraded):
            self.downgraded += 1
        elif isinstance(event, RewardGranted):
            self.granted_yuan += event.amount_yuan

    def line(self) -> str:
        after = [
            f"{count} {what} since"
            for count, what in ((self.revoked, "revoked"), (self.downgraded, "downgraded"))
            if count
        ]
        named = f"{self.named} Taishan Pioneers named" + (f" ({', '.join(after)})" if after else "")
        return (
            f"Selection {self.year}: {self.applied} branches applied ({self.applied_late} late), "
            f"{self.late} later steps late; {self.vetoed} vetoed, {self.objections} removed on "
            f"an objection; {self.titled} red-flag branches titled by city-managed committees; "
            f"{named}; {self.granted_yuan:,} yuan granted; refused as intended: "
            f"{', '.join(self.refused) or 'none'}."
        )


def attempt(guoying: Guoying, step: Step) -> tuple[tuple[Any, ...], str | None]:
    """Apply one step: the events it wrote, or the rule id that refused it as intended.
    DemoBroken if it went otherwise (applied when it should be refused, or refused by
    another rule)."""
    if step.refused_by is None:
        return guoying.execute_unit(step.commands).events, None
    [command] = step.commands
    try:
        guoying.execute(command)
    except Refused as refusal:
        if refusal.rule_id != step.refused_by:
            raise DemoBroken(
                f"{type(command).__name__} was refused by {refusal.rule_id}, not by "
                f"{step.refused_by}: {refusal}"
            ) from refusal
        return (), refusal.rule_id
    raise DemoBroken(f"{type(command).__name__} was applied; {step.refused_by} should refuse it")


def run(
    guoying: Guoying, steps: Iterable[Step], years: Iterable[int]
) -> tuple[int, list[YearSummary]]:
    """Apply the steps in order; the number of commands applied and each year's summary."""
    summaries = {year: YearSummary(year) for year in years}
    applied = 0
    for step in steps:
        summary = summaries[step.year]
        events, refused = attempt(guoying, step)
        if refused is None:
            applied += len(step.commands)
            summary.count(events)
        else:
            summary.refused.append(refused)
    return applied, list(summaries.values())
