"""The machinery of `LedgerMachine`: its store, its clock, running commands against the
model's prediction, and the helpers its rules draw actors and approvals with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, ClassVar

from attrs import evolve
from hypothesis import event as note_event
from hypothesis import strategies as st

from guoying.application import commands as c
from guoying.application.errors import GuoyingError, Refused
from guoying.domain.advanced_cap import BranchCounted, CapExceptionApproved, cap_key
from guoying.domain.policy import TAIAN_2017, Policy
from guoying.domain.values import Actor
from guoying.testing.city import CityLayout, small_city
from guoying.testing.example_store import ExampleStore
from guoying.testing.invariants import CHINA, Section10Checks
from guoying.testing.model import Expected, LedgerModel
from guoying.testing.strategies import (
    cap_exception_sets,
    dates_in_year,
)

# The commands of an organisation's life: what they touch is found from the model.
ORG_LIFE = (c.MoveBranch, c.DissolveBranch, c.MergeBranches, c.MoveCommittee)


class MachineBase(ExampleStore, Section10Checks):
    """What every rule of `LedgerMachine` runs on; the rules are in `machines.py`."""

    folder_prefix: ClassVar[str] = "guoying-machine-"
    city: ClassVar[CityLayout] = small_city()
    policy: ClassVar[Policy] = TAIAN_2017
    now: ClassVar[datetime] = datetime(2020, 1, 15, 9, 30, tzinfo=CHINA)
    outsider_committee_id: ClassVar[str] = "no-such-committee"
    rebuild_every: ClassVar[int] = 12

    def __init__(self) -> None:
        super().__init__()
        self.app = self.open_app()
        self.model = LedgerModel(self.city, self.policy)
        self._serial = 0
        # Live aggregates as seen right after each accepted command, by (id, version).
        self._live: dict[tuple[str, int], Any] = {}
        self._unaudited: set[str] = set()
        self._refusals_logged = 0
        self._steps = 0
        self._last_rebuild = 0
        # What the invariants re-check after the next step (all of it every few steps).
        self._figures_stale: set[tuple[str, int]] = set()
        self._unreplayed: set[str] = set()
        for command in self.city.setup_commands(date(self.policy.first_year, 1, 1)):
            self.app.execute(command)

    # Running a command and checking its outcome

    def _new_id(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}{self._serial}"

    def run(self, commands: Sequence[c.Command], *, as_unit: bool = False) -> bool:
        """Execute one command (or a unit), check it against the model; True if applied."""
        self._steps += 1
        self._unreplayed.update(self._aggregates_concerned(commands))
        expected, after = self.model.predict(commands)
        store_before = self.app.store.recorder.max_notification_id() or 0
        label = "unit" if as_unit else type(commands[0]).__name__
        try:
            if as_unit:
                outcome = self.app.execute_unit(commands)
            else:
                (command,) = commands
                outcome = self.app.execute(command)
        except GuoyingError as error:
            note_event(f"{label}: {type(error).__name__} {error.rule_id or ''}".strip())
            if (
                isinstance(commands[0], c.ApproveCapException)
                and error.rule_id == "org.jurisdiction"
            ):
                note_event("cap exception approved by the wrong committee: refused")
            self._check_refusal(error, expected, store_before)
            return False
        note_event(f"{label}: applied")
        if any(isinstance(e, CapExceptionApproved) for e in outcome.events):
            note_event("cap exception recorded")
        assert expected.error is None, f"expected {expected}, but {label} was applied"
        positions = list(outcome.positions)
        # Increasing and after every earlier event (a database sequence may leave gaps).
        assert positions == sorted(set(positions)), positions
        assert not positions or positions[0] > store_before, (positions, store_before)
        assert (self.app.store.recorder.max_notification_id() or 0) == (
            positions[-1] if positions else store_before
        )
        assert len(positions) == len(outcome.events)
        self.model = after
        for counted in outcome.events:
            if isinstance(counted, BranchCounted):
                self._figures_stale.update((counted.committee_id, y) for y in self.model.years)
        for aggregate_id in dict.fromkeys(e.originator_id for e in outcome.events):
            live: Any = self.app.store.aggregate(aggregate_id)
            assert live is not None, aggregate_id
            self._live[(aggregate_id, live.version)] = live
            self._unreplayed.add(aggregate_id)
            if aggregate_id.startswith("branch:"):
                self._unaudited.add(aggregate_id.removeprefix("branch:"))
        return True

    def _aggregates_concerned(self, commands: Sequence[c.Command]) -> set[str]:
        """The branches and committee ledgers a command loads, even when it is refused."""
        found: set[str] = set()
        for command in commands:
            if isinstance(command, ORG_LIFE):
                found.update(cap_key(c).id for c in self.city.capped_ids)
                into = getattr(command, "into_branch_id", None)
                if into in self.model.branches:
                    found.add(f"branch:{into}")
            branch_id = getattr(command, "branch_id", None)
            base = getattr(command, "base_committee_id", None)
            if isinstance(branch_id, str) and branch_id in self.model.branches:
                found.add(f"branch:{branch_id}")
                base = self.model.branches[branch_id].base_committee_id
            if isinstance(base, str) and base in self.city.base_ids:
                found.update(cap_key(c).id for c in self.city.capped_chain(base))
        return found

    def _check_refusal(self, error: GuoyingError, expected: Expected, store_before: int) -> None:
        assert type(error) is expected.error, f"expected {expected}, got {error!r}"
        assert error.rule_id == expected.rule_id, f"expected {expected}, got {error!r}"
        assert (self.app.store.recorder.max_notification_id() or 0) == store_before, (
            "a refused command changed the event store"
        )
        if isinstance(error, Refused):
            refusals = self.app.refusals()
            self._refusals_logged += 1
            assert len(refusals) == self._refusals_logged, "a refusal is logged exactly once"
            logged = refusals[-1]
            assert expected.refused is not None
            assert logged.rule_id == error.rule_id
            assert logged.command == type(expected.refused).__name__
            assert logged.actor_person_id == expected.refused.actor.person_id
            assert logged.actor_committee_id == expected.refused.actor.committee_id
            assert logged.reason == expected.refused.reason

    # Drawing the parts of a command

    def _actor_with_jurisdiction(self, data: st.DataObject, committee_id: str) -> Actor:
        return data.draw(
            st.sampled_from(self.city.with_jurisdiction(committee_id)).map(self.city.secretary),
            label="actor",
        )

    def _approvals(
        self,
        data: st.DataObject,
        committee_ids: Sequence[str],
        year: int,
        commands: Sequence[c.Command],
    ) -> tuple[c.ApproveCapException, ...]:
        """None, the right parent's, a wrong committee's or a mix, for these committees.
        The right parent approves `year` and each later year the commands need (a tier
        carried into later years counts again there), so that most such units apply."""
        drawn = data.draw(
            cap_exception_sets(self.city, committee_ids, years=st.just(year), policy=self.policy),
            label="approvals",
        )
        needed = self.model.needed_approvals(commands)
        approvals: list[c.ApproveCapException] = []
        for approval in drawn:
            approvals.append(approval)
            if approval.actor.committee_id == self.city.approver_of(approval.committee_id):
                approvals.extend(
                    evolve(approval, year=later)
                    for committee_id, later in needed
                    if committee_id == approval.committee_id and later > year
                )
        # An approval is dated in the year of the decision that needs it.
        return tuple(
            evolve(a, effective_on=data.draw(dates_in_year(year), label="approved on"))
            for a in approvals
        )

    def _with_approvals(
        self, data: st.DataObject, command: c.Command, chain: Sequence[str]
    ) -> None:
        """Run a decision alone, or in one unit with the approvals drawn for its chain
        (before or after it: the unit is judged on its end state)."""
        year = getattr(command, "year", None)
        approvals = self._approvals(data, chain, year, [command]) if isinstance(year, int) else ()
        if not approvals:
            self.run([command])
            return
        at = data.draw(st.integers(0, len(approvals)), label="decision position")
        self.run([*approvals[:at], command, *approvals[at:]], as_unit=True)

    def _new_or_used_id(self, data: st.DataObject, prefix: str, used: list[str]) -> str:
        """A fresh id, or (half the time, when there are some) one already used."""
        reuse: bool = data.draw(st.booleans(), label=f"reuse a {prefix} id")
        if used and reuse:
            return data.draw(st.sampled_from(used), label=f"used {prefix} id")
        return self._new_id(prefix)

    def _base_of(self, branch_id: str) -> str:
        return self.model.branches[branch_id].base_committee_id

    # Rules
