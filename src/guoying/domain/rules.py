"""The catalogue of rule ids: every id of `spec/rules.md`, and the project's own two.

A closed type, so that a misspelt id in an error, a handler's registration or a test fails
the type check instead of reaching an auditor.
"""

from __future__ import annotations

from typing import Literal, get_args

RuleId = Literal[
    # 2. Organisation and reporting
    "org.hierarchy",
    "org.unit",
    "org.jurisdiction",
    "plan.filing",
    # 3. The ledger
    "ledger.tiers",
    "ledger.annual_adjustment",
    "ledger.advanced_cap",
    "ledger.weak_share",
    "ledger.row",
    "ledger.rectification",
    "ledger.liaison_coverage",
    "ledger.rollup",
    # 4. The three-year cultivation plan
    "cultivation.batches",
    "cultivation.row",
    "cultivation.minimum",
    "cultivation.coverage",
    "cultivation.deadline",
    # 5. Supervision
    "supervision.methods",
    "supervision.exchange",
    "supervision.special_meeting",
    # 6. The annual selection
    "selection.annual_titles",
    "selection.rounds",
    "selection.timeline",
    "selection.proposal_ratio",
    "selection.allotment",
    "selection.submission",
    "selection.consultation",
    "selection.public_notice",
    "selection.title_levels",
    "selection.priority",
    "selection.veto",
    "selection.rehabilitation",
    "selection.form",
    # 7. Mentoring
    "mentoring.ratio",
    "mentoring.plan",
    "mentoring.eligibility",
    # 8. Rewards, penalties and accountability
    "reward.grant",
    "reward.representative_priority",
    "title.revocation",
    "accountability.falsification",
    "accountability.findings",
    "reward.linkage",
    "accountability.assessment",
    # 9. Resources and publicity
    "resources.funding",
    "publicity.platform",
    # 9a gives these paragraphs no ids; the project names them.
    "policy.versions",
    "people.erasure",
]

RULE_IDS: tuple[RuleId, ...] = get_args(RuleId)
