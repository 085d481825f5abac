"""Corrections (`ledger.row`): a recorded fact of a branch corrected by a new event that
names the one it corrects; nothing stored is rewritten."""

from __future__ import annotations

from datetime import date

from attrs import asdict, evolve, fields, frozen

from guoying.domain.branch import (
    Branch,
    BranchRegistered,
    CreationTargetSet,
    LiaisonAssigned,
    ProblemFound,
    RecordCorrected,
    TierAdjusted,
)
from guoying.domain.events import AnyEvent, stamp
from guoying.domain.exceptions import RuleViolation
from guoying.domain.rules import RuleId
from guoying.domain.values import Decision, Tier


@frozen
class Correction:
    """The values a correction gives; only those that apply to the corrected fact."""

    tier: Tier | None = None
    target: Tier | None = None
    problem: str | None = None
    measure: str | None = None
    deadline: date | None = None
    owner_id: str | None = None
    person_id: str | None = None
    position: str | None = None

    @classmethod
    def of(cls, source: object) -> Correction:
        """The values `source` (a command) gives, by these fields' names."""
        return cls(**{f.name: getattr(source, f.name) for f in fields(cls)})


# Which values each kind of recorded fact can be corrected in, and the rule it falls under.
_CORRECTABLE: dict[type[AnyEvent], tuple[tuple[str, ...], RuleId]] = {
    BranchRegistered: (("tier",), "ledger.tiers"),
    TierAdjusted: (("tier",), "ledger.annual_adjustment"),
    CreationTargetSet: (("target",), "ledger.row"),
    ProblemFound: (("problem", "measure", "deadline", "owner_id"), "ledger.rectification"),
    LiaisonAssigned: (("person_id", "position"), "ledger.liaison_coverage"),
}


def correct_record(
    branch: Branch, corrected: AnyEvent, decision: Decision, correction: Correction
) -> RecordCorrected:
    """Correct one recorded fact of this branch by a new event that names it."""
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
    given = {f.name for f in fields(Correction) if getattr(correction, f.name) is not None}
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
    if correction.person_id is not None and correction.position is None:
        correction = evolve(correction, position=getattr(corrected, "position", ""))
    return RecordCorrected(
        **stamp(decision, branch.id, branch.version + 1),
        corrects_version=corrected.originator_version,
        corrected_event=kind.__name__,
        year=year,
        case_id=case_id,
        # Every value the correction gives or leaves out (None), by the event's field names.
        **asdict(correction, recurse=False),
    )
