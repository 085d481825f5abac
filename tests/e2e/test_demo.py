"""`guoying demo`: builds the demo city once, prints a ledger; a second run adds nothing."""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from guoying import Guoying
from guoying.domain.mentoring import MentoringPairEnded, mentor_key, pair_key
from guoying.domain.values import Tier
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
LADDER = [Tier.WEAK, Tier.LAGGING, Tier.MIDDLE, Tier.ADVANCED]


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
    ids = header.index("党支部编号")
    assert [row[ids] for row in rows] == [
        row["branch_id"] for row in demo.ledger_after_first["rows"]
    ]
    counts = [header.index(h) for h in ("在整改", "逾期", "已销号")]
    assert all(row[i].isdigit() for row in rows for i in counts)


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


# The selection years 2017 and 2018

SUMMARY = re.compile(
    r"^Selection (?P<year>\d{4}): (?P<applied>\d+) branches applied \((?P<late>\d+) late\), "
    r"\d+ later steps late; (?P<vetoed>\d+) vetoed, (?P<objections>\d+) removed on an "
    r"objection; (?P<titled>\d+) red-flag branches titled by city-managed committees; "
    r"(?P<named>\d+) Taishan Pioneers named.*; refused as intended: (?P<refused>.*)\.$",
    re.MULTILINE,
)
INTENDED_REFUSALS = {
    ("FinaliseList", "selection.public_notice"),
    ("ApplyForSelection", "selection.veto"),
    ("DecideRoundList", "selection.title_levels"),
    ("RevokeTitle", "title.revocation"),
    ("SubmitImplementationPlan", "plan.filing"),
    ("FileCultivationPlan", "cultivation.minimum"),
    ("RecordSupervisionVisit", "org.jurisdiction"),
    ("AdjustTier", "ledger.advanced_cap"),
    ("AdjustTier", "org.jurisdiction"),
}


@pytest.fixture(scope="module")
def trail(demo: Demo) -> list[dict[str, Any]]:
    """The whole audit trail of the demo store, decisions and refusals."""
    run = demo.store.run("audit", "--format", "json")
    assert run.code == 0, run
    found: list[dict[str, Any]] = run.json()
    return found


def summaries(out: str) -> dict[int, dict[str, str]]:
    return {int(m["year"]): m.groupdict() for m in SUMMARY.finditer(out)}


def events(trail: list[dict[str, Any]], what: str) -> list[dict[str, Any]]:
    return [e for e in trail if e["what"] == what]


def test_the_demo_prints_what_each_selection_year_came_to(demo: Demo) -> None:
    years = summaries(demo.first.stdout)

    assert set(years) == {2017, 2018}
    assert all(int(years[y]["named"]) > 0 for y in years)
    # The work plan was issued on 27 May 2017: every 2017 application came after 31 March.
    assert years[2017]["late"] == years[2017]["applied"]
    assert int(years[2018]["late"]) < int(years[2018]["applied"])
    assert "Selection" not in demo.second.stdout, "a second run builds nothing to sum up"


def test_both_selection_years_name_taishan_pioneers_after_every_round(
    demo: Demo, trail: list[dict[str, Any]]
) -> None:
    """`selection.annual_titles`, `selection.title_levels`: the city committee names the
    Taishan Pioneers of both years, as many as the summary says, each having been titled
    by its city-managed committee first; city-managed committees confer the others."""
    conferred = events(trail, "TitleConferred")
    named = [e for e in conferred if e["detail"]["level"] == "CITY"]
    printed = summaries(demo.first.stdout)

    for year in (2017, 2018):
        of_year = [e for e in named if e["detail"]["year"] == year]
        assert len(of_year) == int(printed[year]["named"]) > 0
        assert {e["detail"]["conferred_by"] for e in of_year} == {"taian"}
    committee = {
        e["subject"].split("@")[0] for e in conferred if e["detail"]["level"] == "COMMITTEE"
    }
    assert {e["subject"].split("@")[0] for e in named} <= committee
    assert {
        e["detail"]["conferred_by"] for e in conferred if e["detail"]["level"] == "COMMITTEE"
    } == {
        "taishan",
        "daiyue",
        "szjg",
    }


