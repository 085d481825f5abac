"""Published policy versions: the city Organization Department publishes a new version with
the date it takes effect, so that a changed share, notice length or agency list applies from
that date and never changes a past decision (rules.md 9a, "Policy versions").

Refusals about publishing name `policy.versions`, the project's id for that paragraph of 9a.
"""

from __future__ import annotations

from datetime import date

from attrs import define, field, frozen

from guoying.domain.events import DomainEvent, Key, stamp
from guoying.domain.exceptions import JurisdictionViolation, RuleViolation
from guoying.domain.organization import CommitteeMap
from guoying.domain.policy import Policy, PolicyBook
from guoying.domain.rules import RuleId
from guoying.domain.values import CommitteeLevel, Decision

REGISTRY_ID = "policy:book"


@define
class PolicyRegistry:
    id: str
    version: int
    published: list[Policy] = field(factory=list)

    def book(self, defaults: PolicyBook) -> PolicyBook:
        return PolicyBook((*defaults.versions, *self.published))


@frozen(kw_only=True)
class PolicyPublished(DomainEvent[PolicyRegistry]):
    policy: Policy

    def mutate(self, registry: PolicyRegistry | None) -> PolicyRegistry:
        registry = registry or PolicyRegistry(id=self.originator_id, version=0)
        registry.published.append(self.policy)
        registry.version = self.originator_version
        return registry


def publish_policy(
    registry: PolicyRegistry | None,
    defaults: PolicyBook,
    tree: CommitteeMap,
    decision: Decision,
    policy: Policy,
) -> PolicyPublished:
    actor = tree.get_active(decision.actor.committee_id)
    if actor is None or actor.level is not CommitteeLevel.ORGANIZATION_DEPARTMENT:
        raise JurisdictionViolation(
            "only the city Organization Department publishes policy versions, not "
            f"{decision.actor.committee_id!r}"
        )
    if not policy.version.strip():
        raise RuleViolation("policy.versions", "a policy version needs a name")
    for name in ("advanced_share", "weak_share"):
        share = getattr(policy, name)
        if share is not None and not share.is_finite():
            raise RuleViolation("policy.versions", f"{name} must be a number, not {share}")
    book = registry.book(defaults) if registry else defaults
    if any(v.version == policy.version for v in book.versions):
        raise RuleViolation("policy.versions", f"policy version {policy.version!r} already exists")
    last = book.versions[-1]
    if policy.effective_on <= last.effective_on:
        raise RuleViolation(
            "policy.versions",
            f"a new version must take effect after the last published one ({last.version}, "
            f"{last.effective_on}), not on {policy.effective_on}",
        )
    if policy.first_year > policy.last_year:
        raise RuleViolation("policy.versions", "first_year is after last_year")
    if not 0 < policy.advanced_share <= 1:
        raise RuleViolation("ledger.advanced_cap", "the advanced share lies in (0, 1]")
    if policy.weak_share is not None and not 0 <= policy.weak_share <= 1:
        raise RuleViolation("ledger.weak_share", "the weak share lies in [0, 1]")
    _require_supervision_periods(policy)
    return PolicyPublished(
        **stamp(decision, REGISTRY_ID, (registry.version if registry else 0) + 1), policy=policy
    )


def _require_supervision_periods(policy: Policy) -> None:
    """The supervision periods are days of a year (29 February is not), in order, and the
    last ends the year, so that every day of a year lies in one period."""
    checked: tuple[tuple[RuleId, tuple[tuple[int, int], ...]], ...] = (
        ("supervision.exchange", policy.exchange_periods_end),
        ("supervision.special_meeting", (policy.special_meeting_due,)),
    )
    for rule_id, days in checked:
        try:
            ends = [date(2017, month, day) for month, day in days]
        except (TypeError, ValueError):
            raise RuleViolation(rule_id, f"{days} are not (month, day) pairs of a year") from None
        if not ends or ends != sorted(set(ends)):
            raise RuleViolation(rule_id, f"the periods {days} are not in order, each once")
    if policy.exchange_periods_end[-1] != (12, 31):
        raise RuleViolation("supervision.exchange", "the last exchange period ends on 31 December")


REGISTRY_KEY: Key[PolicyRegistry] = Key(REGISTRY_ID, PolicyRegistry)
