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
"""

from guoying.testing import strategies
from guoying.testing.city import CityLayout, CommitteeSpec, PersonSpec, UnitSpec, small_city
from guoying.testing.machines import LedgerMachine, LedgerModel
from guoying.testing.strategies import *  # noqa: F403 - every strategy, re-exported here

__all__ = [
    "CityLayout",
    "CommitteeSpec",
    "LedgerMachine",
    "LedgerModel",
    "PersonSpec",
    "UnitSpec",
    "small_city",
]
__all__ += strategies.__all__
