"""Refusals say what happened (issue 11, defect 8): a committee dissolved on one date is
named with that date, not with the date of the decision refused because of it."""

from __future__ import annotations

from datetime import date

import pytest

from guoying.domain.exceptions import JurisdictionViolation, RuleViolation
from guoying.domain.organization import OrgTree, dissolve_committee, rename_committee
from tests.unit.builders import BASE_A2, CM_A, decision, org_tree

DISSOLVED_ON = date(2018, 10, 31)
DECIDED_ON = date(2018, 11, 15)


@pytest.fixture
def tree() -> OrgTree:
    dissolved = dissolve_committee(
        org_tree(), decision(CM_A, on=DISSOLVED_ON), committee_id=BASE_A2, active_branches=0
    )
    return dissolved.mutate(org_tree())


def test_org_jurisdiction_names_the_date_the_committee_was_dissolved(tree: OrgTree) -> None:
    with pytest.raises(JurisdictionViolation) as caught:
        tree.at(DECIDED_ON).require_jurisdiction(BASE_A2, BASE_A2)
    message = caught.value.message
    assert f"was dissolved on {DISSOLVED_ON}" in message, message
    assert f"dissolved on {DECIDED_ON}" not in message, message


def test_org_hierarchy_names_the_date_the_committee_was_dissolved(tree: OrgTree) -> None:
    with pytest.raises(RuleViolation, match=r"^org\.hierarchy:") as caught:
        rename_committee(tree, decision(CM_A, on=DECIDED_ON), committee_id=BASE_A2, name="新名")
    assert f"was dissolved on {DISSOLVED_ON}" in caught.value.message
