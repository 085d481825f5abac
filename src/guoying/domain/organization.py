"""The committee tree (`org.hierarchy`), units (`org.unit`) and jurisdiction.

The tree is one small aggregate: committees number in the hundreds per city and every
decision about them needs the whole shape (parents, depth, the two fixed ends).
"""

from __future__ import annotations

from collections.abc import Iterator

from attrs import define, field, frozen

from guoying.domain.events import DomainEvent, stamp
from guoying.domain.exceptions import JurisdictionViolation, RuleViolation
from guoying.domain.values import CommitteeLevel, Decision, UnitKind

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


@define
class OrgTree:
    id: str
    version: int
    committees: dict[str, Committee] = field(factory=dict)

    def get(self, committee_id: str) -> Committee | None:
        return self.committees.get(committee_id)

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
        if actor is None:
            return False
        if actor.level is CommitteeLevel.ORGANIZATION_DEPARTMENT:
            return committee_id in self.committees
        return any(c.committee_id == actor_committee_id for c in self.lineage(committee_id))

    def require_jurisdiction(self, actor_committee_id: str, committee_id: str) -> None:
        if not self.may_act_on(actor_committee_id, committee_id):
            raise JurisdictionViolation(
                f"committee {actor_committee_id!r} has no jurisdiction over {committee_id!r}",
                {"actor_committee_id": actor_committee_id, "committee_id": committee_id},
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
            if committee.level is CommitteeLevel.ORGANIZATION_DEPARTMENT:
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


@frozen(kw_only=True)
class CommitteeRegistered(DomainEvent):
    committee_id: str
    name: str
    level: CommitteeLevel
    parent_id: str | None
    county_level: bool = False

    def mutate(self, tree: OrgTree | None) -> OrgTree:
        tree = tree or OrgTree(id=self.originator_id, version=0)
        tree.committees[self.committee_id] = Committee(
            self.committee_id, self.name, self.level, self.parent_id, self.county_level
        )
        tree.version = self.originator_version
        return tree


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
    committees = tree.committees if tree else {}
    if committee_id in committees:
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
        parent = committees.get(parent_id) if parent_id else None
        if parent is None:
            raise RuleViolation("org.hierarchy", f"parent committee {parent_id!r} does not exist")
        if parent.level not in _ALLOWED_PARENTS[level]:
            raise RuleViolation(
                "org.hierarchy",
                f"a {level.value} committee cannot sit under a {parent.level.value} committee",
            )
        if (
            level is CommitteeLevel.ORGANIZATION_DEPARTMENT
            and tree is not None
            and tree.organization_department() is not None
        ):
            raise RuleViolation("org.hierarchy", "the Organization Department already exists")
        assert tree is not None  # a parent was found, so the tree exists
        tree.require_jurisdiction(decision.actor.committee_id, parent.committee_id)
    version = (tree.version if tree else 0) + 1
    return CommitteeRegistered(
        **stamp(decision, TREE_ID, version),
        committee_id=committee_id,
        name=name.strip(),
        level=level,
        parent_id=parent_id,
        county_level=county_level,
    )


def unit_aggregate_id(unit_id: str) -> str:
    return f"unit:{unit_id}"


@define
class Unit:
    id: str
    version: int
    unit_id: str
    name: str
    kind: UnitKind
    committee_id: str


@frozen(kw_only=True)
class UnitRegistered(DomainEvent):
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
    committee = tree.get(committee_id)
    if committee is None or committee.level is not CommitteeLevel.BASE:
        raise RuleViolation("org.unit", f"{committee_id!r} is not a base committee")
    if not name.strip():
        raise RuleViolation("org.unit", "a unit needs a name")
    tree.require_jurisdiction(decision.actor.committee_id, committee_id)
    return UnitRegistered(
        **stamp(decision, unit_aggregate_id(unit_id), 1),
        unit_id=unit_id,
        name=name.strip(),
        kind=kind,
        committee_id=committee_id,
    )
