"""`selection.veto` at a city-managed committee's finalisation: a finding in effect ends the
nomination of every red-flag branch the committee would confer, not only of its proposals.

Found by `SelectionMachine` (rules.md 10 item 2): the finalisation re-checked the proposals
alone, so a branch the committee titled without proposing it was named a red-flag branch
while a finding recorded during the notice was in effect.
"""

from __future__ import annotations

from datetime import date

from guoying.application import commands as cmd
from guoying.application.service import Handler
from guoying.domain.nomination import Outcome, nomination_key
from guoying.domain.selection_round import Removal, round_key
from guoying.domain.values import SelectionStep, TitleLevel
from guoying.domain.vetoes import VetoSubject
from tests.unit import selection_builders as sb
from tests.unit.builders import BASE_A2, CM_A, unit_id

DECIDED_ON = date(sb.YEAR, 5, 20)
# A branch of base-a2, titled by cm-a and not proposed for Taishan Pioneer.
TITLED_ONLY = sb.CM_A_CANDIDATES[2]


def through_cm_a_notice(handler: Handler) -> None:
    """cm-a titles its three candidates and proposes two; its list is noticed on 20 May."""
    on = date(sb.YEAR, 5, 10)
    sb.run(
        handler,
        [
            *sb.through_intermediate(),
            *sb.steps(CM_A, sb.CM_A_CANDIDATES, on, SelectionStep.SITE_INSPECTION),
            *sb.consult(CM_A, sb.CM_A_CANDIDATES, on),
            sb.decide(CM_A, sb.PROPOSALS[:2], DECIDED_ON, titled=sb.CM_A_CANDIDATES),
            sb.command(cmd.PublishNotice, CM_A, DECIDED_ON, committee_id=CM_A, year=sb.YEAR),
        ],
    )


def finding(subject: VetoSubject, subject_id: str) -> cmd.RecordVetoFinding:
    return sb.command(
        cmd.RecordVetoFinding,
        CM_A,
        date(sb.YEAR, 5, 21),
        finding_id="f-during-notice",
        subject=subject,
        subject_id=subject_id,
        area="discipline",
        issuing_agency="discipline inspection",
        found_on=date(sb.YEAR, 5, 21),
    )


def finalise(handler: Handler) -> None:
    handler.execute(
        sb.command(cmd.FinaliseList, CM_A, date(sb.YEAR, 5, 24), committee_id=CM_A, year=sb.YEAR)
    )


def test_a_titled_branch_with_a_finding_recorded_during_the_notice_is_vetoed_selection_veto(
    handler: Handler,
) -> None:
    """`selection.veto`: the finding in effect at the finalisation ends the titled-only
    nomination (who vetoed and why recorded) and it is not named red-flag; the others are."""
    through_cm_a_notice(handler)
    branch_id = TITLED_ONLY.removesuffix(f"-{sb.YEAR}")
    handler.execute(finding(VetoSubject.BRANCH, branch_id))
    finalise(handler)
    vetoed = handler.store.get(nomination_key(TITLED_ONLY))
    assert vetoed is not None
    assert vetoed.title is None
    assert vetoed.ended is not None
    assert (vetoed.ended.outcome, vetoed.ended.finding_id) == (Outcome.VETOED, "f-during-notice")
    found = handler.store.get(round_key(CM_A, sb.YEAR))
    assert found is not None
    assert found.removed == {TITLED_ONLY: Removal.VETOED}
    for proposed in sb.PROPOSALS[:2]:
        nomination = handler.store.get(nomination_key(proposed))
        assert nomination is not None
        assert nomination.title is not None
        assert nomination.title.level is TitleLevel.COMMITTEE


def test_a_finding_against_the_unit_of_a_titled_branch_bars_it_too_selection_veto(
    handler: Handler,
) -> None:
    """`selection.veto`: a finding against a unit the branch serves bars it the same way."""
    through_cm_a_notice(handler)
    handler.execute(finding(VetoSubject.UNIT, unit_id(BASE_A2)))
    finalise(handler)
    vetoed = handler.store.get(nomination_key(TITLED_ONLY))
    assert vetoed is not None
    assert vetoed.title is None
    assert vetoed.ended is not None
    assert vetoed.ended.outcome is Outcome.VETOED
