"""The model `LedgerMachine` predicts each decision with: plain Python, independent of the
library's code, following rules.md (`org.jurisdiction`, `ledger.tiers`,
`ledger.annual_adjustment`, `ledger.advanced_cap`, `ledger.row`, `ledger.rectification`,
`ledger.liaison_coverage`).

Its count for `ledger.advanced_cap` is a recount from its own branches and the city's tree
(`LedgerModel.counts`), never the library's placements; a cap exception is the parent's own
`ApproveCapException`, for one committee and one year. A tier carried into the next year
counts again there, so a unit is judged in every year of the policy: a rise needs an
approval for each year it leaves the committee above its limit.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from datetime import date

from attrs import define, field, frozen

from guoying.application import commands as c
from guoying.application.commands import Command
from guoying.application.errors import AlreadyExists, GuoyingError, NotAuthorized, NotFound, Refused
from guoying.domain.policy import Policy
from guoying.domain.values import Actor, Tier
from guoying.testing.city import CityLayout

__all__ = ["BranchModel", "Expected", "LedgerModel", "TierChange"]


@define
class _Unit:
    """What a unit of commands wrote to the committees' counts, as the library writes it:
    an approval when it is decided; each branch's new placement when the unit ends (in
    branch id order, base committee first, up the chain), only where it changed."""

    # The last command that concerned each branch whose placement is recomputed.
    recounts: dict[str, Command] = field(factory=dict)
    # The committees written to, in the order first written (the order they are judged
    # in), each with the last command that wrote to it (the one a breach is refused as).
    causes: dict[str, Command] = field(factory=dict)

    def write(self, committee_id: str, command: Command) -> None:
        self.causes[committee_id] = command


# ---------------------------------------------------------------------------------------
# The model: what the machine believes the library should have decided


@define
class _Case:
    found_on: date
    closed: bool = False


@frozen
class TierChange:
    """One accepted tier decision, as the history must show it (rules.md 10, item 5)."""

    event: str
    year: int
    tier: Tier
    actor: Actor
    reason: str
    effective_on: date


@define
class BranchModel:
    """The machine's belief about one branch."""

    name: str
    base_committee_id: str
    registered_year: int
    tiers: dict[int, Tier]
    targets: dict[int, Tier] = field(factory=dict)
    results: dict[int, Tier] = field(factory=dict)
    liaison_id: str | None = None
    cases: dict[str, _Case] = field(factory=dict)
    changes: list[TierChange] = field(factory=list)

    def tier_for(self, year: int) -> Tier | None:
        """The tier in effect for a year: set that year or carried over."""
        set_years = [y for y in self.tiers if y <= year]
        return self.tiers[max(set_years)] if set_years else None

    def placement(self) -> tuple[tuple[int, Tier], ...]:
        """From which year on the branch counts with which tier (each change once)."""
        runs: list[tuple[int, Tier]] = []
        for year in sorted(self.tiers):
            if not runs or runs[-1][1] is not self.tiers[year]:
                runs.append((year, self.tiers[year]))
        return tuple(runs)

    @property
    def last_tier_year(self) -> int:
        return max(self.tiers)

    @property
    def registered_on(self) -> date:
        return self.changes[0].effective_on


@frozen
class Expected:
    """What a command (or unit) should do: succeed, or fail with this error and rule."""

    error: type[GuoyingError] | None = None
    rule_id: str | None = None
    refused: Command | None = None

    def __str__(self) -> str:
        if self.error is None:
            return "success"
        return f"{self.error.__name__}({self.rule_id})"


class _Predicted(Exception):
    def __init__(self, expected: Expected) -> None:
        super().__init__(str(expected))
        self.expected = expected


def _refused(rule_id: str, command: Command) -> _Predicted:
    return _Predicted(Expected(Refused, rule_id, command))


