"""Titles after conferral through the handler: revocation and downgrade (`title.revocation`),
the grant (`reward.grant`), the representative-priority flag, and a revocation that never
frees a place (`selection.annual_titles`)."""

from __future__ import annotations

from datetime import date

import pytest

from guoying.application import commands as cmd
from guoying.application.errors import Refused
from guoying.domain.branch import branch_key
from guoying.domain.nomination import Outcome, RewardGranted, TitleRevoked, nomination_key
from guoying.domain.policy import TAIAN_2017
from guoying.domain.selection_round import round_key
from guoying.domain.selection_year import selection_key
from guoying.domain.values import Tier, TitleLevel, VetoPeriod
from guoying.domain.vetoes import VetoSubject
from tests.unit import selection_builders as sb
from tests.unit.builders import BASE_A1, CITY, CM_A, CM_B, OD

AFTER = date(sb.YEAR, 9, 1)
PIONEER, RED_FLAG = sb.NAMED[0], sb.PROPOSALS[1]  # cm-a's named one, and its other title


@pytest.fixture
def named(store, handler):
    sb.run(handler, sb.whole_year())
    return handler


def held(store, nomination_id: str):
    found = store.get(nomination_key(nomination_id))
    assert found is not None
    return found.title


def refused(store, handler, command: cmd.Command, rule_id: str) -> None:
    before = store.event_count
    with pytest.raises(Refused) as raised:
        handler.execute(command)
    assert raised.value.rule_id == rule_id
    assert store.event_count == before
    assert store.refusals[-1].rule_id == rule_id


def test_title_revocation_by_the_conferring_body_withdraws_the_title_with_its_cause(store, named):
    named.execute(sb.command(cmd.RevokeTitle, CITY, AFTER, nomination_id=PIONEER))
    assert held(store, PIONEER) is None
    revoked = store.stream(nomination_key(PIONEER))[-1]
    assert isinstance(revoked, TitleRevoked)
    assert (revoked.decided_by, revoked.level, revoked.reason) == (
        CITY,
        TitleLevel.CITY,
        f"RevokeTitle by {CITY}",
    )


def test_title_revocation_by_a_body_that_did_not_confer_the_title_is_refused(store, named):
    for outsider in (CM_B, BASE_A1, OD):
        refused(
            store,
            named,
            sb.command(cmd.RevokeTitle, outsider, AFTER, nomination_id=RED_FLAG),
            "title.revocation",
        )
    # cm-a conferred it and the city committee is above cm-a: both may decide.
    named.execute(sb.command(cmd.RevokeTitle, CITY, AFTER, nomination_id=RED_FLAG))
    assert held(store, RED_FLAG) is None


def test_title_revocation_a_downgraded_taishan_pioneer_becomes_a_committee_red_flag_branch(
    store, named
):
    named.execute(sb.command(cmd.DowngradeTitle, CITY, AFTER, nomination_id=PIONEER))
    title = held(store, PIONEER)
    assert title is not None
    assert (title.level, title.conferred_by, title.since) == (TitleLevel.COMMITTEE, CM_A, AFTER)
    found = store.get(nomination_key(PIONEER))
    assert not found.representative_priority
    # Now held at committee level, its city-managed committee may decide about it; a second
    # downgrade revokes it.
    named.execute(sb.command(cmd.DowngradeTitle, CM_A, AFTER, nomination_id=PIONEER))
    assert held(store, PIONEER) is None
    last = store.stream(nomination_key(PIONEER))[-1]
    assert isinstance(last, TitleRevoked)
    assert last.by_downgrade


def test_title_revocation_may_lower_the_tier_in_the_same_decision(store, named):
    branch_id = "base-a1-b1"
    named.execute(
        sb.command(cmd.RevokeTitle, CM_A, AFTER, nomination_id=RED_FLAG, tier=Tier.LAGGING)
    )
    branch = store.get(branch_key(branch_id))
    assert branch is not None
    assert branch.tier_for(sb.YEAR) is Tier.LAGGING
    # A "lowering" that is not lower is refused with the whole decision.
    refused(
        store,
        named,
        sb.command(cmd.DowngradeTitle, CITY, AFTER, nomination_id=PIONEER, tier=Tier.ADVANCED),
        "title.revocation",
    )
    assert held(store, PIONEER) is not None


def test_selection_annual_titles_a_revocation_never_frees_a_place(store, named):
    named.execute(sb.command(cmd.RevokeTitle, CITY, AFTER, nomination_id=PIONEER))
    counts = store.get(selection_key(sb.YEAR))
    assert counts is not None
    assert counts.named_count == len(sb.NAMED)


def test_reward_grant_once_per_taishan_pioneer_with_the_policy_s_amount(store, named):
    grant = sb.command(cmd.GrantReward, OD, AFTER, nomination_id=PIONEER)
    named.execute(grant)
    granted = store.stream(nomination_key(PIONEER))[-1]
    assert isinstance(granted, RewardGranted)
    assert granted.amount_yuan == TAIAN_2017.grant_yuan
    refused(store, named, grant, "reward.grant")
    refused(
        store,
        named,
        sb.command(cmd.GrantReward, OD, AFTER, nomination_id=RED_FLAG),
        "reward.grant",
    )
    refused(
        store,
        named,
        sb.command(cmd.GrantReward, CM_A, AFTER, nomination_id=sb.NAMED[1]),
        "reward.grant",
    )


def test_reward_representative_priority_is_flagged_for_a_taishan_pioneer_only(store, named):
    assert store.get(nomination_key(PIONEER)).representative_priority
    assert not store.get(nomination_key(RED_FLAG)).representative_priority


def test_selection_veto_a_finding_after_conferral_does_not_revoke_the_title_by_itself(store, named):
    named.execute(
        sb.command(
            cmd.RecordVetoFinding,
            BASE_A1,
            AFTER,
            finding_id="later",
            subject=VetoSubject.BRANCH,
            subject_id="base-a1-b0",
            area="discipline",
            issuing_agency="discipline inspection",
            found_on=AFTER,
            period=VetoPeriod.CALENDAR_YEAR,
        )
    )
    assert held(store, PIONEER) is not None


def test_title_revocation_of_a_proposal_s_red_flag_title_takes_it_out_of_the_city_round(
    store, handler
):
    """Proposals are made among red-flag branches: revoking the title of one still in the
    city's round ends its candidacy there."""
    sb.run(handler, sb.through_city_managed())
    proposal = sb.PROPOSALS[0]
    handler.execute(sb.command(cmd.RevokeTitle, CM_A, date(sb.YEAR, 6, 1), nomination_id=proposal))
    found = store.get(nomination_key(proposal))
    assert found is not None
    assert found.ended is not None
    assert (found.ended.outcome, found.ended.committee_id) == (Outcome.TITLE_REVOKED, CITY)
    city_round = store.get(round_key(CITY, sb.YEAR))
    assert city_round is not None
    assert proposal not in city_round.live
