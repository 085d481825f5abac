"""The oversight read side on every store: supervision compliance met, not met and overdue,
visits, findings with the branches they flag for re-evaluation, linkage decisions with the
ledger's tier and funding with the Taishan Pioneer's grant, bitemporal and equal after a
rebuild (`supervision.*`, `accountability.*`, `reward.linkage`, `resources.funding`)."""

from __future__ import annotations

from datetime import date

import pytest

from guoying import NotFound
from guoying.api import ComplianceStatus, Guoying, Tier
from guoying.application import commands as cmd
from guoying.domain.accountability import FindingKind, FundingKind, LinkageKind
from guoying.domain.branch import branch_key
from guoying.domain.supervision import SupervisionMethod
from tests.integration import selection_years as sy
from tests.integration.builders import open_app, views_snapshot
from tests.unit import selection_builders as sb
from tests.unit.builders import BASE_A1, CITY, CM_A, INT_A, OWNER

YEAR = sb.YEAR
PIONEER = sb.branches(BASE_A1)[0]  # named Taishan Pioneer, granted 10,000 yuan
FLAGGED = tuple(sb.branches(BASE_A1)[1:3])
MET, NOT_MET, OVERDUE = ComplianceStatus.MET, ComplianceStatus.NOT_MET, ComplianceStatus.OVERDUE
MID_YEAR, AFTER_YEAR = date(YEAR, 8, 1), date(YEAR + 1, 1, 5)


def oversight_year(app: Guoying) -> None:
    sy.named_year(app)
    sy.run(
        app,
        [
            sb.command(
                cmd.HoldObservationExchange,
                CM_A,
                date(YEAR, 3, 1),
                exchange_id="x1",
                committee_id=CM_A,
                topic="观摩红旗党支部",
            ),
            sb.command(
                cmd.HoldSpecialMeeting,
                BASE_A1,
                date(YEAR, 4, 1),
                meeting_id="m1",
                committee_id=BASE_A1,
                chaired_by=OWNER,
                topic="研究部署过硬党支部建设",
            ),
            sb.command(
                cmd.RecordSupervisionVisit,
                CM_A,
                date(YEAR, 5, 10),
                visit_id="v1",
                branch_id=PIONEER,
                method=SupervisionMethod.ON_SITE_AND_ONLINE,
                findings="台账更新不及时",
                follow_up="一个月内补齐",
            ),
            sb.command(
                cmd.RecordFalsification,
                CM_A,
                date(YEAR, 8, 10),
                finding_id="f1",
                committee_id=BASE_A1,
                year=2017,
                report="2017年度考评结果弄虚作假",
                branch_ids=FLAGGED,
            ),
            sb.command(
                cmd.IssueAccountabilityFinding,
                CM_A,
                date(YEAR, 9, 1),
                finding_id="k1",
                committee_id=BASE_A1,
                held_for=FindingKind.MAJOR_ERROR,
                person_ids=(OWNER,),
                decision="诫勉谈话",
            ),
            sb.command(
                cmd.DecideRewardLinkage,
                BASE_A1,
                date(YEAR, 9, 5),
                decision_id="l1",
                linked_to=LinkageKind.ALLOWANCE,
                branch_id=PIONEER,
                year=YEAR,
                measure="书记补贴上浮",
            ),
            sb.command(
                cmd.RecordFunding,
                CM_A,
                date(YEAR, 3, 1),
                funding_id="fund1",
                committee_id=BASE_A1,
                year=YEAR,
                fund=FundingKind.VILLAGE_OPERATING,
                amount_yuan=50_000,
            ),
        ],
    )


def reevaluate(app: Guoying) -> None:
    """An evaluation result for the first flagged branch, recorded after the finding."""
    app.execute(
        sb.command(
            cmd.AdjustTier,
            BASE_A1,
            date(YEAR, 12, 20),
            branch_id=FLAGGED[0],
            year=YEAR,
            tier=Tier.LAGGING,
        )
    )


