"""Small builders shared by the unit tests: one committee tree, its actors and commands.

The tree, under the city committee:

    city (CITY)
    ├── od (ORGANIZATION_DEPARTMENT)
    ├── cm-a (CITY_MANAGED, county-level)
    │   ├── base-a1 (BASE)
    │   └── int-a (INTERMEDIATE)
    │       └── base-a2 (BASE)
    └── cm-b (CITY_MANAGED)
        └── base-b1 (BASE)
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from guoying.application import commands as cmd
from guoying.application.clock import CHINA
from guoying.domain.events import DomainEvent
from guoying.domain.organization import OrgTree, register_committee
from guoying.domain.policy import TAIAN_2017
from guoying.domain.values import (
    Actor,
    Authority,
    CommitteeLevel,
    Decision,
    Sector,
    Tier,
    UnitKind,
)

ON = date(2017, 6, 1)
CITY = "city"
OD = "od"
CM_A = "cm-a"
BASE_A1 = "base-a1"
INT_A = "int-a"
BASE_A2 = "base-a2"
CM_B = "cm-b"
BASE_B1 = "base-b1"
BASES = (BASE_A1, BASE_A2, BASE_B1)
LIAISON = "person-liaison"
OWNER = "person-owner"

# Each committee as: its id, its level, its parent and whether it is county-level.
TREE: tuple[tuple[str, CommitteeLevel, str | None, bool], ...] = (
    (CITY, CommitteeLevel.CITY, None, False),
    (OD, CommitteeLevel.ORGANIZATION_DEPARTMENT, CITY, False),
    (CM_A, CommitteeLevel.CITY_MANAGED, CITY, True),
    (BASE_A1, CommitteeLevel.BASE, CM_A, False),
    (INT_A, CommitteeLevel.INTERMEDIATE, CM_A, False),
    (BASE_A2, CommitteeLevel.BASE, INT_A, False),
    (CM_B, CommitteeLevel.CITY_MANAGED, CITY, False),
    (BASE_B1, CommitteeLevel.BASE, CM_B, False),
)


def fixed_clock() -> datetime:
    return datetime(2017, 6, 1, 9, 0, tzinfo=CHINA)


def actor(committee_id: str, person_id: str | None = None) -> Actor:
    return Actor(person_id or f"secretary-{committee_id}", committee_id, "secretary")


def decision(
    committee_id: str, *, on: date = ON, reason: str = "the committee decided"
) -> Decision:
    return Decision(actor(committee_id), reason, on, Authority((), TAIAN_2017.version))


def replay(events: Iterable[DomainEvent], aggregate: object = None) -> object:
    for event in events:
        aggregate = event.mutate(aggregate)  # type: ignore[attr-defined]
    return aggregate


def org_tree() -> OrgTree:
    """The tree above, decided and applied through the domain's own functions."""
    tree: OrgTree | None = None
    for committee_id, level, parent_id, county_level in TREE:
        event = register_committee(
            tree,
            decision(CITY),
            committee_id=committee_id,
            name=f"{committee_id} committee",
            level=level,
            parent_id=parent_id,
            county_level=county_level,
        )
        tree = event.mutate(tree)
    assert tree is not None
    return tree


def unit_id(base_committee_id: str) -> str:
    return f"unit-{base_committee_id}"


def setup_commands() -> list[cmd.Command]:
    """Register the tree, one unit per base committee and two people."""
    commands: list[cmd.Command] = [
        cmd.RegisterCommittee(
            actor=actor(CITY),
            reason="the tree is set up",
            effective_on=ON,
            committee_id=committee_id,
            name=f"{committee_id} committee",
            level=level,
            parent_id=parent_id,
            county_level=county_level,
        )
        for committee_id, level, parent_id, county_level in TREE
    ]
    commands += [
        cmd.RegisterUnit(
            actor=actor(base),
            reason="the unit is served",
            effective_on=ON,
            unit_id=unit_id(base),
            name=f"village of {base}",
            kind=UnitKind.VILLAGE,
            committee_id=base,
        )
        for base in BASES
    ]
    commands += [
        cmd.RegisterPerson(
            actor=actor(CM_A),
            reason="a leader is known",
            effective_on=ON,
            person_id=person_id,
            name=f"Name of {person_id}",
            phone="0538-0000000",
        )
        for person_id in (LIAISON, OWNER)
    ]
    return commands


