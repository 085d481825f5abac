"""`python -m bench`: run the benchmarks, write the JSON and print the Markdown table.

python -m bench                 # the city (make bench)
python -m bench --large         # the province (make bench-large)
python -m bench --config smoke --databases sqlite --out /tmp/x.json --cache /tmp/c
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bench.config import CONFIGS, FULL
from bench.harness import DATABASES, run
from bench.report import render

ROOT = Path(__file__).resolve().parent.parent
LOCAL_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
URL_ENV = ("GUOYING_BENCH_DATABASE_URL", "GUOYING_TEST_DATABASE_URL")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--config", choices=sorted(CONFIGS), default="full")
    parser.add_argument("--large", action="store_true", help="the province: --config large")
    parser.add_argument(
        "--databases", default=",".join(DATABASES), help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument("--cache", type=Path, default=ROOT / "bench" / ".cache")
    parser.add_argument(
        "--out",
        type=Path,
        help="where the JSON goes; by default bench/results/latest.json for the city and "
        "latest-NAME.json for another configuration (latest-province.json for --large)",
    )
    parser.add_argument(
        "--database-url",
        default=next((os.environ[n] for n in URL_ENV if os.environ.get(n)), LOCAL_PG),
        help="PostgreSQL server to use; each measurement gets a schema of its own",
    )
    parser.add_argument(
        "--serial", action="store_true", help="generate data sets one by one, each in one process"
    )
    args = parser.parse_args(argv)
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = [d for d in databases if d not in DATABASES]
    if unknown:
        parser.error(f"unknown database(s) {', '.join(unknown)}; known: {', '.join(DATABASES)}")
    config = CONFIGS["large" if args.large else args.config]
    results = ROOT / "bench" / "results"
    out = args.out or results / ("latest.json" if config is FULL else f"latest-{config.name}.json")
    result = run(
        config,
        databases=databases,
        cache=args.cache,
        admin_url=args.database_url,
        parallel=not args.serial,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.write(render(result))
    sys.stdout.write(f"\nWrote {out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
