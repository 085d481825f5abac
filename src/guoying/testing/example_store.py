"""The store each example of a state machine runs on, opened on the machine's own clock."""

from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from typing import ClassVar

from guoying.api import Guoying
from guoying.domain.policy import Policy, PolicyBook


class ExampleStore:
    """Mixed into a state machine before `RuleBasedStateMachine`.

    `store_url` may hold `{tmpdir}`: each example then gets a fresh folder of its own, which
    `teardown` removes with the store. For a store that needs more set-up (a PostgreSQL
    schema per example), override `open_store_url` and `close_store`.
    """

    store_url: ClassVar[str] = "memory://"
    policy: ClassVar[Policy]
    # Decisions are recorded at this time, so that an example replays alike whenever it runs.
    now: ClassVar[datetime]
    folder_prefix: ClassVar[str] = "guoying-example-"
    app: Guoying
    _tmpdir: str | None = None

    def open_app(self) -> Guoying:
        """The example's store, judged by `policy` alone, at the machine's `now`."""
        return Guoying(
            self.open_store_url(), policies=PolicyBook((self.policy,)), clock=self._clock
        )

    def _clock(self) -> datetime:
        return self.now

    def open_store_url(self) -> str:
        """The store URL for one example; formats `{tmpdir}` with a fresh folder."""
        if "{tmpdir}" not in self.store_url:
            return self.store_url
        self._tmpdir = tempfile.mkdtemp(prefix=self.folder_prefix)
        return self.store_url.format(tmpdir=self._tmpdir)

    def close_store(self) -> None:
        """Close the store and remove the example's folder, if it has one."""
        self.app.close()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)

    def teardown(self) -> None:
        self.close_store()
