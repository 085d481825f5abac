"""The audit trail of a selection year: for a branch, every step of its nomination and every
refusal about it, with who decided on whose authority (rules.md 10, item 5)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from guoying.api import AuditFilter, Guoying
from guoying.application.errors import Refused
from tests.unit import selection_builders as sb
from tests.unit.builders import setup_commands


def test_a_branch_s_audit_shows_its_nomination_s_decisions_and_refusals() -> None:
    """Every title and veto has an actor, a time and a reason in the audit trail."""
    branch_id = "base-a1-b0"
    with Guoying("memory://") as app:
        app.execute_unit(setup_commands())
        for command in sb.through_city_list():
            app.execute(command)
        with pytest.raises(Refused):
            # The base committee records a step about a candidate now at the city round.
            app.execute(sb.base_steps("base-a1")[0])
        with pytest.raises(Refused):
            app.execute(sb.naming(on=sb.NAMED_ON - timedelta(days=1)))
        app.execute(sb.naming())
        entries = list(app.audit(AuditFilter(branch_id=branch_id)))

    what = [e.what for e in entries]
    for expected in (
        "BranchApplied",
        "SelectionStepRecorded",
        "BranchRecommended",
        "CandidateForwarded",
        "TitleConferred",
    ):
        assert expected in what
    conferred = [e for e in entries if e.what == "TitleConferred"]
    assert [e.detail["level"] for e in conferred] == ["COMMITTEE", "CITY"]
    for entry in conferred:
        assert entry.actor_person_id
        assert entry.reason
        assert entry.recorded_at is not None
        assert "selection.title_levels" in entry.rule_ids
    # A refusal of a command naming the nomination is about its branch.
    refused = [e for e in entries if e.what == "Refused RecordSelectionStep"]
    assert len(refused) == 1
    assert refused[0].rule_ids == ("org.jurisdiction",)
    assert refused[0].committee_id == "base-a1"
