"""`guoying ledger`, `history` and `refusals` on the small city, in table, JSON and CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.e2e.city import CAIYUAN, LIAISON, WEAK_BRANCH, adjust_tier
from tests.e2e.conftest import copy_store
from tests.e2e.runner import Store

# Three refusals: mz-01 above manzhuang's cap (actor and subject manzhuang), cy-01 above
# caiyuan's cap (caiyuan, under taishan), and caiyuan acting on a manzhuang branch (actor
# under taishan, subject under daiyue).
REFUSED = (
    ("mz-01", "ledger.advanced_cap"),
    ("cy-01", "ledger.advanced_cap"),
    ("mz-02", "org.jurisdiction"),
)


@pytest.fixture(scope="module")
def town(city_template: Store, tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = copy_store(city_template, tmp_path_factory.mktemp("queries"), "town.db")
    run = store.apply(
        [
            adjust_tier("mz-01", 2017, "ADVANCED"),
            adjust_tier("cy-01", 2017, "ADVANCED", by=CAIYUAN),
            adjust_tier("mz-02", 2017, "LAGGING", by=CAIYUAN),
        ]
    )
    assert run.code == 1, run
    assert [(r["status"], r["rule_id"]) for r in run.results()] == [
        ("refused", rule) for _, rule in REFUSED
    ]
    return store


# ledger


def test_ledger_json_holds_a_row_per_branch_with_tier_targets_results_liaison_and_problems(
    town: Store,
) -> None:
    """`ledger.row` and `ledger.tiers`: Annex 1 for 满庄镇 in 2018, the 2017 result of the
    weak branch carried over as its tier."""
    ledger = town.ledger_json("manzhuang", 2018)

    assert ledger["committee"]["name"] == "中共岱岳区满庄镇委员会"
    assert (ledger["year"], ledger["window"]) == (2018, [2017, 2018, 2019])
    assert [row["sequence"] for row in ledger["rows"]] == list(range(1, 11))
    rows = {row["branch_id"]: row for row in ledger["rows"]}
    weak = rows[WEAK_BRANCH]
    _, name, phone, position = LIAISON
    assert weak["tier"] == "LAGGING"
    assert weak["targets"] == {"2017": None, "2018": "LAGGING", "2019": None}
    assert weak["results"] == {"2017": "LAGGING", "2018": None, "2019": None}
    assert (weak["liaison_name"], weak["liaison_position"], weak["liaison_contact"]) == (
        name,
        position,
        phone,
    )
    assert weak["problems"] == ["组织生活不规范，“三会一课”记录不全"]
    assert weak["measures"] == ["建立组织生活纪实台账，每月检查"]
    assert (weak["cases_open"], weak["cases_closed"]) == (0, 1)
    assert [row["branch_id"] for row in ledger["rows"] if row["tier"] == "ADVANCED"] == ["mz-10"]
    assert [p["problem_id"] for p in ledger["common_problems"]] == ["mz-common-1"]
    figures = ledger["figures"]
    assert (figures["active"], figures["counts"]["ADVANCED"], figures["advanced_limit"]) == (
        10,
        1,
        1,
    )


def test_ledger_csv_has_the_annex_1_chinese_headers_and_one_row_per_branch(town: Store) -> None:
    run = town.ledger("manzhuang", 2018, "csv")

    assert run.code == 0, run
    header, *rows = list(csv.reader(io.StringIO(run.stdout)))
    assert header[:4] == ["领域", "序号", "党支部名称", "当前等次"]
    for column in (
        "创建目标2017",
        "创建目标2019",
        "存在的问题",
        "整改及创建措施",
        "年度考评结果2017",
        "年度考评结果2019",
        "包保联系人",
        "职务",
        "联系方式",
    ):
        assert column in header
    assert len(rows) == 10
    weak = dict(
        zip(header, next(r for r in rows if r[2] == "满庄镇规划建设办公室党支部"), strict=True)
    )
    assert weak["领域"] == "机关事业单位"
    assert weak["当前等次"] == "后进"
    assert weak["年度考评结果2017"] == "后进"
    assert weak["包保联系人"] == "王建国"
    assert weak["存在的问题"] == "1、组织生活不规范，“三会一课”记录不全"
    # The ids that tell a rollup's rows apart and the cases as numbers, each in its column.
    assert header[-6:] == [
        "所属基层党委",
        "党支部编号",
        "包保联系人编号",
        "在整改",
        "逾期",
        "已销号",
    ]
    assert (weak["党支部编号"], weak["所属基层党委"], weak["包保联系人编号"]) == (
        WEAK_BRANCH,
        "manzhuang",
        LIAISON[0],
    )
    assert (weak["在整改"], weak["逾期"], weak["已销号"]) == ("0", "0", "1")
    assert not any("已销号" in cell for row in rows for cell in row)
    assert not run.stdout.startswith("\ufeff")


def test_ledger_csv_with_bom_starts_with_the_utf8_byte_order_mark(town: Store) -> None:
    """Spreadsheet programs read Chinese CSV as UTF-8 only after the byte-order mark."""
    plain = town.ledger("manzhuang", 2018, "csv")
    run = town.run(
        "ledger", "--committee", "manzhuang", "--year", "2018", "--format", "csv", "--bom"
    )

    assert run.code == 0, run
    assert run.stdout == "\ufeff" + plain.stdout


def test_ledger_table_shows_the_form_title_the_filing_committee_and_the_tier_figures(
    town: Store,
) -> None:
    run = town.ledger("manzhuang", 2018, "table")

    assert run.code == 0, run
    for text in (
        "过硬党支部建设工作台账",
        "填报单位：中共岱岳区满庄镇委员会",
        "党支部名称",
        "2018年",
    ):
        assert text in run.stdout
    assert "10 branches; advanced 1 (limit 1" in run.stdout


def test_ledger_of_an_unknown_committee_exits_1_naming_it(town: Store) -> None:
    run = town.ledger("nowhere", 2018)

    assert run.code == 1, run
    assert run.stderr == "error: committee_id: no such committee 'nowhere'\n"


def test_ledger_for_a_year_outside_the_policy_exits_1_naming_year(town: Store) -> None:
    for year in (2016, 2020):
        run = town.ledger("manzhuang", year)

        assert run.code == 1, run
        assert run.stderr.startswith(f"error: year: {year} is outside policy taian-2017"), run


def test_an_unknown_format_is_a_bad_option_and_exits_2(town: Store) -> None:
    run = town.ledger("manzhuang", 2018, "xml")

    assert run.code == 2, run
    assert "xml" in run.stderr


# history


def test_history_lists_every_decision_on_a_branch_with_actor_reason_rules_and_dates(
    town: Store,
) -> None:
    """`ledger.annual_adjustment`: the adjustment records the year, the previous and the new
    tier, the reason and who decided; every entry carries its rule ids and policy version."""
    entries = town.history_json(WEAK_BRANCH)

    assert [e["event"] for e in entries] == [
        "BranchRegistered",
        "CreationTargetSet",
        "LiaisonAssigned",
        "ProblemFound",
        "RectificationSignedOff",
        "TierAdjusted",
    ]
    adjusted = entries[-1]
    assert adjusted["year"] == 2017
    assert adjusted["detail"] == {"year": 2017, "previous_tier": "WEAK", "new_tier": "LAGGING"}
    assert (adjusted["actor_person_id"], adjusted["actor_committee_id"]) == (
        "manzhuang-clerk",
        "manzhuang",
    )
    assert adjusted["reason"] == "2017年度考评结果"
    assert adjusted["effective_on"] == "2018-01-20"
    assert "ledger.annual_adjustment" in adjusted["rule_ids"]
    assert all(e["rule_ids"] and e["policy_version"] == "taian-2017" for e in entries)
    recorded = [e["recorded_at"] for e in entries]
    assert recorded == sorted(recorded)


def test_history_table_names_the_branch_and_its_events(town: Store) -> None:
    run = town.run("history", WEAK_BRANCH)

    assert run.code == 0, run
    assert f"History of {WEAK_BRANCH}" in run.stdout
    assert "TierAdjusted" in run.stdout
    assert "2017年度考评结果" in run.stdout


def test_history_of_an_unknown_branch_exits_1(town: Store) -> None:
    run = town.run("history", "mz-99")

    assert run.code == 1, run
    assert run.stderr == "error: branch_id: no such branch 'mz-99'\n"


# refusals


def refused(entries: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(e["payload"]["branch_id"], e["rule_id"]) for e in entries]


@pytest.mark.parametrize(
    ("committee", "expected"),
    [
        (None, list(REFUSED)),
        ("daiyue", [REFUSED[0], REFUSED[2]]),
        ("taishan", [REFUSED[1], REFUSED[2]]),
    ],
    ids=["all", "daiyue", "taishan"],
)
def test_refusals_committee_keeps_refusals_whose_actor_or_subject_is_in_its_subtree(
    town: Store, committee: str | None, expected: list[tuple[str, str]]
) -> None:
    """rules.md 9a: the refusal log, filtered by committee; caiyuan (under 泰山区) acting on a
    满庄 branch (under 岱岳区) is seen from both."""
    entries = town.refusals_json(committee)

    assert refused(entries) == expected
    for entry in entries:
        assert entry["command"] == "AdjustTier"
        assert entry["reason"] == "2017年度考评结果"
        assert entry["message"]


def test_refusals_table_lists_each_refusal_with_its_rule(town: Store) -> None:
    run = town.run("refusals", "--committee", "manzhuang")

    assert run.code == 0, run
    assert "Refusal log" in run.stdout
    assert "ledger.advanced_cap" in run.stdout
    assert "org.jurisdiction" in run.stdout


def test_refusals_of_an_unknown_committee_exit_1(town: Store) -> None:
    run = town.run("refusals", "--committee", "nowhere")

    assert run.code == 1, run
    assert "no such committee 'nowhere'" in run.stderr
