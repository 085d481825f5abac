"""The model `MentoringMachine` predicts with: rules.md section 7 (`mentoring.*`), the
revocation and downgrade of red-flag titles (`title.revocation`) and the process that ends a
revoked mentor's pairs, decided from what the machine knows, never from the library.

It starts from a `SelectionYear` (the titles its commands confer, revoke or downgrade) and
follows every command the machine sends: `MentoringModel.predict` says whether a command or
a unit applies or which error it is refused with, and the rule id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from attrs import define, evolve, field, frozen

from guoying.application import commands as c
from guoying.application.errors import NotAuthorized, NotFound
from guoying.domain.nomination import nomination_id_of
from guoying.domain.policy import Policy
from guoying.domain.values import CommitteeLevel, Tier, TitleLevel
from guoying.testing.city import CityLayout
from guoying.testing.selection_model import SELECTION_POLICY, Predicted, refused
from guoying.testing.selection_sequences import SelectionYear

__all__ = ["MENTORING_POLICY", "HeldModel", "MentoringModel", "PairModel"]

# The selection machine's policy (two Taishan Pioneers a year, few agencies to consult, so
# that a year takes a few hundred commands) with a maximum of two active pairs per mentor,
# so that `mentoring.ratio`'s maximum is reached within a few steps. Policy is data.
MENTORING_POLICY = evolve(
    SELECTION_POLICY, version="mentoring-machine", mentees_target=1, mentees_max=2
)


@frozen
class HeldModel:
    """A red-flag title held now: its level and the committee it is held from."""

    level: TitleLevel
    conferred_by: str


@frozen
class PairModel:
    mentor: str
    mentee: str
    formed_on: date
    tier: Tier
    ended_on: date | None = None
    # The committee that decided the ending (for a revocation, the one that revoked), and
    # whether the process that ends a revoked mentor's pairs ended it.
    ended_by: str | None = None
    by_process: bool = False

    @property
    def active(self) -> bool:
        return self.ended_on is None


@define
class MentoringModel:
    """The machine's belief about the branches, their titles, the pairs and schedules."""

    city: CityLayout
    policy: Policy
    year: int
    bases: dict[str, str] = field(factory=dict)
    tiers: dict[str, Tier] = field(factory=dict)
    # Every nomination that ever held a title, by id: its branch.
    nominations: dict[str, str] = field(factory=dict)
    titles: dict[str, HeldModel] = field(factory=dict)
    pairs: dict[str, PairModel] = field(factory=dict)
    schedules: dict[tuple[str, int], date] = field(factory=dict)

    @classmethod
    def after(cls, year: SelectionYear) -> MentoringModel:
        """The branches a selection year registers and the titles it leaves: each
        city-managed committee's red-flag branches, the city's Taishan Pioneers, then any
        revocation or downgrade among its decisions."""
        model = cls(year.city, year.policy, year.year)
        for command in year:
            if isinstance(command, c.RegisterBranch):
                model.bases[command.branch_id] = command.base_committee_id
                model.tiers[command.branch_id] = command.tier
        for nomination_id in year.titled:
            branch_id = model.branch_of(nomination_id)
            model.titles[branch_id] = HeldModel(TitleLevel.COMMITTEE, model.managed_of(branch_id))
        for nomination_id in year.named:
            model.titles[model.branch_of(nomination_id)] = HeldModel(
                TitleLevel.CITY, year.city.city_id
            )
        for command in year.decisions:
            if isinstance(command, c.RevokeTitle | c.DowngradeTitle):
                model._change_title(command)
        return model

    def clone(self) -> MentoringModel:
        return evolve(
            self,
            titles=dict(self.titles),
            pairs=dict(self.pairs),
            schedules=dict(self.schedules),
        )

    # What the machine draws from

    def branch_of(self, nomination_id: str) -> str:
        branch_id = nomination_id.removesuffix(f"-{self.year}")
        self.nominations[nomination_id] = branch_id
        return branch_id

    def nomination_of(self, branch_id: str) -> str:
        return nomination_id_of(branch_id, self.year)

    def managed_of(self, branch_id: str) -> str:
        """The city-managed committee above a branch's base committee."""
        return next(
            k
            for k in self.city.lineage(self.bases[branch_id])
            if self.city.committee(k).level is CommitteeLevel.CITY_MANAGED
        )

    @property
    def branch_ids(self) -> list[str]:
        return sorted(self.bases)

    def titled(self, *levels: TitleLevel) -> list[str]:
        """The branches holding a red-flag title now (of `levels`, or any)."""
        return sorted(b for b, t in self.titles.items() if not levels or t.level in levels)

    def active_pairs(self, mentor: str | None = None) -> list[str]:
        """Active pairs in the order they were formed (of one mentor, if given)."""
        return [k for k, p in self.pairs.items() if p.active and mentor in (None, p.mentor)]

    def mentor_of(self, mentee: str) -> str | None:
        found = [p.mentor for p in self.pairs.values() if p.active and p.mentee == mentee]
        return found[0] if found else None

    # Predicting

    def predict(
        self, commands: Sequence[c.Command]
    ) -> tuple[Predicted | None, c.Command | None, MentoringModel]:
        """Run the commands in order as one unit on a copy: the refusal expected, the
        command refused and this model unchanged; or None, None and the changed copy. A
        mentor's count is judged on the unit's end state (`mentoring.ratio`), refused as the
        last command that changed it."""
        after = self.clone()
        # The mentors whose count the unit changed, in the order first changed, each with
        # the last command that changed it.
        changed: dict[str, c.Command] = {}
        for command in commands:
            try:
                mentor = after._decide(command)
            except Predicted as predicted:
                return predicted, command, self
            if mentor is not None:
                changed[mentor] = command
        for mentor, cause in changed.items():
            if len(after.active_pairs(mentor)) > self.policy.mentees_max:
                return refused("mentoring.ratio"), cause, self
        return None, None, after

    def _decide(self, command: c.Command) -> str | None:
        """Apply one command; the mentor whose count it changed, if any."""
        if isinstance(command, c.FormMentoringPair):
            return self._form(command)
        if isinstance(command, c.EndMentoringPair):
            return self._end(command)
        if isinstance(command, c.FileMentoringSchedule):
            self._file(command)
            return None
        if isinstance(command, c.RevokeTitle | c.DowngradeTitle):
            self._change_title(command)
            return None
        raise AssertionError(f"the mentoring model does not know {type(command).__name__}")

    def _acting_on(self, command: c.Command, branch_id: str) -> None:
        """`org.jurisdiction` over a branch's base committee (an unknown branch is not
        found, and not logged)."""
        if branch_id not in self.bases:
            raise Predicted(NotFound)
        if not self.city.may_act_on(command.actor.committee_id, self.bases[branch_id]):
            raise Predicted(NotAuthorized, "org.jurisdiction")

    def _form(self, command: c.FormMentoringPair) -> str:
        on = command.effective_on
        assert on is not None
        mentor, mentee = command.mentor_branch_id, command.mentee_branch_id
        self._acting_on(command, mentor)
        self._acting_on(command, mentee)
        if command.pair_id in self.pairs:
            raise refused("mentoring.plan")
        if mentor == mentee or mentor not in self.titles:
            raise refused("mentoring.eligibility")
        if self.mentor_of(mentee) is not None:
            raise refused("mentoring.ratio")
        if not command.goal.strip() or not command.measures.strip():
            raise refused("mentoring.plan")
        if command.deadline <= on:
            raise refused("mentoring.plan")
        self.pairs[command.pair_id] = PairModel(mentor, mentee, on, self.tiers[mentee])
        return mentor

    def _end(self, command: c.EndMentoringPair) -> str:
        on = command.effective_on
        assert on is not None
        pair = self.pairs.get(command.pair_id)
        if pair is None:
            raise Predicted(NotFound)
        self._acting_on(command, pair.mentor)
        if not pair.active or on < pair.formed_on:
            raise refused("mentoring.plan")
        self.pairs[command.pair_id] = evolve(pair, ended_on=on, ended_by=command.actor.committee_id)
        return pair.mentor

    def _file(self, command: c.FileMentoringSchedule) -> None:
        on = command.effective_on
        assert on is not None
        committee_id = command.committee_id
        if not self.city.has_committee(committee_id):
            raise Predicted(NotFound)
        if self.city.committee(committee_id).level is not CommitteeLevel.CITY_MANAGED:
            raise refused("mentoring.plan")
        if command.actor.committee_id != committee_id:
            raise Predicted(NotAuthorized, "org.jurisdiction")
        for pair_id in command.pair_ids:
            pair = self.pairs.get(pair_id)
            if pair is None:
                raise Predicted(NotFound)
            self._acting_on(command, pair.mentor)
            if not pair.active:
                raise refused("mentoring.plan")
            held = self.titles.get(pair.mentor)
            if held is None or held.level is not TitleLevel.CITY:
                raise refused("mentoring.eligibility")
        year = command.year
        if (
            (committee_id, year) in self.schedules
            or not self.policy.covers_year(year)
            or on.year < year
            or len(set(command.pair_ids)) != len(command.pair_ids)
        ):
            raise refused("mentoring.plan")
        self.schedules[(committee_id, year)] = on

    def _change_title(self, command: c.RevokeTitle | c.DowngradeTitle) -> None:
        """`title.revocation` by the conferring body or one above it; a revoked title ends
        its holder's pairs on the same day (`mentoring.eligibility`), a downgrade of a
        Taishan Pioneer to its city-managed committee's title keeps them."""
        on = command.effective_on
        assert on is not None
        branch_id = self.nominations.get(command.nomination_id)
        if branch_id is None:
            raise Predicted(NotFound)
        held = self.titles.get(branch_id)
        if held is None or command.actor.committee_id not in self.city.lineage(held.conferred_by):
            raise refused("title.revocation")
        if isinstance(command, c.DowngradeTitle) and held.level is TitleLevel.CITY:
            self.titles[branch_id] = HeldModel(TitleLevel.COMMITTEE, self.managed_of(branch_id))
            return
        del self.titles[branch_id]
        for pair_id in self.active_pairs(branch_id):
            pair = self.pairs[pair_id]
            self.pairs[pair_id] = evolve(
                pair,
                ended_on=max(on, pair.formed_on),
                ended_by=command.actor.committee_id,
                by_process=True,
            )
