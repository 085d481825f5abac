"""The machinery of `SelectionMachine`: its store, its city and branches, its business
calendar, running commands against the model's prediction, and the invariants (rules.md
section 10 items 1, 2, 4 and 5, and "no title without every round passed and every notice
elapsed"). The rules are in `selection_machine.py`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

import sqlalchemy as sa
from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from guoying.adapters import schema
from guoying.application import commands as c
from guoying.application.errors import GuoyingError, Refused
from guoying.domain.nomination import Nomination
from guoying.domain.policy import Policy
from guoying.domain.selection_round import Round
from guoying.domain.selection_year import YearSelection
from guoying.domain.values import Actor, CommitteeLevel, Tier
from guoying.domain.vetoes import VetoRecord
from guoying.testing.city import CityLayout, selection_city
from guoying.testing.example_store import ExampleStore
from guoying.testing.invariants import CHINA
from guoying.testing.selection_checks import SelectionLog
from guoying.testing.selection_model import (
    SELECTION_BRANCHES,
    SELECTION_POLICY,
    BranchPlan,
    Predicted,
    SelectionModel,
)

__all__ = [
    "SELECTION_BRANCHES",
    "SELECTION_POLICY",
    "SelectionMachineBase",
    "every_rule_enabled",
    "noisy",
]

LEVEL_ORDER = {
    CommitteeLevel.BASE: 0,
    CommitteeLevel.INTERMEDIATE: 1,
    CommitteeLevel.CITY_MANAGED: 2,
    CommitteeLevel.CITY: 3,
}


class SelectionMachineBase(ExampleStore, RuleBasedStateMachine):
    """What every rule of `SelectionMachine` runs on, and its invariants."""

    folder_prefix: ClassVar[str] = "guoying-selection-"
    city: ClassVar[CityLayout] = selection_city()
    branches: ClassVar[tuple[BranchPlan, ...]] = SELECTION_BRANCHES
    policy: ClassVar[Policy] = SELECTION_POLICY
    year: ClassVar[int] = 2018
    now: ClassVar[datetime] = datetime(2019, 1, 15, 9, 30, tzinfo=CHINA)
    audit_every: ClassVar[int] = 20

    def __init__(self) -> None:
        super().__init__()
        every_rule_enabled(self)
        self.app = self.open_app()
        self.model = SelectionModel(self.city, self.policy, self.year)
        self.app.execute_unit(
            [
                *self.city.setup_commands(date(self.year - 1, 1, 1)),
                *(self._registration(plan) for plan in self.branches),
            ]
        )
        for plan in self.branches:
            self.model.add_branch(plan)
        self.log = SelectionLog(self.city)
        self.log.read(self.app)
        self.today = date(self.year, 1, 2)
        self._serial = 0
        # One step in how many may go wrong on purpose or change the year's set-up (drawn
        # when the year opens; 0: none does).
        self.noise_every = 0
        self.steps_taken = 0
        self._steps = 0
        self._last_audit = 0
        self._refusals_logged = len(self._refusal_log())
        # Live aggregates as seen right after each accepted command, by (id, version).
        self._live: dict[tuple[str, int], Any] = {}
        # Whether the store holds events the log has not read yet.
        self._unread = False
        self._unreplayed: set[str] = set()

    def _registration(self, plan: BranchPlan) -> c.RegisterBranch:
        return c.RegisterBranch(
            actor=self.city.secretary(plan.base_committee_id),
            reason="first assessment",
            effective_on=date(self.year - 1, 6, 1),
            branch_id=plan.branch_id,
            name=f"{plan.branch_id} 党支部",
            sector=plan.sector,
            base_committee_id=plan.base_committee_id,
            unit_ids=plan.unit_ids,
            year=self.year - 1,
            tier=plan.tier,
        )

    # The business calendar: every decision is dated on or after the last one

    def _date(self, data: st.DataObject, spread: int) -> date:
        """Today or up to `spread` days later (within the year); today moves on to it."""
        days = data.draw(st.integers(0, spread), label="days later")
        self.today = min(self.today + timedelta(days=days), date(self.year, 12, 31))
        return self.today

    @staticmethod
    def rarely(data: st.DataObject, label: str, one_in: int) -> bool:
        """True once in `one_in` draws or so; shrinks to False (the usual way)."""
        return data.draw(st.integers(0, one_in - 1), label=label) == one_in - 1

    def _new_id(self, prefix: str) -> str:
        self._serial += 1
        return f"{prefix}{self._serial}"

    # Who acts

    def secretary(self, committee_id: str) -> Actor:
        return self.city.secretary(committee_id)

    def decider_of(self, committee_id: str, data: st.DataObject | None = None) -> Actor:
        """A round's own committee; at the city, the Organization Department (or, when
        `data` is given, sometimes the city committee itself)."""
        if self.model.level_of(committee_id) is not CommitteeLevel.CITY:
            return self.secretary(committee_id)
        department = self.city.organization_department_id
        assert department is not None
        if data is not None and data.draw(st.booleans(), label="the city itself"):
            return self.secretary(committee_id)
        return self.secretary(department)

    def outsider_of(self, data: st.DataObject, committee_id: str) -> Actor:
        """A committee with no jurisdiction over this one, or one the tree does not know."""
        outside = [k for k in self.city.without_jurisdiction(committee_id) if k != committee_id]
        return self.secretary(
            data.draw(st.sampled_from([*outside, "no-such-committee"]), label="outsider")
        )

    def rounds_where(
        self, *, decided: bool, noticed: bool = False, final: bool = False
    ) -> list[str]:
        """The rounds with live candidates in a given state, lowest level first."""
        found = [
            k
            for k, r in self.model.rounds.items()
            if r.candidates
            and (r.passed is not None) == decided
            and (r.notice_on is not None) == noticed
            and (r.final_on is not None) == final
            and (decided or r.live)
        ]
        return sorted(found, key=lambda k: (LEVEL_ORDER[self.model.level_of(k)], k))

    def some(self, data: st.DataObject, items: Sequence[str], what: str) -> list[str]:
        """All of them (mostly) or a drawn non-empty part, in their order."""
        if not self.rarely(data, f"only some {what}", 4):
            return list(items)
        drawn = data.draw(
            st.lists(st.sampled_from(items), min_size=1, max_size=len(items), unique=True),
            label=what,
        )
        return [k for k in items if k in drawn]

    # Running a command and checking its outcome

    def run(self, commands: Sequence[c.Command], *, as_unit: bool = False) -> bool:
        """Execute one command (or a unit), check it against the model; True if applied."""
        self._steps += 1
        expected, refused, after = self.model.predict(commands)
        before = self.app.store.recorder.max_notification_id() or 0
        label = "unit" if as_unit else type(commands[0]).__name__
        try:
            if as_unit:
                outcome = self.app.execute_unit(commands)
            else:
                (command,) = commands
                outcome = self.app.execute(command)
        except GuoyingError as error:
            note_event(f"{label}: {type(error).__name__} {error.rule_id or ''}".strip())
            self._check_refusal(error, expected, refused, before)
            return False
        note_event(f"{label}: applied")
        assert expected is None, f"{label}: expected {expected} for {refused}, but it was applied"
        positions = list(outcome.positions)
        assert positions == sorted(set(positions)), positions
        assert not positions or positions[0] > before, (positions, before)
        assert len(positions) == len(outcome.events)
        # rules.md 10 item 5: each event carries the actor and reason of the command that
        # decided it (the audit trail is checked against the events by the invariants).
        said = {(k.actor, k.reason) for k in commands}
        for event in outcome.events:
            assert (event.actor, event.reason) in said, event
        self.model = after
        self._unread = True
        for aggregate_id in dict.fromkeys(e.originator_id for e in outcome.events):
            live: Any = self.app.store.aggregate(aggregate_id)
            assert live is not None, aggregate_id
            self._live[(aggregate_id, live.version)] = live
            self._unreplayed.add(aggregate_id)
        return True

    def _check_refusal(
        self,
        error: GuoyingError,
        expected: Predicted | None,
        refused: c.Command | None,
        before: int,
    ) -> None:
        assert expected is not None, f"expected it to apply, got {error!r}"
        assert (type(error), error.rule_id) == (expected.error, expected.rule_id), (
            f"expected {expected} for {refused}, got {error!r}"
        )
        assert (self.app.store.recorder.max_notification_id() or 0) == before, (
            "a refused command changed the event store"
        )
        if not isinstance(error, Refused):
            assert len(self._refusal_log()) == self._refusals_logged, (
                f"{error!r} is reported, not logged as a refusal"
            )
            return
        assert refused is not None
        self._refusals_logged += 1
        refusals = self._refusal_log()
        assert len(refusals) == self._refusals_logged, "a refusal is logged exactly once"
        logged = refusals[-1]
        assert (logged.rule_id, logged.command) == (error.rule_id, type(refused).__name__)
        assert logged.actor_person_id == refused.actor.person_id
        assert logged.actor_committee_id == refused.actor.committee_id
        assert logged.reason == refused.reason

    def _refusal_log(self) -> list[Any]:
        """The refusal log as the store keeps it, in order (not through its view, which
        `Guoying.refusals` first brings up to date: `audit_every` steps check that)."""
        log = schema.refusals
        with self.app.store.engine.connect() as conn:
            return list(conn.execute(sa.select(log).order_by(log.c.id)))

    # Invariants

    @invariant()
    def count_the_steps(self) -> None:
        """Not a rule of the library: counts the machine's steps (`noisy`)."""
        self.steps_taken += 1

    @invariant()
    def replay_matches_live(self) -> None:
        """rules.md 10 item 1: replaying each aggregate's events gives the live aggregate,
        version for version; nominations, rounds, veto records and the year's count also
        stand as the model believes."""
        for aggregate_id in sorted(self._unreplayed):
            state: Any = None
            for version, stored in enumerate(self.app.store.events(aggregate_id), 1):
                assert stored.originator_version == version, (aggregate_id, version)
                state = stored.mutate(state)
                seen = self._live.get((aggregate_id, version))
                if seen is not None:
                    assert state == seen, f"{aggregate_id} v{version}: replay != live"
            live = self.app.store.aggregate(aggregate_id)
            assert live == state, f"{aggregate_id}: the live aggregate differs from a replay"
            self._check_model(live)
        self._unreplayed.clear()

    def _check_model(self, live: object) -> None:
        model = self.model
        if isinstance(live, Nomination):
            believed = model.nominations[live.nomination_id]
            assert live.round_committee_id == believed.round_committee_id, live.id
            assert (live.ended.outcome.value if live.ended else None) == believed.ended, live.id
            title = (live.title.level, live.title.conferred_by) if live.title else None
            assert title == believed.title, live.id
            assert [(t[0], t[1]) for t in live.titles_held] == believed.titles, live.id
            assert set(live.steps) == set(believed.steps), live.id
            assert (live.dossier is not None, live.reward_yuan is not None) == (
                believed.dossier,
                believed.rewarded,
            ), live.id
            assert [o.committee_id for o in live.opinions] == believed.recommended_by, live.id
            assert live.priority_awards == believed.priority_awards, live.id
        elif isinstance(live, Round):
            found = model.rounds[live.committee_id]
            assert list(live.candidates) == found.candidates, live.id
            assert {k: v.value for k, v in live.removed.items()} == found.removed, live.id
            assert set(live.answers) == found.answers, live.id
            assert (live.places, live.passed, live.titled) == (
                found.places,
                found.passed,
                found.titled,
            ), live.id
            assert (live.notice.published_on if live.notice else None) == found.notice_on
            assert live.final_on == found.final_on, live.id
            assert (live.submitted_on is not None) == found.submitted, live.id
        elif isinstance(live, YearSelection):
            assert live.allotments == model.allotments, live.id
            assert live.proposals == model.proposals, live.id
            assert live.named == model.named, live.id
        elif isinstance(live, VetoRecord):
            kind, subject_id = live.id.removeprefix("veto:").split(":", 1)
            believed_findings = model.findings.get(f"{kind}:{subject_id}", {})
            assert set(live.findings) == set(believed_findings), live.id
            for finding_id, finding in live.findings.items():
                believed_finding = believed_findings[finding_id]
                assert (finding.effective_from, finding.effective_to) == (
                    believed_finding.start,
                    believed_finding.end,
                ), (live.id, finding_id)

    def _read_log(self) -> None:
        if self._unread:
            self.log.read(self.app)
            self._unread = False

    @invariant()
    def no_title_while_a_veto_is_in_effect(self) -> None:
        """rules.md 10 item 2 (`selection.veto`): no branch is named red-flag while a finding
        against it or one of its units, as known when it was named, is in effect."""
        self._read_log()
        self.log.check_no_title_under_a_veto()

    @invariant()
    def no_title_without_every_round_and_notice(self) -> None:
        """Every title follows, at every level from the base committee up to the conferring
        one, a recommendation and a list made final no earlier than its notice allowed."""
        self._read_log()
        self.log.check_title_paths()

    @invariant()
    def titles_named_within_the_years_number(self) -> None:
        """rules.md 10 item 4 (`selection.annual_titles`), with `selection.allotment` and
        `selection.proposal_ratio` on the year's counting aggregate."""
        self._read_log()
        self.log.check_annual_titles(self.app)

    @invariant()
    def titles_vetoes_and_tier_changes_are_audited(self) -> None:
        """rules.md 10 item 5: every event has an actor, a recorded time and a reason."""
        self._read_log()
        self.log.check_audited()

    @precondition(lambda self: self._steps - self._last_audit >= self.audit_every)
    @rule()
    def audit_trail_shows_every_title_veto_and_tier_change(self) -> None:
        """rules.md 10 item 5 on `Guoying.audit` (a full read of the trail: every few
        steps, not after each)."""
        self.log.read(self.app)
        self.log.check_audit_trail(self.app)
        kept = [(r.rule_id, r.command, r.reason) for r in self._refusal_log()]
        shown = [(r.rule_id, r.command, r.reason) for r in self.app.refusals()]
        assert shown == kept, "the refusals view differs from the refusal log"
        self._last_audit = self._steps
        note_event("audit trail read")


