"""The stored event format shared by every aggregate.

Every event carries, besides its originator id and version, what an auditor needs: who
decided (`actor`), on whose authority (`authority`: rule ids and policy version), why
(`reason`) and from which business date (`effective_on`). The recorded time is not here:
the store assigns it when it commits (rules.md 9a).
"""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from attrs import frozen

from guoying.domain.values import Actor, Authority, Decision


@frozen(kw_only=True)
class DomainEvent:
    originator_id: str
    originator_version: int
    actor: Actor
    authority: Authority
    reason: str
    effective_on: date


class Stamp(TypedDict):
    originator_id: str
    originator_version: int
    actor: Actor
    authority: Authority
    reason: str
    effective_on: date


def stamp(decision: Decision, originator_id: str, version: int) -> Stamp:
    """The metadata fields of an event decided under `decision`."""
    return {
        "originator_id": originator_id,
        "originator_version": version,
        "actor": decision.actor,
        "authority": decision.authority,
        "reason": decision.reason,
        "effective_on": decision.effective_on,
    }
