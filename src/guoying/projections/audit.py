"""The audit trail: every decision and every refusal, in the order the store committed them,
with who decided, on whose authority (rule ids, policy version), why and from when.

It is read by streaming the hash chain, so that it is complete by construction and writes
nothing; the committee of each entry is the one it was about when it was decided.

Each entry names the rules it was judged under (`judged_under`), which `--rule` matches: a
refusal's is the rule that refused it; an event's are the rules its command's handler
lists, except `ledger.advanced_cap`. Every command that moves a tier or a branch lists the
cap, because the count it changes is judged on the unit's end state; but the cap judges
only a change that can take a committee above its limit: an event of the count (`cap:`)
that counts a branch advanced in a year it was not, or no longer counts one, and an
approved exception. All of it is derived from what is stored, so any store answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from attrs import define, field, frozen
from sqlalchemy.engine import Connection

from guoying.adapters import chain
from guoying.adapters.serialization import decode_event, event_detail
from guoying.adapters.store import stored_state
from guoying.domain.events import AnyEvent

if TYPE_CHECKING:
    from guoying.domain.advanced_cap import Placement
from guoying.domain.values import Tier
from guoying.projections.reading import recorded_time

BATCH = 2000
CAP = "ledger.advanced_cap"


@frozen
class AuditEntry:
    position: int
    kind: str
    recorded_at: datetime
    effective_on: date | None
    what: str
    subject: str
    branch_id: str | None
    committee_id: str | None
    actor_person_id: str
    actor_committee_id: str
    actor_role: str
    reason: str
    rule_ids: tuple[str, ...]
    policy_version: str | None
    detail: dict[str, Any]
    judged_under: tuple[str, ...] = ()


@frozen
class AuditFilter:
    branch_id: str | None = None
    committees: frozenset[str] | None = None
    actor_person_id: str | None = None
    rule_id: str | None = None
    effective_from: date | None = None
    effective_to: date | None = None
    recorded_from: datetime | None = None
    recorded_to: datetime | None = None
    # `event` or `refusal` (the chain's kinds), and the event types (`TierAdjusted`) or
    # refused commands (`AdjustTier`) wanted.
    kind: str | None = None
    types: frozenset[str] | None = None

    def accepts(self, entry: AuditEntry) -> bool:
        checks = (
            self.kind is None or entry.kind == self.kind,
            self.types is None or entry.what.removeprefix("Refused ") in self.types,
            self.branch_id is None or entry.branch_id == self.branch_id,
            self.committees is None or entry.committee_id in self.committees,
            self.actor_person_id is None or entry.actor_person_id == self.actor_person_id,
            self.rule_id is None or self.rule_id in entry.judged_under,
            self.effective_from is None
            or (entry.effective_on is not None and entry.effective_on >= self.effective_from),
            self.effective_to is None
            or (entry.effective_on is not None and entry.effective_on <= self.effective_to),
            self.recorded_from is None or entry.recorded_at >= self.recorded_from,
            self.recorded_to is None or entry.recorded_at <= self.recorded_to,
        )
        return all(checks)


def _committee_of(event: AnyEvent, bases: dict[str, str]) -> tuple[str | None, str | None]:
    """The branch and the committee an event is about, following moves as they happen; a
    nomination's events are about its branch (`bases` also maps each nomination's stream to
    its branch)."""
    # The aggregates named here are imported by the audit's first entry, not by every
    # reader that imports this module for its types.
    from guoying.domain import branch as b
    from guoying.domain import nomination as n

    if event.originator_id.startswith("branch:"):
        branch_id = event.originator_id.removeprefix("branch:")
        if isinstance(event, b.BranchRegistered):
            bases[branch_id] = event.base_committee_id
        elif isinstance(event, b.BranchMoved):
            bases[branch_id] = event.to_committee_id
        return branch_id, bases.get(branch_id)
    if isinstance(event, n.BranchApplied):
        bases[event.originator_id] = event.branch_id
    nominated = bases.get(event.originator_id)
    if nominated is not None:
        committee = getattr(event, "committee_id", None)
        return nominated, committee if isinstance(committee, str) else event.actor.committee_id
    committee = getattr(event, "committee_id", None)
    branch = getattr(event, "branch_id", None)
    return branch, committee if isinstance(committee, str) else event.actor.committee_id


@define
class _Seen:
    """What the entries read so far say that a later entry needs: each branch's and
    nomination's committee (`_committee_of`), and each branch's placement under each
    committee's cap."""

    bases: dict[str, str] = field(factory=dict)
    placements: dict[tuple[str, str], Placement] = field(factory=dict)

    def judged_by_cap(self, event: AnyEvent) -> bool:
        # Imported by the audit's first entry, as in `_committee_of`.
        from guoying.domain import legacy
        from guoying.domain.advanced_cap import BranchCounted, tightens

        if isinstance(event, BranchCounted):
            key = (event.originator_id, event.branch_id)
            before = self.placements.get(key, ())
            self.placements[key] = event.placement
            return tightens(before, event.placement)
        # A store of guoying 0.1 tallied tiers per committee ledger instead.
        if isinstance(event, legacy.BranchTallied):
            return event.tier is Tier.ADVANCED
        if isinstance(event, legacy.BranchJoined):
            return any(tier is Tier.ADVANCED for _, tier in event.timeline)
        return event.originator_id.startswith("cap:") or isinstance(
            event, legacy.BranchLeft | legacy.AdvancedCapExceptionRecorded
        )


