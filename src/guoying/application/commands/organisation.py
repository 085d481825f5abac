"""Commands about the committee tree (`org.hierarchy`), units (`org.unit`) and each
committee's leadership (`ledger.liaison_coverage`)."""

from __future__ import annotations

from attrs import field, frozen

from guoying.application.commands.base import Command
from guoying.domain.values import CommitteeLevel, UnitKind, non_blank

__all__ = [
    "AppointLeader",
    "DissolveCommittee",
    "EndLeadership",
    "MergeCommittees",
    "MoveCommittee",
    "RegisterCommittee",
    "RegisterUnit",
    "RenameCommittee",
]


@frozen(kw_only=True)
class RegisterCommittee(Command):
    committee_id: str = field(validator=non_blank)
    name: str
    level: CommitteeLevel
    parent_id: str | None = None
    county_level: bool = False


@frozen(kw_only=True)
class RegisterUnit(Command):
    unit_id: str = field(validator=non_blank)
    name: str
    kind: UnitKind
    committee_id: str


@frozen(kw_only=True)
class RenameCommittee(Command):
    committee_id: str
    name: str = field(validator=non_blank)


@frozen(kw_only=True)
class MoveCommittee(Command):
    """The committee and its subtree sit under another parent from `effective_on`."""

    committee_id: str
    parent_id: str


@frozen(kw_only=True)
class MergeCommittees(Command):
    """`committee_id` ends; its committees and branches move to `into_committee_id`."""

    committee_id: str
    into_committee_id: str


@frozen(kw_only=True)
class DissolveCommittee(Command):
    committee_id: str


@frozen(kw_only=True)
class AppointLeader(Command):
    """A person joins the committee's leadership (`ledger.liaison_coverage`)."""

    committee_id: str
    person_id: str
    position: str = field(validator=non_blank)


@frozen(kw_only=True)
class EndLeadership(Command):
    committee_id: str
    person_id: str
