"""Measurements that run in a process of their own: `python -m bench.child rebuild URL N`.

N rounds, each a full rebuild and then reading and decoding every event with no
projection, interleaved so that the pair shares whatever else the machine does. Prints one
JSON line: the events, each round's seconds for both, and each rebuild's resident memory
before it and at its peak, in KiB. The peak is the process's own high-water mark (VmHWM),
reset before each rebuild (/proc/self/clear_refs) so that each round's is its own.
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


def rebuild(url: str, rounds: int) -> dict[str, Any]:
    found: dict[str, Any] = {
        "rebuild_seconds": [],
        "decode_seconds": [],
        "rss_before_kib": [],
        "peak_rss_kib": [],
    }
    with Guoying(url) as app:
        found["events"] = app.store.recorder.max_notification_id() or 0
        for _ in range(rounds):
            found["peak_reset"] = _reset_peak()
            found["rss_before_kib"].append(_status_kib("VmRSS"))
            began = time.perf_counter()
            app.rebuild_views()
            found["rebuild_seconds"].append(time.perf_counter() - began)
            # VmHWM is this process's own high-water mark. ru_maxrss is not: after fork it
            # starts from the parent's resident size and keeps it across exec.
            found["peak_rss_kib"].append(
                _status_kib("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            )
            _, seconds = decode_all(app)
            found["decode_seconds"].append(seconds)
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] != "rebuild" or not argv[2].isdigit():
        sys.stderr.write("usage: python -m bench.child rebuild URL ROUNDS\n")
        return 2
    sys.stdout.write(json.dumps(rebuild(argv[1], int(argv[2]))) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