def _judged_under(event: AnyEvent, seen: _Seen) -> tuple[str, ...]:
    listed = event.authority.rule_ids
    if not seen.judged_by_cap(event):
        return tuple(r for r in listed if r != CAP)
    return listed if CAP in listed else (*listed, CAP)


def _event_entry(position: int, row: Any, seen: _Seen) -> AuditEntry:
    state = stored_state(row.state, f"the event at position {row.id}", row.id)
    event = decode_event(row.topic, state, row.originator_id, row.originator_version)
    branch_id, committee_id = _committee_of(event, seen.bases)
    detail = event_detail(event)
    return AuditEntry(
        position,
        chain.EVENT,
        recorded_time(row.recorded_at),
        event.effective_on,
        type(event).__name__,
        f"{event.originator_id}@{event.originator_version}",
        branch_id,
        committee_id,
        event.actor.person_id,
        event.actor.committee_id,
        event.actor.role,
        event.reason,
        event.authority.rule_ids,
        event.authority.policy_version,
        detail,
        _judged_under(event, seen),
    )


def _refusal_entry(position: int, row: Any, seen: _Seen) -> AuditEntry:
    bases = seen.bases
    payload: dict[str, Any] = json.loads(row.payload)
    branch_id = payload.get("branch_id")
    nomination_id = payload.get("nomination_id")
    if branch_id is None and isinstance(nomination_id, str):
        from guoying.domain.nomination import nomination_key

        branch_id = bases.get(nomination_key(nomination_id).id)
    effective = payload.get("effective_on")
    return AuditEntry(
        position,
        chain.REFUSAL,
        recorded_time(row.recorded_at),
        date.fromisoformat(effective) if isinstance(effective, str) else None,
        f"Refused {row.command}",
        f"refusal:{row.id}",
        branch_id if isinstance(branch_id, str) else None,
        row.subject_committee_id or (bases.get(branch_id) if isinstance(branch_id, str) else None),
        row.actor_person_id,
        row.actor_committee_id,
        str(payload.get("actor", {}).get("role", "")),
        row.reason,
        (row.rule_id,),
        None,
        {"message": row.message, "command": payload},
        (row.rule_id,),
    )


def read_audit(conn: Connection, wanted: AuditFilter) -> Iterator[AuditEntry]:
    """Every entry of the chain that the filter accepts, streaming, in store order."""
    seen = _Seen()
    for entries, rows in chain.batches(conn, BATCH):
        for entry in entries:
            row = rows[entry.kind].get(int(entry.ref))
            if row is None:
                continue  # verify names what is missing; the trail shows what is there
            build = _event_entry if entry.kind == chain.EVENT else _refusal_entry
            found = build(int(entry.position), row, seen)
            if wanted.accepts(found):
                yield found