def test_the_demo_s_intended_refusals_are_in_the_refusal_log_with_their_rule_ids(
    demo: Demo,
) -> None:
    """`selection.public_notice` (a list made final before its notice ended),
    `selection.veto` (a joint branch one of whose units has a finding in effect),
    `selection.title_levels` (a base committee naming red-flag branches),
    `title.revocation` (a district revoking a title the city committee conferred),
    `plan.filing` (a plan sent to the wrong body), `cultivation.minimum` (a county's Annex 2
    short in a year), `org.jurisdiction` (a visit outside the visitor's subtree, a tier
    entered for a village not yet the town's) and `ledger.advanced_cap` (a third advanced
    branch in a town allowed two) are in `guoying refusals`, and the summary lists each in
    its year, with the plans or with the ledger."""
    logged = {(r["command"], r["rule_id"]) for r in demo.store.refusals_json()}
    printed = summaries(demo.first.stdout)

    assert logged == INTENDED_REFUSALS
    assert set(printed[2017]["refused"].split(", ")) == {
        "selection.public_notice",
        "title.revocation",
    }
    assert set(printed[2018]["refused"].split(", ")) == {"selection.veto", "selection.title_levels"}
    [work] = WORK.findall(demo.first.stdout)
    assert work.split(", ") == ["plan.filing", "cultivation.minimum", "org.jurisdiction"]
    [ledger] = LEDGER.findall(demo.first.stdout)
    assert ledger.split(", ") == ["ledger.advanced_cap", "org.jurisdiction"]


def test_a_consulted_agency_vetoes_and_the_branch_takes_part_again_after_rehabilitation(
    trail: list[dict[str, Any]],
) -> None:
    """`selection.veto`, `selection.rehabilitation`: the tax bureau's adverse answer ends an
    enterprise branch's 2017 nomination; in 2018 its base committee assesses it and it
    applies again."""
    [vetoed] = events(trail, "NominationVetoed")
    [assessed] = events(trail, "RehabilitationAssessed")
    branch = assessed["detail"]["branch_id"]
    applied = {e["subject"].split("@")[0] for e in events(trail, "BranchApplied")}

    assert vetoed["detail"]["issuing_agency"] == "tax"
    assert vetoed["subject"].startswith(f"nomination:{branch}-2017@")
    assert assessed["detail"]["findings_considered"] == [vetoed["detail"]["finding_id"]]
    assert f"nomination:{branch}-2018" in applied


def test_an_objection_is_upheld_and_titles_are_revoked_and_downgraded_after_conferral(
    trail: list[dict[str, Any]],
) -> None:
    """`selection.public_notice`, `title.revocation`: an objection upheld during a notice
    ends a nomination; the city committee revokes a 2017 Taishan Pioneer and downgrades a
    2018 one to a red-flag branch of its city-managed committee."""
    upheld = [
        e for e in events(trail, "NominationEnded") if e["detail"]["outcome"] == "OBJECTION_UPHELD"
    ]
    [revoked] = events(trail, "TitleRevoked")
    [downgraded] = events(trail, "TitleDowngraded")

    assert len(upheld) == 1
    assert (revoked["detail"]["level"], revoked["detail"]["decided_by"]) == ("CITY", "taian")
    assert "-2017@" in revoked["subject"]
    assert downgraded["detail"]["decided_by"] == "taian"
    assert "-2018@" in downgraded["subject"]


WORK = re.compile(r"^Plans and oversight: .*; refused as intended: (.*)\.$", re.MULTILINE)
LEDGER = re.compile(r"^Ledger \d{4}: .*; refused as intended: (.*)\.$", re.MULTILINE)
README = Path(__file__).resolve().parents[2] / "README.md"


def readme_console(command: str) -> list[str]:
    """The lines the README shows under `$ COMMAND` in a console block."""
    text = README.read_text(encoding="utf-8")
    block = text.split(f"```console\n$ {command}\n", 1)[1].split("```", 1)[0]
    return block.splitlines()


