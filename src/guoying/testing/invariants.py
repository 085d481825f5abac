"""The checks of rules.md section 10 that `LedgerMachine` runs after its steps: items 1
(replay equals the live aggregate), 3 (`ledger.advanced_cap`: counts equal the model's
recount and stay within the cap unless the parent approved), 5 (every tier change audited)
and 6 (views rebuilt from the events equal the incremental ones)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from hypothesis import event as note_event
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from guoying.api import Guoying
from guoying.domain.advanced_cap import AdvancedCount, cap_key
from guoying.domain.branch import Branch
from guoying.domain.policy import Policy
from guoying.domain.values import Tier, year_end
from guoying.testing.city import CityLayout
from guoying.testing.model import LedgerModel

__all__ = ["CHINA", "Section10Checks"]

CHINA = ZoneInfo("Asia/Shanghai")
TIER_EVENTS = ("BranchRegistered", "TierAdjusted")


class Section10Checks(RuleBasedStateMachine):
    """The invariants, and the rule that rebuilds the views every `rebuild_every` steps."""

    city: ClassVar[CityLayout]
    policy: ClassVar[Policy]
    rebuild_every: ClassVar[int] = 12
    app: Guoying
    model: LedgerModel
    _live: dict[tuple[str, int], Any]
    _unaudited: set[str]
    _unreplayed: set[str]
    _figures_stale: set[tuple[str, int]]
    _refusals_logged: int
    _steps: int
    _last_rebuild: int

    @precondition(lambda self: self._steps - self._last_rebuild >= self.rebuild_every)
    @rule()
    def views_rebuild_to_the_same(self) -> None:
        """rules.md 10 item 6: every projection rebuilt from the events equals the one
        kept incrementally (ledgers of every committee and year, histories, refusals)."""
        self.app.catch_up()
        before = self._views()
        self.app.rebuild_views()
        after = self._views()
        assert before == after, "a rebuilt view differs from the incremental one"
        assert self.app.replay_check() == [], "a replay into fresh tables differs"
        # Every few steps, the invariants re-check everything, not only what just changed.
        self._unreplayed.update(aggregate_id for aggregate_id, _ in self._live)
        self._unaudited.update(self.model.branches)
        self._figures_stale.update((c, y) for c in self.city.capped_ids for y in self.model.years)
        assert len(after["refusals"]) == self._refusals_logged
        self._last_rebuild = self._steps
        note_event("views rebuilt")

    def _views(self) -> dict[str, Any]:
        views: dict[str, Any] = {}
        for committee_id in self.city.committee_ids:
            for year in self.model.years:
                views[f"ledger {committee_id} {year}"] = self.app.ledger(committee_id, year)
        for branch_id in self.model.branches:
            views[f"history {branch_id}"] = self.app.history(branch_id)
        views["refusals"] = self.app.refusals()
        return views

    # Invariants

    @invariant()
    def replay_matches_live(self) -> None:
        """rules.md 10 item 1: replaying each branch's (and each committee ledger's) events
        gives the live aggregate, version for version; the model agrees on the branch."""
        known = {aggregate_id for aggregate_id, _ in self._live}
        assert {f"branch:{b}" for b in self.model.branches} <= known
        for aggregate_id in sorted(self._unreplayed & known):
            state: Any = None
            for version, stored in enumerate(self.app.store.event_store.get(aggregate_id), 1):
                assert stored.originator_version == version, (aggregate_id, version)
                state = stored.mutate(state)  # type: ignore[attr-defined]
                assert state.version == version, (aggregate_id, version)
                seen = self._live.get((aggregate_id, version))
                if seen is not None:
                    assert state == seen, f"{aggregate_id} v{version}: replay != live"
            live = self.app.store.aggregate(aggregate_id)
            assert live == state, f"{aggregate_id}: the live aggregate differs from a replay"
            if isinstance(live, Branch):
                self._check_branch(live)
        self._unreplayed.clear()

    def _check_branch(self, branch: Branch) -> None:
        believed = self.model.branches[branch.branch_id]
        assert branch.tiers == sorted(believed.tiers.items()), branch.branch_id
        assert branch.base_committee_id == believed.base_committee_id
        assert branch.memberships == believed.memberships, branch.branch_id
        assert branch.ended_on == believed.ended_on, branch.branch_id
        assert branch.name == believed.name
        assert branch.registered_year == believed.registered_year
        assert branch.targets == believed.targets
        assert branch.results == believed.results
        assert (branch.liaison.person_id if branch.liaison else None) == believed.liaison_id
        assert {k: c.closed_on is not None for k, c in branch.cases.items()} == {
            k: c.closed for k, c in believed.cases.items()
        }

    @invariant()
    def advanced_share_within_cap(self) -> None:
        """rules.md 10 item 3 (`ledger.advanced_cap`): for every committee from base to
        city-managed and every policy year, the counts on its `cap:` stream equal the
        model's recount from its branches and the tree, and advanced <= floor(share x
        active) unless its parent's approval for that year is recorded; checked on the
        aggregates and on `Guoying.figures`, which must agree."""
        stale, self._figures_stale = self._figures_stale, set()
        for committee_id in self.city.capped_ids:
            count = self.app.store.get(cap_key(committee_id))
            assert count is None or isinstance(count, AdvancedCount)
            approved = set(count.approvals) if count else set()
            assert approved == {y for c, y in self.model.approvals if c == committee_id}
            for year in self.model.years:
                advanced, active = self.model.counts(committee_id, year)
                recorded = count.counts().at(year) if count else (0, 0)
                assert recorded == (advanced, active), (committee_id, year, recorded)
                if (committee_id, year) in stale:
                    figures = self.app.figures(committee_id, year)
                    assert (figures.counts[Tier.ADVANCED], figures.active) == (
                        advanced,
                        active,
                    ), (committee_id, year, figures)
                    assert figures.advanced_limit == self.policy.advanced_limit(active)
                if advanced > self.policy.advanced_limit(active):
                    assert year in approved, (
                        f"ledger.advanced_cap: {committee_id} has {advanced} advanced of "
                        f"{active} in {year}, and no approval of its parent for {year}"
                    )

    @invariant()
    def tier_changes_are_audited(self) -> None:
        """rules.md 10 item 5: every tier change has an actor, a time and a reason in the
        history, exactly the decisions the model accepted, in order."""
        for branch_id in sorted(self._unaudited):
            entries = self.app.history(branch_id)
            recorded = [e.recorded_at for e in entries]
            assert recorded == sorted(recorded), "recorded time went backwards"
            # A merger brings the absorbed branches' history along (checked under their ids).
            merged, pending = {branch_id}, [branch_id]
            while pending:
                for absorbed in self.model.branches[pending.pop()].absorbed:
                    if absorbed not in merged:
                        merged.add(absorbed)
                        pending.append(absorbed)
            assert {e.branch_id for e in entries} <= merged, (branch_id, merged)
            own = [e for e in entries if e.branch_id == branch_id]
            changes = [e for e in own if e.event in TIER_EVENTS]
            believed = self.model.branches[branch_id].changes
            assert len(changes) == len(believed), (branch_id, changes, believed)
            for entry, change in zip(changes, believed, strict=True):
                assert entry.recorded_at.tzinfo is not None
                assert entry.recorded_at <= datetime.now(tz=CHINA)
                assert entry.actor_person_id == change.actor.person_id
                assert entry.actor_committee_id == change.actor.committee_id
                assert entry.reason == change.reason
                assert entry.reason.strip()
                assert entry.effective_on == change.effective_on
                assert entry.year == change.year
                assert entry.effective_on <= year_end(entry.year)
                tier = entry.detail["tier" if entry.event == "BranchRegistered" else "new_tier"]
                assert tier == change.tier.value, (entry, change)
                assert entry.event == change.event
                assert entry.rule_ids, "a tier change names the rules it was decided by"
        self._unaudited.clear()
