"""Measurements that run in a process of their own:
`python -m bench.child rebuild URL N [catch-up]`.

N rounds, each a full rebuild on one process per core (`rebuild`, whatever the store's size
and the machine's load: `workers=parallel.cores()`), then reading and decoding every event
with no projection, then a full rebuild in this process alone (`rebuild_serial`,
`workers=1`), then (with `catch-up`) every view dropped and caught up from the first event:
interleaved, so that each shares with the decoding whatever else the machine does. Prints
one JSON line: the events, the processes the parallel rebuild used, each round's seconds
for each, and the serial rebuild's resident memory before it and at its peak, in KiB (the
parallel one's other processes are not this one's memory). The peak is the process's own
high-water mark (VmHWM), reset before each serial rebuild (/proc/self/clear_refs) so that
each round's is its own.
"""

from __future__ import annotations

import contextlib
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from bench.measures import decode_all
from guoying import Guoying
from guoying.projections import parallel, runner


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    # Linux: writing 5 resets the peak resident set size to the current one.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
        return True
    return False


def rebuild(url: str, rounds: int, *, catch_up: bool) -> dict[str, Any]:
    found: dict[str, Any] = {
        "rebuild_seconds": [],
        "rebuild_serial_seconds": [],
        "decode_seconds": [],
        "catch_up_seconds": [],
        "rss_before_kib": [],
        "peak_rss_kib": [],
    }
    with Guoying(url) as app:
        found["events"] = app.store.recorder.max_notification_id() or 0
        cores = parallel.cores()
        found["rebuild_workers"] = parallel.worker_count(cores, len(app.projections), 0)
        for _ in range(rounds):
            began = time.perf_counter()
            app.rebuild_views(workers=cores)
            found["rebuild_seconds"].append(time.perf_counter() - began)
            _, seconds = decode_all(app)
            found["decode_seconds"].append(seconds)
            found["peak_reset"] = _reset_peak()
            found["rss_before_kib"].append(_status_kib("VmRSS"))
            began = time.perf_counter()
            app.rebuild_views(workers=1)
            found["rebuild_serial_seconds"].append(time.perf_counter() - began)
            # VmHWM is this process's own high-water mark. ru_maxrss is not: after fork it
            # starts from the parent's resident size and keeps it across exec.
            found["peak_rss_kib"].append(
                _status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            )
            if catch_up:
                runner.drop_views(app.store, app.projections)
                began = time.perf_counter()
                app.catch_up()
                found["catch_up_seconds"].append(time.perf_counter() - began)
    return found


def main(argv: list[str]) -> int:
    usable = len(argv) in (3, 4) and argv[0] == "rebuild" and argv[2].isdigit()
    if not usable or argv[3:] not in ([], ["catch-up"]):
        sys.stderr.write("usage: python -m bench.child rebuild URL ROUNDS [catch-up]\n")
        return 2
    found = rebuild(argv[1], int(argv[2]), catch_up=argv[3:] == ["catch-up"])
    sys.stdout.write(json.dumps(found) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
