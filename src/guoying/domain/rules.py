"""The catalogue of rule ids: every id of `spec/rules.md`, and the project's own two.

A closed type, so that a misspelt id in an error, a handler's registration or a test fails
the type check instead of reaching an auditor.
"""

from __future__ import annotations

from enum import StrEnum
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


class RuleStatus(StrEnum):
    """How a rule stands where the code does not (only) refuse by it."""

    REPORTED = "reported"  # a view reports it; nothing is refused by it (or by this part)
    NOT_YET = "not_yet"  # a part of the rule the library does not build yet


# What the rule matrix (docs/rule-matrix.md, generated) shows beside where a rule is
# enforced: the parts of rules that are reported rather than refused, and those not built.
# A rule of the spec with no handler registered with it and no RuleViolation raised with it
# must be here, or `make test` fails (tests/unit/test_rule_matrix.py).
RULE_STATUS: dict[RuleId, tuple[tuple[RuleStatus, str], ...]] = {
    "org.hierarchy": (
        (
            RuleStatus.NOT_YET,
            (
                "The city Organization Department's review of a cultivation plan (Annex 2) filed "
                "with it is not recorded; the plan's filing, lateness and amendments are."
            ),
        ),
    ),
    "ledger.weak_share": (
        (
            RuleStatus.REPORTED,
            (
                "Each committee's weak share against the policy's figure, in the tier figures "
                "(`Guoying.figures`, `guoying ledger`); a decision is never refused by it. A "
                "policy version is refused only for a figure outside [0, 1]."
            ),
        ),
    ),
    "ledger.rectification": (
        (
            RuleStatus.REPORTED,
            "Open, closed and overdue cases per branch in the ledger (`guoying ledger`).",
        ),
    ),
    "ledger.liaison_coverage": (
        (
            RuleStatus.REPORTED,
            (
                "Branches without a liaison and leaders who liaise with none, for a committee's "
                "subtree (`Guoying.liaison_coverage`, `guoying coverage`, exit 1 when not met)."
            ),
        ),
    ),
    "ledger.rollup": (
        (
            RuleStatus.REPORTED,
            (
                "A view, not a decision: the ledger of any committee above base level is the union "
                "of its subtree's, in sector order, numbered 1..N (`Guoying.ledger`, "
                "`guoying ledger`)."
            ),
        ),
    ),
    "cultivation.coverage": (
        (
            RuleStatus.REPORTED,
            (
                "The sectors a cultivation plan covers and misses (`Guoying.cultivation_plan`, "
                "`guoying plan`)."
            ),
        ),
    ),
    "cultivation.deadline": (
        (
            RuleStatus.REPORTED,
            (
                "A plan or schedule filed after its deadline is recorded as late, never refused "
                "(`guoying plan`, `guoying mentoring`)."
            ),
        ),
    ),
    "supervision.methods": (
        (
            RuleStatus.REPORTED,
            (
                "Visits by method in the compliance report (`Guoying.compliance`, "
                "`guoying compliance`)."
            ),
        ),
    ),
    "supervision.exchange": (
        (
            RuleStatus.REPORTED,
            "Met, not met or overdue per half year (`Guoying.compliance`, `guoying compliance`).",
        ),
    ),
    "supervision.special_meeting": (
        (
            RuleStatus.REPORTED,
            "Met, not met or overdue per year (`Guoying.compliance`, `guoying compliance`).",
        ),
    ),
    "mentoring.ratio": (
        (
            RuleStatus.REPORTED,
            (
                "A red-flag branch with fewer active pairs than the target is reported "
                "(`Guoying.mentoring`, `guoying mentoring`); the maximum is refused."
            ),
        ),
    ),
    "reward.linkage": (
        (
            RuleStatus.REPORTED,
            (
                "Decisions by tier per committee and year (`guoying compliance`, "
                "`guoying assessment`); nothing is refused."
            ),
        ),
    ),
    "accountability.assessment": (
        (
            RuleStatus.REPORTED,
            (
                "The §8 figures of a committee's subtree and year (`Guoying.assessment`, "
                "`guoying assessment`)."
            ),
        ),
    ),
    "publicity.platform": (
        (
            RuleStatus.REPORTED,
            (
                "What a branch or the city would publish (`Guoying.branch_progress`, "
                "`Guoying.red_flag_column`, `guoying publicity`); no client for either platform."
            ),
        ),
    ),
}
