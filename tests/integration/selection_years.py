"""Selection years built through the public API on the unit tests' tree, for the tests of
the selection's read side (the board, the title register and the Annex 3 form).

`named_year` runs the whole 2018 selection of tests/unit/selection_builders.py (named late,
after the naming's due date), then the decisions after it: a grant, a veto finding against
a unit of two titled branches, a downgrade and a revocation. `base_rounds` stops in the
base rounds, with a veto, an objection upheld, late applications and answers awaited.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from attrs import frozen

from guoying import Guoying
from guoying.adapters import schema
from guoying.application import commands as cmd
from guoying.domain.policy import TAIAN_2017
from guoying.domain.values import AwardLevel, SelectionStep
from guoying.domain.vetoes import VetoSubject
from tests.unit import selection_builders as sb
from tests.unit.builders import BASE_A1, BASE_B1, CITY, CM_A, setup_commands, unit_id

YEAR = sb.YEAR
A1, B1 = sb.A1, sb.B1
NAMED_ON = date(YEAR, 7, 20)  # after 1 July and its 14 days of grace: late
NAMING_DUE = date(YEAR, 7, 15)
GRANTED_ON = date(YEAR, 7, 25)
FINDING_ON = date(YEAR, 8, 1)
DOWNGRADED_ON = date(YEAR, 9, 1)
REVOKED_ON = date(YEAR, 10, 8)
AWARD = "award-2016-province"
FINDING = "finding-audit-1"
VETO = "finding-base-1"


def recorded_now(app: Guoying) -> datetime:
    """The store's last recorded time: what a reader asking `as_known_at` it sees."""
    with app.store.engine.connect() as conn:
        found = conn.execute(sa.select(sa.func.max(schema.events.c.recorded_at))).scalar()
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(found or 0))


def run(app: Guoying, commands: list[cmd.Command]) -> None:
    for command in commands:
        app.execute(command)


@frozen
class NamedYear:
    before_naming: datetime  # as known just before the city committee named


def named_year(app: Guoying) -> NamedYear:
    run(app, setup_commands())
    year = sb.through_city_list()
    registered = len(sb.register_all())
    award = sb.command(
        cmd.RecordAward,
        BASE_A1,
        date(YEAR, 1, 5),
        branch_id=sb.branches(BASE_A1)[0],
        award_id=AWARD,
        name="山东省先进基层党组织",
        level=AwardLevel.PROVINCIAL,
        year=2016,
        awarded_by="中共山东省委",
    )
    # The award is on the branch's record before it applies (`selection.priority`).
    run(app, [*year[:registered], award, *year[registered:]])
    before = recorded_now(app)
    run(
        app,
        [
            sb.naming(NAMED_ON),
            sb.command(cmd.GrantReward, CITY, GRANTED_ON, nomination_id=sb.NAMED[0]),
            sb.command(
                cmd.RecordVetoFinding,
                BASE_B1,
                FINDING_ON,
                finding_id=FINDING,
                subject=VetoSubject.UNIT,
                subject_id=unit_id(BASE_B1),
                area="财务管理",
                issuing_agency="审计局",
                found_on=FINDING_ON - timedelta(days=2),
            ),
            sb.command(cmd.DowngradeTitle, CITY, DOWNGRADED_ON, nomination_id=sb.NAMED[1]),
            sb.command(cmd.RevokeTitle, CM_A, REVOKED_ON, nomination_id=sb.PROPOSALS[1]),
        ],
    )
    return NamedYear(before)


BASE_A1_ON = date(YEAR, 3, 20)
OBJECTION_ON = BASE_A1_ON + timedelta(days=2)
LATE_APPLIED_ON = date(YEAR, 4, 2)
LATE_INSPECTED_ON = date(YEAR, 6, 2)


def base_rounds(app: Guoying) -> None:
    """base-a1: b3 vetoed by an adverse answer, b1 removed by an objection during the
    notice, b2 not passed, b0 forwarded to cm-a and inspected there after 31 May; base-b1:
    every branch applied after 31 March, b0 answered by every agency, b1 by four."""
    agencies = TAIAN_2017.agencies_always
    run(app, [*setup_commands(), *sb.register_all(), *sb.places()])
    run(app, [*sb.applications(BASE_A1), *sb.base_steps(BASE_A1)])
    run(
        app,
        [
            *sb.consult(BASE_A1, A1[:3], BASE_A1_ON),
            sb.command(
                cmd.AnswerConsultation,
                BASE_A1,
                BASE_A1_ON,
                committee_id=BASE_A1,
                year=YEAR,
                nomination_id=A1[3],
                agency=agencies[0],
                adverse=True,
                finding_id=VETO,
                area="违纪违法",
            ),
            sb.decide(BASE_A1, A1[:2], BASE_A1_ON),
            sb.command(cmd.PublishNotice, BASE_A1, BASE_A1_ON, committee_id=BASE_A1, year=YEAR),
            sb.command(
                cmd.UpholdObjection,
                BASE_A1,
                OBJECTION_ON,
                committee_id=BASE_A1,
                year=YEAR,
                nomination_id=A1[1],
            ),
            sb.command(
                cmd.FinaliseList,
                BASE_A1,
                BASE_A1_ON + timedelta(days=4),
                committee_id=BASE_A1,
                year=YEAR,
            ),
            *sb.steps(CM_A, A1[:1], LATE_INSPECTED_ON, SelectionStep.SITE_INSPECTION),
        ],
    )
    run(
        app,
        [
            *sb.applications(BASE_B1, LATE_APPLIED_ON),
            *sb.base_steps(BASE_B1, LATE_APPLIED_ON + timedelta(days=3)),
            *sb.consult(BASE_B1, B1[:1], LATE_APPLIED_ON + timedelta(days=4)),
            *sb.consult(BASE_B1, B1[1:2], LATE_APPLIED_ON + timedelta(days=4))[:4],
        ],
    )
