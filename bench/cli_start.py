"""How long the command line takes as a user runs it: whole processes of `guoying --help`,
`guoying --version` and a ledger query on the demo store, each set against a bare
interpreter start (`python -c pass`) measured in the same run.

Bare starts and commands alternate (bare, command, bare, command, ...), so a change in the
machine's load falls on both sides alike; each figure is the median with its range, the load
average beside it. `python -m bench.cli_start` measures these alone in about a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PAIRS = 7
GUOYING = Path(sys.executable).parent / "guoying"
BARE = (sys.executable, "-c", "pass")
LEDGER = ("ledger", "--committee", "dy-manzhuang", "--year", "2019")

# (key, label, arguments, target): a target bounds the ratio to a bare start ("ratio") or
# the wall time in seconds ("wall").
COMMANDS: tuple[tuple[str, str, tuple[str, ...], tuple[str, float] | None], ...] = (
    ("help", "`guoying --help`", ("--help",), ("ratio", 10.0)),
    ("version", "`guoying --version`", ("--version",), None),
    ("ledger", "`guoying " + " ".join(LEDGER) + "` on the demo store", LEDGER, ("wall", 0.3)),
)


def _wall(command: Sequence[str], cwd: Path, env: dict[str, str]) -> float:
    began = time.perf_counter()
    subprocess.run(  # noqa: S603 - the interpreter and the entry point of this environment
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
    )
    return time.perf_counter() - began


def _spread(values: Sequence[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def _verdict(figure: dict[str, Any], target: tuple[str, float] | None) -> dict[str, Any] | None:
    if target is None:
        return None
    kind, bound = target
    value = figure["ratio"] if kind == "ratio" else figure["command_s"]["median"]
    return {"kind": kind, "bound": bound, "value": value, "met": value <= bound}


def measure(pairs: int = PAIRS) -> dict[str, Any]:
    """Every command's figures, from `pairs` interleaved runs after one warm-up of each."""
    env = {k: v for k, v in os.environ.items() if k != "GUOYING_STORE"}
    env["PYTHONIOENCODING"] = "utf-8"
    found: dict[str, Any] = {"pairs": pairs, "load_average_at_start": list(os.getloadavg())}
    with tempfile.TemporaryDirectory(prefix="guoying-bench-start-") as folder:
        here = Path(folder)
        subprocess.run(  # noqa: S603 - the entry point of this environment
            [str(GUOYING), "demo", "--store", "guoying.db"],
            cwd=here,
            env=env,
            stdout=subprocess.DEVNULL,
            check=True,
        )
        figures: dict[str, Any] = {}
        for key, label, arguments, target in COMMANDS:
            command = [str(GUOYING), *arguments]
            if arguments is LEDGER:
                command += ["--store", "guoying.db"]
            _wall(BARE, here, env)
            _wall(command, here, env)
            bare: list[float] = []
            taken: list[float] = []
            for _ in range(pairs):
                bare.append(_wall(BARE, here, env))
                taken.append(_wall(command, here, env))
            figure: dict[str, Any] = {
                "label": label,
                "bare_s": _spread(bare),
                "command_s": _spread(taken),
                "ratio": statistics.median(taken) / statistics.median(bare),
                "pair_ratios": _spread([c / b for c, b in zip(taken, bare, strict=True)]),
                "samples": {"bare_s": bare, "command_s": taken},
            }
            figure["target"] = _verdict(figure, target)
            figures[key] = figure
    found["commands"] = figures
    found["load_average_at_end"] = list(os.getloadavg())
    return found


def _s(seconds: float) -> str:
    return f"{seconds:.3f}"


def render(found: dict[str, Any]) -> list[str]:
    """The Markdown table of the command line's start, with the load and each verdict."""
    start, end = found["load_average_at_start"], found["load_average_at_end"]
    lines = [
        "",
        (
            f"Start of the command line, whole processes, {found['pairs']} interleaved pairs "
            f"(load average 1/5/15 min at the start {start[0]:.2f}/{start[1]:.2f}/{start[2]:.2f},"
            f" at the end {end[0]:.2f}/{end[1]:.2f}/{end[2]:.2f}; {os.cpu_count()} cores):"
        ),
        "",
        (
            "| Command | Median s (range) | Bare `python -c pass`, median s (range) "
            "| Median ÷ bare (range of the pairs) | Target |"
        ),
        "|---|---|---|---|---|",
    ]
    for figure in found["commands"].values():
        took, bare, pairs = figure["command_s"], figure["bare_s"], figure["pair_ratios"]
        target = figure["target"]
        verdict = ""
        if target is not None:
            bound = (
                f"≤ {target['bound']:g}× bare"
                if target["kind"] == "ratio"
                else f"≤ {target['bound']:g} s wall"
            )
            verdict = f"{bound}: {'met' if target['met'] else 'MISSED'}"
        lines.append(
            f"| {figure['label']} | {_s(took['median'])} ({_s(took['min'])}-{_s(took['max'])}) "
            f"| {_s(bare['median'])} ({_s(bare['min'])}-{_s(bare['max'])}) "
            f"| ×{figure['ratio']:.1f} (×{pairs['min']:.1f}-×{pairs['max']:.1f}) | {verdict} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cli_start", description=__doc__)
    parser.add_argument("--pairs", type=int, default=PAIRS, help="interleaved pairs (at least 5)")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "bench" / "results" / "latest-cli-start.json"
    )
    args = parser.parse_args(argv)
    if args.pairs < 5:
        parser.error("--pairs: at least 5, or the median says little")
    found = measure(args.pairs)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.write("\n".join(render(found)) + f"\n\nWrote {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
