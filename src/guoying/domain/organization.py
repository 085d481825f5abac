"""The committee tree (`org.hierarchy`), units (`org.unit`) and jurisdiction.

The tree is one small aggregate: committees number in the hundreds per city and every
decision about them needs the whole shape (parents, depth, the two fixed ends).
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections.abc import Iterator
from datetime import date

from attrs import define, evolve, field, frozen

from guoying.domain.events import DomainEvent, Key, Streams, stamp
from guoying.domain.exceptions import JurisdictionViolation, RuleViolation
from guoying.domain.values import CommitteeLevel, Decision, UnitKind, year_end

TREE_ID = "org:tree"

_ALLOWED_PARENTS: dict[CommitteeLevel, frozenset[CommitteeLevel]] = {
    CommitteeLevel.CITY: frozenset(),
    CommitteeLevel.ORGANIZATION_DEPARTMENT: frozenset({CommitteeLevel.CITY}),
    CommitteeLevel.CITY_MANAGED: frozenset({CommitteeLevel.CITY}),
    CommitteeLevel.INTERMEDIATE: frozenset(
        {CommitteeLevel.CITY_MANAGED, CommitteeLevel.INTERMEDIATE}
    ),
    CommitteeLevel.BASE: frozenset({CommitteeLevel.CITY_MANAGED, CommitteeLevel.INTERMEDIATE}),
}


@frozen
class Committee:
    committee_id: str
    name: str
    level: CommitteeLevel
    parent_id: str | None
    county_level: bool = False
    active: bool = True
    # The effective date of its dissolution or merger, for refusals that name it.
    ended_on: date | None = None

    def ended(self) -> str:
        """'was dissolved on DATE' (the dissolution's own date, not the decision's)."""
        return f"was dissolved on {self.ended_on}" if self.ended_on else "was dissolved"


@define
class CommitteeMap:
    """The tree as it stood on one date: every committee founded by then, dissolved ones
    kept (inactive) so that past decisions can still name them."""

    committees: dict[str, Committee] = field(factory=dict)
    on: date | None = None

    def get(self, committee_id: str) -> Committee | None:
        return self.committees.get(committee_id)

    def get_active(self, committee_id: str) -> Committee | None:
        found = self.committees.get(committee_id)
        return found if found is not None and found.active else None

    def lineage(self, committee_id: str) -> Iterator[Committee]:
        """The committee itself, then its parent, up to the city committee."""
        current = self.committees.get(committee_id)
        while current is not None:
            yield current
            current = self.committees.get(current.parent_id) if current.parent_id else None

    def may_act_on(self, actor_committee_id: str, committee_id: str) -> bool:
        """`org.jurisdiction`: a committee acts within its own subtree.

        The city Organization Department acts for the city committee, so city-wide.
        """
        actor = self.committees.get(actor_committee_id)
        if actor is None or not actor.active:
            return False
        if actor.level is CommitteeLevel.ORGANIZATION_DEPARTMENT:
            return committee_id in self.committees
        return any(c.committee_id == actor_committee_id for c in self.lineage(committee_id))

    def require_jurisdiction(self, actor_committee_id: str, committee_id: str) -> None:
        if self.may_act_on(actor_committee_id, committee_id):
            return
        details = {"actor_committee_id": actor_committee_id, "committee_id": committee_id}
        when = f" on {self.on}" if self.on else ""
        for name in (actor_committee_id, committee_id):
            if self.get_active(name) is None:
                found = self.get(name)
                state = found.ended() if found else f"did not exist{when}"
                raise JurisdictionViolation(
                    f"committee {name!r} {state}, so {actor_committee_id!r} has no "
                    f"jurisdiction over {committee_id!r}{when} (the tree as it stood on the "
                    "decision's effective_on)",
                    details,
                )
        raise JurisdictionViolation(
            f"committee {actor_committee_id!r} has no jurisdiction over {committee_id!r}{when}",
            details,
        )

    def capped_chain(self, base_committee_id: str) -> list[Committee]:
        """The committees whose `ledger.advanced_cap` a branch counts towards: its base
        committee and every committee above it up to its city-managed committee."""
        chain: list[Committee] = []
        for committee in self.lineage(base_committee_id):
            chain.append(committee)
            if committee.level is CommitteeLevel.CITY_MANAGED:
                break
        return chain

    def city_managed_of(self, committee_id: str) -> Committee | None:
        for committee in self.lineage(committee_id):
            if committee.level is CommitteeLevel.CITY_MANAGED:
                return committee
        return None

    def organization_department(self) -> Committee | None:
        for committee in self.committees.values():
            if committee.level is CommitteeLevel.ORGANIZATION_DEPARTMENT and committee.active:
                return committee
        return None

    def approver_of(self, committee_id: str) -> Committee | None:
        """Who approves an exception for a committee: its parent, or the city
        Organization Department for a city-managed committee (`ledger.advanced_cap`)."""
        committee = self.committees.get(committee_id)
        if committee is None:
            return None
        if committee.level is CommitteeLevel.CITY_MANAGED:
            return self.organization_department()
        return self.committees.get(committee.parent_id) if committee.parent_id else None

    def subtree(self, committee_id: str) -> list[Committee]:
        children: dict[str | None, list[Committee]] = {}
        for committee in self.committees.values():
            children.setdefault(committee.parent_id, []).append(committee)
        root = self.committees.get(committee_id)
        if root is None:
            return []
        found, stack = [], [root]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(children.get(current.committee_id, []))
        return found

    def active_children(self, committee_id: str) -> list[Committee]:
        return [c for c in self.committees.values() if c.parent_id == committee_id and c.active]


@frozen
class CommitteeChange:
    """What one decision changed of one committee from a business date on, in the order it
    was recorded. A change holds only what it changed, so that a change recorded later with
    an earlier date shows through every later-dated change that did not touch the same
    thing (a move dated before a rename recorded earlier still moves the committee)."""

    effective_on: date
    sequence: int
    committee_id: str
    founded: Committee | None = None
    name: str | None = None
    parent_id: str | None = None
    active: bool | None = None
    ended_on: date | None = None

    def apply(self, state: Committee | None) -> Committee | None:
        if self.founded is not None:
            return self.founded
        if state is None:
            return None
        return evolve(
            state,
            name=state.name if self.name is None else self.name,
            parent_id=state.parent_id if self.parent_id is None else self.parent_id,
            active=state.active if self.active is None else self.active,
            ended_on=state.ended_on if self.ended_on is None else self.ended_on,
        )


def _order(change: CommitteeChange) -> tuple[date, int]:
    return change.effective_on, change.sequence


@define
class OrgTree(CommitteeMap):
    """The committee tree over time: each decision is judged on the tree as it stood on its
    `effective_on`; `committees` is the latest state."""

    id: str = ""
    version: int = 0
    changes: list[CommitteeChange] = field(factory=list)
    # Each committee's own changes in date order; tuples, replaced and never changed in
    # place, so that a copy of the tree one container deep shares nothing that changes.
    histories: dict[str, tuple[CommitteeChange, ...]] = field(factory=dict)
    years: frozenset[int] = frozenset()

    def at(self, on: date) -> CommitteeMap:
        """The tree as it stood on a date."""
        # `changes` is kept in date order, and most decisions are dated after the last one.
        known = bisect_right(self.changes, on, key=lambda c: c.effective_on)
        if known == len(self.changes):
            return CommitteeMap(dict(self.committees), on)
        states: dict[str, Committee] = {}
        for change in self.changes[:known]:
            state = change.apply(states.get(change.committee_id))
            if state is not None:
                states[change.committee_id] = state
        return CommitteeMap(states, on)

    def state_on(self, committee_id: str, on: date) -> Committee | None:
        """One committee as it stood on a date, without drawing the whole tree."""
        state: Committee | None = None
        for change in self.histories.get(committee_id, ()):
            if change.effective_on > on:
                break
            state = change.apply(state)
        return state

    def capped_chain_on(self, on: date, base_committee_id: str) -> list[str]:
        """`capped_chain` of the tree as it stood on a date, by each committee's own history."""
        chain: list[str] = []
        current = self.state_on(base_committee_id, on)
        while current is not None and current.committee_id not in chain:
            chain.append(current.committee_id)
            if current.level is CommitteeLevel.CITY_MANAGED or current.parent_id is None:
                break
            current = self.state_on(current.parent_id, on)
        return chain

    def dissolved_after(self, committee_id: str, on: date) -> date | None:
        """The date a committee is dissolved after `on`, when a later-dated decision
        already recorded says so."""
        for change in self.histories.get(committee_id, ()):
            if change.effective_on > on and change.active is False:
                return change.effective_on
        return None

    def require_standing_after(self, committee_id: str, on: date) -> None:
        """`org.hierarchy`: nothing is put under a committee from a date on which a later
        recorded decision dissolves it."""
        ends = self.dissolved_after(committee_id, on)
        if ends is not None:
            raise RuleViolation(
                "org.hierarchy",
                f"committee {committee_id!r} is dissolved on {ends}; nothing can be put "
                f"under it from {on}",
                {"committee_id": committee_id, "dissolved_on": ends.isoformat()},
            )

    def change_dates(self) -> list[date]:
        return sorted({change.effective_on for change in self.changes})

    def change_years(self) -> frozenset[int]:
        return self.years

    def change_years_after(self, year: int) -> set[int]:
        """The years after `year` in which the tree changed."""
        first = bisect_right(self.changes, year_end(year), key=lambda c: c.effective_on)
        return {change.effective_on.year for change in self.changes[first:]}

    def _record(self, event: DomainEvent[OrgTree], **changed: object) -> OrgTree:
        committee_id = getattr(event, "committee_id")  # noqa: B009 - every tree event has it
        change = CommitteeChange(
            event.effective_on,
            len(self.changes),
            committee_id,
            **changed,  # type: ignore[arg-type]
        )
        insort(self.changes, change, key=_order)
        self.years = self.years | {change.effective_on.year}
        self.histories[committee_id] = tuple(
            sorted((*self.histories.get(committee_id, ()), change), key=_order)
        )
        latest = None
        for each in self.histories[committee_id]:
            latest = each.apply(latest)
        assert latest is not None
        self.committees[committee_id] = latest
        self.version = event.originator_version
        return self