def test_the_readme_shows_what_the_demo_prints_of_its_selection_years(demo: Demo) -> None:
    shown = readme_console("guoying demo")
    printed = demo.first.stdout.splitlines()

    assert shown == printed[: len(shown)]
    assert len(summaries("\n".join(shown))) == 2
    assert len(WORK.findall("\n".join(shown))) == 1


def test_the_readme_shows_the_demo_s_refusal_log_as_it_is(demo: Demo) -> None:
    """`selection.public_notice`, `selection.veto`, `selection.title_levels`,
    `title.revocation`, `plan.filing`, `cultivation.minimum`, `org.jurisdiction`: the
    README's refusal log of the demo is the store's."""
    header, *rows = readme_console("guoying refusals --format csv | cut -d, -f3,5,7")
    logged = demo.store.refusals_json()

    assert header == "command,actor committee,rule"
    assert rows == [f"{r['command']},{r['actor_committee_id']},{r['rule_id']}" for r in logged]


def test_the_demo_s_revoked_pioneer_s_pairs_end_by_themselves_and_the_downgraded_keeps_its(
    demo: Demo,
) -> None:
    """`mentoring.eligibility`: the demo revokes 红门社区党支部's title in October 2018; the
    process ends its three pairs with the revocation as the reason, and the pairs of the
    2018 Taishan Pioneer downgraded in December stay active."""
    with Guoying(demo.store.url, create=False) as app:
        revoked = [app.store.get(pair_key(f"ts-caiyuan-006-bd{n}")) for n in (1, 2, 3)]
        for found in revoked:
            assert found is not None
            assert found.ended is not None
            assert found.ended.on == date(2018, 10, 26)
            assert "title was revoked" in found.ended.reason
        endings = [
            e
            for stream in app.store.stream_ids("pair:")
            for e in app.store.events(stream)
            if isinstance(e, MentoringPairEnded)
        ]
        assert sum(e.actor.person_id == "system:mentoring" for e in endings) == 3
        downgraded = app.store.get(mentor_key("szjg-ctjt-007"))
        assert downgraded is not None
        assert downgraded.active


# The plans, supervision, findings, linkage and funding


def test_every_committee_s_implementation_plan_is_accepted_one_late_and_one_returned_first(
    demo: Demo,
) -> None:
    """`plan.filing`: the three city-managed committees file with the Organization
    Department, the others with their parents; all fifteen are accepted, one was submitted
    after the due date and is recorded as late, one was returned with reasons first."""
    run = demo.store.run("plan", "--implementation", "--year", "2017", "--format", "json")
    assert run.code == 0, run
    plans = {p["committee_id"]: p for p in run.json()}

    assert len(plans) == 15
    assert {p["status"] for p in plans.values()} == {"ACCEPTED"}
    assert {c for c, p in plans.items() if p["body_id"] == "taian-zzb"} == {
        "taishan",
        "daiyue",
        "szjg",
    }
    assert [c for c, p in plans.items() if p["late"]] == ["dy-kfqfg"]
    [returned] = [p for p in plans.values() if p["returns"]]
    assert returned["revision"] == 2
    assert not returned["late"], "a plan's lateness is its first submission's"


def test_each_county_plans_at_least_the_minimum_a_year_and_the_organs_their_own_number(
    demo: Demo,
) -> None:
    """`cultivation.minimum`, `cultivation.deadline`, `cultivation.coverage`: both districts
    plan at least 50 exemplars every year of 2017-2019 across their subtrees; the organs'
    working committee states its own number, files late and misses sectors it has none of."""

    def plan(committee: str) -> dict[str, Any]:
        run = demo.store.run(
            "plan", "--committee", committee, "--year", "2017", "--window", "--format", "json"
        )
        assert run.code == 0, run
        found: dict[str, Any] = run.json()
        return found

    for county in ("taishan", "daiyue"):
        filed = plan(county)
        assert filed["required_minimum"] == 50
        assert [c["year"] for c in filed["counts"]] == [2017, 2018, 2019]
        assert all(c["exemplars"] >= 50 and not c["short"] for c in filed["counts"])
        assert not filed["late"]
    organs = plan("szjg")
    assert organs["stated_number"] == 15
    assert organs["late"]
    assert "RURAL" in organs["sectors_missed"]


