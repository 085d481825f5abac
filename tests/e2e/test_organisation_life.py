"""The demo city over 2017-2019 as the CLI shows it: a founding, a merger, a move, a
dissolution, a correction, a new leader and a 2019 policy version; past years' ledgers keep
what they were while later years follow the changes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.runner import Store, jsonl


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("life"), "demo.db")
    run = store.run("demo")
    assert run.code == 0, run
    return store


@pytest.fixture
def demo_copy(demo: Store, tmp_path: Path) -> Store:
    shutil.copyfile(demo.path, tmp_path / "demo.db")
    return Store(tmp_path, "demo.db")


def ids(ledger: dict[str, Any]) -> set[str]:
    return {row["branch_id"] for row in ledger["rows"]}


def test_a_move_in_2019_counts_the_village_under_manzhuang_from_2019_only(demo: Store) -> None:
    """`org.hierarchy`: the moved branch is in zhoudian's 2018 ledger and manzhuang's 2019."""
    zhoudian_2018 = demo.ledger_json("dy-zhoudian", 2018)
    zhoudian_2019 = demo.ledger_json("dy-zhoudian", 2019)
    manzhuang_2018 = demo.ledger_json("dy-manzhuang", 2018)
    manzhuang_2019 = demo.ledger_json("dy-manzhuang", 2019)
    [moved] = ids(zhoudian_2018) - ids(zhoudian_2019)
    assert moved in ids(manzhuang_2019)
    assert moved not in ids(manzhuang_2018)
    assert manzhuang_2019["figures"]["active"] == manzhuang_2018["figures"]["active"] + 1


def test_the_merger_and_the_dissolution_leave_earlier_years_as_they_were(demo: Store) -> None:
    taishan = {year: demo.ledger_json("taishan", year) for year in (2017, 2018, 2019)}
    founded = {"ts-caiyuan-new"}
    assert founded <= ids(taishan[2018]) - ids(taishan[2017])
    merged = ids(taishan[2017]) - ids(taishan[2018])
    assert len(merged) == 1
    dissolved = ids(taishan[2018]) - ids(taishan[2019])
    assert len(dissolved) == 1
    assert [taishan[y]["figures"]["active"] for y in (2017, 2018, 2019)] == [74, 74, 73]


def test_the_survivor_of_a_merger_carries_the_absorbed_branchs_history(demo: Store) -> None:
    history = demo.history_json("ts-qiujiadian-001")
    assert {entry["branch_id"] for entry in history} == {
        "ts-qiujiadian-001",
        "ts-qiujiadian-002",
    }
    assert "BranchAbsorbed" in [entry["event"] for entry in history]


def test_a_corrected_evaluation_shows_the_corrected_value_and_history_keeps_both(
    demo: Store,
) -> None:
    history = demo.history_json("dy-dawenkou-004")
    adjusted = next(e for e in history if e["event"] == "TierAdjusted" and e["year"] == 2018)
    [correction] = [e for e in history if e["event"] == "RecordCorrected"]
    assert correction["detail"]["corrects_version"] == adjusted["version"]
    assert correction["detail"]["tier"] != adjusted["detail"]["new_tier"]
    row = next(
        r
        for r in demo.ledger_json("dy-dawenkou", 2019)["rows"]
        if r["branch_id"] == "dy-dawenkou-004"
    )
    assert row["results"]["2018"] == correction["detail"]["tier"]


def test_a_new_leader_without_a_branch_is_named_by_ledger_liaison_coverage(demo: Store) -> None:
    """`ledger.liaison_coverage`: 2019 names the new deputy secretary; 2018 is met."""
    run = demo.run("coverage", "--committee", "dy-manzhuang", "--year", "2019", "--format", "json")
    assert run.code == 1, run
    found = run.json()
    assert [u["name"] for u in found["uncovered_leaders"]] == ["韩振华"]
    assert demo.run("coverage", "--committee", "dy-manzhuang", "--year", "2018").code == 0


def test_the_2019_policy_version_is_in_effect_from_its_date_only(demo: Store) -> None:
    before = demo.run("policy", "show", "--on", "2018-12-31", "--format", "json").json()
    after = demo.run("policy", "show", "--on", "2019-01-01", "--format", "json").json()
    assert before["in_effect"]["version"] == "taian-2017"
    assert after["in_effect"]["version"] == "taian-2019"
    assert "610 office" in before["in_effect"]["agencies_always"]
    assert "610 office" not in after["in_effect"]["agencies_always"]
    ledger_2018 = demo.ledger_json("daiyue", 2018)
    assert ledger_2018["figures"]["weak_limit"] is None


def test_a_branch_is_found_by_a_part_of_its_chinese_name(demo: Store) -> None:
    run = demo.run("branches", "--name", "东城新区", "--format", "json")
    assert run.code == 0, run
    assert [b["branch_id"] for b in run.json()] == ["ts-caiyuan-new"]
    committees = demo.run("committees", "--name", "满庄", "--format", "json").json()
    assert [c["committee_id"] for c in committees] == ["dy-manzhuang"]


def test_moving_a_branch_to_a_dissolved_committee_is_refused_by_org_hierarchy(
    demo_copy: Store,
) -> None:
    """`org.hierarchy`: dissolve an emptied committee, then try to move a branch into it."""
    actor = {"person_id": "clerk", "committee_id": "taishan"}
    dissolve = {
        "command": "DissolveCommittee",
        "actor": {"person_id": "clerk", "committee_id": "taian"},
        "reason": "撤销",
        "effective_on": "2019-12-01",
        "committee_id": "dy-lxzw",
    }
    empty = demo_copy.apply([dissolve])
    assert empty.code == 1, empty
    [result] = empty.results()
    assert result["rule_id"] == "org.hierarchy"
    move = {
        "command": "MoveBranch",
        "actor": actor,
        "reason": "调整",
        "effective_on": "2019-12-02",
        "branch_id": "ts-caiyuan-001",
        "to_committee_id": "no-such-committee",
    }
    missing = demo_copy.apply([move])
    assert missing.code == 1
    assert missing.results()[0]["error"] == "not_found"


def test_a_policy_version_dated_before_the_last_one_is_refused(demo_copy: Store) -> None:
    """`policy.versions`: a new version takes effect after the last published one."""
    line = {
        "command": "PublishPolicy",
        "reason": "回溯",
        "actor": {"person_id": "clerk", "committee_id": "taian-zzb"},
        "policy": {"version": "taian-2018", "effective_on": "2018-06-01"},
    }
    run = demo_copy.run("apply", "-", stdin=jsonl([line]))
    assert run.code == 1, run
    assert run.results()[0]["rule_id"] == "policy.versions"
    by_district = {
        **line,
        "actor": {"person_id": "clerk", "committee_id": "daiyue"},
        "policy": {"version": "taian-2020", "effective_on": "2020-01-01"},
    }
    refused = demo_copy.run("apply", "-", stdin=jsonl([by_district]))
    assert refused.results()[0]["rule_id"] == "org.jurisdiction"


def test_ledger_liaison_coverage_of_a_district_rolls_up_every_committee_under_it(
    demo: Store,
) -> None:
    """`ledger.liaison_coverage` of daiyue in 2019 is not met because its town dy-manzhuang
    has a leader who liaises with no branch: the subtree's figures count every committee's
    leaders, and each committee is shown with its own."""
    run = demo.run("coverage", "--committee", "daiyue", "--year", "2019", "--format", "json")
    assert run.code == 1, run
    found = run.json()
    assert found["met"] is False
    assert [(u["name"], u["committee_id"]) for u in found["uncovered_leaders"]] == [
        ("韩振华", "dy-manzhuang")
    ]
    by_committee = {c["committee_id"]: c for c in found["committees"]}
    assert by_committee["dy-manzhuang"]["leaders"] == 6
    assert by_committee["dy-zhoudian"]["uncovered_leaders"] == []
    assert found["leaders"] == sum(c["leaders"] for c in found["committees"]) > 6
    table = demo.run("coverage", "--committee", "daiyue", "--year", "2019")
    assert table.code == 1
    assert "NOT met" in table.stdout
