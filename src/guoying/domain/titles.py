"""Red-flag titles after they are conferred: revocation and downgrade (`title.revocation`),
the Taishan Pioneer grant (`reward.grant`), and who may confer which level
(`selection.title_levels`)."""

from __future__ import annotations

from guoying.domain.events import next_version, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.nomination import (
    HeldTitle,
    Nomination,
    RewardGranted,
    TitleConferred,
    TitleDowngraded,
    TitleRevoked,
)
from guoying.domain.organization import CommitteeMap
from guoying.domain.policy import Policy
from guoying.domain.values import CommitteeLevel, Decision, TitleLevel

# The level of committee that confers each title level.
CONFERRED_BY: dict[TitleLevel, CommitteeLevel] = {
    TitleLevel.COMMITTEE: CommitteeLevel.CITY_MANAGED,
    TitleLevel.CITY: CommitteeLevel.CITY,
}


def confer(
    nomination: Nomination,
    view: CommitteeMap,
    decision: Decision,
    *,
    level: TitleLevel,
    proposed: bool = False,
) -> TitleConferred:
    """`selection.title_levels`: only a city-managed committee confers the red-flag name at
    its level, and only the city committee names Taishan Pioneers."""
    actor = view.get_active(decision.actor.committee_id)
    if actor is None or actor.level is not CONFERRED_BY[level]:
        raise RuleViolation(
            "selection.title_levels",
            f"{decision.actor.committee_id!r} may not confer a {level.value} red-flag title; "
            f"only a {CONFERRED_BY[level].value} committee does",
            {"committee_id": decision.actor.committee_id, "level": level.value},
        )
    return TitleConferred(
        **stamp(decision, nomination.id, next_version(nomination)),
        level=level,
        conferred_by=actor.committee_id,
        year=nomination.year,
        representative_priority=level is TitleLevel.CITY,
        proposed=proposed,
    )


def _require_held(nomination: Nomination) -> HeldTitle:
    if nomination.title is None:
        raise RuleViolation(
            "title.revocation",
            f"nomination {nomination.nomination_id!r} holds no title",
            {"nomination_id": nomination.nomination_id},
        )
    return nomination.title


def _require_conferrer_or_above(view: CommitteeMap, decision: Decision, title: HeldTitle) -> None:
    above = [c.committee_id for c in view.lineage(title.conferred_by)]
    if decision.actor.committee_id not in above:
        raise RuleViolation(
            "title.revocation",
            f"only {title.conferred_by!r}, which conferred the title, or a body above it "
            f"decides about it, not {decision.actor.committee_id!r}",
            {"conferred_by": title.conferred_by, "actor_committee_id": decision.actor.committee_id},
        )


def revoke(nomination: Nomination, view: CommitteeMap, decision: Decision) -> TitleRevoked:
    title = _require_held(nomination)
    _require_conferrer_or_above(view, decision, title)
    return TitleRevoked(
        **stamp(decision, nomination.id, next_version(nomination)),
        level=title.level,
        decided_by=decision.actor.committee_id,
        by_downgrade=False,
    )


def downgrade(
    nomination: Nomination, view: CommitteeMap, decision: Decision
) -> TitleDowngraded | TitleRevoked:
    """A downgraded Taishan Pioneer becomes a red-flag branch of its city-managed committee;
    a downgraded committee-level title is revoked."""
    title = _require_held(nomination)
    _require_conferrer_or_above(view, decision, title)
    if title.level is TitleLevel.COMMITTEE:
        return TitleRevoked(
            **stamp(decision, nomination.id, next_version(nomination)),
            level=title.level,
            decided_by=decision.actor.committee_id,
            by_downgrade=True,
        )
    committee = view.city_managed_of(nomination.base_committee_id)
    if committee is None:
        raise RuleViolation(
            "title.revocation",
            f"branch {nomination.branch_id!r} has no city-managed committee to hold the "
            "downgraded title",
        )
    return TitleDowngraded(
        **stamp(decision, nomination.id, next_version(nomination)),
        decided_by=decision.actor.committee_id,
        now_held_from=committee.committee_id,
    )


def grant_reward(
    nomination: Nomination, view: CommitteeMap, decision: Decision, policy: Policy
) -> RewardGranted:
    """`reward.grant`: the city's Party dues fund each Taishan Pioneer once."""
    actor = view.get_active(decision.actor.committee_id)
    if actor is None or actor.level not in {
        CommitteeLevel.CITY,
        CommitteeLevel.ORGANIZATION_DEPARTMENT,
    }:
        raise RuleViolation(
            "reward.grant",
            f"the grant comes from the Party dues managed at city level; "
            f"{decision.actor.committee_id!r} does not grant it",
            {"actor_committee_id": decision.actor.committee_id},
        )
    if nomination.title is None or nomination.title.level is not TitleLevel.CITY:
        raise RuleViolation(
            "reward.grant",
            f"nomination {nomination.nomination_id!r} holds no Taishan Pioneer title",
            {"nomination_id": nomination.nomination_id},
        )
    if nomination.reward_yuan is not None:
        raise RuleViolation(
            "reward.grant",
            f"nomination {nomination.nomination_id!r} was granted {nomination.reward_yuan} yuan",
            {"nomination_id": nomination.nomination_id},
        )
    return RewardGranted(
        **stamp(decision, nomination.id, next_version(nomination)), amount_yuan=policy.grant_yuan
    )
