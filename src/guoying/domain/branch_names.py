"""`ledger.row`: a name identifies a row, so two active branches one base committee leads
never share it. One `BranchNames` aggregate per base committee holds the names in use."""

from __future__ import annotations

from attrs import define, field, frozen

from guoying.domain.events import DomainEvent, Streams, continued, next_version, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.values import Decision


@define
class BranchNames:
    id: str
    version: int
    committee_id: str
    names: dict[str, str] = field(factory=dict)

    def holder_of(self, name: str, other_than: str) -> str | None:
        return next(
            (b for b, known in self.names.items() if known == name and b != other_than), None
        )


names_key = Streams("names", BranchNames).key


@frozen(kw_only=True)
class BranchNamed(DomainEvent[BranchNames]):
    """The name a branch led directly by this committee goes by (registered, renamed or
    moved in)."""

    committee_id: str
    branch_id: str
    name: str

    def mutate(self, aggregate: BranchNames | None) -> BranchNames:
        names = continued(aggregate, self, BranchNames, committee_id=self.committee_id)
        names.names[self.branch_id] = self.name
        return names


@frozen(kw_only=True)
class BranchNameReleased(DomainEvent[BranchNames]):
    """The branch no longer uses its name here: it moved away, merged or was dissolved."""

    committee_id: str
    branch_id: str

    def mutate(self, aggregate: BranchNames | None) -> BranchNames:
        names = continued(aggregate, self, BranchNames, committee_id=self.committee_id)
        names.names.pop(self.branch_id, None)
        return names


def name_branch(
    names: BranchNames | None,
    decision: Decision,
    *,
    committee_id: str,
    branch_id: str,
    name: str,
) -> BranchNamed:
    taken = names.holder_of(name, branch_id) if names else None
    if taken is not None:
        raise RuleViolation(
            "ledger.row",
            f"branch {taken!r} of committee {committee_id!r} is already named {name!r}",
            {"branch_id": taken, "name": name},
        )
    return BranchNamed(
        **stamp(decision, names_key(committee_id).id, next_version(names)),
        committee_id=committee_id,
        branch_id=branch_id,
        name=name,
    )


def release_name(
    names: BranchNames | None, decision: Decision, *, committee_id: str, branch_id: str
) -> BranchNameReleased | None:
    if names is None or branch_id not in names.names:
        return None
    return BranchNameReleased(
        **stamp(decision, names.id, next_version(names)),
        committee_id=committee_id,
        branch_id=branch_id,
    )
