"""`guoying plan` on a store holding the first plan window's plans: a committee's Annex 2
with its filing state and the implementation plans, as a table, JSON and CSV; an unknown
committee exits 1, a missing --committee 2."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from guoying.domain.cultivation import Batch
from guoying.domain.labels import BATCH_LABELS, CULTIVATION_HEADERS, CULTIVATION_TITLE
from tests.e2e.inprocess import LocalStore
from tests.integration import plans_builders as pb
from tests.integration.builders import open_app
from tests.unit.builders import BASE_A1, CM_A, CM_B, INT_A


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> LocalStore:
    store = LocalStore(Path(tmp_path_factory.mktemp("plans")))
    with open_app(store.url) as app:
        pb.plans_window(app)
    return store


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_plan_shows_a_committees_annex_2_and_its_filing_state(store: LocalStore) -> None:
    """`cultivation.*`: the form's Chinese headers, the rows of the year numbered, the batch,
    and the filing: late, amended, its own number, the shortfalls and the sectors missed."""
    table = store.run("plan", "--committee", CM_B, "--year", "2017")
    assert table.code == 0, table
    assert CULTIVATION_TITLE in table.stdout
    assert CULTIVATION_HEADERS["measures"] in table.stdout
    assert BATCH_LABELS[Batch.RESERVE] in table.stdout
    assert "Branch b-2" in table.stdout
    assert f"on {pb.CM_B_FILED}, amended on {pb.CM_B_AMENDED} (revision 2)" in table.stdout
    assert "late" in table.stdout
    assert "its own number: 2 a year; exemplars 2017: 3, 2018: 1 (short), 2019: 0 (short)" in (
        table.stdout
    )
    assert "missed: 城市社区、机关事业单位" in table.stdout

    rows = _csv(store.run("plan", "--committee", CM_A, "--year", "2019", "--format", "csv").stdout)
    assert rows[0] == [
        *(
            CULTIVATION_HEADERS[k]
            for k in (
                "year",
                "sequence",
                "name",
                "measures",
                "liaison",
                "position",
                "contact",
                "batch",
            )
        ),
        "党支部编号",
        "包保联系人编号",
    ]
    assert len(rows) == 1 + pb.MINIMUM
    assert rows[1][:3] == ["2019年", "1", "Branch a-00"]
    assert rows[1][3] == "1、结对共建\n2、书记讲党课"
    assert rows[1][7] == BATCH_LABELS[Batch.RESERVE]

    as_json = store.run(
        "plan", "--committee", CM_A, "--year", "2017", "--window", "--format", "json"
    )
    assert as_json.code == 0, as_json
    data = as_json.json()
    assert len(data["rows"]) == 3 * pb.MINIMUM
    assert (data["required_minimum"], data["late"], data["sectors_missed"]) == (
        pb.MINIMUM,
        False,
        ["SOCIAL_ORGANIZATION"],
    )


def test_plan_as_known_at_and_as_of(store: LocalStore) -> None:
    before = store.run(
        "plan", "--committee", CM_B, "--year", "2017", "--as-of", "2017-07-15", "--format", "json"
    )
    assert before.code == 0, before
    assert (before.json()["filed_on"], before.json()["overdue"]) == (None, True)
    bad = store.run("plan", "--committee", CM_B, "--year", "2017", "--as-known-at", "2017-07-15")
    assert bad.code == 2, bad


def test_plan_implementation_lists_each_committees_plan_and_its_review(store: LocalStore) -> None:
    """`plan.filing`: status, body, lateness and the reasons a plan was returned."""
    as_json = store.run("plan", "--implementation", "--year", "2017", "--format", "json")
    assert as_json.code == 0, as_json
    plans = {p["committee_id"]: p for p in as_json.json()}
    assert plans[BASE_A1]["status"] == "ACCEPTED"
    assert plans[BASE_A1]["late"] is True
    assert plans[BASE_A1]["returns"][0]["reasons"] == list(pb.RETURN_REASONS)
    assert (plans[INT_A]["status"], plans[INT_A]["overdue"]) == ("NOT_SUBMITTED", True)

    table = store.run("plan", "--implementation", "--committee", CM_A, "--year", "2017")
    assert table.code == 0, table
    assert "已审核备案" in table.stdout
    assert "创建指标未量化" in table.stdout
    assert CM_B not in table.stdout

    rows = _csv(store.run("plan", "--implementation", "--year", "2017", "--format", "csv").stdout)
    assert rows[0][:5] == ["committee_id", "committee", "level", "window", "status"]
    assert len(rows) == 1 + 6


def test_plan_refuses_an_unknown_committee_and_needs_a_committee_for_annex_2(
    store: LocalStore,
) -> None:
    unknown = store.run("plan", "--committee", "nowhere", "--year", "2017")
    assert (unknown.code, "no such committee 'nowhere'" in unknown.stderr) == (1, True)
    missing = store.run("plan", "--year", "2017")
    assert missing.code == 2
    assert "--committee" in missing.stderr
    base = store.run("plan", "--committee", BASE_A1, "--year", "2017")
    assert base.code == 1