# Who approves an exception to `ledger.advanced_cap` for each capped committee: its parent,
# or the Organization Department for a city-managed committee.
APPROVER = {BASE_A1: CM_A, BASE_A2: INT_A, INT_A: CM_A, CM_A: OD, BASE_B1: CM_B, CM_B: OD}
# The committees a branch of each base committee counts under (`ledger.advanced_cap`).
CAPPED_CHAIN = {
    BASE_A1: (BASE_A1, CM_A),
    BASE_A2: (BASE_A2, INT_A, CM_A),
    BASE_B1: (BASE_B1, CM_B),
}


def decided_on(year: int) -> date:
    """The date the builders date a decision about `year` (ON for the first year)."""
    return ON if year == ON.year else date(year, 12, 20)


def approve(
    committee_id: str,
    year: int = 2017,
    *,
    by: str | None = None,
    on: date | None = None,
) -> cmd.ApproveCapException:
    """The parent's own decision that `committee_id` may go above the cap in `year`."""
    return cmd.ApproveCapException(
        actor=actor(by or APPROVER[committee_id]),
        reason=f"{committee_id} has an outstanding record in {year}",
        effective_on=on or decided_on(year),
        committee_id=committee_id,
        year=year,
    )


def approve_through(
    committee_id: str,
    year: int = 2017,
    *,
    by: str | None = None,
    on: date | None = None,
) -> list[cmd.Command]:
    """The parent's approvals for `committee_id`, one per year from `year` through the
    policy's last year: a tier carries into the later years and counts again there."""
    return [
        approve(committee_id, each, by=by, on=on) for each in range(year, TAIAN_2017.last_year + 1)
    ]


def approvals(base: str, year: int = 2017, *, on: date | None = None) -> list[cmd.Command]:
    """An approval for every committee a branch of `base` counts under and every year from
    `year` through the policy's last year (a rise in `year` carries into each of them)."""
    return [
        command
        for committee_id in CAPPED_CHAIN[base]
        for command in approve_through(committee_id, year, on=on)
    ]


def approvals_for_year_only(base: str, year: int = 2017) -> list[cmd.Command]:
    """An approval for every committee a branch of `base` counts under, for `year` alone."""
    return [approve(committee_id, year) for committee_id in CAPPED_CHAIN[base]]


def register_branch(
    branch_id: str,
    base: str = BASE_A1,
    *,
    tier: Tier = Tier.MIDDLE,
    year: int = 2017,
    by: str | None = None,
    unit_ids: tuple[str, ...] | None = None,
) -> cmd.RegisterBranch:
    return cmd.RegisterBranch(
        actor=actor(by or base),
        reason="first assessment",
        effective_on=ON,
        branch_id=branch_id,
        name=f"Branch {branch_id}",
        sector=Sector.RURAL,
        base_committee_id=base,
        unit_ids=unit_ids or (unit_id(base),),
        year=year,
        tier=tier,
    )


def adjust_tier(
    branch_id: str,
    year: int,
    tier: Tier,
    *,
    by: str,
    reason: str = "annual evaluation",
) -> cmd.AdjustTier:
    return cmd.AdjustTier(
        actor=actor(by),
        reason=reason,
        effective_on=date(year, 12, 20),
        branch_id=branch_id,
        year=year,
        tier=tier,
    )


def middle_branches(base: str, count: int, *, prefix: str | None = None) -> list[cmd.Command]:
    stem = prefix or f"{base}-m"
    return [register_branch(f"{stem}{index}", base) for index in range(count)]
