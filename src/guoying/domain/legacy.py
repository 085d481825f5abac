"""The committee ledger of stores written by guoying 0.1, and carrying it over.

Until 0.2 one `ledger:<committee>` stream held four concerns: the advanced-cap tallies,
the names in use, the common problems and the leadership roster. 0.2 gives each its own
stream (`cap:`, `names:`, `problems:`, `roster:`). Stored events are never rewritten: the
old ones stay where they are and still read, verify and replay; `guoying migrate` reads
them once and writes what each new stream starts from (the `...CarriedOver` events below,
which projections pass over because the old events already made their rows), and the
counts from a recount of the branches (docs/adr/004-handler-registry-and-counts.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import define, field, frozen

from guoying.domain.advanced_cap import AdvancedCount, ApprovedException
from guoying.domain.branch_names import BranchNamed, BranchNames
from guoying.domain.common_problems import CommonProblem, CommonProblemRecorded, CommonProblems
from guoying.domain.events import AnyEvent, DomainEvent, continued, next_version, stamp
from guoying.domain.roster import LeaderAppointed, LeadershipEnded, Roster, Tenure
from guoying.domain.values import CapException, Decision, Tier

LEGACY_LEDGER_PREFIX = "ledger:"
LAYOUT_ID = "store:layout"
LAYOUT = 2  # the stream layout this release writes


@define
class LegacyLedger:
    """What a 0.1 committee ledger stream says, folded once by `fold`."""

    id: str
    version: int
    committee_id: str
    names: dict[str, str] = field(factory=dict)
    tenures: list[Tenure] = field(factory=list)
    problems: dict[str, CommonProblem] = field(factory=dict)
    exceptions: list[tuple[tuple[int, ...], CapException]] = field(factory=list)


@frozen(kw_only=True)
class BranchTallied(DomainEvent[LegacyLedger]):
    committee_id: str
    branch_id: str
    year: int
    tier: Tier
    name: str | None = None

    def mutate(self, aggregate: LegacyLedger | None) -> LegacyLedger:
        return _folded(aggregate, self)


@frozen(kw_only=True)
class BranchJoined(DomainEvent[LegacyLedger]):
    committee_id: str
    branch_id: str
    year: int
    timeline: tuple[tuple[int, Tier], ...]
    name: str | None = None

    def mutate(self, aggregate: LegacyLedger | None) -> LegacyLedger:
        return _folded(aggregate, self)


@frozen(kw_only=True)
class BranchLeft(DomainEvent[LegacyLedger]):
    committee_id: str
    branch_id: str
    year: int

    def mutate(self, aggregate: LegacyLedger | None) -> LegacyLedger:
        return _folded(aggregate, self)


@frozen(kw_only=True)
class AdvancedCapExceptionRecorded(DomainEvent[LegacyLedger]):
    """0.1: an exception claimed inside the subordinate's own command."""

    committee_id: str
    years: tuple[int, ...]
    exception: CapException

    def mutate(self, aggregate: LegacyLedger | None) -> LegacyLedger:
        return _folded(aggregate, self)


_LedgerEvent = BranchTallied | BranchJoined | BranchLeft | AdvancedCapExceptionRecorded


def _folded(ledger: LegacyLedger | None, event: _LedgerEvent) -> LegacyLedger:
    """A 0.1 ledger event applied: a tally or a join names the branch (when it gives a
    name), a branch that left gives its name up, an exception claimed is kept."""
    ledger = continued(ledger, event, LegacyLedger, committee_id=event.committee_id)
    match event:
        case BranchTallied() | BranchJoined():
            if event.name is not None:
                ledger.names[event.branch_id] = event.name
        case BranchLeft():
            ledger.names.pop(event.branch_id, None)
        case AdvancedCapExceptionRecorded():
            ledger.exceptions.append((event.years, event.exception))
    return ledger


def fold(committee_id: str, events: Iterable[AnyEvent]) -> LegacyLedger:
    """A 0.1 ledger stream, including the events whose types now live on other streams."""
    ledger = LegacyLedger(
        id=f"{LEGACY_LEDGER_PREFIX}{committee_id}", version=0, committee_id=committee_id
    )
    for event in events:
        ledger.version = event.originator_version
        match event:
            case BranchTallied() | BranchJoined() | BranchLeft() | AdvancedCapExceptionRecorded():
                event.mutate(ledger)
            case BranchNamed():
                ledger.names[event.branch_id] = event.name
            case CommonProblemRecorded():
                ledger.problems[event.problem_id] = CommonProblem(
                    event.problem_id, event.year, event.problem, event.measure
                )
            case LeaderAppointed():
                ledger.tenures.append(Tenure(event.person_id, event.position, event.effective_on))
            case LeadershipEnded():
                ledger.tenures = [
                    Tenure(t.person_id, t.position, t.since, event.effective_on)
                    if t.person_id == event.person_id and t.until is None
                    else t
                    for t in ledger.tenures
                ]
    return ledger


# What 0.2's streams start from


@frozen(kw_only=True)
class BranchNamesCarriedOver(DomainEvent[BranchNames]):
    committee_id: str
    names: tuple[tuple[str, str], ...]

    def mutate(self, aggregate: BranchNames | None) -> BranchNames:
        names = continued(aggregate, self, BranchNames, committee_id=self.committee_id)
        names.names.update(dict(self.names))
        return names


@frozen(kw_only=True)
class RosterCarriedOver(DomainEvent[Roster]):
    committee_id: str
    tenures: tuple[Tenure, ...]

    def mutate(self, aggregate: Roster | None) -> Roster:
        roster = continued(aggregate, self, Roster, committee_id=self.committee_id)
        roster.tenures = (*roster.tenures, *self.tenures)
        return roster


@frozen(kw_only=True)
class CommonProblemsCarriedOver(DomainEvent[CommonProblems]):
    committee_id: str
    problems: tuple[CommonProblem, ...]

    def mutate(self, aggregate: CommonProblems | None) -> CommonProblems:
        found = continued(aggregate, self, CommonProblems, committee_id=self.committee_id)
        found.problems.update({p.problem_id: p for p in self.problems})
        return found


@frozen(kw_only=True)
class CapExceptionsCarriedOver(DomainEvent[AdvancedCount]):
    """0.1's exceptions, each year it was recorded for now an approval of that year."""

    committee_id: str
    years: tuple[int, ...]
    justification: str
    approved_by_committee_id: str

    def mutate(self, aggregate: AdvancedCount | None) -> AdvancedCount:
        count = continued(aggregate, self, AdvancedCount, committee_id=self.committee_id)
        count.approvals = {
            **count.approvals,
            **{
                year: ApprovedException(year, self.justification, self.approved_by_committee_id)
                for year in self.years
            },
        }
        return count


@define
class StoreLayout:
    id: str
    version: int
    layout: int


@frozen(kw_only=True)
class StoreLayoutMigrated(DomainEvent[StoreLayout]):
    """The store's streams follow `layout` from here on (written once by `migrate`)."""

    layout: int

    def mutate(self, _: StoreLayout | None) -> StoreLayout:
        return StoreLayout(
            id=self.originator_id, version=self.originator_version, layout=self.layout
        )


def layout_migrated(layout: StoreLayout | None, decision: Decision) -> StoreLayoutMigrated:
    return StoreLayoutMigrated(**stamp(decision, LAYOUT_ID, next_version(layout)), layout=LAYOUT)
