"""`SelectionMachine`: a Hypothesis state machine over one year's selection of red-flag
branches (rules.md section 6), on a real `Guoying` store.

Its rules are the selection's commands: the Organization Department's allotments, the
places of each round, applications, the steps of the base and city-managed committees, the
agencies' answers (some adverse: a veto finding that ends the nomination), veto findings
against branches and units, explicit vetoes, rehabilitation, awards, each round's list, its
notice, objections upheld during it, its finalisation (now and then tried too early), the
city-managed committees' dossiers and submissions, the city's naming, and afterwards
revocations, downgrades and grants. Some rules are deliberately wrong (an actor outside the
round, an agency not consulted, a step out of order, a list over its places, a red-flag
title at a base committee, a naming by the Organization Department, a revocation by a
committee that did not confer the title), so that refusals are exercised. The rules that
take the year on its way are in `selection_rules.py`; those here change the year's set-up,
go wrong on purpose (on one step in `noise_every`, drawn per example) or act after the
naming.

Every command must either succeed or raise a `GuoyingError`, and the machine predicts which
from its own model of the rules (`guoying.testing.selection_model`) and demands that the
library agrees; a refusal must leave the store unchanged and add exactly one entry, with
its rule id, to the refusal log. After every step it checks rules.md section 10 item 1
(replay equals the live aggregate, and the model agrees), item 2 (no red-flag title while
a veto finding known at the time is in effect), item 4 (no more Taishan Pioneers named in
the year than `selection.annual_titles`; its default policy allows two, so that the cap is
reached: in a quarter to a half of the examples) and item 5 (every event has an actor, a
recorded time and a reason; tier changes, titles and vetoes appear so in the audit trail,
read every `audit_every` steps), and that no title was conferred without every round
passed and every notice elapsed.

Run it in your own tests::

    from hypothesis import settings
    from guoying.testing import SelectionMachine

    TestSelectionMachine = SelectionMachine.TestCase
    TestSelectionMachine.settings = settings(max_examples=20, stateful_step_count=100,
                                             deadline=None)

Override `store_url` (`"sqlite:///{tmpdir}/store.db"`), `city` with `branches`, `policy`
or `year` on a subclass to run it elsewhere.
"""

from __future__ import annotations

from datetime import date, timedelta

from attrs import evolve
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from guoying.application import commands as c
from guoying.domain.values import Actor, AwardLevel, CommitteeLevel, SelectionStep, VetoPeriod
from guoying.domain.vetoes import VetoSubject
from guoying.testing.selection_machine_base import (
    SELECTION_BRANCHES,
    SELECTION_POLICY,
    noisy,
    tiers_to_lower,
)
from guoying.testing.selection_model import BranchPlan, SelectionModel
from guoying.testing.selection_rules import SelectionYearRules

__all__ = ["SELECTION_BRANCHES", "SELECTION_POLICY", "SelectionMachine", "SelectionModel"]


def _may_act_on_titles(machine: SelectionMachine) -> bool:
    """Titles exist, and steps may go wrong or the year can go no further (after the
    naming, the remaining steps revoke, downgrade and grant)."""
    titled = any(n.titles for n in machine.model.nominations.values())
    return titled and _idle(machine)


def during_a_notice(machine: SelectionMachine) -> bool:
    """A list is in its notice, and this is a step that may go wrong (on another step than
    `noisy`'s, so that a finding during a notice is not one of a dozen mistakes)."""
    every = machine.noise_every
    return (
        every > 0 and machine.steps_taken % every == 1 % every and bool(machine.noticed_branches())
    )


def _idle(machine: SelectionMachine) -> bool:
    """Steps may go wrong, or the year can go no further (it is over, or stuck): then
    waiting, harmless mistakes and what happens after the naming fill the example."""
    return noisy(machine) or (machine.stalled() and not machine.adjustments())


