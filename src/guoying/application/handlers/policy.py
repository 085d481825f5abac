"""Policy versions published by the city Organization Department (`policy.versions`)."""

from __future__ import annotations

from guoying.application.commands import PublishPolicy
from guoying.application.lookups import require_tree
from guoying.application.registry import handles
from guoying.application.unit import Context
from guoying.domain.policy_registry import REGISTRY_KEY, publish_policy


@handles(PublishPolicy, "policy.versions", "org.jurisdiction")
def publish(ctx: Context, command: PublishPolicy) -> None:
    tree = require_tree(ctx)
    ctx.record(
        publish_policy(
            ctx.uow.get(REGISTRY_KEY),
            ctx.defaults,
            tree.at(ctx.decision.effective_on),
            ctx.decision,
            command.policy,
        )
    )
