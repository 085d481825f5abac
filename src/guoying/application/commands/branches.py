"""Commands of a branch's life: registered, renamed, moved, merged, split, dissolved."""

from __future__ import annotations

from attrs import field, frozen

from guoying.application.commands.base import Command
from guoying.domain.values import Actor, Sector, Tier, non_blank

__all__ = [
    "DissolveBranch",
    "MergeBranches",
    "MoveBranch",
    "NewBranch",
    "RegisterBranch",
    "RenameBranch",
    "SplitBranch",
]


@frozen(kw_only=True)
class RegisterBranch(Command):
    """Enter a branch in the ledger with its base committee's first assessment."""

    branch_id: str = field(validator=non_blank)
    name: str
    sector: Sector
    base_committee_id: str
    unit_ids: tuple[str, ...]
    is_financial_institution: bool = False
    year: int
    tier: Tier


@frozen(kw_only=True)
class RenameBranch(Command):
    branch_id: str
    name: str = field(validator=non_blank)


@frozen(kw_only=True)
class MoveBranch(Command):
    """Another base committee leads the branch from `effective_on`.

    Decided by a committee over both base committees (their common parent), or by the
    sending committee with the receiving committee's decision in `receiving_decision_by`.
    """

    branch_id: str
    to_committee_id: str
    receiving_decision_by: Actor | None = None


@frozen(kw_only=True)
class MergeBranches(Command):
    """`branch_id` ends and its history and open rectification cases go to `into_branch_id`."""

    branch_id: str
    into_branch_id: str


@frozen(kw_only=True)
class NewBranch:
    """A branch founded by a split, with its first assessment."""

    branch_id: str = field(validator=non_blank)
    name: str = field(validator=non_blank)
    sector: Sector
    unit_ids: tuple[str, ...]
    tier: Tier
    is_financial_institution: bool = False


@frozen(kw_only=True)
class SplitBranch(Command):
    """Found new branches out of one, each with its first assessment for the year of
    `effective_on`; the original ends too when `dissolve_original` is true."""

    branch_id: str
    new_branches: tuple[NewBranch, ...]
    dissolve_original: bool = False


@frozen(kw_only=True)
class DissolveBranch(Command):
    """The branch ends; the committees it counted under have one branch fewer, which may
    take one above `ledger.advanced_cap` unless its parent approved an exception."""

    branch_id: str