class TestOversightReadSideOnEveryStore:
    def test_supervision_compliance_is_met_not_met_while_a_period_runs_and_overdue_after(
        self, store_url: str
    ) -> None:
        """`supervision.exchange` per half year for a city-managed committee,
        `supervision.special_meeting` per year for every committee."""
        with open_app(store_url) as app:
            oversight_year(app)

            mid = {c.committee_id: c for c in app.compliance(CM_A, YEAR, as_of=MID_YEAR).committees}
            after = {
                c.committee_id: c for c in app.compliance(CM_A, YEAR, as_of=AFTER_YEAR).committees
            }

            assert next(iter(mid)) == CM_A
            assert set(mid) == {CM_A, BASE_A1, INT_A, "base-a2"}
            assert [(p.status, p.dates) for p in mid[CM_A].exchanges] == [
                (MET, (date(YEAR, 3, 1),)),
                (NOT_MET, ()),
            ]
            assert [p.status for p in after[CM_A].exchanges] == [MET, OVERDUE]
            assert mid[BASE_A1].exchanges == ()  # only city-managed committees hold them
            meetings_mid = {
                i: c.special_meeting.status for i, c in mid.items() if c.special_meeting
            }
            meetings_after = {
                i: c.special_meeting.status for i, c in after.items() if c.special_meeting
            }
            assert meetings_mid == {CM_A: NOT_MET, BASE_A1: MET, INT_A: NOT_MET, "base-a2": NOT_MET}
            assert meetings_after == {
                CM_A: OVERDUE,
                BASE_A1: MET,
                INT_A: OVERDUE,
                "base-a2": OVERDUE,
            }
            assert after[BASE_A1].special_meeting is not None
            assert after[BASE_A1].special_meeting.dates == (date(YEAR, 4, 1),)

    def test_the_report_holds_visits_findings_linkage_and_funding_with_the_grant(
        self, store_url: str
    ) -> None:
        """`supervision.methods`, `accountability.findings`, `reward.linkage` (the tier the
        ledger held), `resources.funding` (the Taishan Pioneer's grant is part of it)."""
        with open_app(store_url) as app:
            oversight_year(app)
            branch = app.store.get(branch_key(PIONEER))
            assert branch is not None

            rows = {
                c.committee_id: c for c in app.compliance(CM_A, YEAR, as_of=AFTER_YEAR).committees
            }

            (visit,) = rows[CM_A].visits
            assert (visit.branch_id, visit.method, visit.on) == (
                PIONEER,
                SupervisionMethod.ON_SITE_AND_ONLINE,
                date(YEAR, 5, 10),
            )
            (finding,) = rows[BASE_A1].findings
            assert (finding.kind, finding.person_ids, finding.issued_by, finding.decision) == (
                FindingKind.MAJOR_ERROR,
                (OWNER,),
                CM_A,
                "诫勉谈话",
            )
            (link,) = rows[BASE_A1].linkages
            assert (link.branch_id, link.tier) == (PIONEER, branch.tier_for(YEAR))
            assert [g.amount_yuan for g in rows[BASE_A1].grants] == [10_000]
            assert rows[BASE_A1].funding_yuan == 60_000
            figures = app.oversight_figures(CM_A, YEAR, as_of=AFTER_YEAR)
            assert (figures.visits, figures.findings, figures.falsifications) == (1, 1, 1)
            assert figures.exchanges == {MET: 1, OVERDUE: 1}
            assert figures.linkages_by_tier == {branch.tier_for(YEAR): 1}
            assert (figures.grants_yuan, figures.funding_yuan) == (10_000, 60_000)
            assert figures.funding_by_kind == {FundingKind.VILLAGE_OPERATING: 50_000}

    def test_accountability_falsification_flags_branches_until_a_later_evaluation_result(
        self, store_url: str
    ) -> None:
        """The flag stands per branch until an evaluation result for the report's year or a
        later one is recorded after the finding; as known before that, it still stands."""
        with open_app(store_url) as app:
            oversight_year(app)
            assert [f.branch_id for f in app.reevaluation_flags(CM_A)] == list(FLAGGED)
            before = sy.recorded_now(app)

            reevaluate(app)

            assert [f.branch_id for f in app.reevaluation_flags(CM_A)] == [FLAGGED[1]]
            assert [f.branch_id for f in app.reevaluation_flags(CITY, as_known_at=before)] == list(
                FLAGGED
            )
            (found,) = app.compliance(BASE_A1, YEAR, as_of=AFTER_YEAR).committees[0].falsifications
            assert (found.branch_ids, found.flagged, found.found_by) == (
                FLAGGED,
                (FLAGGED[1],),
                CM_A,
            )

    def test_unknown_committees_are_not_found(self, store_url: str) -> None:
        with open_app(store_url) as app:
            oversight_year(app)
            with pytest.raises(NotFound):
                app.compliance("nowhere", YEAR)

    def test_the_oversight_view_rebuilt_from_the_events_equals_the_one_kept_incrementally(
        self, store_url: str
    ) -> None:
        """rules.md section 10 item 6."""
        with open_app(store_url) as app:
            oversight_year(app)
            reevaluate(app)
            views = views_snapshot(app)
            seen = app.compliance(CM_A, YEAR, as_of=AFTER_YEAR)

            app.rebuild_views()

            assert views_snapshot(app) == views
            assert app.compliance(CM_A, YEAR, as_of=AFTER_YEAR) == seen
            assert app.replay_check() == []


def test_accountability_falsification_and_a_visit_s_findings_show_in_the_evaluation_histories(
    store_url: str,
) -> None:
    """The annual evaluation histories show, in the year of their dates, what a supervision
    visit found at a branch (`supervision.methods`) and a falsification found in a report
    that names it (`accountability.falsification`); as known before the finding, none."""
    with open_app(store_url) as app:
        oversight_year(app)

        visited = {r.year: r for r in app.evaluations(PIONEER).rows}[YEAR]
        flagged = {r.year: r for r in app.evaluations(FLAGGED[0]).rows}[YEAR]
        before = {r.year: r for r in app.evaluations(FLAGGED[0], as_of=date(YEAR, 8, 9)).rows}

        [visit] = [f for f in visited.findings if f.kind == "supervision.methods"]
        assert (visit.finding_id, visit.issued_by, visit.found_on) == (
            "v1",
            CM_A,
            date(YEAR, 5, 10),
        )
        assert "台账更新不及时" in visit.what
        [falsified] = [f for f in flagged.findings if f.kind == "accountability.falsification"]
        assert (falsified.finding_id, falsified.issued_by, falsified.recorded_by) == (
            "f1",
            CM_A,
            BASE_A1,
        )
        assert not [f for f in before[YEAR].findings if f.kind == "accountability.falsification"]