@frozen(kw_only=True)
class CommitteeRegistered(DomainEvent["OrgTree"]):
    committee_id: str
    name: str
    level: CommitteeLevel
    parent_id: str | None
    county_level: bool = False

    def mutate(self, aggregate: OrgTree | None) -> OrgTree:
        tree = aggregate or OrgTree(id=self.originator_id, version=0)
        state = Committee(
            self.committee_id, self.name, self.level, self.parent_id, self.county_level
        )
        return tree._record(self, founded=state)


def register_committee(
    tree: OrgTree | None,
    decision: Decision,
    *,
    committee_id: str,
    name: str,
    level: CommitteeLevel,
    parent_id: str | None,
    county_level: bool,
) -> CommitteeRegistered:
    """Decide `org.hierarchy`: the city committee at the root, the Organization Department
    and city-managed committees under it, then any depth down to base committees."""
    # Founding is judged on the tree as it stood on the decision's date.
    view = tree.at(decision.effective_on) if tree else CommitteeMap()
    committees = view.committees
    if tree is not None and tree.get(committee_id) is not None:
        raise RuleViolation("org.hierarchy", f"committee {committee_id!r} already exists")
    if not name.strip():
        raise RuleViolation("org.hierarchy", "a committee needs a name")
    if county_level and level is not CommitteeLevel.CITY_MANAGED:
        raise RuleViolation("org.hierarchy", "only a city-managed committee is county-level")
    if level is CommitteeLevel.CITY:
        if parent_id is not None:
            raise RuleViolation("org.hierarchy", "the city committee has no parent")
        if any(c.level is CommitteeLevel.CITY for c in committees.values()):
            raise RuleViolation("org.hierarchy", "the city committee already exists")
        if decision.actor.committee_id != committee_id:
            raise JurisdictionViolation("only the city committee itself founds the tree")
    else:
        parent = view.get_active(parent_id) if parent_id else None
        if parent is None:
            ended = view.get(parent_id) if parent_id else None
            raise RuleViolation(
                "org.hierarchy",
                f"parent committee {parent_id!r} {ended.ended()}"
                if ended
                else f"parent committee {parent_id!r} did not exist on {decision.effective_on}",
            )
        if parent.level not in _ALLOWED_PARENTS[level]:
            raise RuleViolation(
                "org.hierarchy",
                f"a committee of level {level.value} cannot sit under one of level "
                f"{parent.level.value}",
            )
        if (
            level is CommitteeLevel.ORGANIZATION_DEPARTMENT
            and view.organization_department() is not None
        ):
            raise RuleViolation("org.hierarchy", "the Organization Department already exists")
        view.require_jurisdiction(decision.actor.committee_id, parent.committee_id)
    version = (tree.version if tree else 0) + 1
    return CommitteeRegistered(
        **stamp(decision, TREE_ID, version),
        committee_id=committee_id,
        name=name.strip(),
        level=level,
        parent_id=parent_id,
        county_level=county_level,
    )


