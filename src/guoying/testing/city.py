"""A small committee tree to test against, described as data.

`CityLayout` says which committees, units and people a test city has, produces the commands
that build it, and answers the questions a test needs to predict the library's decisions
(`org.hierarchy`, `org.jurisdiction`, who approves a `ledger.advanced_cap` exception) without
asking the library itself::

    >>> from guoying.testing import small_city
    >>> city = small_city()
    >>> city.capped_chain("base-a")
    ('base-a', 'town', 'county')
    >>> city.approver_of("county")
    'org'
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from attrs import field, frozen
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from guoying.application.commands import (
    Command,
    RegisterCommittee,
    RegisterPerson,
    RegisterUnit,
    entered_from,
)
from guoying.domain.values import Actor, CommitteeLevel, UnitKind

__all__ = [
    "CityLayout",
    "CommitteeSpec",
    "PersonSpec",
    "UnitSpec",
    "cities",
    "selection_city",
    "small_city",
]


@frozen
class CommitteeSpec:
    """One committee of a test city, as `RegisterCommittee` will enter it."""

    committee_id: str
    name: str
    level: CommitteeLevel
    parent_id: str | None = None
    county_level: bool = False


@frozen
class UnitSpec:
    """One unit (village, community, organ...) under a base committee (`org.unit`)."""

    unit_id: str
    name: str
    kind: UnitKind
    committee_id: str


@frozen
class PersonSpec:
    """A committee leader known by id, who can be a liaison or a case owner."""

    person_id: str
    name: str
    committee_id: str
    phone: str = ""


def _check_layout(instance: CityLayout, _: object, committees: tuple[CommitteeSpec, ...]) -> None:
    ids = [c.committee_id for c in committees]
    if len(set(ids)) != len(ids):
        raise ValueError("committee ids must be unique")
    roots = [c for c in committees if c.level is CommitteeLevel.CITY]
    if len(roots) != 1:
        raise ValueError("a city layout has exactly one city committee")
    known: set[str] = set()
    for committee in committees:
        if committee.parent_id is not None and committee.parent_id not in known:
            raise ValueError(
                f"committee {committee.committee_id!r} comes before its parent "
                f"{committee.parent_id!r}; list parents first"
            )
        known.add(committee.committee_id)
    del instance


@frozen
class CityLayout:
    """A committee tree with its units and people, parents listed before children.

    The questions it answers mirror the rules, so a test can predict an outcome and then
    demand that the library agrees.
    """

    committees: tuple[CommitteeSpec, ...] = field(validator=_check_layout)
    units: tuple[UnitSpec, ...] = ()
    people: tuple[PersonSpec, ...] = ()

    # The shape of the tree

    def committee(self, committee_id: str) -> CommitteeSpec:
        """The committee with this id; KeyError when the layout has none."""
        for committee in self.committees:
            if committee.committee_id == committee_id:
                return committee
        raise KeyError(committee_id)

    def has_committee(self, committee_id: str) -> bool:
        return any(c.committee_id == committee_id for c in self.committees)

    def ids_at(self, *levels: CommitteeLevel) -> tuple[str, ...]:
        """The ids of the committees at these levels, in layout order."""
        return tuple(c.committee_id for c in self.committees if c.level in levels)

    @property
    def committee_ids(self) -> tuple[str, ...]:
        return tuple(c.committee_id for c in self.committees)

    @property
    def city_id(self) -> str:
        return self.ids_at(CommitteeLevel.CITY)[0]

    @property
    def organization_department_id(self) -> str | None:
        found = self.ids_at(CommitteeLevel.ORGANIZATION_DEPARTMENT)
        return found[0] if found else None

    @property
    def base_ids(self) -> tuple[str, ...]:
        return self.ids_at(CommitteeLevel.BASE)

    @property
    def capped_ids(self) -> tuple[str, ...]:
        """Every committee `ledger.advanced_cap` applies to: base up to city-managed."""
        return self.ids_at(
            CommitteeLevel.BASE, CommitteeLevel.INTERMEDIATE, CommitteeLevel.CITY_MANAGED
        )

    def lineage(self, committee_id: str) -> tuple[str, ...]:
        """The committee itself, then its parent, up to the city committee."""
        found: list[str] = []
        current: str | None = committee_id
        while current is not None and self.has_committee(current):
            found.append(current)
            current = self.committee(current).parent_id
        return tuple(found)

    def subtree(self, committee_id: str) -> tuple[str, ...]:
        """The committee and every committee below it."""
        return tuple(
            c.committee_id for c in self.committees if committee_id in self.lineage(c.committee_id)
        )

    def capped_chain(self, base_committee_id: str) -> tuple[str, ...]:
        """The committees whose cap a branch of this base committee counts towards."""
        chain: list[str] = []
        for committee_id in self.lineage(base_committee_id):
            chain.append(committee_id)
            if self.committee(committee_id).level is CommitteeLevel.CITY_MANAGED:
                break
        return tuple(chain)

    def approver_of(self, committee_id: str) -> str | None:
        """Who approves a `ledger.advanced_cap` exception for a committee: its parent, or
        the city Organization Department for a city-managed committee."""
        committee = self.committee(committee_id)
        if committee.level is CommitteeLevel.CITY_MANAGED:
            return self.organization_department_id
        return committee.parent_id

    def may_act_on(self, actor_committee_id: str, committee_id: str) -> bool:
        """`org.jurisdiction`: a committee acts within its own subtree; the Organization
        Department acts city-wide for the city committee."""
        if not self.has_committee(actor_committee_id) or not self.has_committee(committee_id):
            return False
        if self.committee(actor_committee_id).level is CommitteeLevel.ORGANIZATION_DEPARTMENT:
            return True
        return actor_committee_id in self.lineage(committee_id)

    def with_jurisdiction(self, committee_id: str) -> tuple[str, ...]:
        """The committees that may act on this one, nearest first."""
        return tuple(c for c in self.committee_ids if self.may_act_on(c, committee_id))

    def without_jurisdiction(self, committee_id: str) -> tuple[str, ...]:
        """The committees of the layout that may not act on this one."""
        return tuple(c for c in self.committee_ids if not self.may_act_on(c, committee_id))

    def units_of(self, committee_id: str) -> tuple[str, ...]:
        return tuple(u.unit_id for u in self.units if u.committee_id == committee_id)

    @property
    def person_ids(self) -> tuple[str, ...]:
        return tuple(p.person_id for p in self.people)

    # Acting

    def secretary(self, committee_id: str) -> Actor:
        """The actor who speaks for a committee: its secretary."""
        return Actor(f"secretary-{committee_id}", committee_id, "secretary")

    def setup_commands(self, effective_on: date) -> Iterator[Command]:
        """The commands that build this city in an empty store, in order."""
        reason = "test city set-up"
        for c in self.committees:
            actor = self.secretary(c.committee_id if c.parent_id is None else c.parent_id)
            yield entered_from(RegisterCommittee, c, actor=actor, reason=reason, on=effective_on)
        for u in self.units:
            actor = self.secretary(u.committee_id)
            yield entered_from(RegisterUnit, u, actor=actor, reason=reason, on=effective_on)
        for p in self.people:
            actor = self.secretary(p.committee_id)
            yield entered_from(RegisterPerson, p, actor=actor, reason=reason, on=effective_on)


def small_city() -> CityLayout:
    """The city the `LedgerMachine` runs on.

    ::

        city                      市委
        ├── org                   市委组织部
        └── county (county-level) 县委
            ├── town              an intermediate committee
            │   ├── base-a        基层党委, units a1 a2 a3
            │   └── base-b        基层党委, units b1 b2
            └── base-c            基层党委 directly under the county, units c1 c2
    """
    level = CommitteeLevel
    committees = (
        CommitteeSpec("city", "泰安市委", level.CITY),
        CommitteeSpec("org", "市委组织部", level.ORGANIZATION_DEPARTMENT, "city"),
        CommitteeSpec("county", "宁阳县委", level.CITY_MANAGED, "city", county_level=True),
        CommitteeSpec("town", "城区党工委", level.INTERMEDIATE, "county"),
        CommitteeSpec("base-a", "文庙街道党工委", level.BASE, "town"),
        CommitteeSpec("base-b", "八仙桥街道党工委", level.BASE, "town"),
        CommitteeSpec("base-c", "伏山镇党委", level.BASE, "county"),
    )
    units = (
        UnitSpec("a1", "东关村", UnitKind.VILLAGE, "base-a"),
        UnitSpec("a2", "西关社区", UnitKind.COMMUNITY, "base-a"),
        UnitSpec("a3", "文庙小学", UnitKind.INSTITUTION, "base-a"),
        UnitSpec("b1", "八仙桥社区", UnitKind.COMMUNITY, "base-b"),
        UnitSpec("b2", "宁阳机械厂", UnitKind.ENTERPRISE, "base-b"),
        UnitSpec("c1", "伏山村", UnitKind.VILLAGE, "base-c"),
        UnitSpec("c2", "伏山镇政府", UnitKind.ORGAN, "base-c"),
    )
    people = (
        PersonSpec("leader-a", "张伟", "base-a", "0538-5620001"),
        PersonSpec("leader-b", "王芳", "base-b", "0538-5620002"),
        PersonSpec("leader-c", "李强", "base-c", "0538-5620003"),
        PersonSpec("leader-town", "刘洋", "town"),
        PersonSpec("leader-county", "陈静", "county"),
    )
    return CityLayout(committees, units, people)


def selection_city() -> CityLayout:
    """The city `SelectionMachine` runs a selection year on: two city-managed committees,
    so that the year's places are allotted between them, and one intermediate committee,
    which runs a round of its own between its base committee and its county.

    ::

        city                      市委
        ├── org                   市委组织部
        ├── county (county-level) 县委
        │   ├── town              an intermediate committee
        │   │   └── base-a        基层党委, units a1 a2 a3
        │   └── base-b            基层党委, units b1 b2
        └── district              区委
            └── base-c            基层党委, units c1 c2
    """
    level = CommitteeLevel
    committees = (
        CommitteeSpec("city", "泰安市委", level.CITY),
        CommitteeSpec("org", "市委组织部", level.ORGANIZATION_DEPARTMENT, "city"),
        CommitteeSpec("county", "宁阳县委", level.CITY_MANAGED, "city", county_level=True),
        CommitteeSpec("town", "城区党工委", level.INTERMEDIATE, "county"),
        CommitteeSpec("base-a", "文庙街道党工委", level.BASE, "town"),
        CommitteeSpec("base-b", "伏山镇党委", level.BASE, "county"),
        CommitteeSpec("district", "泰山区委", level.CITY_MANAGED, "city"),
        CommitteeSpec("base-c", "岱庙街道党工委", level.BASE, "district"),
    )
    units = (
        UnitSpec("a1", "东关村", UnitKind.VILLAGE, "base-a"),
        UnitSpec("a2", "西关社区", UnitKind.COMMUNITY, "base-a"),
        UnitSpec("a3", "文庙机械厂", UnitKind.ENTERPRISE, "base-a"),
        UnitSpec("b1", "伏山村", UnitKind.VILLAGE, "base-b"),
        UnitSpec("b2", "伏山镇商会", UnitKind.ORGANIZATION, "base-b"),
        UnitSpec("c1", "岱庙社区", UnitKind.COMMUNITY, "base-c"),
        UnitSpec("c2", "泰山医院", UnitKind.INSTITUTION, "base-c"),
    )
    people = (
        PersonSpec("leader-a", "张伟", "base-a", "0538-5620001"),
        PersonSpec("leader-b", "王芳", "base-b", "0538-5620002"),
        PersonSpec("leader-c", "李强", "base-c", "0538-5620003"),
    )
    return CityLayout(committees, units, people)


@st.composite
def _city(draw: st.DrawFn) -> CityLayout:
    level = CommitteeLevel
    committees = [
        CommitteeSpec("city", "市委", level.CITY),
        CommitteeSpec("org", "市委组织部", level.ORGANIZATION_DEPARTMENT, "city"),
    ]
    bases: list[str] = []
    for county in range(draw(st.integers(1, 2), label="city-managed committees")):
        county_id = f"county-{county}"
        committees.append(
            CommitteeSpec(
                county_id, f"县委{county}", level.CITY_MANAGED, "city", draw(st.booleans())
            )
        )
        parents = [county_id]
        for town in range(draw(st.integers(0, 2), label="intermediate committees")):
            town_id = f"town-{county}-{town}"
            committees.append(
                CommitteeSpec(town_id, f"党工委{county}{town}", level.INTERMEDIATE, county_id)
            )
            parents.append(town_id)
        for base in range(draw(st.integers(1, 3), label="base committees")):
            base_id = f"base-{county}-{base}"
            parent = draw(st.sampled_from(parents), label="parent")
            committees.append(CommitteeSpec(base_id, f"基层党委{county}{base}", level.BASE, parent))
            bases.append(base_id)
    units = [
        UnitSpec(f"{base}-u{n}", f"单位{base}{n}", draw(st.sampled_from(UnitKind)), base)
        for base in bases
        for n in range(draw(st.integers(1, 3), label="units"))
    ]
    people = [
        PersonSpec(f"leader-{c.committee_id}", f"书记{c.committee_id}", c.committee_id)
        for c in committees
        if c.level in (level.BASE, level.CITY_MANAGED)
    ]
    return CityLayout(tuple(committees), tuple(units), tuple(people))


def cities() -> SearchStrategy[CityLayout]:
    """A generated city: the city committee and its Organization Department, one or two
    city-managed committees, each with up to two intermediate committees and one to three
    base committees, one to three units per base committee and a leader per committee."""
    return _city()