def test_a_falsification_flags_two_branches_and_only_the_one_evaluated_again_clears(
    demo: Demo,
) -> None:
    """`accountability.falsification`: 泰山区委 finds two villages of 邱家店镇 falsified in
    the 2019 report; the one whose 2019 result is corrected afterwards is no longer flagged,
    the other still is."""
    run = demo.store.run(
        "compliance", "--committee", "taishan", "--year", "2020", "--format", "json"
    )
    assert run.code == 0, run
    [found] = [f for c in run.json()["committees"] for f in c["falsifications"]]
    with Guoying(demo.store.url, create=False) as app:
        flags = app.reevaluation_flags("taishan")

    assert (found["found_by"], found["year"], len(found["branch_ids"])) == ("taishan", 2019, 2)
    cleared, stays = found["branch_ids"]
    assert found["flagged"] == [stays]
    assert [f.branch_id for f in flags] == [stays]
    corrected = [e for e in demo.store.history_json(cleared) if e["event"] == "RecordCorrected"]
    assert [e["detail"]["year"] for e in corrected] == [2019]


def test_compliance_shows_the_missed_exchange_and_meeting_overdue_and_the_finding(
    demo: Demo,
) -> None:
    """`supervision.exchange`, `supervision.special_meeting`, `accountability.findings`:
    泰山区委 held no exchange in the second half of 2018 and 城市发展投资集团's committee no
    special meeting that year; both are overdue, and the organs' working committee holds the
    latter to account."""

    def compliance(committee: str, year: str) -> dict[str, Any]:
        run = demo.store.run(
            "compliance", "--committee", committee, "--year", year, "--format", "json"
        )
        assert run.code == 0, run
        return {c["committee_id"]: c for c in run.json()["committees"]}

    taishan = compliance("taishan", "2018")
    assert [e["status"] for e in taishan["taishan"]["exchanges"]] == ["MET", "OVERDUE"]
    assert {c["special_meeting"]["status"] for c in taishan.values()} == {"MET"}
    organs = compliance("szjg", "2018")
    assert organs["szjg-ctjt"]["special_meeting"]["status"] == "OVERDUE"
    assert all(len(e["visits"]) > 0 for e in organs.values())
    [finding] = compliance("szjg", "2019")["szjg-ctjt"]["findings"]
    assert finding["kind"] == "POOR_EXECUTION"


def test_linkage_decisions_record_the_ledger_s_tier_and_funds_are_recorded_each_year(
    demo: Demo,
) -> None:
    """`reward.linkage`, `resources.funding`: 满庄镇's decisions on its 2018 standing span
    several kinds and every tier its branches stood at; each city-managed committee records
    funds for 2017 to 2019, every §9 fund among them."""
    daiyue = demo.store.run(
        "compliance", "--committee", "daiyue", "--year", "2018", "--format", "json"
    )
    assert daiyue.code == 0, daiyue
    rows = {c["committee_id"]: c for c in daiyue.json()["committees"]}
    linked = rows["dy-manzhuang"]["linkages"]
    ledger = demo.store.ledger_json("dy-manzhuang", 2018)
    tiers = {r["branch_id"]: r["results"]["2018"] for r in ledger["rows"]}

    assert {d["kind"] for d in linked} >= {"ALLOWANCE", "COMMENDATION", "CADRE_PREFERENCE"}
    assert {d["tier"] for d in linked} == {"ADVANCED", "MIDDLE", "LAGGING", "WEAK"}
    assert all(d["tier"] == tiers[d["branch_id"]] for d in linked)
    kinds: set[str] = set()
    for year in ("2017", "2018", "2019"):
        for committee in ("taishan", "daiyue", "szjg"):
            run = demo.store.run(
                "compliance", "--committee", committee, "--year", year, "--format", "json"
            )
            funds = next(c for c in run.json()["committees"] if c["committee_id"] == committee)
            assert funds["funding"], (committee, year)
            kinds |= {f["kind"] for f in funds["funding"]}
    assert kinds == {
        "VILLAGE_OPERATING",
        "COMMUNITY_WORK",
        "SERVICE_TO_PEOPLE",
        "COMMITTEE_MEMBER_PAY",
        "NON_PUBLIC_DEDICATED",
    }