@frozen(kw_only=True)
class CommitteeRenamed(DomainEvent[OrgTree]):
    committee_id: str
    name: str

    def mutate(self, aggregate: OrgTree | None) -> OrgTree:
        assert aggregate is not None
        return aggregate._record(self, name=self.name)


@frozen(kw_only=True)
class CommitteeMoved(DomainEvent[OrgTree]):
    """A committee now sits under another parent; its subtree moves with it."""

    committee_id: str
    previous_parent_id: str
    parent_id: str

    def mutate(self, aggregate: OrgTree | None) -> OrgTree:
        assert aggregate is not None
        return aggregate._record(self, parent_id=self.parent_id)


@frozen(kw_only=True)
class CommitteeDissolved(DomainEvent[OrgTree]):
    """A committee ends; merged committees name the committee that took over their work."""

    committee_id: str
    merged_into: str | None = None

    def mutate(self, aggregate: OrgTree | None) -> OrgTree:
        assert aggregate is not None
        return aggregate._record(self, active=False, ended_on=self.effective_on)


def _next_version(tree: OrgTree) -> int:
    return tree.version + 1


def _require_active(view: CommitteeMap, committee_id: str, role: str) -> Committee:
    committee = view.get_active(committee_id)
    if committee is None:
        found = view.get(committee_id)
        state = found.ended() if found else "does not exist on that date"
        raise RuleViolation("org.hierarchy", f"{role} {committee_id!r} {state}")
    return committee


