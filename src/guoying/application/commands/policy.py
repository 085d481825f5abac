"""Publishing a policy version (`policy.versions`)."""

from __future__ import annotations

from attrs import frozen

from guoying.application.commands.base import Command
from guoying.domain.policy import Policy

__all__ = ["PublishPolicy"]


@frozen(kw_only=True)
class PublishPolicy(Command):
    """Publish a complete policy version taking effect on `policy.effective_on`; fields not
    given take the 2017 Tai'an values. Only the city Organization Department publishes."""

    policy: Policy
