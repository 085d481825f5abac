"""The plans of the first plan window built through the public API on the unit tests' tree,
for the tests of the plans' read side (the Annex 2 view, the implementation plans and their
figures) and of `guoying plan`.

cm-a (county-level) leads fifty branches across five sectors (social organisations missed)
and files an Annex 2 of fifty exemplars a year in time. cm-b sets its own number, two a year,
files late with three rows (short in 2018 and 2019), then amends its plan with a third
branch for 2017. Implementation plans: cm-a's accepted; base-a1's submitted late, returned
with reasons, submitted again and accepted; base-a2's awaiting int-a; base-b1's awaiting
cm-b; int-a and cm-b have submitted nothing (cm-b's one try went to the wrong body).
"""

from __future__ import annotations

from datetime import date, datetime

import attrs
import pytest
from attrs import frozen

from guoying import Guoying
from guoying.application import commands as cmd
from guoying.application.errors import Refused
from guoying.domain.cultivation import Batch
from guoying.domain.values import Sector
from tests.integration.selection_years import recorded_now
from tests.unit.builders import (
    BASE_A1,
    BASE_A2,
    BASE_B1,
    CITY,
    CM_A,
    CM_B,
    INT_A,
    LIAISON,
    OD,
    actor,
    register_branch,
    setup_commands,
)

MINIMUM = 50
A_BRANCHES = [f"a-{i:02d}" for i in range(MINIMUM)]
B_BRANCHES = ["b-0", "b-1", "b-2"]
SECTORS = list(Sector)[:5]
CM_A_FILED = date(2017, 7, 8)
CM_B_FILED = date(2017, 7, 20)  # after 10 July: late
CM_B_AMENDED = date(2017, 9, 1)
BASE_A1_FIRST = date(2017, 7, 15)  # late
BASE_A1_RETURNED = date(2017, 7, 18)
BASE_A1_AGAIN = date(2017, 7, 25)
BASE_A1_ACCEPTED = date(2017, 7, 28)
RETURN_REASONS = ("创建指标未量化", "责任未落实到人")
POSITION = "党委副书记"


def command(kind: type[cmd.C], by: str, on: date, **fields: object) -> cmd.C:
    return kind(actor=actor(by), reason=f"{kind.__name__} by {by}", effective_on=on, **fields)


def submit(committee_id: str, to: str, on: date) -> cmd.SubmitImplementationPlan:
    return command(
        cmd.SubmitImplementationPlan,
        committee_id,
        on,
        committee_id=committee_id,
        year=2017,
        submitted_to=to,
        indicators=("先进党支部占比不超过10%",),
        measures=("每季度调度一次", "年底考评"),
        responsibilities=("党委书记为第一责任人",),
    )


def row(branch_id: str, year: int, batch: Batch) -> cmd.CultivationRow:
    return cmd.CultivationRow(
        year=year,
        batch=batch,
        branch_id=branch_id,
        measures=("结对共建", "书记讲党课"),
        person_id=LIAISON,
        position=POSITION,
    )


def county_rows() -> tuple[cmd.CultivationRow, ...]:
    batches = {2017: Batch.FIRST, 2018: Batch.FOCUS, 2019: Batch.RESERVE}
    return tuple(row(b, year, batch) for year, batch in batches.items() for b in A_BRANCHES)


def file(
    committee_id: str, on: date, rows: tuple[cmd.CultivationRow, ...], stated: int | None = None
) -> cmd.FileCultivationPlan:
    return command(
        cmd.FileCultivationPlan,
        committee_id,
        on,
        committee_id=committee_id,
        year=2017,
        rows=rows,
        stated_number=stated,
    )


@frozen
class PlansBuilt:
    before_amendment: datetime  # as known just before cm-b amended its plan


def plans_window(app: Guoying) -> PlansBuilt:
    commands: list[cmd.Command] = list(setup_commands())
    for index, branch_id in enumerate(A_BRANCHES):
        base = BASE_A1 if index % 2 else BASE_A2
        branch = register_branch(branch_id, base)
        commands.append(attrs.evolve(branch, sector=SECTORS[index % len(SECTORS)]))
    commands += [register_branch(b, BASE_B1) for b in B_BRANCHES]
    app.execute_unit(commands)

    app.execute(submit(CM_A, OD, date(2017, 7, 1)))
    app.execute(
        command(cmd.AcceptImplementationPlan, OD, date(2017, 7, 20), committee_id=CM_A, year=2017)
    )
    app.execute(submit(BASE_A1, CM_A, BASE_A1_FIRST))
    app.execute(
        command(
            cmd.ReturnImplementationPlan,
            CM_A,
            BASE_A1_RETURNED,
            committee_id=BASE_A1,
            year=2017,
            reasons=RETURN_REASONS,
        )
    )
    app.execute(submit(BASE_A1, CM_A, BASE_A1_AGAIN))
    app.execute(
        command(
            cmd.AcceptImplementationPlan, CM_A, BASE_A1_ACCEPTED, committee_id=BASE_A1, year=2017
        )
    )
    app.execute(submit(BASE_A2, INT_A, date(2017, 7, 5)))
    app.execute(submit(BASE_B1, CM_B, date(2017, 7, 2)))
    with pytest.raises(Refused, match=r"^plan\.filing: "):
        app.execute(submit(CM_B, CITY, date(2017, 7, 3)))

    app.execute(file(CM_A, CM_A_FILED, county_rows()))
    first = (row("b-0", 2017, Batch.FIRST), row("b-1", 2017, Batch.FIRST))
    app.execute(file(CM_B, CM_B_FILED, (*first, row("b-0", 2018, Batch.FOCUS)), stated=2))
    before = recorded_now(app)
    amended = (*first, row("b-2", 2017, Batch.RESERVE), row("b-0", 2018, Batch.FOCUS))
    app.execute(file(CM_B, CM_B_AMENDED, amended, stated=2))
    return PlansBuilt(before)
