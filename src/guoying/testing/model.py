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
from guoying.domain.values import Actor, CommitteeLevel, Tier, year_end
from guoying.testing.city import CityLayout
from guoying.testing.recount import CityTimeline, CommitteeState

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
    # Which base committee led it from which date (`MoveBranch`), and when it ended.
    memberships: list[tuple[date, str]] = field(factory=list)
    ended_on: date | None = None
    # Branches merged into this one: their history shows in this one's too.
    absorbed: list[str] = field(factory=list)

    def base_on(self, on: date) -> str:
        """The base committee that led the branch on a date (its first one before that)."""
        found = self.memberships[0][1] if self.memberships else self.base_committee_id
        for since, base in self.memberships:
            if since > on:
                break
            found = base
        return found

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

    def __init__(self, city: CityLayout, policy: Policy, founded_on: date | None = None) -> None:
        self.city = city
        self.policy = policy
        # The tree with its dated changes (`MoveCommittee`), as set up on `founded_on`.
        self.tree = CityTimeline()
        for spec in city.committees:
            self.tree.found(
                CommitteeState(spec.committee_id, spec.level, spec.parent_id),
                founded_on or date(policy.first_year, 1, 1),
            )
        self.people: set[str] = set(city.person_ids)
        self.branches: dict[str, BranchModel] = {}
        self.common_problems: set[tuple[str, str]] = set()
        # (committee, year) the parent let go above `ledger.advanced_cap`.
        self.approvals: set[tuple[str, int]] = set()

    @property
    def years(self) -> range:
        return range(self.policy.first_year, self.policy.last_year + 1)

    def counts(self, committee_id: str, year: int) -> tuple[int, int]:
        """(advanced, active) for a committee's whole subtree in a year: the recount of
        `guoying.testing.recount` (the tree and the branch's base as they stood at the end
        of the year, a branch ended that year or before not counted)."""
        advanced = active = 0
        for branch_id in self.branches:
            tier = self._counted(branch_id, year).get(committee_id)
            if tier is not None:
                active += 1
                advanced += tier is Tier.ADVANCED
        return advanced, active

    def _counted(self, branch_id: str, year: int) -> dict[str, Tier]:
        """The committees a branch counts under in a year, with its tier there."""
        branch = self.branches[branch_id]
        tier = branch.tier_for(year)
        ended = branch.ended_on is not None and branch.ended_on.year <= year
        if branch.registered_year > year or tier is None or ended:
            return {}
        on = max(year_end(year), branch.registered_on)
        return dict.fromkeys(self.tree.capped_chain_on(branch.base_on(on), on), tier)

    def placement_of(self, branch_id: str) -> dict[str, tuple[tuple[int, Tier], ...]]:
        """Per committee, the years (of the policy) the branch counts there, with its tier."""
        found: dict[str, list[tuple[int, Tier]]] = {}
        if branch_id not in self.branches:
            return {}
        for year in self.years:
            for committee_id, tier in self._counted(branch_id, year).items():
                found.setdefault(committee_id, []).append((year, tier))
        return {c: tuple(runs) for c, runs in found.items()}

    def may_act_on(self, actor_committee_id: str, committee_id: str, on: date) -> bool:
        """`org.jurisdiction` in the tree as it stood on a date."""
        actor = self.tree.state_on(actor_committee_id, on)
        if actor is None or not actor.active:
            return False
        if actor.level is CommitteeLevel.ORGANIZATION_DEPARTMENT:
            return self.tree.state_on(committee_id, on) is not None
        return actor_committee_id in self.tree.lineage_on(committee_id, on)

    def approver_of(self, committee_id: str, on: date) -> str | None:
        """The committee's parent on a date (the Organization Department for a
        city-managed committee)."""
        state = self.tree.state_on(committee_id, on)
        if state is None:
            return None
        if state.level is CommitteeLevel.CITY_MANAGED:
            return self.city.organization_department_id
        return state.parent_id

    def parent_on(self, committee_id: str, on: date) -> str | None:
        state = self.tree.state_on(committee_id, on)
        return state.parent_id if state else None

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
            new, old = self.placement_of(branch_id), before.placement_of(branch_id)
            for committee_id in [*new, *(k for k in old if k not in new)]:
                if new.get(committee_id, ()) != old.get(committee_id, ()):
                    unit.write(committee_id, command)
        return unit

    # One command

    def _authorize(self, command: Command, committee_id: str) -> None:
        if not self.may_act_on(command.actor.committee_id, committee_id, self._on(command)):
            raise _Predicted(Expected(NotAuthorized, "org.jurisdiction", command))

    def _acting_on(self, command: Command, branch_id: str) -> BranchModel:
        """The branch, once the actor is found to have jurisdiction over its base committee
        on the decision's date."""
        branch = self.branches.get(branch_id)
        if branch is None:
            raise _Predicted(Expected(NotFound))
        self._authorize(command, branch.base_on(self._on(command)))
        return branch

    def _require_active(self, command: Command, branch: BranchModel) -> None:
        if branch.ended_on is not None:
            raise _refused("org.hierarchy", command)

    def _require_registered_by(self, command: Command, branch: BranchModel) -> None:
        if self._on(command) < branch.registered_on:
            raise _refused("org.hierarchy", command)

    def _apply(self, command: Command, unit: _Unit) -> None:
        match command:
            case c.RegisterBranch():
                self._register(command, unit)
            case c.RecordCommonProblem():
                self._common_problem(command)
            case c.ApproveCapException():
                self._approve(command, unit)
            case c.RenameBranch():
                branch = self._acting_on(command, command.branch_id)
                self._require_active(command, branch)
                self._require_registered_by(command, branch)
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
                branch = self._acting_on(command, command.branch_id)
                self._require_active(command, branch)
                self._on_branch(command, branch, unit)
            case c.MoveBranch():
                self._move_branch(command, unit)
            case c.DissolveBranch():
                branch = self._acting_on(command, command.branch_id)
                self._end(command, branch, unit)
            case c.MergeBranches():
                self._merge(command, unit)
            case c.MoveCommittee():
                self._move_committee(command, unit)
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
            memberships=[(on, base)],
        )
        unit.recounts[command.branch_id] = command

    # Organisation life

    def _move_branch(self, command: c.MoveBranch, unit: _Unit) -> None:
        """By a committee over both base committees on the move's date (or the sending
        one with the receiving one's decision); never back before the branch's last move
        (or its registration); its name must be free under the new base committee."""
        on = self._on(command)
        branch = self.branches.get(command.branch_id)
        if branch is None or self.tree.state_on(command.to_committee_id, on) is None:
            raise _Predicted(Expected(NotFound))
        if self.city.committee(command.to_committee_id).level is not CommitteeLevel.BASE:
            raise _refused("org.hierarchy", command)
        self._authorize(command, branch.base_on(on))
        receiving = command.receiving_decision_by or command.actor
        if not self.may_act_on(receiving.committee_id, command.to_committee_id, on):
            raise _Predicted(Expected(NotAuthorized, "org.jurisdiction", command))
        self._require_active(command, branch)
        if command.to_committee_id == branch.base_on(on) or on < branch.memberships[-1][0]:
            raise _refused("org.hierarchy", command)
        self._require_free_name(command, command.to_committee_id, branch.name)
        branch.memberships.append((on, command.to_committee_id))
        branch.memberships.sort(key=lambda m: m[0])
        branch.base_committee_id = branch.memberships[-1][1]
        unit.recounts[command.branch_id] = command

    def _end(self, command: Command, branch: BranchModel, unit: _Unit) -> None:
        self._require_active(command, branch)
        self._require_registered_by(command, branch)
        branch.ended_on = self._on(command)
        unit.recounts[branch_id_of(command)] = command

    def _merge(self, command: c.MergeBranches, unit: _Unit) -> None:
        """The absorbed branch ends; its open cases continue in the survivor."""
        if command.branch_id == command.into_branch_id:
            raise _refused("org.hierarchy", command)
        absorbed = self._acting_on(command, command.branch_id)
        survivor = self._acting_on(command, command.into_branch_id)
        self._require_active(command, survivor)
        self._require_registered_by(command, survivor)
        self._require_registered_by(command, absorbed)
        self._require_active(command, absorbed)
        for case_id, case in absorbed.cases.items():
            if not case.closed:
                survivor.cases[f"{command.branch_id}/{case_id}"] = _Case(case.found_on)
        survivor.absorbed.append(command.branch_id)
        self._end(command, absorbed, unit)

    def _move_committee(self, command: c.MoveCommittee, unit: _Unit) -> None:
        """`org.hierarchy` then `org.jurisdiction` (over the old and the new parent on
        the move's date); every branch is recounted (only changed placements written)."""
        on = self._on(command)
        moved = self.tree.state_on(command.committee_id, on)
        parent = self.tree.state_on(command.parent_id, on)
        if moved is None or parent is None:
            raise _Predicted(Expected(NotFound))
        allowed = {
            CommitteeLevel.INTERMEDIATE: (CommitteeLevel.CITY_MANAGED, CommitteeLevel.INTERMEDIATE),
            CommitteeLevel.BASE: (CommitteeLevel.CITY_MANAGED, CommitteeLevel.INTERMEDIATE),
        }
        if (
            moved.parent_id is None
            or parent.level not in allowed.get(moved.level, ())
            or command.committee_id in self.tree.lineage_on(command.parent_id, on)
            or command.parent_id == moved.parent_id
        ):
            raise _refused("org.hierarchy", command)
        for committee_id in (moved.parent_id, command.parent_id):
            self._authorize(command, committee_id)
        later = {ch.on for changes in self.tree.changes.values() for ch in changes if ch.on > on}
        for when in later:
            state = self.tree.state_on(command.committee_id, when)
            if state is not None and state.parent_id != moved.parent_id:
                raise _refused("org.hierarchy", command)
        self.tree.move(command.committee_id, command.parent_id, on)
        for branch_id in self.branches:
            unit.recounts.setdefault(branch_id, command)

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
            b.base_committee_id == base and b.name == name and b.ended_on is None
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
        if command.actor.committee_id != self.approver_of(command.committee_id, self._on(command)):
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


def branch_id_of(command: Command) -> str:
    branch_id = getattr(command, "branch_id", None)
    assert isinstance(branch_id, str)
    return branch_id
