"""The rules of `SelectionMachine` that take a selection year on its way: the year's
set-up, then each round's steps and consultation, its list, its notice, its finalisation
and the city-managed committees' submissions, up to the city's naming, with the places
lowered by the committees above when a round cannot be competitive. Now and then they go
wrong on purpose: a step or an answer left out, an adverse answer, a list over its places,
with red-flag titles at a base committee or by an actor outside the round, a finalisation
before the notice ends, a naming by the Organization Department, a form missing from a
submission. The rules that only go wrong, and those after the naming, are in
`selection_machine.py`."""

from __future__ import annotations

from datetime import date, timedelta

from attrs import evolve
from hypothesis import event as note_event
from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from guoying.application import commands as c
from guoying.domain.values import Actor, CommitteeLevel, SelectionStep, VetoPeriod
from guoying.testing.selection_machine_base import SelectionMachineBase
from guoying.testing.selection_model import STEPS_FOR_LIST

__all__ = ["SelectionYearRules"]


class SelectionYearRules(SelectionMachineBase):
    """The year's set-up and each round's way, up to the city's naming."""

    # The year opens

    @initialize(data=st.data())
    def open_the_year(self, data: st.DataObject) -> None:
        """The Organization Department allots the places (`selection.allotment`), each
        parent sets its children's round places, and most branches apply in the first
        quarter (`selection.timeline`)."""
        self.noise_every = data.draw(st.sampled_from((3, 0, 2, 4, 6)), label="noise every")
        on = self._date(data, 5)
        department = self.city.organization_department_id
        assert department is not None
        managed = self.city.ids_at(CommitteeLevel.CITY_MANAGED)
        shares = data.draw(
            st.sampled_from([(1, 1), (1, 1), (1, 1), (1, 1), (1, 1), (1, 0)]), label="allotments"
        )
        for committee_id, places in zip(managed, shares, strict=False):
            self.run([self._allot(department, committee_id, places, on)])
        for committee_id in self.city.ids_at(CommitteeLevel.BASE, CommitteeLevel.INTERMEDIATE):
            parent = self.model.parent_of(committee_id)
            assert parent is not None
            places = self._workable_places(committee_id)
            if self.rarely(data, f"any places for {committee_id}", 8):
                places = data.draw(st.integers(1, 3), label=f"places of {committee_id}")
            self.run([self._places(parent, committee_id, places, on)])
        for base in self.city.base_ids:
            on = self._date(data, 30)
            for plan in self.branches:
                if plan.base_committee_id == base and not self.rarely(
                    data, f"{plan.branch_id} does not apply", 10
                ):
                    self.run([self._apply(base, plan.branch_id, on)])

    def _workable_places(self, committee_id: str) -> int:
        """Places that leave every round up to the city competitive with a margin of two
        (a veto or an objection on the way does not stop the year) when the branches all
        apply: two fewer than a round's candidates, and enough passed on for two
        proposals per place allotted above, and two more."""
        model = self.model
        below = [k for k in self.city.committee_ids if model.parent_of(k) == committee_id]
        if model.level_of(committee_id) is CommitteeLevel.INTERMEDIATE:
            return max(1, sum(self._workable_places(k) for k in below) - 2)
        most = max(1, sum(1 for p in self.branches if p.base_committee_id == committee_id) - 2)
        parent = model.parent_of(committee_id)
        if parent is None or model.level_of(parent) is not CommitteeLevel.CITY_MANAGED:
            return most
        wanted = self.policy.candidates_per_place * model.allotments.get(parent, 1) + 2
        siblings = [k for k in self.city.committee_ids if model.parent_of(k) == parent]
        others = sum(self._workable_places(k) for k in siblings if k != committee_id)
        return max(1, min(most, wanted - others))

    def _allot(self, by: str, committee_id: str, places: int, on: date) -> c.AllotPlaces:
        return c.AllotPlaces(
            actor=self.secretary(by),
            reason="the year's places",
            effective_on=on,
            year=self.year,
            committee_id=committee_id,
            places=places,
        )

    def _places(self, by: str, committee_id: str, places: int, on: date) -> c.SetRoundPlaces:
        return c.SetRoundPlaces(
            actor=self.secretary(by),
            reason="the round's places",
            effective_on=on,
            committee_id=committee_id,
            year=self.year,
            places=places,
        )

    def _apply(self, by: str, branch_id: str, on: date) -> c.ApplyForSelection:
        return c.ApplyForSelection(
            actor=self.secretary(by),
            reason="the branch applies",
            effective_on=on,
            branch_id=branch_id,
            year=self.year,
        )

    # Each round's way: steps and consultation, the list, its notice, its finalisation

    @precondition(lambda self: bool(self.unprepared()))
    @rule(data=st.data())
    def prepare_rounds(self, data: st.DataObject) -> None:
        """`selection.timeline` and `selection.consultation`: the steps each candidate
        needs (the secretary's report and the members' evaluation at a base committee, the
        site inspection at a city-managed one), then every required agency's answer (a
        round's answers in one unit); now and then an adverse answer (a veto finding that
        ends the nomination) or a step or answer left out. A round that is then ready
        decides its list at once (mostly)."""
        for committee_id in self.some(data, self.unprepared(), "rounds"):
            self._prepare(data, committee_id)
            if committee_id in self.ready_to_decide() and not self.rarely(data, "decided later", 4):
                self._decide(data, committee_id, self._date(data, 2))

    def stalled(self) -> bool:
        """No round can take its next step (the year is over, or stuck)."""
        return not (
            self.unprepared()
            or self.ready_to_decide()
            or self.rounds_where(decided=True)
            or self.to_finalise()
            or self._to_submit()
        )

    def adjustments(self) -> list[c.Command]:
        """What the committees above do when the year is stuck on a round with no more
        candidates than places: the parent lowers a base or intermediate round's places,
        the Organization Department lowers a city-managed committee's allotment, or (for
        the city's round) takes the places of a committee that never proposed."""
        if not self.stalled():
            return []
        model = self.model
        found: list[c.Command] = []
        department = self.city.organization_department_id
        assert department is not None
        for committee_id in self.rounds_where(decided=False):
            live = len(self.model.rounds[committee_id].live)
            places = model.places_of(committee_id)
            level = model.level_of(committee_id)
            if places is None or live <= 1 or live > places:
                continue
            if level in (CommitteeLevel.BASE, CommitteeLevel.INTERMEDIATE):
                parent = model.parent_of(committee_id)
                assert parent is not None
                found.append(self._places(parent, committee_id, live - 1, self.today))
            elif level is CommitteeLevel.CITY_MANAGED:
                fewer = (live - 1) // self.policy.candidates_per_place
                found.append(self._allot(department, committee_id, fewer, self.today))
            else:
                found += [
                    self._allot(department, k, 0, self.today)
                    for k, places in model.allotments.items()
                    if places and not model.proposals.get(k)
                ]
        return found

    @precondition(lambda self: bool(self.adjustments()))
    @rule()
    def adjust_places(self) -> None:
        """`selection.rounds`, `selection.allotment`: places are data the committees above
        set for the year; when a round cannot be competitive, they change them."""
        for command in self.adjustments():
            self.run([command])

    def unprepared(self) -> list[str]:
        """Undecided rounds with a live candidate whose steps or answers are missing."""
        return [k for k in self.rounds_where(decided=False) if not self._prepared(k)]

    def prepared(self) -> list[str]:
        return [k for k in self.rounds_where(decided=False) if self._prepared(k)]

    def _prepared(self, committee_id: str) -> bool:
        found = self.model.rounds[committee_id]
        steps = STEPS_FOR_LIST.get(found.level, ())
        return not any(
            found.awaited(n) or set(steps) - set(self.model.nominations[n].steps)
            for n in found.live
        )

    def _prepare(self, data: st.DataObject, committee_id: str) -> None:
        on = self._date(data, 2)
        by = self.decider_of(committee_id, data)
        level = self.model.level_of(committee_id)
        steps = [
            (nomination_id, step)
            for nomination_id in self.model.rounds[committee_id].live
            for step in STEPS_FOR_LIST.get(level, ())
            if step not in self.model.nominations[nomination_id].steps
        ]
        if steps and self.rarely(data, "a step left out", 8):
            steps.pop(data.draw(st.integers(0, len(steps) - 1), label="left out"))
        for nomination_id, step in steps:
            self.run([self._step(by, nomination_id, step, on)])
        live = self.model.rounds[committee_id].live
        if live and self.rarely(data, "adverse answer", 12):
            self._adverse(data, committee_id, by, on)
        found = self.model.rounds[committee_id]
        answers = [
            self._answer(by, committee_id, nomination_id, agency, on)
            for nomination_id in found.live
            for agency in found.awaited(nomination_id)
        ]
        if answers and self.rarely(data, "answer left out", 10):
            answers.pop(data.draw(st.integers(0, len(answers) - 1), label="left out"))
        if answers:
            self.run(answers, as_unit=True)

    def _step(
        self, by: Actor, nomination_id: str, step: SelectionStep, on: date
    ) -> c.RecordSelectionStep:
        return c.RecordSelectionStep(
            actor=by,
            reason=f"{step.value.lower()} recorded",
            effective_on=on,
            nomination_id=nomination_id,
            step=step,
        )

    def _answer(
        self, by: Actor, committee_id: str, nomination_id: str, agency: str, on: date
    ) -> c.AnswerConsultation:
        return c.AnswerConsultation(
            actor=by,
            reason=f"{agency} answered",
            effective_on=on,
            committee_id=committee_id,
            year=self.year,
            nomination_id=nomination_id,
            agency=agency,
        )

    def _adverse(self, data: st.DataObject, committee_id: str, by: Actor, on: date) -> None:
        """An agency's adverse answer: a veto finding against the branch, in effect from
        the answer's date for the period drawn; the nomination ends at this round."""
        found = self.model.rounds[committee_id]
        nomination_id = data.draw(st.sampled_from(found.live), label="vetoed")
        awaited = found.awaited(nomination_id)
        agency = data.draw(
            st.sampled_from(awaited or list(found.required[nomination_id])), label="agency"
        )
        period = data.draw(st.sampled_from(VetoPeriod), label="period")
        command = self._answer(by, committee_id, nomination_id, agency, on)
        span = on + timedelta(days=30) if period is VetoPeriod.STATED_SPAN else None
        self.run(
            [
                evolve(
                    command,
                    adverse=True,
                    finding_id=self._new_id("adverse-"),
                    area="discipline",
                    period=period,
                    effective_to=span,
                )
            ]
        )

    def ready_to_decide(self) -> list[str]:
        """Prepared rounds with more candidates than places, whose rounds below have made
        their lists final (or cannot): deciding before them would leave their candidates
        out."""
        return [k for k in self.prepared() if self._competitive(k) and not self._waiting_for(k)]

    def _competitive(self, committee_id: str) -> bool:
        """More candidates than places, once those barred today are vetoed."""
        places = self.model.places_of(committee_id)
        if places is None:
            return False
        live = self.model.rounds[committee_id].live
        barred = [
            n for n in live if self.model.in_effect(self.model.nominations[n].branch_id, self.today)
        ]
        return len(live) - len(barred) > places

    def _waiting_for(self, committee_id: str) -> bool:
        """A round below still on its way: decided and not final, or able to decide, or (at
        the city) final at a city-managed committee that has not submitted."""
        for below, found in self.model.rounds.items():
            if self.model.parent_of(below) != committee_id or not found.candidates:
                continue
            if found.final_on is None and (found.passed is not None or self._competitive(below)):
                return True
            if (
                found.level is CommitteeLevel.CITY_MANAGED
                and found.final_on
                and not found.submitted
            ):
                return True
        return False

    @precondition(lambda self: bool(self.ready_to_decide()))
    @rule(data=st.data())
    def decide_lists(self, data: st.DataObject) -> None:
        """`selection.rounds`: each round decides its list as a whole, competitively (more
        candidates than places), no more passed than its places, once every agency has
        answered; a finding in effect vetoes the candidate first (`selection.veto`). At a
        city-managed committee the list is its red-flag titles and its proposals among
        them (`selection.title_levels`); at the city, at most each committee's allotment
        from its proposals (`selection.allotment`). Now and then the list is wrong."""
        on = self._date(data, 3)
        rounds, unready = self.ready_to_decide(), self.rarely(data, "a round not ready too", 8)
        if unready:
            rounds = self.rounds_where(decided=False)  # `selection.consultation`, `.rounds`
        for committee_id in self.some(data, rounds, "rounds"):
            # A round decided just now may keep the one above waiting.
            if unready or committee_id in self.ready_to_decide():
                self._decide(data, committee_id, on)

    def _decide(self, data: st.DataObject, committee_id: str, on: date) -> None:
        """The list, and (mostly) its notice the same day."""
        if self.run([self._list(data, committee_id, on)]) and not self.rarely(
            data, "noticed later", 6
        ):
            self._notice(data, committee_id)

    def _list(self, data: st.DataObject, committee_id: str, on: date) -> c.DecideRoundList:
        model = self.model
        level = model.level_of(committee_id)
        live = model.rounds[committee_id].live
        eligible = [n for n in live if model.is_eligible(model.nominations[n].branch_id, on)]
        shuffled = data.draw(st.permutations(eligible), label="order")
        size = min(model.places_of(committee_id) or 0, len(eligible))
        if level is CommitteeLevel.CITY:
            passed = self._city_list(shuffled, size)
        else:
            passed = shuffled[:size]
        titled: list[str] = []
        if level is CommitteeLevel.CITY_MANAGED:
            extra = data.draw(st.integers(0, len(shuffled) - len(passed)), label="titled only")
            titled = [*passed, *shuffled[len(passed) : len(passed) + extra]]
        mistake = data.draw(st.sampled_from((None,) * 16 + (0, 1, 2, 3)), label="mistake")
        if mistake == 0 and len(shuffled) > len(passed):
            passed = [*passed, shuffled[len(passed)]]  # one over the places, or not titled
        elif mistake == 1 and level is not CommitteeLevel.CITY_MANAGED and passed:
            titled = passed[:1]  # `selection.title_levels`
        elif mistake == 2:
            passed = list(live)  # no margin, a vetoed candidate, or over an allotment
        by = self.decider_of(committee_id, data)
        if mistake == 3:
            by = self.outsider_of(data, committee_id)
        return c.DecideRoundList(
            actor=by,
            reason=f"the opinion of {committee_id}",
            effective_on=on,
            committee_id=committee_id,
            year=self.year,
            passed=tuple(passed),
            titled=tuple(titled),
        )

    def _city_list(self, shuffled: list[str], size: int) -> list[str]:
        """At most each committee's allotment from its proposals."""
        taken: dict[str, int] = {}
        passed: list[str] = []
        for nomination_id in shuffled:
            proposer = self.model.proposer_of(nomination_id)
            if taken.get(proposer, 0) < self.model.allotments.get(proposer, 0):
                taken[proposer] = taken.get(proposer, 0) + 1
                passed.append(nomination_id)
        return passed[:size]

    @precondition(lambda self: bool(self.rounds_where(decided=True)))
    @rule(data=st.data())
    def publish_notices(self, data: st.DataObject) -> None:
        """`selection.public_notice`: a decided list is noticed, once (3 days within the
        unit, the city's 5 days to society, from policy)."""
        self._date(data, 2)
        for committee_id in self.some(data, self.rounds_where(decided=True), "rounds"):
            self._notice(data, committee_id)

    def _notice(self, data: st.DataObject, committee_id: str) -> None:
        self.run(
            [
                c.PublishNotice(
                    actor=self.decider_of(committee_id, data),
                    reason="the list is noticed",
                    effective_on=self.today,
                    committee_id=committee_id,
                    year=self.year,
                )
            ]
        )

    def to_finalise(self) -> list[str]:
        """Noticed rounds whose candidates can still enter the round above (it has not
        decided its list yet)."""
        found = []
        for committee_id in self.rounds_where(decided=True, noticed=True):
            parent = self.model.parent_of(committee_id)
            above = self.model.rounds.get(parent) if parent else None
            if (
                self.model.level_of(committee_id)
                in (
                    CommitteeLevel.CITY_MANAGED,
                    CommitteeLevel.CITY,
                )
                or above is None
                or above.passed is None
            ):
                found.append(committee_id)
        return found

    @precondition(lambda self: bool(self.to_finalise()))
    @rule(data=st.data())
    def finalise_lists(self, data: st.DataObject) -> None:
        """`selection.public_notice`: a list becomes final on the day its notice allows or
        later (tried on a drawn day, now and then too early); a base or intermediate round's
        candidates enter the round above, a city-managed committee confers its red-flag
        titles, and the city committee (never its Organization Department:
        `selection.title_levels`) names the Taishan Pioneers (`selection.annual_titles`)."""
        rounds = self.some(data, self.to_finalise(), "rounds")
        if self.rarely(data, "a round whose parent decided too", 8):
            rounds = self.rounds_where(decided=True, noticed=True)  # `selection.timeline`
        allowed = min(self.model.rounds[k].final_from or self.today for k in rounds)
        on = max(self.today, allowed) + timedelta(
            days=data.draw(st.integers(0, 3), label="days after the notice allows")
        )
        if self.rarely(data, "too early", 4):
            on = allowed - timedelta(days=data.draw(st.integers(1, 4), label="days too early"))
        on = min(max(on, self.today), date(self.year, 12, 31))
        for committee_id in rounds:
            by = self.secretary(committee_id)
            department = self.city.organization_department_id
            city = self.model.level_of(committee_id) is CommitteeLevel.CITY
            if city and department and self.rarely(data, "by OD", 8):
                by = self.secretary(department)
            command = c.FinaliseList(
                actor=by,
                reason="the notice ended",
                effective_on=on,
                committee_id=committee_id,
                year=self.year,
            )
            if self.run([command]):
                self.today = on
                if city:
                    named = sum(len(n) for n in self.model.named.values())
                    cap = "the year's number" if named == self.policy.annual_titles else "fewer"
                    note_event(f"Taishan Pioneers named: {cap}")
                elif committee_id in self._to_submit() and not self.rarely(
                    data, "submitted later", 6
                ):
                    self._submit(data, committee_id)

    @precondition(lambda self: bool(self._to_submit()))
    @rule(data=st.data())
    def submit_proposals(self, data: st.DataObject) -> None:
        """`selection.submission`: a city-managed committee records each proposal's Annex 3
        form (`selection.form`; now and then one is missing) and submits its final list;
        at most two proposals per allotted place (`selection.proposal_ratio`)."""
        self._date(data, 2)
        for committee_id in self.some(data, self._to_submit(), "committees"):
            self._submit(data, committee_id)

    def _submit(self, data: st.DataObject, committee_id: str) -> None:
        by, on = self.secretary(committee_id), self.today
        missing = self.rarely(data, "a form missing", 12)
        for nomination_id in self.model.rounds[committee_id].listed:
            if self.model.nominations[nomination_id].dossier or missing:
                missing = False
                continue
            self.run([self._dossier(by, nomination_id, on)])
        self.run(
            [
                c.SubmitProposals(
                    actor=by,
                    reason="the committee submits its proposals",
                    effective_on=on,
                    committee_id=committee_id,
                    year=self.year,
                    document_no=f"{committee_id}-{self.year}-7",
                    process="recommended, inspected on site, decided at the committee",
                    opinions_gathered="every agency answered",
                )
            ]
        )

    def _to_submit(self) -> list[str]:
        return [
            k
            for k, r in self.model.rounds.items()
            if r.level is CommitteeLevel.CITY_MANAGED and r.final_on and not r.submitted
        ]

    def _dossier(self, by: Actor, nomination_id: str, on: date) -> c.RecordDossier:
        return c.RecordDossier(
            actor=by,
            reason="the Annex 3 form",
            effective_on=on,
            nomination_id=nomination_id,
            secretary_person_id=self.city.person_ids[0],
            basic_facts=f"the facts of {nomination_id}",
            past_honours="none",
            main_deeds=f"the deeds of {nomination_id}",
        )
