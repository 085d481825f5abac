"""Corrections (`ledger.row`): a recorded fact of a branch corrected by a new event that
names the one it corrects; nothing stored is rewritten."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from attrs import fields

from guoying.domain.branch import (
    Branch,
    BranchRegistered,
    CreationTargetSet,
    LiaisonAssigned,
    ProblemFound,
    RecordCorrected,
    TierAdjusted,
)
from guoying.domain.events import AnyEvent, DomainEvent, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.rules import RuleId
from guoying.domain.values import Decision

# The values a correction may give, by the names `RecordCorrected` records them under: its
# own fields but the metadata and what names the corrected fact.
CORRECTED_FIELDS: tuple[str, ...] = tuple(
    f.name
    for f in fields(RecordCorrected)
    if f.name
    not in {
        *(m.name for m in fields(DomainEvent)),
        "corrects_version",
        "corrected_event",
        "year",
        "case_id",
    }
)


# Which values each kind of recorded fact can be corrected in, and the rule it falls under.
_CORRECTABLE: dict[type[AnyEvent], tuple[tuple[str, ...], RuleId]] = {
    BranchRegistered: (("tier",), "ledger.tiers"),
    TierAdjusted: (("tier",), "ledger.annual_adjustment"),
    CreationTargetSet: (("target",), "ledger.row"),
    ProblemFound: (("problem", "measure", "deadline", "owner_id"), "ledger.rectification"),
    LiaisonAssigned: (("person_id", "position"), "ledger.liaison_coverage"),
}


def correct_record(
    branch: Branch, corrected: AnyEvent, decision: Decision, correction: Mapping[str, object]
) -> RecordCorrected:
    """Correct one recorded fact of this branch by a new event that names it; `correction`
    holds a value (None where not given) for each of `CORRECTED_FIELDS`."""
    branch.require_active()
    branch.require_registered_by(decision.effective_on)
    if corrected.originator_id != branch.id:
        raise RuleViolation(
            "ledger.row",
            f"event {corrected.originator_id}@{corrected.originator_version} is not one of "
            f"branch {branch.branch_id!r}'s records",
        )
    kind = type(corrected)
    if kind not in _CORRECTABLE:
        raise RuleViolation(
            "ledger.row",
            f"a {kind.__name__} is not a recorded fact that can be corrected; correctable: "
            + ", ".join(k.__name__ for k in _CORRECTABLE),
        )
    allowed, rule_id = _CORRECTABLE[kind]
    # Typed by RecordCorrected's own fields, which the command's fields of one name match.
    values: dict[str, Any] = {name: correction.get(name) for name in CORRECTED_FIELDS}
    given = {name for name, value in values.items() if value is not None}
    if not given:
        raise RuleViolation(
            rule_id, f"a correction of a {kind.__name__} gives {', '.join(allowed)}"
        )
    if not given <= set(allowed):
        raise RuleViolation(
            rule_id,
            f"a {kind.__name__} records {', '.join(allowed)}, "
            f"not {', '.join(sorted(given - set(allowed)))}",
        )
    year = getattr(corrected, "year", None)
    case_id = getattr(corrected, "case_id", None)
    if values["person_id"] is not None and values["position"] is None:
        values["position"] = getattr(corrected, "position", "")
    return RecordCorrected(
        **stamp(decision, branch.id, branch.version + 1),
        corrects_version=corrected.originator_version,
        corrected_event=kind.__name__,
        year=year,
        case_id=case_id,
        # Every value the correction gives or leaves out (None), by the event's field names.
        **values,
    )
