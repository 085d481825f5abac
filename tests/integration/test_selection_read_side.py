"""The selection's read side on every store: the board of a year, the title register as known
at a recorded time and in effect on a business date, and the Annex 3 form, from a whole
selection year run through the API (tests/integration/selection_years.py)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from guoying import ErasePerson, NotFound
from guoying.api import BoardStatus, TitleEnd, TitleLevel
from guoying.domain.labels import ERASED
from guoying.domain.policy import TAIAN_2017
from tests.integration import selection_years as sy
from tests.integration.builders import open_app, views_snapshot
from tests.unit import selection_builders as sb
from tests.unit.builders import BASE_A1, BASE_B1, CITY, CM_A, CM_B, OD, actor

A1, A2, B1 = sb.A1, sb.A2, sb.B1
PIONEER, DOWNGRADED = sb.NAMED  # base-a1-b0 keeps its title; base-b1-b0 is downgraded
REVOKED, FLAGGED = sb.PROPOSALS[1], sb.PROPOSALS[3]  # committee titles of cm-a and cm-b


class TestSelectionReadSideOnEveryStore:
    def test_the_board_of_a_named_year_shows_each_nomination_where_it_stopped(
        self, store_url: str
    ) -> None:
        """`selection.rounds`, `selection.timeline`, `selection.priority`: the named, the
        titled and those not passed, with the naming recorded as late and the award that
        marked a branch for priority."""
        with open_app(store_url) as app:
            sy.named_year(app)

            board = {r.nomination_id: r for r in app.selection_board(sy.YEAR).rows}

            assert len(board) == 12
            named = board[PIONEER]
            assert (named.status, named.title, named.round_committee_id) == (
                BoardStatus.NAMED,
                TitleLevel.CITY,
                None,
            )
            assert (named.branch_name, named.base_committee_id) == (
                f"Branch {sb.branches(BASE_A1)[0]}",
                BASE_A1,
            )
            assert (named.city_managed_committee_id, named.city_managed_committee_name) == (
                CM_A,
                "cm-a committee",
            )
            assert named.priority_awards == (sy.AWARD,)
            assert [(s.what, s.committee_id, s.due_on, s.on) for s in named.late] == [
                ("RoundListFinal", CITY, sy.NAMING_DUE, sy.NAMED_ON)
            ]
            # Named, then downgraded: the board keeps the outcome, the title now held shows.
            assert (board[DOWNGRADED].status, board[DOWNGRADED].title) == (
                BoardStatus.NAMED,
                TitleLevel.COMMITTEE,
            )
            # Titled by its committee, not named by the city; its title revoked since.
            titled = board[REVOKED]
            assert (titled.status, titled.title) == (BoardStatus.TITLED, None)
            assert titled.ended is not None
            assert (titled.ended.outcome, titled.ended.committee_id) == ("NOT_PASSED", CITY)
            assert board[FLAGGED].title is TitleLevel.COMMITTEE
            stopped = {
                A1[2]: BASE_A1,
                A1[3]: BASE_A1,
                A2[0]: CM_A,
                A2[1]: "int-a",
                A2[2]: "base-a2",
                B1[2]: CM_B,
                B1[3]: BASE_B1,
            }
            for nomination_id, committee_id in stopped.items():
                row = board[nomination_id]
                assert row.status is BoardStatus.NOT_PASSED, row
                assert row.ended is not None
                assert row.ended.committee_id == committee_id
                assert (row.title, row.awaited, row.vetoes, row.objections) == (None, (), (), ())

            # `--committee`: the nominations under cm-b's subtree.
            cm_b = app.selection_board(sy.YEAR, CM_B)
            assert [r.nomination_id for r in cm_b.rows] == B1
            assert app.selection_board(sy.YEAR, CITY).rows == app.selection_board(sy.YEAR).rows
            assert app.selection_board(sy.YEAR + 1).rows == ()

    def test_the_board_shows_answers_awaited_vetoes_objections_and_late_steps(
        self, store_url: str
    ) -> None:
        """`selection.consultation`, `selection.veto`, `selection.public_notice`,
        `selection.timeline`: who vetoed and why, the objection upheld during the notice,
        the agencies yet to answer at each candidate's round, late applications and a late
        on-site inspection."""
        with open_app(store_url) as app:
            sy.base_rounds(app)
            agencies = TAIAN_2017.agencies_always

            board = {r.nomination_id: r for r in app.selection_board(sy.YEAR).rows}

            forwarded = board[A1[0]]
            assert (forwarded.status, forwarded.round_committee_id) == (
                BoardStatus.FORWARDED,
                CM_A,
            )
            assert forwarded.awaited == agencies
            assert [(s.what, s.committee_id, s.due_on, s.on) for s in forwarded.late] == [
                ("SITE_INSPECTION", CM_A, date(sy.YEAR, 5, 31), sy.LATE_INSPECTED_ON)
            ]
            objected = board[A1[1]]
            assert objected.status is BoardStatus.OBJECTION_UPHELD
            assert [(o.committee_id, o.upheld_by_person_id, o.on) for o in objected.objections] == [
                (BASE_A1, actor(BASE_A1).person_id, sy.OBJECTION_ON)
            ]
            assert board[A1[2]].status is BoardStatus.NOT_PASSED
            vetoed = board[A1[3]]
            assert vetoed.status is BoardStatus.VETOED
            (veto,) = vetoed.vetoes
            assert (veto.committee_id, veto.finding_id, veto.issuing_agency) == (
                BASE_A1,
                sy.VETO,
                agencies[0],
            )
            assert (veto.vetoed_by_person_id, veto.vetoed_by_committee_id, veto.on) == (
                actor(BASE_A1).person_id,
                BASE_A1,
                sy.BASE_A1_ON,
            )
            assert sy.VETO in veto.finding
            for nomination_id, awaited in zip(
                B1, [(), agencies[4:], agencies, agencies], strict=True
            ):
                row = board[nomination_id]
                assert (row.status, row.round_committee_id) == (BoardStatus.CANDIDATE, BASE_B1)
                assert row.awaited == awaited
                assert [(s.what, s.due_on, s.on) for s in row.late] == [
                    ("BranchApplied", date(sy.YEAR, 3, 31), sy.LATE_APPLIED_ON)
                ]

            # As in effect before the objection: both on base-a1's list, awaiting its notice.
            during = app.selection_board(sy.YEAR, BASE_A1, as_of=sy.BASE_A1_ON)
            assert [(r.nomination_id, r.status) for r in during.rows[:2]] == [
                (A1[0], BoardStatus.LISTED),
                (A1[1], BoardStatus.LISTED),
            ]
            # A committee's board: its subtree, and the candidates at its round.
            assert [r.nomination_id for r in app.selection_board(sy.YEAR, CM_A).rows] == A1
            assert [r.nomination_id for r in app.selection_board(sy.YEAR, BASE_B1).rows] == B1

    def test_the_title_register_shows_who_holds_which_title_and_what_ended_it(
        self, store_url: str
    ) -> None:
        """`selection.annual_titles`, `title.revocation`, `reward.grant`,
        `reward.representative_priority`, `selection.veto`: the register at the end of the
        year, a downgrade and a revocation with their causes, and a finding against a unit
        recorded after conferral flagging the titles of the branches serving it."""
        with open_app(store_url) as app:
            sy.named_year(app)

            register = app.titles(sy.YEAR)

            assert register.on == date(sy.YEAR, 12, 31)
            entries = [
                (e.nomination_id, e.level, e.conferred_by, e.since, e.held)
                for e in register.entries
            ]
            assert entries == [
                (PIONEER, TitleLevel.CITY, CITY, sy.NAMED_ON, True),
                (DOWNGRADED, TitleLevel.CITY, CITY, sy.NAMED_ON, False),
                (REVOKED, TitleLevel.COMMITTEE, CM_A, date(sy.YEAR, 5, 24), False),
                (FLAGGED, TitleLevel.COMMITTEE, CM_B, date(sy.YEAR, 5, 24), True),
                (DOWNGRADED, TitleLevel.COMMITTEE, CM_B, sy.DOWNGRADED_ON, True),
            ]
            pioneer, downgraded, revoked, flagged, now_committee = register.entries
            assert (pioneer.reward_yuan, pioneer.representative_priority) == (
                TAIAN_2017.grant_yuan,
                True,
            )
            assert (pioneer.year, pioneer.conferred_by_name, pioneer.flags) == (
                sy.YEAR,
                "city committee",
                (),
            )
            assert downgraded.ended is not None
            assert (downgraded.ended.how, downgraded.ended.decided_by, downgraded.ended.on) == (
                TitleEnd.DOWNGRADED,
                CITY,
                sy.DOWNGRADED_ON,
            )
            assert downgraded.ended.cause == f"DowngradeTitle by {CITY}"
            assert revoked.ended is not None
            assert (revoked.ended.how, revoked.ended.decided_by, revoked.ended.on) == (
                TitleEnd.REVOKED,
                CM_A,
                sy.REVOKED_ON,
            )
            # The finding was recorded while both held their titles; the downgrade that
            # followed decided on it, so the committee title held since is not flagged.
            for entry in (downgraded, flagged):
                (flag,) = entry.flags
                assert (flag.finding_id, flag.subject, flag.subject_id) == (
                    sy.FINDING,
                    "UNIT",
                    "unit-base-b1",
                )
                assert (flag.issuing_agency, flag.recorded_on, flag.received_by) == (
                    "审计局",
                    sy.FINDING_ON,
                    BASE_B1,
                )
            assert now_committee.flags == ()
            assert now_committee.representative_priority is False
            assert [e.nomination_id for e in register.held] == [PIONEER, FLAGGED, DOWNGRADED]

            # Titles do not expire: the next year's register still holds them, named 2018;
            # those that ended in 2018 are not on it.
            later = app.titles(sy.YEAR + 1)
            assert [(e.nomination_id, e.level, e.year, e.held) for e in later.entries] == [
                (PIONEER, TitleLevel.CITY, sy.YEAR, True),
                (FLAGGED, TitleLevel.COMMITTEE, sy.YEAR, True),
                (DOWNGRADED, TitleLevel.COMMITTEE, sy.YEAR, True),
            ]
            assert app.titles(sy.YEAR - 1).entries == ()

    def test_the_title_register_is_bitemporal(self, store_url: str) -> None:
        """`title.revocation`, `selection.annual_titles`: as known before the naming there
        is no Taishan Pioneer; in effect before the revocation and the downgrade, the titles
        are held; a finding recorded after that date does not flag them yet; on a date after
        the year, the year's register is read on that date."""
        with open_app(store_url) as app:
            built = sy.named_year(app)

            known = app.titles(sy.YEAR, as_known_at=built.before_naming)
            assert [(e.nomination_id, e.level, e.held) for e in known.entries] == [
                (nomination_id, TitleLevel.COMMITTEE, True) for nomination_id in sb.PROPOSALS
            ]
            board = app.selection_board(sy.YEAR, as_known_at=built.before_naming)
            listed = {r.nomination_id: r.status for r in board.rows if r.round_committee_id}
            assert listed == {
                PIONEER: BoardStatus.LISTED,
                DOWNGRADED: BoardStatus.LISTED,
            }

            before_revocation = app.titles(sy.YEAR, as_of=sy.REVOKED_ON - timedelta(days=1))
            assert before_revocation.on == sy.REVOKED_ON - timedelta(days=1)
            revoked = next(e for e in before_revocation.entries if e.nomination_id == REVOKED)
            assert (revoked.held, revoked.ended) == (True, None)

            before_finding = app.titles(sy.YEAR, as_of=sy.FINDING_ON - timedelta(days=1))
            assert [
                (e.nomination_id, e.level, e.held, e.flags) for e in before_finding.entries
            ] == [
                (PIONEER, TitleLevel.CITY, True, ()),
                (DOWNGRADED, TitleLevel.CITY, True, ()),
                (REVOKED, TitleLevel.COMMITTEE, True, ()),
                (FLAGGED, TitleLevel.COMMITTEE, True, ()),
            ]
            # An as-of date after the year: the titles named up to it, on that date, and
            # those ended since the year began.
            after = app.titles(sy.YEAR, as_of=date(sy.YEAR + 1, 3, 1))
            assert after.on == date(sy.YEAR + 1, 3, 1)
            assert after.entries == app.titles(sy.YEAR).entries
            # Before the naming's date, the committee titles alone were in effect.
            before_naming = app.titles(sy.YEAR, as_of=sy.NAMED_ON - timedelta(days=1))
            assert {e.level for e in before_naming.entries} == {TitleLevel.COMMITTEE}

    def test_the_form_holds_the_dossier_honours_secretary_and_four_sealed_dated_opinions(
        self, store_url: str
    ) -> None:
        """`selection.form`: Annex 3 of a named branch, each opinion sealed and dated; as
        known before the naming, the city committee's approval is not given yet; a
        nomination that stopped at its base committee has none; an erased secretary shows
        as erased."""
        with open_app(store_url) as app:
            built = sy.named_year(app)

            form = app.form(PIONEER)

            assert (
                form.branch_name,
                form.base_committee_name,
                form.city_managed_committee_name,
            ) == (
                f"Branch {sb.branches(BASE_A1)[0]}",
                "base-a1 committee",
                "cm-a committee",
            )
            assert (form.secretary_person_id, form.secretary_name, form.secretary_phone) == (
                sb.SECRETARY,
                f"Name of {sb.SECRETARY}",
                "0538-0000000",
            )
            assert (form.basic_facts, form.past_honours, form.main_deeds) == (
                f"facts of {PIONEER}",
                "none",
                f"deeds of {PIONEER}",
            )
            assert [(a.award_id, a.level, a.year) for a in form.awards] == [
                (sy.AWARD, "PROVINCIAL", 2016)
            ]
            opinions = (
                form.base_opinion,
                form.city_managed_opinion,
                form.organization_department_opinion,
                form.city_opinion,
            )
            assert [(o.committee_id, o.committee_name, o.on) for o in opinions if o] == [
                (BASE_A1, "base-a1 committee", date(sy.YEAR, 3, 20)),
                (CM_A, "cm-a committee", date(sy.YEAR, 5, 20)),
                (OD, "od committee", sb.CITY_LISTED_ON),
                (CITY, "city committee", sy.NAMED_ON),
            ]
            assert [o.text for o in opinions if o] == [
                f"DecideRoundList by {BASE_A1}",
                f"DecideRoundList by {CM_A}",
                f"DecideRoundList by {OD}",
                f"FinaliseList by {CITY}",
            ]

            earlier = app.form(PIONEER, as_known_at=built.before_naming)
            assert earlier.city_opinion is None
            assert earlier.organization_department_opinion == form.organization_department_opinion

            stopped = app.form(A1[2])
            assert (stopped.base_opinion, stopped.city_managed_opinion) == (None, None)
            assert (stopped.secretary_person_id, stopped.basic_facts) == (None, None)

            app.execute(
                ErasePerson(
                    actor=actor(OD),
                    reason="本人申请",
                    person_id=sb.SECRETARY,
                    effective_on=sy.REVOKED_ON,
                )
            )
            erased = app.form(PIONEER)
            assert (erased.secretary_name, erased.secretary_phone, erased.secretary_erased) == (
                ERASED,
                ERASED,
                True,
            )

    def test_unknown_nominations_and_committees_are_not_found(self, store_url: str) -> None:
        with open_app(store_url) as app:
            sy.base_rounds(app)

            with pytest.raises(NotFound) as nomination:
                app.form("base-a1-b0-2017")
            with pytest.raises(NotFound) as committee:
                app.selection_board(sy.YEAR, "no-such-committee")

            assert nomination.value.field == "nomination_id"
            assert committee.value.field == "committee_id"

    def test_the_selection_view_rebuilt_from_the_events_equals_the_one_kept_incrementally(
        self, store_url: str
    ) -> None:
        """rules.md section 10 item 6: the board, the register and the form read the same
        after a rebuild, and a replay finds no difference."""
        with open_app(store_url) as app:
            sy.named_year(app)
            views = views_snapshot(app)
            seen = (app.selection_board(sy.YEAR), app.titles(sy.YEAR), app.form(PIONEER))

            app.rebuild_views()

            assert views_snapshot(app) == views
            assert (app.selection_board(sy.YEAR), app.titles(sy.YEAR), app.form(PIONEER)) == seen
            assert app.replay_check() == []
