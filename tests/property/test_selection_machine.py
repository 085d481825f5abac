"""The selection year of `guoying.testing`, run against the memory store.

`SelectionMachine` drives one year's selection (rules.md section 6) through random
sequences of its commands, some wrong on purpose, and predicts every outcome from its own
model: `selection.allotment`, `selection.rounds`, `selection.timeline`,
`selection.consultation`, `selection.public_notice`, `selection.veto`,
`selection.rehabilitation`, `selection.priority`, `selection.title_levels`,
`selection.submission`, `selection.proposal_ratio`, `selection.annual_titles`,
`title.revocation`, `reward.grant`, `org.jurisdiction`. After every step it checks rules.md
section 10 items 1, 2, 4 and 5 and that no title was conferred without every round passed
and every notice elapsed. `selection_years()` draws whole years on generated cities that
apply command by command, checked the same way afterwards.

What the machine found is pinned in tests/unit/test_selection_veto_at_finalisation.py (a
red-flag branch conferred while a finding was in effect).
"""

from __future__ import annotations

import os

from hypothesis import given, settings

from guoying import Guoying
from guoying.domain.nomination import Nomination, nomination_key
from guoying.domain.policy import PolicyBook
from guoying.domain.selection_year import selection_key
from guoying.domain.values import TitleLevel
from guoying.testing import SelectionLog, SelectionMachine, SelectionYear, selection_years

# CI runs the property suite on two cores: fewer examples there. A machine's example of
# 100 steps takes under a second; most get to the city's naming, a quarter to a half fill
# the year's two titles (docs/testing.md).
IN_CI = os.environ.get("CI") == "true"

TestSelectionMachine = SelectionMachine.TestCase
TestSelectionMachine.settings = settings(
    max_examples=6 if IN_CI else 20, stateful_step_count=100, deadline=None
)
TestSelectionMachine.__doc__ = """rules.md 10 items 1, 2, 4, 5 and every title's rounds and
notices, on the memory store, over a selection year with two Taishan Pioneers a year."""


@settings(max_examples=4 if IN_CI else 10, deadline=None)
@given(selection_years())
def test_a_drawn_selection_year_applies_and_names_its_taishan_pioneers(year: SelectionYear) -> None:
    """`selection.rounds`, `selection.allotment`, `selection.proposal_ratio`,
    `selection.annual_titles`: every command of a drawn year applies; the city names the
    nominations it listed, each committee's red-flag titles are conferred, the year's count
    holds the names (a revocation afterwards frees no place), and rules.md 10 items 2, 4, 5
    and every title's rounds and notices hold on the store."""
    book = PolicyBook((year.policy,))
    with Guoying("memory://", policies=book) as app:
        for command in year:
            app.execute(command)
        counts = app.store.get(selection_key(year.year))
        assert counts is not None
        assert sorted(n for names in counts.named.values() for n in names) == sorted(year.named)
        for nomination_id in year.titled:
            nomination = app.store.get(nomination_key(nomination_id))
            assert isinstance(nomination, Nomination)
            assert nomination.titles_held[0][0] is TitleLevel.COMMITTEE
        for nomination_id in year.named:
            nomination = app.store.get(nomination_key(nomination_id))
            assert isinstance(nomination, Nomination)
            assert any(level is TitleLevel.CITY for level, *_ in nomination.titles_held)
        log = SelectionLog(year.city)
        log.read(app)
        log.check_no_title_under_a_veto()
        log.check_title_paths()
        log.check_annual_titles(app)
        log.check_audit_trail(app)
