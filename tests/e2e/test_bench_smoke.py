"""`python -m bench` works: a smoke run on a few branches, SQLite only, prints the table and
writes the JSON with every figure, or the reason it is not measured yet."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_smoke_run_of_the_benchmarks_prints_the_table_and_writes_every_figure(tmp_path):
    out = tmp_path / "latest.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--config",
            "smoke",
            "--databases",
            "sqlite",
            "--serial",
            "--out",
            str(out),
            "--cache",
            str(tmp_path / "cache"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "| Figure | SQLite | Target |" in done.stdout
    for label in ("**Writes**", "plain eventsourcing", "**Catch-up**", "**Rebuild**", "**Query**"):
        assert label in done.stdout
    assert "title register" in done.stdout
    assert "selection board" in done.stdout
    verify_row = next(line for line in done.stdout.splitlines() if "`verify` ÷" in line)
    assert "≥ 0.5: SQLite" in verify_row

    result = json.loads(out.read_text())
    assert {"machine", "datasets", "databases", "targets", "seconds"} <= set(result)
    figures = result["databases"]["sqlite"]
    writes = figures["writes"]
    for side in ("library", "peer", "raw_recorder", "driver"):
        assert writes[side]["commands_per_s"] > 0
        assert writes[side]["events_per_s"] > 0
    assert writes["peer"]["samples"][0]["commands"] == writes["library"]["samples"][0]["commands"]
    for key in ("ratio_to_peer", "ratio_to_recorder", "ratio_to_driver"):
        assert writes[key]["median"] > 0
        assert writes[key]["pairs"] == 2
    projections = figures["projections"]
    for key in ("catch_up", "rebuild", "decode"):
        assert projections[key]["events_per_s"] > 0
    assert projections["ratio_rebuild_to_decode"]["median"] > 0
    assert projections["ratio_rebuild_to_decode"]["pairs"] == 2
    queries = figures["queries"]
    for key in (
        "ledger",
        "ledger_rollup",
        "history",
        "ledger_known_at",
        "history_known_at",
        "branches",
        "title_register",
        "selection_board",
    ):
        assert set(queries[key]["history_ms"]) == {"1", "2"}
        assert queries[key]["history_ratio"]["median"] > 0
        assert queries[key]["city_ratio"]["median"] > 0
    verification = figures["verification"]
    assert verification["verify"]["events_per_s"] > 0
    assert verification["hash_alone"]["events_per_s"] > 0
    assert verification["ratio"]["median"] > 0
    assert len(figures["memory"]["peak_rss_mib"]) == 2
    assert figures["memory"]["ratio"]["median"] > 0
    assert figures["concurrency"]["not_measured"]
    assert {t["target"] for t in result["targets"]} == {
        "peer",
        "writes",
        "rebuild",
        "queries",
        "memory",
        "verify",
        "city",
    }
    city = {t["figure"] for t in result["targets"] if t["target"] == "city"}
    assert city == {"ledger_rollup", "branches"}
    assert {t["verdict"] for t in result["targets"]} <= {"met", "missed", "unsteady"}