def test_the_demo_prints_what_its_plans_and_oversight_came_to(demo: Demo) -> None:
    line = next(x for x in demo.first.stdout.splitlines() if x.startswith("Plans and oversight:"))

    assert "15 implementation plans submitted (1 late, 1 returned and submitted again)" in line
    assert "cultivation plans of 3 committees (1 late)" in line
    assert "1 falsification finding (1 of its 2 branches still flagged)" in line
    assert "Plans and oversight" not in demo.second.stdout


def test_the_demo_prints_one_secretary_s_figures_for_a_year(demo: Demo) -> None:
    """`accountability.assessment`: the demo ends with the §8 figures of taishan for 2018,
    the figures `guoying assessment` gives for them."""
    printed = demo.first.stdout
    assert "2018年度党建工作量化指标" in printed
    csv_run = demo.store.run(
        "assessment", "--committee", "taishan", "--year", "2018", "--format", "csv"
    )
    assert csv_run.code == 0, csv_run
    rows = {(r[0], r[1]): r[2] for r in csv.reader(io.StringIO(csv_run.stdout))}
    assert rows["帮带 mentoring", "pairs ended in the year"] == "4"
    assert rows["计划 plans", "exemplars planned for 2018"] == "54"
    assert int(rows["督导与奖惩 oversight", "linkage decisions"]) > 0
    assert rows["督导与奖惩 oversight", "exchanges: overdue"] == "1"


def test_audit_narrows_to_refusals_or_to_event_types_and_streams_json_lines(demo: Demo) -> None:
    """An auditor asks for the refusals only, or for the revocations and the refused ones,
    one JSON line per entry as it is read."""
    refusals = demo.store.run("audit", "--kind", "refusal", "--format", "jsonl")
    assert refusals.code == 0, refusals
    lines = [json.loads(line) for line in refusals.stdout.splitlines()]
    assert lines
    assert {entry["kind"] for entry in lines} == {"refusal"}
    assert len(lines) == len(demo.store.run("refusals", "--format", "json").json())

    revocations = demo.store.run(
        "audit", "--type", "TitleRevoked", "--type", "RevokeTitle", "--format", "jsonl"
    )
    found = [json.loads(line) for line in revocations.stdout.splitlines()]
    assert [e["what"] for e in found] == ["Refused RevokeTitle", "TitleRevoked"]
    assert demo.store.run("audit", "--kind", "neither").code == 2


# What the demo teaches of the ledger: targets and tiers within the cap, names of one
# place each, and the clerks' mistakes refused

CAPPED = (
    "taishan",
    "daiyue",
    "szjg",
    "dy-lxzw",
    "ts-caiyuan",
    "ts-daimiao",
    "ts-qiujiadian",
    "ts-fgsh",
    *sorted(DAIYUE_BASES),
    "szjg-jyj",
    "szjg-wjw",
    "szjg-ctjt",
)


