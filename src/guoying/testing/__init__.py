"""guoying's testing kit: Hypothesis strategies and a state machine, for your own tests.

It needs Hypothesis (`pip install guoying[testing]`). Run the ledger state machine in
your test suite with::

    from hypothesis import settings
    from guoying.testing import LedgerMachine

    TestLedgerMachine = LedgerMachine.TestCase
    TestLedgerMachine.settings = settings(max_examples=30, stateful_step_count=25,
                                          deadline=None)

and against a SQLite file (a fresh one per example) with::

    class SqliteLedgerMachine(LedgerMachine):
        store_url = "sqlite:///{tmpdir}/store.db"

    TestSqliteLedgerMachine = SqliteLedgerMachine.TestCase

The strategies live in `guoying.testing.strategies` (also re-exported here); the test city
the machine builds is `small_city()`, a `CityLayout` you can reuse or replace.

`SelectionMachine` runs a selection year the same way (`selection_city()`, two Taishan
Pioneers a year: `SELECTION_POLICY`); `selection_years()` draws a whole year that applies,
and `SelectionLog` checks rules.md section 10 on a store after one.

`MentoringMachine` forms and ends mentoring pairs, revokes and downgrades titles and files
schedules after a drawn selection year (`MENTORING_POLICY`: at most two pairs per mentor),
and checks after every step that no mentor is without a title, no mentee has two mentors
and no mentor is over the maximum::

    from hypothesis import settings
    from guoying.testing import MentoringMachine

    TestMentoringMachine = MentoringMachine.TestCase
    TestMentoringMachine.settings = settings(max_examples=10, stateful_step_count=30,
                                             deadline=None)

`MentoringChecks(app.store, policy).check(on)` runs the same checks on any store.
"""

from guoying.testing import strategies
from guoying.testing.city import (
    CityLayout,
    CommitteeSpec,
    PersonSpec,
    UnitSpec,
    selection_city,
    small_city,
)
from guoying.testing.machines import LedgerMachine, LedgerModel
from guoying.testing.mentoring_checks import MentoringChecks
from guoying.testing.mentoring_machine import (
    MENTORING_POLICY,
    MentoringMachine,
    MentoringModel,
)
from guoying.testing.selection_checks import SelectionLog
from guoying.testing.selection_machine import (
    SELECTION_POLICY,
    SelectionMachine,
    SelectionModel,
)
from guoying.testing.strategies import *  # noqa: F403 - every strategy, re-exported here

__all__ = [
    "MENTORING_POLICY",
    "SELECTION_POLICY",
    "CityLayout",
    "CommitteeSpec",
    "LedgerMachine",
    "LedgerModel",
    "MentoringChecks",
    "MentoringMachine",
    "MentoringModel",
    "PersonSpec",
    "SelectionLog",
    "SelectionMachine",
    "SelectionModel",
    "UnitSpec",
    "selection_city",
    "small_city",
]
__all__ += strategies.__all__