class LedgerModel:
    """A plain-Python model of the ledger rules, independent of the library's code.

    `predict` says what a command, or a unit of commands, should do and returns the model
    as it should be afterwards.
    """

    def __init__(self, city: CityLayout, policy: Policy) -> None:
        self.city = city
        self.policy = policy
        self.people: set[str] = set(city.person_ids)
        self.branches: dict[str, BranchModel] = {}
        self.common_problems: set[tuple[str, str]] = set()
        # (committee, year) the parent let go above `ledger.advanced_cap`.
        self.approvals: set[tuple[str, int]] = set()

    @property
    def years(self) -> range:
        return range(self.policy.first_year, self.policy.last_year + 1)

    def counts(self, committee_id: str, year: int) -> tuple[int, int]:
        """(advanced, active) for a committee's whole subtree in a year."""
        subtree = set(self.city.subtree(committee_id))
        advanced = active = 0
        for branch in self.branches.values():
            if branch.base_committee_id in subtree and branch.registered_year <= year:
                active += 1
                advanced += branch.tier_for(year) is Tier.ADVANCED
        return advanced, active

    def predict(self, commands: Sequence[Command]) -> tuple[Expected, LedgerModel]:
        after = copy.deepcopy(self)
        try:
            unit = after._decide(self, commands)
            for committee_id, _ in after._breaches(self, unit):
                raise _refused("ledger.advanced_cap", unit.causes[committee_id])
        except _Predicted as predicted:
            return predicted.expected, self
        return Expected(), after

    def needed_approvals(self, commands: Sequence[Command]) -> list[tuple[str, int]]:
        """The (committee, year) a unit of these commands takes above `ledger.advanced_cap`
        without an approval: those its parents must approve for it to apply (none when it
        is refused for another reason first)."""
        after = copy.deepcopy(self)
        try:
            unit = after._decide(self, commands)
        except _Predicted:
            return []
        return list(after._breaches(self, unit))

    def _decide(self, before: LedgerModel, commands: Sequence[Command]) -> _Unit:
        """Apply the commands to this copy of `before`, then write the placements that
        changed, as the library does when the unit ends."""
        unit = _Unit()
        for command in commands:
            self._apply(command, unit)
        for branch_id, command in sorted(unit.recounts.items()):
            branch = self.branches[branch_id]
            earlier = before.branches.get(branch_id)
            if earlier is not None and earlier.placement() == branch.placement():
                continue
            for committee_id in self.city.capped_chain(branch.base_committee_id):
                unit.write(committee_id, command)
        return unit

    # One command

    def _authorize(self, command: Command, committee_id: str) -> None:
        if not self.city.may_act_on(command.actor.committee_id, committee_id):
            raise _Predicted(Expected(NotAuthorized, "org.jurisdiction", command))

    def _apply(self, command: Command, unit: _Unit) -> None:
        match command:
            case c.RegisterBranch():
                self._register(command, unit)
            case c.RecordCommonProblem():
                self._common_problem(command)
            case c.ApproveCapException():
                self._approve(command, unit)
            case c.RenameBranch():
                branch = self.branches.get(command.branch_id)
                if branch is None:
                    raise _Predicted(Expected(NotFound))
                self._authorize(command, branch.base_committee_id)
                name = command.name.strip()
                if name == branch.name:
                    raise _refused("ledger.row", command)
                self._require_free_name(command, branch.base_committee_id, name)
                branch.name = name
            case (
                c.AdjustTier()
                | c.SetCreationTarget()
                | c.AssignLiaison()
                | c.RecordProblem()
                | c.SignOffRectification()
            ):
                branch = self.branches.get(command.branch_id)
                if branch is None:
                    raise _Predicted(Expected(NotFound))
                self._authorize(command, branch.base_committee_id)
                self._on_branch(command, branch, unit)
            case _:
                raise TypeError(f"the model does not know {type(command).__name__}")

    def _register(self, command: c.RegisterBranch, unit: _Unit) -> None:
        base = command.base_committee_id
        if not self.city.has_committee(base):
            raise _Predicted(Expected(NotFound))
        self._authorize(command, base)
        if base not in self.city.base_ids:
            raise _refused("org.hierarchy", command)
        if command.branch_id in self.branches:
            raise _Predicted(Expected(AlreadyExists))
        known_units = {u.unit_id for u in self.city.units}
        if any(u not in known_units for u in command.unit_ids):
            raise _Predicted(Expected(NotFound))
        if not self.policy.covers_year(command.year) or command.actor.committee_id != base:
            raise _refused("ledger.tiers", command)
        if not command.name.strip():
            raise _refused("ledger.row", command)
        if not command.unit_ids or len(set(command.unit_ids)) != len(command.unit_ids):
            raise _refused("org.unit", command)
        self._require_free_name(command, base, command.name.strip())
        on = self._on(command)
        self.branches[command.branch_id] = BranchModel(
            command.name.strip(),
            base,
            command.year,
            {command.year: command.tier},
            changes=[
                TierChange(
                    "BranchRegistered",
                    command.year,
                    command.tier,
                    command.actor,
                    command.reason,
                    on,
                )
            ],
        )
        unit.recounts[command.branch_id] = command

    def _on_branch(
        self,
        command: Command,
        branch: BranchModel,
        unit: _Unit,
    ) -> None:
        on = self._on(command)
        match command:
            case c.AdjustTier():
                self._require_year(
                    command, command.year, branch.last_tier_year, "ledger.annual_adjustment"
                )
                branch.tiers[command.year] = command.tier
                branch.results[command.year] = command.tier
                branch.changes.append(
                    TierChange(
                        "TierAdjusted",
                        command.year,
                        command.tier,
                        command.actor,
                        command.reason,
                        on,
                    )
                )
                unit.recounts[command.branch_id] = command
            case c.SetCreationTarget():
                self._require_year(command, command.year, branch.registered_year, "ledger.row")
                branch.targets[command.year] = command.target
            case c.AssignLiaison():
                if command.person_id not in self.people:
                    raise _Predicted(Expected(NotFound))
                if not command.position.strip():
                    raise _refused("ledger.liaison_coverage", command)
                branch.liaison_id = command.person_id
            case c.RecordProblem():
                if command.owner_id not in self.people:
                    raise _Predicted(Expected(NotFound))
                if command.case_id in branch.cases:
                    raise _refused("ledger.rectification", command)
                if not command.problem.strip() or not command.measure.strip():
                    raise _refused("ledger.rectification", command)
                if command.deadline < on:
                    raise _refused("ledger.rectification", command)
                branch.cases[command.case_id] = _Case(on)
            case c.SignOffRectification():
                case = branch.cases.get(command.case_id)
                if case is None or case.closed or on < case.found_on:
                    raise _refused("ledger.rectification", command)
                case.closed = True
            case _:  # pragma: no cover - _apply routes only these here
                raise TypeError(type(command).__name__)

    def _require_year(self, command: Command, year: int, first: int, rule_id: str) -> None:
        """A year the policy covers, not before `first`."""
        if not self.policy.covers_year(year) or year < first:
            raise _refused(rule_id, command)

    def _require_free_name(self, command: Command, base: str, name: str) -> None:
        """`ledger.row`: two branches of one base committee never share a name."""
        if any(
            b.base_committee_id == base and b.name == name
            for branch_id, b in self.branches.items()
            if branch_id != getattr(command, "branch_id", None)
        ):
            raise _refused("ledger.row", command)

    def _common_problem(self, command: c.RecordCommonProblem) -> None:
        if not self.city.has_committee(command.committee_id):
            raise _Predicted(Expected(NotFound))
        self._authorize(command, command.committee_id)
        key = (command.committee_id, command.problem_id)
        if not self.policy.covers_year(command.year) or key in self.common_problems:
            raise _refused("ledger.row", command)
        if not command.problem.strip() or not command.measure.strip():
            raise _refused("ledger.row", command)
        self.common_problems.add(key)

    def _on(self, command: Command) -> date:
        assert command.effective_on is not None, "the machine always dates its commands"
        return command.effective_on

    # The unit's end state: ledger.advanced_cap

    def _approve(self, command: c.ApproveCapException, unit: _Unit) -> None:
        """The parent's own decision (the Organization Department's for a city-managed
        committee), for one committee and one year, once."""
        if not self.city.has_committee(command.committee_id):
            raise _Predicted(Expected(NotFound))
        if command.actor.committee_id != self.city.approver_of(command.committee_id):
            raise _Predicted(Expected(NotAuthorized, "org.jurisdiction", command))
        key = (command.committee_id, command.year)
        if not self.policy.covers_year(command.year) or key in self.approvals:
            raise _refused("ledger.advanced_cap", command)
        self.approvals.add(key)
        unit.write(command.committee_id, command)

    def _breaches(self, before: LedgerModel, unit: _Unit) -> Iterator[tuple[str, int]]:
        """rules.md `ledger.advanced_cap` on the unit's end state, for every committee it
        wrote to (in that order) and every year of the policy, since a tier carried into
        later years counts again there: a committee above floor(share x active) in a year
        without its parent's approval for that year breaks the rule when it was within its
        limit before the unit (fewer branches lower the limit too) or its advanced count
        went up."""
        for committee_id in unit.causes:
            for year in self.years:
                advanced, active = self.counts(committee_id, year)
                if advanced <= self.policy.advanced_limit(active):
                    continue
                if (committee_id, year) in self.approvals:
                    continue
                was_advanced, was_active = before.counts(committee_id, year)
                if was_advanced <= self.policy.advanced_limit(was_active) or (
                    advanced > was_advanced
                ):
                    yield committee_id, year
