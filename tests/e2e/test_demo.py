"""`guoying demo`: builds the demo city once, prints a ledger; a second run adds nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.city import organization
from tests.e2e.runner import Run, Store

SECTORS = [
    "RURAL",
    "URBAN_COMMUNITY",
    "PUBLIC_INSTITUTION",
    "STATE_OWNED_ENTERPRISE",
    "NON_PUBLIC_ENTERPRISE",
    "SOCIAL_ORGANIZATION",
    "OTHER",
]
DAIYUE_BASES = {"dy-manzhuang", "dy-dawenkou", "dy-zhoudian", "dy-kfqfg"}


@dataclass(frozen=True)
class Demo:
    store: Store
    first: Run
    ledger_after_first: dict[str, Any]
    history_after_first: list[dict[str, Any]]
    second: Run
    ledger_after_second: dict[str, Any]
    history_after_second: list[dict[str, Any]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    store = Store(tmp_path_factory.mktemp("demo"), "demo.db")
    first = store.run("demo")
    assert first.code == 0, first
    ledger, history = (
        store.ledger_json("dy-manzhuang", 2019),
        store.history_json("dy-manzhuang-001"),
    )
    second = store.run("demo")
    return Demo(
        store,
        first,
        ledger,
        history,
        second,
        store.ledger_json("dy-manzhuang", 2019),
        store.history_json("dy-manzhuang-001"),
    )


def test_demo_builds_the_city_and_prints_the_2019_ledger_of_manzhuang(demo: Demo) -> None:
    out = demo.first.stdout

    assert out.startswith("Built the demo city: ")
    for text in (
        "过硬党支部建设工作台账",
        "填报单位：中共岱岳区满庄镇委员会",
        "2019年",
        "党支部名称",
    ):
        assert text in out
    assert "等次分布" in out, "the tier figures follow the ledger"


def test_running_demo_a_second_time_succeeds_and_adds_nothing(demo: Demo) -> None:
    assert demo.second.code == 0, demo.second
    assert "already in this store; nothing was added" in demo.second.stdout
    assert demo.ledger_after_second == demo.ledger_after_first
    assert demo.history_after_second == demo.history_after_first


def test_the_demo_ledger_shows_an_approved_exception_to_ledger_advanced_cap(demo: Demo) -> None:
    """`ledger.advanced_cap`: 满庄镇 has one advanced branch above its 2019 limit, approved by
    the district committee, and the ledger says so."""
    ledger = demo.ledger_after_first
    figures = ledger["figures"]

    assert figures["counts"]["ADVANCED"] == figures["advanced_limit"] + 1
    [granted] = ledger["cap_exceptions"]
    assert (granted["committee_id"], granted["approved_by_committee_id"]) == (
        "dy-manzhuang",
        "daiyue",
    )
    assert 2019 in granted["years"]


def test_the_demo_branch_history_records_its_registration_and_each_annual_adjustment(
    demo: Demo,
) -> None:
    """`ledger.annual_adjustment`: one adjustment per evaluated year, 2017 to 2019."""
    entries = demo.history_after_first

    assert entries[0]["event"] == "BranchRegistered"
    adjusted = [e for e in entries if e["event"] == "TierAdjusted"]
    assert [e["year"] for e in adjusted] == [2017, 2018, 2019]
    assert all(set(e["detail"]) == {"year", "previous_tier", "new_tier"} for e in adjusted)


def test_the_demo_ledger_csv_has_a_row_per_branch_under_the_chinese_headers(demo: Demo) -> None:
    run = demo.store.ledger("dy-manzhuang", 2019, "csv")

    assert run.code == 0, run
    header, *rows = list(csv.reader(io.StringIO(run.stdout)))
    assert header[:3] == ["领域", "序号", "党支部名称"]
    assert [row[2] for row in rows] == [row["name"] for row in demo.ledger_after_first["rows"]]


def test_the_ledger_of_a_district_rolls_up_its_base_committees_in_sector_order(demo: Demo) -> None:
    """`ledger.rollup`: 岱岳区委's ledger is the union of its base committees' rows (one of
    them under an intermediate committee), in sector order with one running sequence."""
    ledger = demo.store.ledger_json("daiyue", 2019)
    rows = ledger["rows"]

    assert {row["base_committee_id"] for row in rows} == DAIYUE_BASES
    assert [row["sequence"] for row in rows] == list(range(1, len(rows) + 1))
    sectors = [SECTORS.index(row["sector"]) for row in rows]
    assert sectors == sorted(sectors)
    own = {row["branch_id"] for row in demo.ledger_after_first["rows"]}
    assert own <= {row["branch_id"] for row in rows}


def test_demo_on_a_store_holding_another_city_does_not_claim_the_demo_is_there(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path)
    assert store.apply(organization()[:1]).code == 0

    run = store.run("demo")

    assert "already in this store" not in run.stdout
    assert run.code == 1
    assert "another city" in run.stderr