class SelectionMachine(SelectionYearRules):
    """Random sequences of a selection year's commands against a real store.

    Class attributes to override: `store_url` (`{tmpdir}` is replaced by a fresh folder per
    example), `city` and `branches` (a `CityLayout` with two city-managed committees and
    the branches to register in it), `policy` (the version every decision is judged by),
    `year`, and `audit_every` (how many steps at least between two reads of the audit
    trail).
    """

    # Changes to the year's set-up

    @precondition(noisy)
    @rule(data=st.data())
    def allot_places(self, data: st.DataObject) -> None:
        """`selection.allotment`: allotments sum to at most the year's number and are made
        before the committee proposes; only to a city-managed committee, only by the
        Organization Department (`org.jurisdiction`)."""
        managed = self.city.ids_at(CommitteeLevel.CITY_MANAGED)
        committee_id = data.draw(
            st.sampled_from([*managed, *managed, self.city.base_ids[0]]), label="committee"
        )
        department = self.city.organization_department_id
        assert department is not None
        by = data.draw(st.sampled_from([department] * 4 + [managed[0]]), label="by")
        places = data.draw(st.sampled_from((1, 1, 1, 1, 2, 0, -1)), label="places")
        self.run([self._allot(by, committee_id, places, self._date(data, 3))])

    @precondition(noisy)
    @rule(data=st.data())
    def set_round_places(self, data: st.DataObject) -> None:
        """`selection.rounds`: the committee above sets a base or intermediate round's
        places (at least one) before the list is decided."""
        committee_id = data.draw(
            st.sampled_from(
                [*self.city.ids_at(CommitteeLevel.BASE, CommitteeLevel.INTERMEDIATE), "county"]
            ),
            label="committee",
        )
        parent = self.model.parent_of(committee_id) or self.city.city_id
        by = data.draw(st.sampled_from([parent] * 4 + [self.city.city_id]), label="by")
        places = data.draw(st.integers(0, 3), label="places")
        self.run([self._places(by, committee_id, places, self._date(data, 3))])

    @precondition(noisy)
    @rule(data=st.data())
    def apply_for_selection(self, data: st.DataObject) -> None:
        """An application through the base committee: once a year, never while a veto
        finding is in effect or an older one awaits its assessment; late after 31 March
        (recorded as late); refused to an actor without jurisdiction."""
        plan = data.draw(st.sampled_from(self.branches), label="branch")
        by = self.secretary(plan.base_committee_id)
        if self.rarely(data, "outsider applies", 8):
            by = self.outsider_of(data, plan.base_committee_id)
        command = self._apply(plan.base_committee_id, plan.branch_id, self._date(data, 3))
        self.run([evolve(command, actor=by)])

    @precondition(noisy)
    @precondition(lambda self: bool(self.rounds_where(decided=True, noticed=True)))
    @rule(data=st.data())
    def uphold_objection(self, data: st.DataObject) -> None:
        """`selection.public_notice`: an objection upheld during the notice removes a
        candidate from the list; after the notice, or of one not listed, it is refused."""
        committee_id = data.draw(
            st.sampled_from(self.rounds_where(decided=True, noticed=True)), label="round"
        )
        found = self.model.rounds[committee_id]
        nomination_id = data.draw(
            st.sampled_from([*found.listed, *found.listed, *found.candidates]), label="whom"
        )
        self.run(
            [
                c.UpholdObjection(
                    actor=self.decider_of(committee_id, data),
                    reason="an objection was upheld",
                    effective_on=self._date(data, 1),
                    committee_id=committee_id,
                    year=self.year,
                    nomination_id=nomination_id,
                )
            ]
        )

    # Vetoes, rehabilitation, awards

    @precondition(noisy)
    @rule(data=st.data())
    def record_veto_finding(self, data: st.DataObject) -> None:
        """`selection.veto`: a finding against a branch or a unit (which bars every branch
        serving it), recorded by a committee with jurisdiction, found in the year or the
        one before, in effect for the period drawn; an id used twice on a record, a stated
        span without its end, or a committee without jurisdiction is refused."""
        subject = data.draw(st.sampled_from(VetoSubject), label="subject")
        plan = data.draw(st.sampled_from(self.branches), label="branch")
        subject_id, committee_id = plan.branch_id, plan.base_committee_id
        if subject is VetoSubject.UNIT:
            subject_id = data.draw(st.sampled_from(plan.unit_ids), label="unit")
        by = self.secretary(
            data.draw(st.sampled_from(self.city.with_jurisdiction(committee_id)), label="by")
        )
        if self.rarely(data, "outsider records", 8):
            by = self.outsider_of(data, committee_id)
        on = self._date(data, 3)
        found_on = data.draw(st.dates(date(self.year - 1, 1, 1), on), label="found on")
        period = data.draw(st.sampled_from(VetoPeriod), label="period")
        span = data.draw(st.one_of(st.none(), st.integers(0, 120)), label="span")
        reuse = self.rarely(data, "reuse an id", 8)
        self.run(
            [
                c.RecordVetoFinding(
                    actor=by,
                    reason="a finding was received",
                    effective_on=on,
                    finding_id="f1" if reuse else self._new_id("f"),
                    subject=subject,
                    subject_id=subject_id,
                    area="work safety",
                    issuing_agency="public security",
                    found_on=found_on,
                    period=period,
                    effective_to=None if span is None else found_on + timedelta(days=span),
                )
            ]
        )

    @precondition(during_a_notice)
    @rule(data=st.data())
    def record_a_finding_during_a_notice(self, data: st.DataObject) -> None:
        """`selection.veto`: a finding in effect arrives while a list is noticed, against a
        branch on it (or among the red-flag titles it confers) or one of its units; the
        finalisation must end that nomination instead of naming it."""
        titled_only = self.noticed_branches(titled_only=True)
        plan = data.draw(st.sampled_from(self.noticed_branches()), label="branch")
        if titled_only and not self.rarely(data, "a branch on the list", 4):
            plan = data.draw(st.sampled_from(titled_only), label="titled branch")
        subject = data.draw(st.sampled_from(VetoSubject), label="subject")
        subject_id = plan.branch_id
        if subject is VetoSubject.UNIT:
            subject_id = data.draw(st.sampled_from(plan.unit_ids), label="unit")
        on = self._date(data, 1)
        self.run(
            [
                c.RecordVetoFinding(
                    actor=self.secretary(plan.base_committee_id),
                    reason="a finding was received during the notice",
                    effective_on=on,
                    finding_id=self._new_id("f"),
                    subject=subject,
                    subject_id=subject_id,
                    area="discipline",
                    issuing_agency="discipline inspection",
                    found_on=on,
                    period=VetoPeriod.CALENDAR_YEAR,
                )
            ]
        )

    def noticed_branches(self, *, titled_only: bool = False) -> list[BranchPlan]:
        """The branches on a list or among the red-flag titles of a round in its notice (or
        only those titled and not proposed): a finding now must keep them from being
        named."""
        found = []
        for committee_id in self.rounds_where(decided=True, noticed=True):
            noticed = self.model.rounds[committee_id]
            listed = () if titled_only else noticed.listed
            titled = [n for n in noticed.titled if n not in (noticed.passed or ())]
            found += [
                self.model.branches[self.model.nominations[n].branch_id]
                for n in dict.fromkeys((*listed, *titled))
                if n not in noticed.removed
            ]
        return found

    @precondition(noisy)
    @precondition(lambda self: any(n.round_committee_id for n in self.model.nominations.values()))
    @rule(data=st.data())
    def veto_nomination(self, data: st.DataObject) -> None:
        """`selection.veto`: the round's committee ends a candidate's nomination for a
        finding in effect against its branch or units; one not in effect is refused."""
        candidates = sorted(n for n, m in self.model.nominations.items() if m.round_committee_id)
        nomination_id = data.draw(st.sampled_from(candidates), label="nomination")
        nomination = self.model.nominations[nomination_id]
        known = [f.finding_id for f in self.model.findings_against(nomination.branch_id)]
        finding_id = data.draw(st.sampled_from([*known, "f-unknown"]), label="finding")
        assert nomination.round_committee_id is not None
        self.run(
            [
                c.VetoNomination(
                    actor=self.decider_of(nomination.round_committee_id, data),
                    reason="a finding is in effect",
                    effective_on=self._date(data, 2),
                    nomination_id=nomination_id,
                    finding_id=finding_id,
                )
            ]
        )

    @precondition(noisy)
    @rule(data=st.data())
    def assess_rehabilitation(self, data: st.DataObject) -> None:
        """`selection.rehabilitation`: a branch whose findings are no longer in effect may
        take part again after a recorded assessment; one with a finding still in effect, or
        none on record, is refused."""
        with_findings = sorted(
            p.branch_id for p in self.branches if self.model.findings_against(p.branch_id)
        )
        branch_id = data.draw(
            st.sampled_from(with_findings or [p.branch_id for p in self.branches]), label="branch"
        )
        self.run(
            [
                c.AssessRehabilitation(
                    actor=self.secretary(self.model.branches[branch_id].base_committee_id),
                    reason="a comprehensive assessment (综合分析研判)",
                    effective_on=self._date(data, 3),
                    branch_id=branch_id,
                )
            ]
        )

    @precondition(noisy)
    @rule(data=st.data())
    def record_award(self, data: st.DataObject) -> None:
        """`selection.priority`: an award on the branch's record; a provincial or higher one
        of the recent years marks a later application for priority."""
        plan = data.draw(st.sampled_from(self.branches), label="branch")
        reuse = self.rarely(data, "reuse an id", 8)
        self.run(
            [
                c.RecordAward(
                    actor=self.secretary(plan.base_committee_id),
                    reason="an award on record",
                    effective_on=self._date(data, 2),
                    branch_id=plan.branch_id,
                    award_id="award-1" if reuse else self._new_id("award-"),
                    name="先进基层党组织",
                    level=data.draw(st.sampled_from(AwardLevel), label="level"),
                    year=data.draw(st.integers(self.year - 4, self.year + 1), label="year"),
                    awarded_by="省委",
                )
            ]
        )

    # Wrong on purpose

    @precondition(noisy)
    @rule(data=st.data())
    def answer_wrongly(self, data: st.DataObject) -> None:
        """`selection.consultation` and `selection.rounds`: an agency not consulted about
        the candidate, an answer given twice or after the list was decided, an answer about
        one not in the round, or about a nomination or round that does not exist."""
        rounds = sorted(self.model.rounds) or list(self.city.base_ids)
        committee_id = data.draw(st.sampled_from(rounds), label="round")
        found = self.model.rounds.get(committee_id)
        nomination_id = data.draw(
            st.sampled_from(
                [*(found.candidates if found else ()), *self.model.nominations, "b-unknown-2018"]
            ),
            label="about",
        )
        agency = data.draw(
            st.sampled_from(
                [*self.policy.required_agencies(enterprise=True, non_public=True), "no agency"]
            ),
            label="agency",
        )
        self.run(
            [
                self._answer(
                    self.decider_of(committee_id), committee_id, nomination_id, agency, self.today
                )
            ]
        )

    @precondition(noisy)
    @precondition(lambda self: bool(self.model.nominations))
    @rule(data=st.data())
    def record_a_step_out_of_order(self, data: st.DataObject) -> None:
        """`selection.timeline`: a step of another level's round, a step recorded twice, the
        members' evaluation before the secretary's report, or a step after the nomination
        left the round."""
        nomination_id = data.draw(st.sampled_from(sorted(self.model.nominations)), label="whom")
        nomination = self.model.nominations[nomination_id]
        committee_id = nomination.round_committee_id or nomination.base_committee_id
        step = data.draw(st.sampled_from(SelectionStep), label="step")
        self.run([self._step(self.decider_of(committee_id), nomination_id, step, self.today)])

    @precondition(noisy)
    @rule()
    def act_on_an_unknown_nomination(self) -> None:
        """An unknown nomination is not found, and nothing is written or logged."""
        self.run(
            [
                c.GrantReward(
                    actor=self.secretary(self.city.city_id),
                    reason="the grant",
                    effective_on=self.today,
                    nomination_id="no-such-nomination",
                )
            ]
        )

    # After the naming: revocation, downgrade, the grant

    def _titled(self, data: st.DataObject) -> str:
        titled = sorted(n for n, m in self.model.nominations.items() if m.titles)
        return data.draw(st.sampled_from(titled), label="nomination")

    def _about_title(self, data: st.DataObject, nomination_id: str) -> Actor:
        """The conferring body or one above it (mostly), or another committee."""
        nomination = self.model.nominations[nomination_id]
        conferred_by = (nomination.title or nomination.titles[-1])[1]
        right = list(self.city.lineage(conferred_by))
        wrong = [k for k in self.city.committee_ids if k not in right]
        pool = data.draw(st.sampled_from([right, right, right, wrong]), label="who decides")
        return self.secretary(data.draw(st.sampled_from(pool), label="by"))

    @precondition(_may_act_on_titles)
    @rule(data=st.data())
    def revoke_title(self, data: st.DataObject) -> None:
        """`title.revocation`: revoked outright by the conferring body or one above it,
        perhaps lowering the branch's tier in the same decision; never frees a place of
        the year's number (`selection.annual_titles`)."""
        nomination_id = self._titled(data)
        self.run(
            [
                c.RevokeTitle(
                    actor=self._about_title(data, nomination_id),
                    reason="discipline broken with bad influence",
                    effective_on=self._date(data, 5),
                    nomination_id=nomination_id,
                    tier=data.draw(tiers_to_lower(), label="tier"),
                )
            ]
        )

    @precondition(_may_act_on_titles)
    @rule(data=st.data())
    def downgrade_title(self, data: st.DataObject) -> None:
        """`title.revocation`: a downgraded Taishan Pioneer becomes its city-managed
        committee's red-flag branch; a downgraded committee-level title is revoked."""
        nomination_id = self._titled(data)
        self.run(
            [
                c.DowngradeTitle(
                    actor=self._about_title(data, nomination_id),
                    reason="problems found after conferral",
                    effective_on=self._date(data, 5),
                    nomination_id=nomination_id,
                    tier=data.draw(tiers_to_lower(), label="tier"),
                )
            ]
        )

    @precondition(_may_act_on_titles)
    @rule(data=st.data())
    def grant_reward(self, data: st.DataObject) -> None:
        """`reward.grant`: the city (or its Organization Department) grants a Taishan
        Pioneer its funds once; anyone else, or any other title, is refused."""
        nomination_id = self._titled(data)
        department = self.city.organization_department_id
        by = data.draw(
            st.sampled_from([self.city.city_id, department, self.city.base_ids[0]]), label="by"
        )
        assert by is not None
        self.run(
            [
                c.GrantReward(
                    actor=self.secretary(by),
                    reason="the Taishan Pioneer grant",
                    effective_on=self._date(data, 5),
                    nomination_id=nomination_id,
                )
            ]
        )

    @rule(data=st.data())
    def wait(self, data: st.DataObject) -> None:
        """Days pass (so that notices can end)."""
        self._date(data, 5)
