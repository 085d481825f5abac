"""`guoying migrate`: carry a store written by guoying 0.1 over to one stream per concern.

Nothing stored is rewritten or removed: the 0.1 `ledger:` streams stay and still read,
verify and replay. One atomic write adds what each new stream starts from (the names in
use, the rosters, the common problems and the approved exceptions, read from the old
streams) and every branch's placement under `ledger.advanced_cap` from a recount of the tree
and the branches, then marks the store's layout. The write is the city Organization
Department's, by a named system actor (rules.md 9a); counts are recorded as they are, not
judged, since they were decided under 0.1.
"""

from __future__ import annotations

from guoying.application.clock import today_in_china
from guoying.application.errors import StoreUnavailable
from guoying.application.outcome import Outcome
from guoying.application.service import LAYOUT_KEY, Handler
from guoying.application.unit import UnitOfWork
from guoying.domain import legacy
from guoying.domain.advanced_cap import cap_key, count_branch
from guoying.domain.branch import branch_key
from guoying.domain.branch_names import names_key
from guoying.domain.common_problems import problems_key
from guoying.domain.events import stamp
from guoying.domain.organization import TREE_KEY
from guoying.domain.placement import placements
from guoying.domain.policy import Policy
from guoying.domain.roster import roster_key
from guoying.domain.values import Actor, Authority, Decision

MIGRATION_ACTOR = "system:migrate"


def migrate(handler: Handler) -> Outcome | None:
    """Carry the store over; None when it already follows this release's layout."""
    store = handler.store
    layout = store.get(LAYOUT_KEY)
    if layout is not None and layout.layout >= legacy.LAYOUT:
        return None
    if not store.stream_ids(legacy.LEGACY_LEDGER_PREFIX, limit=1):
        return None  # written by this release (or empty): nothing to carry over
    uow = UnitOfWork(store.reader())
    tree = uow.get(TREE_KEY)
    department = tree.organization_department() if tree else None
    if tree is None or department is None:
        raise StoreUnavailable("there is nothing to migrate: the store holds no committee tree")
    on = today_in_china(handler.clock)
    policy = handler.book(uow).in_effect(on)
    decision = Decision(
        Actor(MIGRATION_ACTOR, department.committee_id, "migration"),
        "guoying 0.2 keeps each concern of a committee ledger in a stream of its own",
        on,
        Authority(("ledger.advanced_cap", "ledger.row", "ledger.liaison_coverage"), policy.version),
    )
    for stream_id in store.stream_ids(legacy.LEGACY_LEDGER_PREFIX):
        committee_id = stream_id.removeprefix(legacy.LEGACY_LEDGER_PREFIX)
        _carry_over(uow, policy, decision, legacy.fold(committee_id, store.events(stream_id)))
    for stream_id in store.stream_ids("branch:"):
        branch = uow.get(branch_key(stream_id.removeprefix("branch:")))
        assert branch is not None
        for committee_id, placement in sorted(placements(tree, branch).items()):
            uow.record(
                count_branch(
                    uow.get(cap_key(committee_id)),
                    decision,
                    committee_id=committee_id,
                    branch_id=branch.branch_id,
                    placement=placement,
                ),
                policy,
            )
    uow.record(legacy.layout_migrated(layout, decision), policy)
    positions = store.save(uow.events)
    handler.layout_checked = False
    return Outcome(tuple(uow.events), tuple(positions))


def _carry_over(
    uow: UnitOfWork, policy: Policy, decision: Decision, ledger: legacy.LegacyLedger
) -> None:
    committee_id = ledger.committee_id
    if ledger.names:
        uow.record(
            legacy.BranchNamesCarriedOver(
                **stamp(decision, names_key(committee_id).id, 1),
                committee_id=committee_id,
                names=tuple(sorted(ledger.names.items())),
            ),
            policy,
        )
    if ledger.tenures:
        uow.record(
            legacy.RosterCarriedOver(
                **stamp(decision, roster_key(committee_id).id, 1),
                committee_id=committee_id,
                tenures=tuple(ledger.tenures),
            ),
            policy,
        )
    if ledger.problems:
        uow.record(
            legacy.CommonProblemsCarriedOver(
                **stamp(decision, problems_key(committee_id).id, 1),
                committee_id=committee_id,
                problems=tuple(ledger.problems.values()),
            ),
            policy,
        )
    for years, exception in ledger.exceptions:
        count = uow.get(cap_key(committee_id))
        uow.record(
            legacy.CapExceptionsCarriedOver(
                **stamp(decision, cap_key(committee_id).id, (count.version if count else 0) + 1),
                committee_id=committee_id,
                years=years,
                justification=exception.justification,
                approved_by_committee_id=exception.approved_by.committee_id,
            ),
            policy,
        )