def rename_committee(
    tree: OrgTree, decision: Decision, *, committee_id: str, name: str
) -> CommitteeRenamed:
    view = tree.at(decision.effective_on)
    _require_active(view, committee_id, "committee")
    view.require_jurisdiction(decision.actor.committee_id, committee_id)
    if not name.strip():
        raise RuleViolation("org.hierarchy", "a committee needs a name")
    return CommitteeRenamed(
        **stamp(decision, TREE_ID, _next_version(tree)),
        committee_id=committee_id,
        name=name.strip(),
    )


def move_committee(
    tree: OrgTree, decision: Decision, *, committee_id: str, parent_id: str
) -> CommitteeMoved:
    """`org.hierarchy`: the moved committee keeps its level, under a parent its level allows,
    never inside its own subtree; decided by a committee over both old and new parents."""
    view = tree.at(decision.effective_on)
    committee = _require_active(view, committee_id, "committee")
    parent = _require_active(view, parent_id, "new parent committee")
    if committee.parent_id is None or committee.level in (
        CommitteeLevel.CITY,
        CommitteeLevel.ORGANIZATION_DEPARTMENT,
        CommitteeLevel.CITY_MANAGED,
    ):
        raise RuleViolation(
            "org.hierarchy", "only committees below a city-managed committee move in the tree"
        )
    if parent.level not in _ALLOWED_PARENTS[committee.level]:
        raise RuleViolation(
            "org.hierarchy",
            f"a committee of level {committee.level.value} cannot sit under one of level "
            f"{parent.level.value}",
        )
    if any(c.committee_id == parent_id for c in view.subtree(committee_id)):
        raise RuleViolation("org.hierarchy", "a committee cannot move into its own subtree")
    if parent_id == committee.parent_id:
        raise RuleViolation("org.hierarchy", f"{committee_id!r} already sits under {parent_id!r}")
    view.require_jurisdiction(decision.actor.committee_id, committee.parent_id)
    view.require_jurisdiction(decision.actor.committee_id, parent_id)
    _require_later_states(tree, decision.effective_on, committee, parent_id)
    return CommitteeMoved(
        **stamp(decision, TREE_ID, _next_version(tree)),
        committee_id=committee_id,
        previous_parent_id=committee.parent_id,
        parent_id=parent_id,
    )


