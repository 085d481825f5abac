"""`guoying apply`: validate every line first, then apply in order; exit 0, 1 or 2."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.e2e.city import (
    ADVANCED_BRANCH,
    CAIYUAN,
    MANZHUANG,
    TAISHAN,
    WEAK_BRANCH,
    adjust_tier,
    branch,
    city_lines,
    command,
    committee,
    organization,
    set_target,
)
from tests.e2e.conftest import CopyCity
from tests.e2e.runner import Store, guoying, jsonl

EVENT_ID = re.compile(r"^[a-z]+:[\w.-]+@\d+$")


def by_branch(ledger: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["branch_id"]: row for row in ledger["rows"]}


# Good lines


def test_good_lines_exit_0_with_one_applied_result_line_per_command_naming_its_events(
    tmp_path: Path,
) -> None:
    lines = city_lines()
    text = jsonl(lines[:3]) + "\n" + jsonl(lines[3:])  # a blank line 4 is skipped
    (tmp_path / "city.jsonl").write_text(text, encoding="utf-8")
    store = Store(tmp_path)

    run = store.run("apply", "city.jsonl")

    assert run.code == 0, run
    results = run.results()
    assert [r["line"] for r in results] == [1, 2, 3, *range(5, len(lines) + 2)]
    assert {r["status"] for r in results} == {"applied"}
    positions: list[int] = []
    for result in results:
        assert result["events"], result
        assert all(EVENT_ID.match(event) for event in result["events"]), result
        assert len(result["positions"]) == len(result["events"])
        positions += result["positions"]
    assert positions == sorted(set(positions)), "positions follow the store's order"
    assert results[0]["events"] == ["org:tree@1"]
    registered = results[lines.index(next(x for x in lines if x.get("branch_id") == "mz-01"))]
    assert registered["events"] == [
        "branch:mz-01@1",
        "names:manzhuang@1",
        "cap:manzhuang@1",
        "cap:daiyue@1",
    ]


def test_apply_reads_the_commands_from_standard_input_given_a_dash(city: Store) -> None:
    run = city.run("apply", "-", stdin=jsonl([set_target("mz-01", 2018, "ADVANCED")]))

    assert run.code == 0, run
    [result] = run.results()
    assert (result["line"], result["status"], result["events"]) == (
        1,
        "applied",
        ["branch:mz-01@2"],
    )


def test_a_file_saved_with_a_byte_order_mark_is_read_as_commands(city: Store) -> None:
    text = "\ufeff" + jsonl([set_target("mz-01", 2018, "ADVANCED")])
    (city.folder / "bom.jsonl").write_text(text, encoding="utf-8")

    run = city.run("apply", "bom.jsonl")

    assert run.code == 0, run
    assert [r["status"] for r in run.results()] == ["applied"]


def test_an_empty_file_applies_nothing_and_exits_0(city: Store) -> None:
    run = city.apply(["", "   "])

    assert (run.code, run.stdout) == (0, "")


def test_effective_on_defaults_to_today_in_china_standard_time(city: Store) -> None:
    china = ZoneInfo("Asia/Shanghai")
    before = datetime.now(tz=china).date()
    run = city.apply([set_target("mz-02", 2019, "ADVANCED", effective_on=None)])
    after = datetime.now(tz=china).date()

    assert run.code == 0, run
    latest = city.history_json("mz-02")[-1]
    assert latest["event"] == "CreationTargetSet"
    assert latest["effective_on"] in {before.isoformat(), after.isoformat()}


# Refused lines


def test_a_line_refused_by_ledger_advanced_cap_exits_1_and_the_lines_after_it_still_apply(
    city: Store,
) -> None:
    """`ledger.advanced_cap`: ten branches allow one advanced; a second is refused, logged,
    and changes nothing, while the lines after it are applied (rules.md 9a)."""
    run = city.apply(
        [
            set_target("mz-01", 2018, "ADVANCED"),
            adjust_tier("mz-01", 2017, "ADVANCED"),
            set_target("mz-02", 2018, "ADVANCED"),
            adjust_tier("mz-03", 2017, "LAGGING"),
        ]
    )

    assert run.code == 1, run
    results = run.results()
    assert [(r["line"], r["status"]) for r in results] == [
        (1, "applied"),
        (2, "refused"),
        (3, "applied"),
        (4, "applied"),
    ]
    refused = results[1]
    assert refused["error"] == "refused"
    assert refused["rule_id"] == "ledger.advanced_cap"
    assert refused["message"].startswith("ledger.advanced_cap: ")
    [logged] = city.refusals_json()
    assert logged["rule_id"] == "ledger.advanced_cap"
    assert logged["command"] == "AdjustTier"
    assert logged["payload"]["branch_id"] == "mz-01"
    assert logged["reason"] == "2017年度考评结果"
    rows = by_branch(city.ledger_json("manzhuang", 2018))
    assert rows["mz-01"]["tier"] == "MIDDLE"
    assert rows["mz-02"]["targets"]["2018"] == "ADVANCED"
    assert rows["mz-03"]["tier"] == "LAGGING"


def test_an_actor_outside_its_jurisdiction_is_refused_by_org_jurisdiction_and_logged(
    city: Store,
) -> None:
    """`org.jurisdiction`: 财源 (under 泰山区) cannot evaluate a 满庄 branch, nor 泰山区委
    register a committee under 岱岳区委; both refusals are logged, nothing else changes."""
    run = city.apply(
        [
            adjust_tier("mz-02", 2017, "LAGGING", by=CAIYUAN),
            committee(TAISHAN, "dawenkou", "中共岱岳区大汶口镇委员会", "BASE", "daiyue"),
        ]
    )

    assert run.code == 1, run
    for result in run.results():
        assert result["status"] == "refused"
        assert result["error"] == "not_authorized"
        assert result["rule_id"] == "org.jurisdiction"
    logged = city.refusals_json()
    assert [(r["rule_id"], r["actor_committee_id"]) for r in logged] == [
        ("org.jurisdiction", "caiyuan"),
        ("org.jurisdiction", "taishan"),
    ]


def test_refusals_by_a_rule_are_logged_with_the_whole_command_but_unknown_or_taken_ids_are_not(
    city: Store,
) -> None:
    """rules.md 9a: a refusal by a rule (`ledger.annual_adjustment`: 2016 is outside policy
    taian-2017) is logged with the command as given; an id registered again
    (`already_exists`) or an unknown branch (`not_found`) is refused but not logged."""
    outside = adjust_tier(WEAK_BRANCH, 2016, "MIDDLE")

    run = city.apply([organization()[0], outside, adjust_tier("mz-99", 2017, "MIDDLE")])

    assert run.code == 1, run
    assert [(r["error"], r["rule_id"]) for r in run.results()] == [
        ("already_exists", None),
        ("refused", "ledger.annual_adjustment"),
        ("not_found", None),
    ]
    [logged] = city.refusals_json()
    assert logged["payload"] == outside


# Unusable lines: exit 2, every one reported, nothing applied

UNUSABLE: list[tuple[Any, str]] = [
    ('{"command": "AdjustTier", "branch_id": "mz-01",', "malformed JSON: "),
    ('["AdjustTier"]', '$: expected a JSON object with a "command" field'),
    ({"branch_id": "mz-01", "year": 2018}, "$.command: missing"),
    (
        command("PromoteBranch", MANZHUANG, branch_id="mz-01"),
        "$.command: unknown command 'PromoteBranch'",
    ),
    (
        {k: v for k, v in adjust_tier("mz-02", 2018, "MIDDLE").items() if k != "year"},
        "$.year: required field missing",
    ),
    (adjust_tier("mz-03", "2018", "MIDDLE"), "$.year: invalid value for int: expected int"),
    (adjust_tier("mz-03", 2018.0, "MIDDLE"), "$.year: invalid value for int: expected int"),
    (adjust_tier("mz-03", True, "MIDDLE"), "$.year: invalid value for int: expected int"),
    (
        adjust_tier("mz-04", 2018, "EXCELLENT"),
        "$.tier: expected one of ADVANCED, MIDDLE, LAGGING, WEAK",
    ),
    (adjust_tier("mz-04", 2018, "先进（过硬）"), "$.tier: expected one of"),
    (adjust_tier("mz-04", 2018, "advanced"), "$.tier: expected one of"),
    (
        adjust_tier("mz-05", 2018, "MIDDLE", by={"person_id": "manzhuang-clerk"}),
        "$.actor.committee_id: required field missing",
    ),
    (adjust_tier("mz-05", 2018, "MIDDLE", effective="2019-01-20"), "$: unknown field(s) effective"),
    (adjust_tier("mz-05", 2018, "MIDDLE", effective_on="2019-1-20"), "$.effective_on: "),
    (
        branch(
            MANZHUANG,
            "mz-11",
            "满庄镇卫生院党支部",
            "manzhuang",
            ["mz-jg"],
            "MIDDLE",
            is_financial_institution=1,
        ),
        "$.is_financial_institution: ",
    ),
    (
        branch(MANZHUANG, "mz-11", "满庄镇卫生院党支部", "manzhuang", ["mz-jg", 3], "MIDDLE"),
        "$.unit_ids[1]: invalid value for str: expected str",
    ),
    (
        {
            "command": "MoveBranch",
            "actor": {"person_id": "daiyue-clerk", "committee_id": "daiyue"},
            "reason": "区划调整",
            "branch_id": "mz-06",
            "to_committee_id": "manzhuang",
            "receiving_decision_by": {"person_id": 7, "committee_id": "manzhuang"},
        },
        "$.receiving_decision_by.person_id: invalid value for str: expected str",
    ),
    (
        adjust_tier("mz-06", 2018, "ADVANCED", cap_exceptions=[]),
        "$: unknown field(s) cap_exceptions",
    ),
]


def test_unusable_lines_are_all_reported_by_line_and_field_path_and_nothing_is_applied(
    city: Store, city_seen: dict[str, Any]
) -> None:
    """design.md 3: malformed JSON, an unknown command, a missing or mistyped field, a tier
    not one of the four... every such line is reported, none is applied, exit 2."""
    good = [adjust_tier("mz-01", 2018, "LAGGING"), set_target("mz-02", 2019, "ADVANCED")]
    lines = [good[0], *(line for line, _ in UNUSABLE), good[1]]

    run = city.apply(lines)

    assert run.code == 2, run
    results = run.results()
    assert [r["line"] for r in results] == list(range(2, len(UNUSABLE) + 2))
    for result, (line, expected) in zip(results, UNUSABLE, strict=True):
        assert result["status"] == "invalid"
        assert [e for e in result["errors"] if e.startswith(expected)], (line, result)
    assert f"error: {len(UNUSABLE)} unusable line(s); nothing was applied" in run.stderr
    assert city.seen() == city_seen


def test_an_unusable_line_stops_apply_before_the_store_is_opened(tmp_path: Path) -> None:
    store = Store(tmp_path)

    run = store.apply([*organization(), adjust_tier("mz-01", 2018, "EXCELLENT")])

    assert run.code == 2, run
    assert [(r["line"], r["status"]) for r in run.results()] == [(7, "invalid")]
    assert not store.path.exists()


def test_a_string_or_an_object_given_for_an_array_field_is_invalid(city: Store) -> None:
    """A JSON string or object is never iterated into characters or keys."""

    def new_branch(**fields: Any) -> dict[str, Any]:
        return branch(MANZHUANG, "mz-11", "满庄镇卫生院党支部", "manzhuang", [], "MIDDLE") | fields

    run = city.apply(
        [
            new_branch(unit_ids="mz-jg"),
            new_branch(unit_ids={"mz-jg": True}),
            {
                "command": "SplitBranch",
                "actor": {"person_id": "manzhuang-clerk", "committee_id": "manzhuang"},
                "reason": "拆分",
                "branch_id": "mz-01",
                "new_branches": {"mz-11": {}},
            },
        ]
    )

    assert run.code == 2, run
    assert [(r["line"], r["status"], r["errors"][0].split(":")[0]) for r in run.results()] == [
        (1, "invalid", "$.unit_ids"),
        (2, "invalid", "$.unit_ids"),
        (3, "invalid", "$.new_branches"),
    ]


def test_a_blank_reason_is_reported_at_its_field_path(tmp_path: Path) -> None:
    """design.md 2: a bad field is reported by its path, a blank one too."""
    line = set_target("mz-01", 2018, "MIDDLE") | {"reason": "  "}

    run = Store(tmp_path).apply([line])

    assert run.code == 2, run
    [result] = run.results()
    assert result["errors"] == ["$.reason: must not be blank"]


def test_an_unknown_unit_of_a_new_branch_is_not_found_and_named_a_unit(city: Store) -> None:
    run = city.apply(
        [
            branch(
                MANZHUANG, "mz-11", "满庄镇卫生院党支部", "manzhuang", ["mz-jg", "mz-wsy"], "MIDDLE"
            )
        ]
    )

    assert run.code == 1, run
    [result] = run.results()
    assert result["error"] == "not_found"
    assert result["message"] == "unit_ids[1]: no such unit 'mz-wsy'"


def test_a_file_that_cannot_be_read_exits_2_with_a_message(tmp_path: Path) -> None:
    run = Store(tmp_path).run("apply", "missing.jsonl")

    assert run.code == 2, run
    assert run.stderr.startswith("error: cannot read missing.jsonl")


# --atomic


def test_atomic_apply_refuses_the_whole_unit_when_one_line_breaks_ledger_advanced_cap(
    city: Store, city_seen: dict[str, Any]
) -> None:
    """`ledger.advanced_cap` with `--atomic`: all or nothing; one refusal is logged."""
    run = city.apply(
        [
            set_target("mz-03", 2018, "ADVANCED"),
            adjust_tier("mz-01", 2018, "ADVANCED"),
            adjust_tier("mz-02", 2018, "MIDDLE"),
        ],
        "--atomic",
    )

    assert run.code == 1, run
    [result] = run.results()
    assert result["line"] == [1, 2, 3]
    assert (result["status"], result["rule_id"]) == ("refused", "ledger.advanced_cap")
    seen = city.seen()
    [logged] = seen["refusals"]
    assert (logged["rule_id"], logged["command"]) == ("ledger.advanced_cap", "AdjustTier")
    assert seen["ledger"] == city_seen["ledger"]


def test_atomic_apply_judges_ledger_advanced_cap_on_the_end_state_so_row_order_does_not_matter(
    copy_city: CopyCity,
) -> None:
    """`ledger.advanced_cap`: an import given as one unit is judged on its end state. Line by
    line, raising mz-01 before lowering mz-10 is refused; with --atomic both apply."""
    evaluation = [
        adjust_tier("mz-01", 2018, "ADVANCED"),
        adjust_tier(ADVANCED_BRANCH, 2018, "MIDDLE"),
    ]
    line_by_line, atomic = copy_city("line-by-line.db"), copy_city("atomic.db")

    separately = line_by_line.apply(evaluation)
    together = atomic.apply(evaluation, "--atomic")

    assert separately.code == 1, separately
    assert [(r["status"], r.get("rule_id")) for r in separately.results()] == [
        ("refused", "ledger.advanced_cap"),
        ("applied", None),
    ]
    assert together.code == 0, together
    [result] = together.results()
    assert (result["line"], result["status"]) == ([1, 2], "applied")
    assert result["events"][0] == "branch:mz-01@2"
    assert f"branch:{ADVANCED_BRANCH}@2" in result["events"]
    rows = by_branch(atomic.ledger_json("daiyue", 2018))
    assert (rows["mz-01"]["tier"], rows[ADVANCED_BRANCH]["tier"]) == ("ADVANCED", "MIDDLE")


# Where the store is


def test_without_store_option_apply_uses_the_store_named_by_guoying_store(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.db"
    (tmp_path / "city.jsonl").write_text(jsonl(organization()), encoding="utf-8")

    run = guoying(
        "apply", "city.jsonl", cwd=tmp_path, env={"GUOYING_STORE": f"sqlite:///{elsewhere}"}
    )

    assert run.code == 0, run
    assert elsewhere.exists()
    assert not (tmp_path / "guoying.db").exists()


def test_without_store_option_or_variable_apply_uses_guoying_db_in_the_working_directory(
    tmp_path: Path,
) -> None:
    (tmp_path / "city.jsonl").write_text(jsonl(organization()), encoding="utf-8")

    run = guoying("apply", "city.jsonl", cwd=tmp_path)

    assert run.code == 0, run
    assert (tmp_path / "guoying.db").exists()
    read = guoying(
        "ledger", "--committee", "daiyue", "--year", "2017", "--format", "json", cwd=tmp_path
    )
    assert read.code == 0, read
    assert read.json()["committee"]["name"] == "中共泰安市岱岳区委员会"
