"""A year of mentoring on top of the selection year of tests/integration/selection_years.py,
for the tests of the mentoring view and the annual evaluation histories.

After the city names base-a1-b0 Taishan Pioneer (20 July 2018), cm-a pairs it with three
weaker branches on 1 August, files its Annex 4 schedule on 5 August (after 31 July: late),
and ends one pair on 1 September. base-a1-b2 (a mentee) gets a target, a liaison, a problem
found and closed, and a 2018 result that is corrected later.
"""

from __future__ import annotations

from datetime import date, datetime

from attrs import frozen

from guoying import Guoying
from guoying.application import commands as cmd
from guoying.domain.values import Tier
from tests.integration import selection_years as sy
from tests.unit import selection_builders as sb
from tests.unit.builders import BASE_A1, CM_A, LIAISON, OWNER

YEAR = sy.YEAR
MENTOR = "base-a1-b0"
MENTEES = ("base-a1-b2", "base-a1-b3", "base-a2-b1")
PAIRS = ("pair-1", "pair-2", "pair-3")
FORMED_ON = date(YEAR, 8, 1)
FILED_ON = date(YEAR, 8, 5)
ENDED_ON = date(YEAR, 9, 1)
END_REASON = "the mentee's committee asked to end it: goal met early"
EVALUATED_ON = date(YEAR, 12, 10)
CORRECTED_ON = date(YEAR, 12, 18)
SUBJECT = MENTEES[0]  # the branch whose year is recorded in full
CASES = ("case-open", "case-closed")


@frozen
class MentoringYear:
    named: sy.NamedYear
    before_ending: datetime  # as known just before pair-2 ended
    before_correction: datetime  # as known just before the 2018 result was corrected


def _pair(pair_id: str, mentee: str) -> cmd.FormMentoringPair:
    return sb.command(
        cmd.FormMentoringPair,
        CM_A,
        FORMED_ON,
        pair_id=pair_id,
        mentor_branch_id=MENTOR,
        mentee_branch_id=mentee,
        goal=f"{mentee} reaches the advanced tier",
        measures="joint Party lessons every month",
        deadline=date(YEAR + 1, 6, 30),
        remarks="结对共建" if pair_id == PAIRS[0] else "",
    )


def _ledger_year(app: Guoying) -> None:
    """The mentee's own record of 2018, before its evaluation."""
    sy.run(
        app,
        [
            sb.command(
                cmd.SetCreationTarget,
                BASE_A1,
                date(YEAR, 1, 10),
                branch_id=SUBJECT,
                year=YEAR,
                target=Tier.MIDDLE,
            ),
            sb.command(
                cmd.AssignLiaison,
                BASE_A1,
                date(YEAR, 1, 10),
                branch_id=SUBJECT,
                person_id=LIAISON,
                position="党委书记",
            ),
            *(
                sb.command(
                    cmd.RecordProblem,
                    BASE_A1,
                    date(YEAR, 3, 1),
                    branch_id=SUBJECT,
                    case_id=case_id,
                    problem=f"problem {case_id}",
                    measure="a measure",
                    owner_id=OWNER,
                    deadline=date(YEAR, 11, 30),
                )
                for case_id in CASES
            ),
            sb.command(
                cmd.SignOffRectification,
                BASE_A1,
                date(YEAR, 10, 1),
                branch_id=SUBJECT,
                case_id=CASES[1],
                outcome="rectified",
            ),
        ],
    )


def mentoring_year(app: Guoying) -> MentoringYear:
    named = sy.named_year(app)
    _ledger_year(app)
    sy.run(app, [_pair(p, m) for p, m in zip(PAIRS, MENTEES, strict=True)])
    sy.run(
        app,
        [
            sb.command(
                cmd.FileMentoringSchedule,
                CM_A,
                FILED_ON,
                committee_id=CM_A,
                year=YEAR,
                pair_ids=PAIRS[:2],
            )
        ],
    )
    before_ending = sy.recorded_now(app)
    app.execute(
        cmd.EndMentoringPair(
            actor=sb.actor(CM_A), reason=END_REASON, effective_on=ENDED_ON, pair_id=PAIRS[1]
        )
    )
    evaluated = app.execute(
        sb.command(
            cmd.AdjustTier,
            BASE_A1,
            EVALUATED_ON,
            branch_id=SUBJECT,
            year=YEAR,
            tier=Tier.LAGGING,
        )
    )
    before_correction = sy.recorded_now(app)
    app.execute(
        cmd.CorrectRecord(
            actor=sb.actor(BASE_A1),
            reason="the 2018 result was entered wrongly",
            effective_on=CORRECTED_ON,
            branch_id=SUBJECT,
            corrects=next(e for e in evaluated.event_ids if e.startswith("branch:")),
            tier=Tier.WEAK,
        )
    )
    return MentoringYear(named, before_ending, before_correction)
