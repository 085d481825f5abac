"""The one error the domain raises: a rule of rules.md was broken."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guoying.domain.rules import RuleId


class RuleViolation(Exception):
    """A decision refused by a rule; `rule_id` is the id from rules.md."""

    def __init__(
        self, rule_id: RuleId, message: str, details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(f"{rule_id}: {message}")
        self.rule_id = rule_id
        self.message = message
        self.details: Mapping[str, Any] = dict(details or {})


class JurisdictionViolation(RuleViolation):
    """An actor acted outside its own subtree (`org.jurisdiction`)."""

    def __init__(self, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__("org.jurisdiction", message, details)
