"""The auditor's walk-through of the README, run against the demo city: the audit trail,
as-known-at and as-of readings, replay checks and an erasure that keeps the proof."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from tests.e2e.runner import Store


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("auditor"), "demo.db")
    run = store.run("demo")
    assert run.code == 0, run
    return store


@pytest.fixture
def copy(demo: Store, tmp_path: Path) -> Store:
    shutil.copyfile(demo.path, tmp_path / "demo.db")
    return Store(tmp_path, "demo.db")


def test_the_demo_store_verifies_and_a_replay_equals_its_views(demo: Store) -> None:
    assert demo.run("verify").code == 0
    run = demo.run("replay", "--check")
    assert run.code == 0, run
    assert "equal a fresh replay" in run.stdout


def test_the_audit_trail_names_who_decided_under_which_rule_and_policy(demo: Store) -> None:
    """Section 10 item 5: every tier change has an actor, a time and a reason."""
    run = demo.run("audit", "--branch", "dy-manzhuang-025", "--format", "json")
    assert run.code == 0, run
    entries = run.json()
    adjustments = [e for e in entries if e["what"] == "TierAdjusted"]
    assert [e["detail"]["year"] for e in adjustments] == [2017, 2018, 2019, 2019]
    for entry in entries:
        assert entry["actor_person_id"]
        assert entry["reason"]
        assert entry["recorded_at"]
    excepted = adjustments[-1]
    assert "ledger.advanced_cap" in excepted["rule_ids"]


def test_the_audit_trail_filters_by_rule_committee_and_dates(demo: Store) -> None:
    run = demo.run(
        "audit",
        "--committee",
        "dy-manzhuang",
        "--rule",
        "ledger.advanced_cap",
        "--from",
        "2020-01-01",
        "--to",
        "2020-12-31",
        "--format",
        "json",
    )
    entries = run.json()
    assert entries
    assert all("ledger.advanced_cap" in e["rule_ids"] for e in entries)
    assert all(e["effective_on"] >= "2020-01-01" for e in entries)
    assert all(e["committee_id"] in {"dy-manzhuang"} for e in entries)


def test_a_recorded_time_without_an_offset_is_unusable_input(demo: Store) -> None:
    run = demo.run("audit", "--recorded-from", "2020-01-01T00:00:00")
    assert run.code == 2
    assert "UTC offset" in run.stderr
    assert (
        demo.run("ledger", "--committee", "taian", "--year", "2019", "--as-of", "2019/01/01").code
        == 2
    )


def test_as_known_at_answers_what_the_store_held_before_a_later_correction(demo: Store) -> None:
    history = demo.history_json("dy-dawenkou-004")
    corrected = next(e for e in history if e["event"] == "RecordCorrected")
    just_before = datetime.fromisoformat(corrected["recorded_at"]).timestamp() - 0.000001
    before = datetime.fromtimestamp(just_before).astimezone().isoformat()

    def result_2018(*options: str) -> str:
        run = demo.run(
            "ledger", "--committee", "dy-dawenkou", "--year", "2019", "--format", "json", *options
        )
        assert run.code == 0, run
        row = next(r for r in run.json()["rows"] if r["branch_id"] == "dy-dawenkou-004")
        return str(row["results"]["2018"])

    assert result_2018() == corrected["detail"]["tier"]
    assert result_2018("--as-known-at", before) != corrected["detail"]["tier"]
    known = demo.run("history", "dy-dawenkou-004", "--as-known-at", before, "--format", "json")
    assert "RecordCorrected" not in [e["event"] for e in known.json()]


def test_as_of_reads_what_was_in_effect_on_a_business_date(demo: Store) -> None:
    before_move = demo.run(
        "ledger",
        "--committee",
        "dy-manzhuang",
        "--year",
        "2019",
        "--as-of",
        "2019-02-01",
        "--format",
        "json",
    ).json()
    at_year_end = demo.ledger_json("dy-manzhuang", 2019)
    assert len(at_year_end["rows"]) == len(before_move["rows"]) + 1
    assert all(row["results"]["2019"] is None for row in before_move["rows"])


def test_an_erased_person_reads_as_erased_and_the_store_still_verifies(copy: Store) -> None:
    checkpoint = copy.folder / "checkpoint.json"
    checkpoint.write_text(copy.run("checkpoint").stdout, encoding="utf-8")
    row = copy.ledger_json("dy-manzhuang", 2019)["rows"][0]
    person = row["liaison_id"]
    assert row["liaison_name"] != "（已删除）"
    run = copy.run(
        "erase-person",
        person,
        "--reason",
        "本人申请删除",
        "--actor",
        "clerk",
        "--committee",
        "taian-zzb",
    )
    assert run.code == 0, run
    erased = next(
        r for r in copy.ledger_json("dy-manzhuang", 2019)["rows"] if r["liaison_id"] == person
    )
    assert (erased["liaison_name"], erased["liaison_contact"]) == ("（已删除）", "（已删除）")
    assert copy.run("verify", "--checkpoint", str(checkpoint)).code == 0
    rebuilt = copy.run("rebuild")
    assert rebuilt.code == 0, rebuilt
    with sqlite3.connect(copy.path) as conn:
        (events,) = conn.execute("SELECT count(*) FROM guoying_events").fetchone()
    assert f"rebuilt every view from {events} events" in rebuilt.stdout
    assert copy.run("replay", "--check").code == 0
    again = next(
        r for r in copy.ledger_json("dy-manzhuang", 2019)["rows"] if r["liaison_id"] == person
    )
    assert again == erased
    with copy.path.open("rb") as raw:
        stored = raw.read()
    assert row["liaison_name"].encode() not in stored


def test_only_the_organization_department_erases_personal_data(copy: Store) -> None:
    """`org.jurisdiction`: a district committee may not erase."""
    run = copy.run(
        "erase-person",
        "dy-manzhuang-p1",
        "--reason",
        "x",
        "--actor",
        "clerk",
        "--committee",
        "daiyue",
    )
    assert run.code == 1
    assert "org.jurisdiction" in run.stderr


def test_a_person_erased_twice_is_refused_by_people_erasure_and_logged(copy: Store) -> None:
    """`people.erasure` (the project's id for rules.md 9a on personal data): a second
    erasure of one person is refused, changes nothing and is in the refusal log."""
    erase = ("erase-person", "dy-manzhuang-p1", "--reason", "本人申请删除", "--actor", "clerk")
    assert copy.run(*erase, "--committee", "taian-zzb").code == 0
    before = copy.seen()

    again = copy.run(*erase, "--committee", "taian-zzb")

    assert again.code == 1, again
    assert "people.erasure" in again.stderr
    refusals = json.loads(copy.run("refusals", "--format", "json").stdout)
    assert refusals[-1]["rule_id"] == "people.erasure"
    after = copy.seen()
    assert {k: v for k, v in after.items() if "refusal" not in k} == {
        k: v for k, v in before.items() if "refusal" not in k
    }
