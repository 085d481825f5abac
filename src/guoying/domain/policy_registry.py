"""Published policy versions: the city Organization Department publishes a new version with
the date it takes effect, so that a changed share, notice length or agency list applies from
that date and never changes a past decision (rules.md 9a, "Policy versions").

Refusals about publishing name `policy.versions`, the project's id for that paragraph of 9a.
"""

from __future__ import annotations

from attrs import define, field, frozen

from guoying.domain.events import DomainEvent, Key, stamp
from guoying.domain.exceptions import JurisdictionViolation, RuleViolation
from guoying.domain.organization import CommitteeMap
from guoying.domain.policy import Policy, PolicyBook
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
    return PolicyPublished(
        **stamp(decision, REGISTRY_ID, (registry.version if registry else 0) + 1), policy=policy
    )


REGISTRY_KEY: Key[PolicyRegistry] = Key(REGISTRY_ID, PolicyRegistry)
