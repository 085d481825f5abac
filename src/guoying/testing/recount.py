"""A plain model of the committee tree and the branches over time, and the recount of
rules.md `ledger.advanced_cap` computed from it, independent of the library's placements.

A branch counts in year Y if its first assessment is for Y or earlier and it had not ended
by Y; it counts under its base committee as it stood at the end of Y (on its registration,
for a branch registered later than that) and every committee above it up to its
city-managed committee, in the tree as it stood on that date; with the tier in effect for
Y. Changes are kept with their date and the order they were recorded in, so a change
recorded later with an earlier date shows through, as in the library.
"""

from __future__ import annotations

from datetime import date

from attrs import define, field, frozen

from guoying.domain.values import CommitteeLevel, Tier, year_end

__all__ = ["BranchTimeline", "CityTimeline", "CommitteeState"]


@frozen
class CommitteeState:
    committee_id: str
    level: CommitteeLevel
    parent_id: str | None
    active: bool = True


@frozen
class _Change:
    on: date
    sequence: int
    parent_id: str | None = None
    active: bool | None = None
    founded: CommitteeState | None = None


@define
class BranchTimeline:
    """One branch as the model knows it: where it belonged from which date, its tiers."""

    branch_id: str
    registered_on: date
    registered_year: int
    memberships: list[tuple[date, str]]
    tiers: dict[int, Tier]
    name: str
    ended_on: date | None = None

    @property
    def active(self) -> bool:
        return self.ended_on is None

    def base_on(self, on: date) -> str:
        found = self.memberships[0][1]
        for since, base in sorted(self.memberships, key=lambda m: m[0]):
            if since > on:
                break
            found = base
        return found

    @property
    def base(self) -> str:
        return self.memberships[-1][1]

    def tier_for(self, year: int) -> Tier | None:
        set_years = [y for y in self.tiers if y <= year]
        return self.tiers[max(set_years)] if set_years else None


@define
class CityTimeline:
    """The tree's dated changes and the branches, enough to recount any committee."""

    changes: dict[str, list[_Change]] = field(factory=dict)
    branches: dict[str, BranchTimeline] = field(factory=dict)
    _sequence: int = 0

    def _add(self, committee_id: str, change: _Change) -> None:
        self.changes.setdefault(committee_id, []).append(change)
        self.changes[committee_id].sort(key=lambda c: (c.on, c.sequence))

    def _next(self) -> int:
        self._sequence += 1
        return self._sequence

    def found(self, state: CommitteeState, on: date) -> None:
        self._add(state.committee_id, _Change(on, self._next(), founded=state))

    def move(self, committee_id: str, parent_id: str, on: date) -> None:
        self._add(committee_id, _Change(on, self._next(), parent_id=parent_id))

    def dissolve(self, committee_id: str, on: date) -> None:
        self._add(committee_id, _Change(on, self._next(), active=False))

    def state_on(self, committee_id: str, on: date) -> CommitteeState | None:
        state: CommitteeState | None = None
        for change in self.changes.get(committee_id, ()):
            if change.on > on:
                break
            if change.founded is not None:
                state = change.founded
            elif state is not None:
                state = CommitteeState(
                    state.committee_id,
                    state.level,
                    state.parent_id if change.parent_id is None else change.parent_id,
                    state.active if change.active is None else change.active,
                )
        return state

    def committees_on(self, on: date) -> dict[str, CommitteeState]:
        found = {c: self.state_on(c, on) for c in self.changes}
        return {c: s for c, s in found.items() if s is not None}

    def lineage_on(self, committee_id: str, on: date) -> list[str]:
        found: list[str] = []
        current = self.state_on(committee_id, on)
        while current is not None and current.committee_id not in found:
            found.append(current.committee_id)
            current = self.state_on(current.parent_id, on) if current.parent_id else None
        return found

    def capped_chain_on(self, committee_id: str, on: date) -> list[str]:
        chain: list[str] = []
        for each in self.lineage_on(committee_id, on):
            chain.append(each)
            state = self.state_on(each, on)
            if state is not None and state.level is CommitteeLevel.CITY_MANAGED:
                break
        return chain

    def counts(self, committee_id: str, year: int) -> tuple[int, int]:
        """(advanced, active) under a committee in a year: the recount."""
        advanced = active = 0
        for branch in self.branches.values():
            tier = branch.tier_for(year)
            ended = branch.ended_on is not None and branch.ended_on.year <= year
            if branch.registered_year > year or tier is None or ended:
                continue
            on = max(year_end(year), branch.registered_on)
            if committee_id in self.capped_chain_on(branch.base_on(on), on):
                active += 1
                advanced += tier is Tier.ADVANCED
        return advanced, active