class _AllEnabled:
    """Feature flags that enable every rule."""

    def is_enabled(self, name: object) -> bool:
        del name
        return True


def every_rule_enabled(machine: RuleBasedStateMachine) -> None:
    """Turn Hypothesis's swarm testing off for this machine. Swarm testing disables a
    random part of the rules for a whole example; a selection year needs each of its
    phases (the steps and answers, the list, the finalisation) to get anywhere, so with it
    about half the examples never decided a list (`MentoringMachine` turns it off for the
    same reason: an example without its rules that form pairs tests nothing). The rules'
    own preconditions, and the allowance of steps that go wrong, shape the examples
    instead. If a later Hypothesis lays its rule strategy out differently, this does
    nothing and swarm testing stays."""
    rules = getattr(machine, "_rules_strategy", None)
    if rules is not None and hasattr(rules, "enabled_rules_strategy"):
        rules.enabled_rules_strategy = st.just(_AllEnabled())


def noisy(machine: SelectionMachineBase) -> bool:
    """A rule that goes wrong on purpose, or changes the year's set-up, is enabled on one
    step in `noise_every` (drawn for the example; never when it is 0): spread over the
    year, and few enough that most years get to the naming."""
    return machine.noise_every > 0 and machine.steps_taken % machine.noise_every == 0


def tiers_to_lower() -> st.SearchStrategy[Tier | None]:
    """No tier change (mostly), or a tier the revocation may or may not lower to."""
    return st.sampled_from([None, None, None, Tier.LAGGING, Tier.WEAK, Tier.MIDDLE])
