"""`MentoringMachine`: a Hypothesis state machine over red-flag branches mentoring weaker
ones (rules.md section 7), on a real `Guoying` store.

Each example first runs a whole selection year drawn by `selection_years()` on
`selection_city()` (one unit of a few hundred commands: about a tenth of a second on
`memory://`), so that some branches hold a city-managed committee's red-flag title and
some a Taishan Pioneer's. Its rules then form pairs (mostly valid; and deliberately wrong:
a mentor without a title, a branch mentoring itself, a second mentor for a mentee, a
mentor over the maximum, a committee outside its jurisdiction, a pair id used twice, a plan
without a goal or with a deadline not after the pairing, an unknown branch), form and end
pairs in one unit (a count judged on the unit's end state), end pairs, revoke and
downgrade titles (the process that ends a revoked mentor's pairs then runs, as
`Guoying.execute` runs it after each write; a downgraded Taishan Pioneer keeps its pairs)
and file the year's Annex 4 schedules (by 31 July or late; by the wrong body, listing a
pair that ended or one whose mentor is no Taishan Pioneer).

Every command must either succeed or raise a `GuoyingError`, and the machine predicts which
from its own model (`guoying.testing.mentoring_model`) and demands that the library
agrees; a refusal must leave the store unchanged and add exactly one entry, with its rule
id, to the refusal log. After every step it checks, from the store's aggregates and events
(`MentoringChecks`), that no active pair has a mentor without a red-flag title, no mentee
has two active mentors, no mentor has more active pairs than the policy's maximum (two by
default, `MENTORING_POLICY`, so that it is reached), and each pair ended at most once;
and rules.md section 10 item 1: replaying each pair, mentor, mentee, schedule and
nomination stream gives the live aggregate, version for version, and they stand as the
model believes.

Run it in your own tests::

    from hypothesis import settings
    from guoying.testing import MentoringMachine

    TestMentoringMachine = MentoringMachine.TestCase
    TestMentoringMachine.settings = settings(max_examples=10, stateful_step_count=30,
                                             deadline=None)

Override `store_url` (`"sqlite:///{tmpdir}/store.db"`), `city` (it needs a registered
person and two city-managed committees), `policy` or `year` on a subclass to run it
elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

import sqlalchemy as sa
from attrs import evolve
from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from guoying.adapters import schema
from guoying.application import commands as c
from guoying.application.errors import GuoyingError, Refused
from guoying.application.pairs_on_revocation import PROCESS_ACTOR
from guoying.domain.mentoring import (
    MentoringPair,
    MentoringPairEnded,
    mentee_key,
    mentor_key,
    pair_key,
)
from guoying.domain.nomination import Nomination, nomination_key
from guoying.domain.policy import Policy
from guoying.domain.values import Actor, CommitteeLevel, TitleLevel
from guoying.testing.city import CityLayout, selection_city
from guoying.testing.example_store import ExampleStore
from guoying.testing.invariants import CHINA
from guoying.testing.mentoring_checks import MentoringChecks
from guoying.testing.mentoring_model import MENTORING_POLICY, MentoringModel
from guoying.testing.selection_machine_base import every_rule_enabled
from guoying.testing.selection_model import Predicted
from guoying.testing.selection_sequences import selection_years

__all__ = ["MENTORING_POLICY", "MentoringMachine", "MentoringModel"]

# The streams whose replay the machine compares with the live aggregate.
CHECKED_STREAMS = ("pair:", "mentor:", "mentee:", "schedule:", "nomination:")


def now_and_then(machine: MentoringMachine) -> bool:
    """One step in three: titles are few (two to five), so revoking them on every step
    would leave nothing to mentor after a few steps."""
    return machine.steps_taken % 3 == 2


class MentoringMachine(ExampleStore, RuleBasedStateMachine):
    """Random sequences of mentoring commands and title decisions against a real store.

    Class attributes to override: `store_url` (`{tmpdir}` is replaced by a fresh folder per
    example), `city` (a `CityLayout` with two city-managed committees and a registered
    person, for the selection year), `policy` (the version every decision is judged by;
    its `mentees_max` is the maximum the machine reaches) and `year`.
    """

    folder_prefix: ClassVar[str] = "guoying-mentoring-"
    city: ClassVar[CityLayout] = selection_city()
    policy: ClassVar[Policy] = MENTORING_POLICY
    year: ClassVar[int] = 2018
    now: ClassVar[datetime] = datetime(2019, 1, 15, 9, 30, tzinfo=CHINA)

    def __init__(self) -> None:
        super().__init__()
        every_rule_enabled(self)
        self.app = self.open_app()
        self.checks = MentoringChecks(self.app.store, self.policy)
        self.model = MentoringModel(self.city, self.policy, self.year)
        self.today = date(self.year, 1, 1)
        self.steps_taken = 0
        self._serial = 0
        self._refusals_logged = 0
        # Live aggregates as seen right after each accepted command, by (id, version).
        self._live: dict[tuple[str, int], Any] = {}
        self._unreplayed: set[str] = set()

    # The year before the mentoring

    @initialize(data=st.data())
    def run_a_selection_year(self, data: st.DataObject) -> None:
        """A whole selection year, as one unit (every command of it applies): red-flag
        titles of both levels, perhaps one revoked or downgraded after the naming."""
        year = data.draw(
            selection_years(city=self.city, policy=self.policy, year=self.year),
            label="selection year",
        )
        # Without the revocation or downgrade a year may end with: the machine decides
        # those itself, and every example starts with titles of both levels.
        decisions = [
            k for k in year.decisions if not isinstance(k, c.RevokeTitle | c.DowngradeTitle)
        ]
        year = evolve(year, decisions=tuple(decisions))
        self.app.execute_unit(list(year))
        self.model = MentoringModel.after(year)
        last = max(k.effective_on for k in year.decisions if k.effective_on is not None)
        self.today = last + timedelta(days=1)
        self._refusals_logged = len(self._refusal_log())
        levels = {held.level for held in self.model.titles.values()}
        note_event(f"titles held after the year: {sorted(levels)}")

    # Pairs

    @rule(data=st.data())
    def form_pair(self, data: st.DataObject) -> None:
        """`mentoring.plan`: a red-flag branch takes on a branch without a mentor, decided
        by a committee over both; refused once its mentor is at the maximum
        (`mentoring.ratio`)."""
        model = self.model
        mentor = data.draw(st.sampled_from(model.titled() or model.branch_ids), label="mentor")
        free = [b for b in model.branch_ids if b != mentor and model.mentor_of(b) is None]
        mentee = data.draw(st.sampled_from(free or model.branch_ids), label="mentee")
        self.run([self._pair(data, mentor, mentee)])

    @rule(data=st.data())
    def form_pair_wrongly(self, data: st.DataObject) -> None:
        """Deliberately wrong: a mentor without a title or a branch mentoring itself
        (`mentoring.eligibility`), a second mentor or one over the maximum
        (`mentoring.ratio`), a pair id used twice, no goal or a deadline not after the
        pairing (`mentoring.plan`), a committee outside its jurisdiction
        (`org.jurisdiction`), an unknown branch (not found, not logged)."""
        model = self.model
        titled = model.titled() or model.branch_ids
        mentor = data.draw(st.sampled_from(titled), label="mentor")
        mentee = data.draw(st.sampled_from(model.branch_ids), label="mentee")
        wrong = data.draw(
            st.sampled_from(
                (
                    "untitled",
                    "itself",
                    "second mentor",
                    "over the maximum",
                    "outsider",
                    "pair id used",
                    "no goal",
                    "deadline",
                    "unknown branch",
                )
            ),
            label="wrong",
        )
        untitled = [b for b in model.branch_ids if b not in model.titles]
        mentored = [b for b in model.branch_ids if model.mentor_of(b) is not None]
        if wrong == "untitled" and untitled:
            mentor = data.draw(st.sampled_from(untitled), label="untitled mentor")
        elif wrong == "itself":
            mentee = mentor
        elif wrong == "second mentor" and mentored:
            mentee = data.draw(st.sampled_from(mentored), label="mentored")
        elif wrong == "over the maximum":
            mentor = max(titled, key=lambda b: len(model.active_pairs(b)))
            free = [b for b in model.branch_ids if b != mentor and model.mentor_of(b) is None]
            mentee = data.draw(st.sampled_from(free or model.branch_ids), label="mentee")
        elif wrong == "unknown branch":
            mentee = "no-such-branch"
        command = self._pair(data, mentor, mentee)
        if wrong == "outsider":
            command = evolve(command, actor=self._outsider(data, mentor))
        elif wrong == "pair id used" and model.pairs:
            used = data.draw(st.sampled_from(sorted(model.pairs)), label="used id")
            command = evolve(command, pair_id=used)
        elif wrong == "no goal":
            command = evolve(command, goal=" ")
        elif wrong == "deadline":
            command = evolve(command, deadline=self.today)
        self.run([command])

    @rule(data=st.data())
    def form_pairs_in_one_unit(self, data: st.DataObject) -> None:
        """`mentoring.ratio` judged on a unit's end state: a mentor at the maximum ends one
        pair and takes on another (applies), or takes on two more at once (refused as the
        command that took it over the maximum, with nothing of the unit written)."""
        model = self.model
        titled = model.titled() or model.branch_ids
        mentor = data.draw(st.sampled_from(titled), label="mentor")
        free = [b for b in model.branch_ids if b != mentor and model.mentor_of(b) is None]
        if not free:
            return
        active = model.active_pairs(mentor)
        replace = data.draw(st.booleans(), label="replace one")
        if active and replace:
            ending = self._end(data, active[0])
            self.run([ending, self._pair(data, mentor, free[0], on=ending.effective_on)])
            return
        first = self._pair(data, mentor, free[0])
        second = self._pair(data, mentor, free[-1], on=first.effective_on)
        self.run([first, second], as_unit=True)

    @precondition(lambda self: bool(self.model.pairs))
    @rule(data=st.data())
    def end_pair(self, data: st.DataObject) -> None:
        """`mentoring.plan`: a pair ends once, by a committee over its mentor; one ended
        already is refused, an unknown one is not found."""
        active = self.model.active_pairs()
        pool = [*active, *active, *self.model.pairs]
        pair_id = data.draw(st.sampled_from(pool), label="pair")
        if self.rarely(data, "unknown pair", 10):
            pair_id = "no-such-pair"
        command = self._end(data, pair_id)
        if self.rarely(data, "outsider ends", 8):
            mentor = self.model.pairs[pair_id].mentor if pair_id in self.model.pairs else None
            command = evolve(command, actor=self._outsider(data, mentor))
        self.run([command])

    # Titles

    @precondition(lambda self: now_and_then(self) and bool(self.model.nominations))
    @rule(data=st.data())
    def revoke_title(self, data: st.DataObject) -> None:
        """`title.revocation` by the conferring body or one above it; the process then
        ends every pair of the mentor, which holds no title any more
        (`mentoring.eligibility`). A title revoked already, or a revocation by another
        committee, is refused."""
        self.run([self._about_title(data, c.RevokeTitle)])

    @precondition(lambda self: now_and_then(self) and bool(self.model.nominations))
    @rule(data=st.data())
    def downgrade_title(self, data: st.DataObject) -> None:
        """`title.revocation`: a downgraded Taishan Pioneer holds its city-managed
        committee's title and keeps its pairs; a downgraded committee-level title is
        revoked, and the process ends its pairs."""
        self.run([self._about_title(data, c.DowngradeTitle)])

    # The Annex 4 schedule

    @rule(data=st.data())
    def file_schedule(self, data: st.DataObject) -> None:
        """`mentoring.plan`: a city-managed committee files its Taishan Pioneers' active
        pairs once a year, late after 31 July (recorded, never refused); listing a pair
        that ended, or one whose mentor is no Taishan Pioneer (`mentoring.eligibility`),
        filing for another committee (`org.jurisdiction`) or at a base committee, or a
        year not yet begun, is refused."""
        model = self.model
        managed = self.city.ids_at(CommitteeLevel.CITY_MANAGED)
        committee_id = data.draw(
            st.sampled_from([*managed, *managed, *managed, self.city.base_ids[0]]),
            label="committee",
        )
        own = [
            k
            for k in model.active_pairs()
            if self.city.may_act_on(committee_id, model.bases[model.pairs[k].mentor])
        ]
        listed = [
            k
            for k in own
            if (held := model.titles.get(model.pairs[k].mentor)) is not None
            and held.level is TitleLevel.CITY
        ]
        if self.rarely(data, "a wrong pair listed", 4):
            listed.append(data.draw(st.sampled_from([*model.pairs, "no-such-pair"]), label="wrong"))
        by = committee_id
        if self.rarely(data, "filed by another", 8):
            by = data.draw(st.sampled_from(self.city.committee_ids), label="by")
        year = self.year + (1 if self.rarely(data, "next year", 8) else 0)
        self.run(
            [
                c.FileMentoringSchedule(
                    actor=self.city.secretary(by),
                    reason="the Annex 4 schedule",
                    effective_on=self._date(data, 3),
                    committee_id=committee_id,
                    year=year,
                    pair_ids=tuple(listed),
                )
            ]
        )

    @rule(data=st.data())
    def wait(self, data: st.DataObject) -> None:
        """Days pass (so that 31 July passes in some examples)."""
        self._date(data, 30)

    # Building commands

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

    def _over(self, data: st.DataObject, *branch_ids: str) -> Actor:
        """A committee with jurisdiction over every branch given: the nearest (mostly),
        the city, or the city Organization Department."""
        bases = [self.model.bases[b] for b in branch_ids if b in self.model.bases]
        lineage = self.city.lineage(bases[0]) if bases else (self.city.city_id,)
        nearest = next(k for k in lineage if all(self.city.may_act_on(k, base) for base in bases))
        department = self.city.organization_department_id or self.city.city_id
        pool = [nearest, nearest, nearest, self.city.city_id, department]
        return self.city.secretary(data.draw(st.sampled_from(pool), label="by"))

    def _outsider(self, data: st.DataObject, branch_id: str | None) -> Actor:
        """A committee without jurisdiction over the branch's base committee."""
        base = self.model.bases.get(branch_id or "", self.city.base_ids[0])
        outside = self.city.without_jurisdiction(base) or self.city.base_ids
        return self.city.secretary(data.draw(st.sampled_from(outside), label="outsider"))

    def _pair(
        self, data: st.DataObject, mentor: str, mentee: str, *, on: date | None = None
    ) -> c.FormMentoringPair:
        on = on or self._date(data, 2)
        return c.FormMentoringPair(
            actor=self._over(data, mentor, mentee),
            reason="the mentoring plan (Annex 4)",
            effective_on=on,
            pair_id=self._new_id("pair-"),
            mentor_branch_id=mentor,
            mentee_branch_id=mentee,
            goal="reach the middle tier",
            measures="monthly joint Party lessons",
            deadline=on + timedelta(days=data.draw(st.integers(1, 400), label="deadline")),
            remarks="",
        )

    def _end(self, data: st.DataObject, pair_id: str) -> c.EndMentoringPair:
        found = self.model.pairs.get(pair_id)
        return c.EndMentoringPair(
            actor=self._over(data, *([found.mentor] if found else [])),
            reason="the goal was reached",
            effective_on=self._date(data, 2),
            pair_id=pair_id,
        )

    def _about_title(
        self, data: st.DataObject, kind: type[c.RevokeTitle | c.DowngradeTitle]
    ) -> c.RevokeTitle | c.DowngradeTitle:
        """About a title held (mostly by a mentor with pairs) or one gone already; by the
        body it is held from or the city (mostly), or by a committee below or beside it."""
        model = self.model
        mentoring = [b for b in model.titled() if model.active_pairs(b)]
        branch_id = data.draw(
            st.sampled_from(mentoring or model.titled() or sorted(model.nominations.values())),
            label="branch",
        )
        if self.rarely(data, "a title gone", 6):
            branch_id = data.draw(st.sampled_from(sorted(model.nominations.values())), label="gone")
        held = model.titles.get(branch_id)
        right = list(self.city.lineage(held.conferred_by)) if held else [self.city.city_id]
        wrong = [k for k in self.city.committee_ids if k not in right]
        pool = data.draw(st.sampled_from([right, right, right, wrong]), label="who decides")
        return kind(
            actor=self.city.secretary(data.draw(st.sampled_from(pool), label="by")),
            reason="discipline broken with bad influence",
            effective_on=self._date(data, 3),
            nomination_id=model.nomination_of(branch_id),
            tier=None,
        )

    # Running a command and checking its outcome

    def run(self, commands: Sequence[c.Command], *, as_unit: bool = False) -> bool:
        """Execute one command (or a unit), check it against the model; True if applied."""
        as_unit = as_unit or len(commands) > 1
        expected, refused, after = self.model.predict(commands)
        before = self.app.store.last_position()
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
        assert len(self._refusal_log()) == self._refusals_logged, "an applied command was logged"
        said = {(k.actor, k.reason) for k in commands}
        for event in outcome.events:
            assert (event.actor, event.reason) in said, event
        ended = {
            pair_key(k).id
            for k, p in after.pairs.items()
            if p.by_process and not self.model.pairs[k].by_process
        }
        self._note_written(before, outcome.events, ended)
        self.model = after
        return True

    def _note_written(self, before: int, decided: Sequence[object], ended: set[str]) -> None:
        """Keep the live aggregates the command and the processes after it wrote. What the
        processes wrote must be the endings of the pairs the model says a revocation ended
        (`mentoring.eligibility`), by the named system actor."""
        records = self.app.store.recorder.select_records(before, 10_000)
        assert len(records) >= len(decided), (len(records), len(decided))
        by_process = records[len(decided) :]
        if by_process:
            note_event("the process ended pairs")
        endings = [r for r in by_process if r.topic == MentoringPairEnded.__name__]
        assert {r.originator_id for r in endings} == ended, (endings, ended)
        for record in endings:
            event = self.app.store.event(record.originator_id, record.originator_version)
            assert event is not None
            assert event.actor.person_id == PROCESS_ACTOR, event
        for aggregate_id in dict.fromkeys(r.originator_id for r in records):
            if aggregate_id.startswith(CHECKED_STREAMS):
                live: Any = self.app.store.aggregate(aggregate_id)
                assert live is not None, aggregate_id
                self._live[(aggregate_id, live.version)] = live
                self._unreplayed.add(aggregate_id)

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
        assert self.app.store.last_position() == before, "a refused command changed the store"
        refusals = self._refusal_log()
        if not isinstance(error, Refused):
            assert len(refusals) == self._refusals_logged, f"{error!r} is logged as a refusal"
            return
        assert refused is not None
        self._refusals_logged += 1
        assert len(refusals) == self._refusals_logged, "a refusal is logged exactly once"
        logged = refusals[-1]
        assert (logged.rule_id, logged.command) == (error.rule_id, type(refused).__name__)
        assert (logged.actor_person_id, logged.actor_committee_id, logged.reason) == (
            refused.actor.person_id,
            refused.actor.committee_id,
            refused.reason,
        )

    def _refusal_log(self) -> list[Any]:
        """The refusal log as the store keeps it, in order."""
        log = schema.refusals
        with self.app.store.engine.connect() as conn:
            return list(conn.execute(sa.select(log).order_by(log.c.id)))

    # Invariants

    @invariant()
    def count_the_steps(self) -> None:
        """Not a rule of the library: counts the machine's steps (`now_and_then`)."""
        self.steps_taken += 1

    @invariant()
    def no_mentor_without_a_title_no_mentee_with_two_mentors_no_mentor_over_the_maximum(
        self,
    ) -> None:
        """rules.md section 7 on the store (`MentoringChecks`): `mentoring.eligibility`,
        `mentoring.ratio`, each pair ended at most once (`mentoring.plan`)."""
        self.checks.check(self.today)

    @invariant()
    def replay_matches_live(self) -> None:
        """rules.md 10 item 1: replaying each pair, mentor, mentee, schedule and nomination
        stream written gives the live aggregate, version for version."""
        for aggregate_id in sorted(self._unreplayed):
            state: Any = None
            for version, stored in enumerate(self.app.store.events(aggregate_id), 1):
                assert stored.originator_version == version, (aggregate_id, version)
                state = stored.mutate(state)
                seen = self._live.get((aggregate_id, version))
                if seen is not None:
                    assert state == seen, f"{aggregate_id} v{version}: replay != live"
            assert self.app.store.aggregate(aggregate_id) == state, aggregate_id
        self._unreplayed.clear()

    @invariant()
    def the_store_stands_as_the_model_believes(self) -> None:
        """Every pair as the model formed and ended it (a revoked mentor's by the process,
        on the revocation's date, for the committee that revoked), each mentor's count and
        each mentee's record, and every title the model believes held."""
        model = self.model
        reader = self.app.store.reader()
        for pair_id, believed in model.pairs.items():
            pair = reader.get(pair_key(pair_id))
            assert isinstance(pair, MentoringPair), pair_id
            assert (pair.mentor_branch_id, pair.mentee_branch_id, pair.formed_on) == (
                believed.mentor,
                believed.mentee,
                believed.formed_on,
            ), pair_id
            assert pair.mentee_tier is believed.tier, pair_id
            ended = (pair.ended.on, pair.ended.decided_by) if pair.ended else (None, None)
            assert ended == (believed.ended_on, believed.ended_by), (pair_id, pair.ended)
        for mentor in {p.mentor for p in model.pairs.values()}:
            load = reader.get(mentor_key(mentor))
            assert load is not None, mentor
            assert list(load.active) == model.active_pairs(mentor), mentor
        for mentee in {p.mentee for p in model.pairs.values()}:
            record = reader.get(mentee_key(mentee))
            assert record is not None, mentee
            active = [k for k in model.active_pairs() if model.pairs[k].mentee == mentee]
            assert record.pair_id == (active[0] if active else None), mentee
        for nomination_id, branch_id in model.nominations.items():
            nomination = reader.get(nomination_key(nomination_id))
            assert isinstance(nomination, Nomination), nomination_id
            held = model.titles.get(branch_id)
            title = nomination.title
            found = (title.level, title.conferred_by) if title is not None else None
            assert found == ((held.level, held.conferred_by) if held else None), nomination_id
