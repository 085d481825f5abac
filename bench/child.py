"""Measurements that run in a process of their own: `python -m bench.child rebuild URL`.

Prints one JSON line: the events replayed, the seconds taken, the resident memory before
the rebuild and its peak (the process's own high-water mark, VmHWM), in KiB.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

from guoying import Guoying


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return 0


def rebuild(url: str) -> dict[str, float]:
    with Guoying(url) as app:
        events = app.store.recorder.max_notification_id() or 0
        before = _status_kib("VmRSS")
        began = time.perf_counter()
        app.rebuild_views()
        seconds = time.perf_counter() - began
    # VmHWM is this process's own high-water mark. ru_maxrss is not: after fork it starts
    # from the parent's resident size and keeps it across exec, so a large harness process
    # would be counted as the child's peak.
    peak = _status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "events": events,
        "seconds": seconds,
        "events_per_s": events / seconds if seconds else 0.0,
        "rss_before_kib": before,
        "peak_rss_kib": peak,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "rebuild":
        sys.stderr.write("usage: python -m bench.child rebuild URL\n")
        return 2
    sys.stdout.write(json.dumps(rebuild(argv[1])) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
