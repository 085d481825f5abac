"""The seam for counts: aggregates that own a count a rule caps across aggregates.

The advanced share of a committee (`ledger.advanced_cap`) today; the year's titles, a
committee's allotment, proposals per place and a mentor's mentees next. Each such aggregate
is loaded, changed and judged by the unit of work on the unit's end state, in the same
atomic write as the decision, so racing writers conflict on its version and never both
pass (docs/adr/004-handler-registry-and-counts.md).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from guoying.domain.policy import Policy


@runtime_checkable
class CountOwner(Protocol):
    id: str
    version: int

    def start_unit(self) -> None:
        """Remember the count as it stands before the unit of work that loaded this copy."""

    def judge(self, policy: Policy) -> None:
        """Raise a RuleViolation naming the rule when the unit's end state breaks it."""
