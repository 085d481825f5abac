"""A process of a parallel rebuild: `python -m guoying.projections.rebuild_process FD`,
started by `guoying.projections.parallel`, which speaks to it over the socket FD."""

from __future__ import annotations

import os
import sys
from multiprocessing.connection import Connection

from guoying.projections.parallel import work

if __name__ == "__main__":
    work(Connection(int(sys.argv[1])))
    # Its store is closed and its last word sent: skip the interpreter's teardown, which the
    # calling process would otherwise wait for.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