def _require_later_states(tree: OrgTree, on: date, committee: Committee, parent_id: str) -> None:
    """A move recorded after later-dated changes must leave every later state a tree: the
    new parent standing, no cycle, and no later move of the same committee overridden."""
    tree.require_standing_after(parent_id, on)
    for later in (d for d in tree.change_dates() if d > on):
        state = tree.state_on(committee.committee_id, later)
        if state is not None and state.parent_id != committee.parent_id:
            raise RuleViolation(
                "org.hierarchy",
                f"committee {committee.committee_id!r} already moves on {later}; a move "
                "cannot be dated before it",
            )
        if any(c.committee_id == parent_id for c in tree.at(later).subtree(committee.committee_id)):
            raise RuleViolation(
                "org.hierarchy",
                f"on {later} {parent_id!r} sits inside the subtree of "
                f"{committee.committee_id!r}; a committee cannot move into its own subtree",
            )


def dissolve_committee(
    tree: OrgTree,
    decision: Decision,
    *,
    committee_id: str,
    active_branches: int,
    merged_into: str | None = None,
) -> CommitteeDissolved:
    """`org.hierarchy`: a committee with committees or branches still under it cannot end;
    move them first (a merger does so in the same write)."""
    view = tree.at(decision.effective_on)
    committee = _require_active(view, committee_id, "committee")
    if committee.level in (CommitteeLevel.CITY, CommitteeLevel.ORGANIZATION_DEPARTMENT):
        raise RuleViolation("org.hierarchy", "the two fixed ends of the tree cannot be dissolved")
    later = [tree.at(d) for d in tree.change_dates() if d > decision.effective_on]
    if any(each.active_children(committee_id) for each in (view, *later)):
        raise RuleViolation(
            "org.hierarchy", f"{committee_id!r} still has committees under it; move them first"
        )
    if active_branches:
        raise RuleViolation(
            "org.hierarchy",
            f"{committee_id!r} still leads {active_branches} branches; move them first",
        )
    if committee.parent_id is None:
        raise RuleViolation("org.hierarchy", "the city committee cannot be dissolved")
    view.require_jurisdiction(decision.actor.committee_id, committee.parent_id)
    return CommitteeDissolved(
        **stamp(decision, TREE_ID, _next_version(tree)),
        committee_id=committee_id,
        merged_into=merged_into,
    )


def check_merger(
    tree: OrgTree, decision: Decision, *, committee_id: str, into_id: str
) -> tuple[Committee, Committee]:
    """`org.hierarchy`: two committees of one level merge; not a committee into itself."""
    if committee_id == into_id:
        raise RuleViolation("org.hierarchy", "a committee cannot merge into itself")
    view = tree.at(decision.effective_on)
    absorbed = _require_active(view, committee_id, "committee")
    survivor = _require_active(view, into_id, "surviving committee")
    if absorbed.level is not survivor.level:
        raise RuleViolation(
            "org.hierarchy",
            f"a committee of level {absorbed.level.value} cannot merge into one of level "
            f"{survivor.level.value}",
        )
    return absorbed, survivor


@define
class Unit:
    id: str
    version: int
    unit_id: str
    name: str
    kind: UnitKind
    committee_id: str


unit_aggregate_id, unit_key = Streams("unit", Unit).id_and_key()


@frozen(kw_only=True)
class UnitRegistered(DomainEvent["Unit"]):
    unit_id: str
    name: str
    kind: UnitKind
    committee_id: str

    def mutate(self, _: Unit | None) -> Unit:
        return Unit(
            id=self.originator_id,
            version=self.originator_version,
            unit_id=self.unit_id,
            name=self.name,
            kind=self.kind,
            committee_id=self.committee_id,
        )


def register_unit(
    tree: OrgTree,
    existing: Unit | None,
    decision: Decision,
    *,
    unit_id: str,
    name: str,
    kind: UnitKind,
    committee_id: str,
) -> UnitRegistered:
    """`org.unit`: a unit (village, community, organ...) served by branches."""
    if existing is not None:
        raise RuleViolation("org.unit", f"unit {unit_id!r} already exists")
    view = tree.at(decision.effective_on)
    committee = view.get_active(committee_id)
    if committee is None or committee.level is not CommitteeLevel.BASE:
        raise RuleViolation(
            "org.unit", f"{committee_id!r} is not a base committee on {decision.effective_on}"
        )
    if not name.strip():
        raise RuleViolation("org.unit", "a unit needs a name")
    view.require_jurisdiction(decision.actor.committee_id, committee_id)
    return UnitRegistered(
        **stamp(decision, unit_aggregate_id(unit_id), 1),
        unit_id=unit_id,
        name=name.strip(),
        kind=kind,
        committee_id=committee_id,
    )


TREE_KEY: Key[OrgTree] = Key(TREE_ID, OrgTree)