def test_every_committee_s_advanced_targets_and_tiers_stay_within_ledger_advanced_cap(
    demo: Demo,
) -> None:
    """`ledger.advanced_cap`: in every committee from the base committees up to the
    city-managed ones, each year 2017-2019, the branches aiming at the advanced tier and
    those rated advanced are at most floor(share x active branches), the share read from
    the policy in effect; only 满庄镇's 2019 tiers go above, by its district's approved
    exception. Each branch's target climbs a step a year or holds, most of them hold."""
    above, climbs = [], []
    with Guoying(demo.store.url, create=False) as app:
        for year in (2017, 2018, 2019):
            share = app.policy_for_year(year).advanced_share
            for committee in CAPPED:
                ledger = app.ledger(committee, year)
                limit = math.floor(share * ledger.figures.active)
                aimed = [r for r in ledger.rows if r.targets.get(year) is Tier.ADVANCED]
                assert len(aimed) <= limit, (committee, year, len(aimed), limit)
                if ledger.figures.counts[Tier.ADVANCED] > limit:
                    excepted = [e for e in ledger.cap_exceptions if e.committee_id == committee]
                    above.append((committee, year, any(year in e.years for e in excepted)))
        for committee in ("taishan", "daiyue", "szjg"):
            for row in app.ledger(committee, 2017).rows:
                aims = [LADDER.index(row.targets[y] or row.tier) for y in (2017, 2018, 2019)]
                climbs += [after - before for before, after in itertools.pairwise(aims)]

    assert above == [("dy-manzhuang", 2019, True)]
    assert set(climbs) <= {0, 1}
    assert climbs.count(0) > climbs.count(1) > 0


def test_no_branch_or_unit_name_is_found_in_two_base_committees(
    demo: Demo, trail: list[dict[str, Any]]
) -> None:
    """A village, community, company or association belongs to one place: the demo's
    branch and unit names are each used by one base committee only."""
    run = demo.store.run("branches", "--format", "json")
    assert run.code == 0, run
    named: dict[str, set[str]] = defaultdict(set)
    for branch in run.json():
        named[branch["name"]].add(branch["base_committee_id"])
    for unit in events(trail, "UnitRegistered"):
        named[unit["detail"]["name"]].add(unit["detail"]["committee_id"])

    assert len(named) > 300
    assert {name: bases for name, bases in named.items() if len(bases) > 1} == {}


def test_a_tier_above_the_cap_and_one_outside_jurisdiction_are_refused_and_audited_only(
    demo: Demo,
) -> None:
    """`ledger.advanced_cap`, `org.jurisdiction`: 大汶口镇 rates a third village advanced
    for 2019 with no exception approved, and 满庄镇 enters the 2018 result of a village of
    粥店街道 before the village is moved to it; both are in the refusal log and in `audit
    --kind refusal`, and neither is in the ledger or the branch's history."""
    refused = {r["rule_id"]: r for r in demo.store.refusals_json() if r["command"] == "AdjustTier"}
    audited = demo.store.run(
        "audit", "--kind", "refusal", "--type", "AdjustTier", "--format", "json"
    )
    assert audited.code == 0, audited

    capped, stray = refused["ledger.advanced_cap"], refused["org.jurisdiction"]
    assert (capped["actor_committee_id"], capped["subject_committee_id"]) == (
        "dy-dawenkou",
        "dy-dawenkou",
    )
    assert (stray["actor_committee_id"], stray["subject_committee_id"]) == (
        "dy-manzhuang",
        "dy-zhoudian",
    )
    assert {(e["rule_ids"][0], e["committee_id"]) for e in audited.json()} == {
        ("ledger.advanced_cap", "dy-dawenkou"),
        ("org.jurisdiction", "dy-zhoudian"),
    }
    for refusal, year in ((capped, 2019), (stray, 2018)):
        branch = refusal["payload"]["branch_id"]
        adjusted = [
            e
            for e in demo.store.history_json(branch)
            if e["event"] == "TierAdjusted" and e["year"] == year
        ]
        assert [e["actor_committee_id"] for e in adjusted] == [branch.rsplit("-", 1)[0]]
    ledger = demo.store.ledger_json("dy-dawenkou", 2019)
    assert ledger["figures"]["counts"]["ADVANCED"] == ledger["figures"]["advanced_limit"]
    line = next(x for x in demo.first.stdout.splitlines() if "commands refused as intended" in x)
    assert line.startswith(f"{len(INTENDED_REFUSALS)} commands refused as intended")
    assert "guoying refusals" in line
    assert "guoying audit --kind refusal" in line


def test_a_piped_demo_prints_no_progress(demo: Demo) -> None:
    """The progress bar is for a terminal (tests/e2e/test_cli_conventions.py); piped, the
    build says nothing on standard error."""
    assert demo.first.stderr == ""
