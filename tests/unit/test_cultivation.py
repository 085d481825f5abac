"""The three-year cultivation plan through the handler (§3, Annex 2, `cultivation.*`): rows
numbered within each year, the county-level minimum across the subtree, each committee's own
number, sectors covered and missed, lateness, and refusals that change nothing but the
refusal log."""

from __future__ import annotations

import json
from datetime import date

import attrs
import pytest

from guoying.adapters.serialization import command_to_json
from guoying.api import parse_command, to_data
from guoying.application import commands as cmd
from guoying.application.errors import InvalidCommand, NotAuthorized, NotFound, Refused
from guoying.application.service import Handler
from guoying.domain.cultivation import Batch, CultivationPlanFiled, cultivation_key
from guoying.domain.policy import TAIAN_2017
from guoying.domain.values import Sector
from tests.unit.builders import BASE_A1, BASE_A2, BASE_B1, CM_A, CM_B, LIAISON, OD, actor
from tests.unit.builders import register_branch as branch_command
from tests.unit.fakes import FakeEventStore

ON_TIME = date(2017, 7, 1)
MINIMUM = TAIAN_2017.county_exemplars_minimum
SECTORS = list(Sector)
# cm-a (county-level) leads MINIMUM branches, cm-b (not county-level) three.
A_BRANCHES = [f"a-{i:02d}" for i in range(MINIMUM)]
B_BRANCHES = ["b-0", "b-1", "b-2"]


@pytest.fixture
def handler(store: FakeEventStore, handler: Handler) -> Handler:
    commands: list[cmd.Command] = []
    for index, branch_id in enumerate(A_BRANCHES):
        base = BASE_A1 if index % 2 else BASE_A2
        # Every sector but social organisations, so that one is missed.
        sector = SECTORS[index % 5]
        commands.append(attrs.evolve(branch_command(branch_id, base), sector=sector))
    commands += [branch_command(b, BASE_B1) for b in B_BRANCHES]
    handler.execute_unit(commands)
    return handler


def row(branch_id: str, year: int = 2017, batch: Batch = Batch.FIRST) -> cmd.CultivationRow:
    return cmd.CultivationRow(
        year=year,
        batch=batch,
        branch_id=branch_id,
        measures=("结对共建", "书记讲党课"),
        person_id=LIAISON,
        position="镇党委副书记",
    )


def county_rows(per_year: int = MINIMUM) -> tuple[cmd.CultivationRow, ...]:
    batches = {2017: Batch.FIRST, 2018: Batch.FOCUS, 2019: Batch.RESERVE}
    return tuple(row(b, year, batches[year]) for year in batches for b in A_BRANCHES[:per_year])


def file(
    committee_id: str,
    rows: tuple[cmd.CultivationRow, ...],
    *,
    by: str | None = None,
    on: date = ON_TIME,
    stated_number: int | None = None,
) -> cmd.FileCultivationPlan:
    return cmd.FileCultivationPlan(
        actor=actor(by or committee_id),
        reason="三年培树计划经党委会研究确定",
        effective_on=on,
        committee_id=committee_id,
        year=2017,
        rows=rows,
        stated_number=stated_number,
    )


def refused(store: FakeEventStore, handler: Handler, command: cmd.Command, rule_id: str) -> Refused:
    """Refused with `rule_id`, nothing written, and the refusal logged."""
    before, logged = store.event_count, len(store.refusals)
    with pytest.raises(Refused) as raised:
        handler.execute(command)
    assert raised.value.rule_id == rule_id
    assert store.event_count == before
    assert len(store.refusals) == logged + 1
    assert store.refusals[-1].rule_id == rule_id
    return raised.value


def filed(store: FakeEventStore, committee_id: str, index: int = -1) -> CultivationPlanFiled:
    event = store.stream(cultivation_key(committee_id, 2017))[index]
    assert isinstance(event, CultivationPlanFiled)
    return event


def test_cultivation_row_rows_are_numbered_within_each_year_and_filed_with_the_department(
    store, handler
):
    handler.execute(file(CM_A, county_rows()))
    event = filed(store, CM_A)
    assert event.filed_with == OD
    assert (event.window_start, event.window_end) == (2017, 2019)
    for year in (2017, 2018, 2019):
        numbers = [e.sequence for e in event.entries if e.year == year]
        assert numbers == list(range(1, MINIMUM + 1))
    first = event.entries[0]
    assert (first.branch_id, first.batch, first.person_id) == (A_BRANCHES[0], Batch.FIRST, LIAISON)
    assert first.measures == ("结对共建", "书记讲党课")


def test_cultivation_row_an_event_keeps_the_liaison_by_id_never_a_name_or_phone(store, handler):
    """rules.md 9a: personal data stays out of events; the view joins it when read."""
    handler.execute(file(CM_A, county_rows()))
    text = json.dumps(to_data(filed(store, CM_A)), ensure_ascii=False)
    assert "Name of" not in text
    assert "0538" not in text


def test_cultivation_minimum_a_county_level_plan_below_fifty_a_year_is_refused(store, handler):
    short = county_rows()[:-1]  # 49 in 2019
    error = refused(store, handler, file(CM_A, short), "cultivation.minimum")
    assert "49 in 2019" in error.message


def test_cultivation_minimum_a_county_level_committee_cannot_state_a_smaller_number(store, handler):
    refused(store, handler, file(CM_A, county_rows(), stated_number=10), "cultivation.minimum")
    handler.execute(file(CM_A, county_rows(), stated_number=MINIMUM))
    assert filed(store, CM_A).required_minimum == MINIMUM


def test_cultivation_minimum_another_city_managed_committee_states_its_own_number(store, handler):
    rows = (row("b-0"), row("b-1"), row("b-0", 2018))
    refused(store, handler, file(CM_B, rows), "cultivation.minimum")
    refused(store, handler, file(CM_B, rows, stated_number=0), "cultivation.minimum")
    # Below its own number in 2018 and 2019: recorded as the plan states it, not refused.
    handler.execute(file(CM_B, rows, stated_number=2))
    event = filed(store, CM_B)
    assert (event.stated_number, event.required_minimum, event.county_level) == (2, None, False)


def test_cultivation_coverage_the_plan_records_the_sectors_it_covers_and_misses(store, handler):
    handler.execute(file(CM_A, county_rows()))
    event = filed(store, CM_A)
    assert event.sectors_covered == tuple(SECTORS[:5])
    assert event.sectors_missed == (Sector.SOCIAL_ORGANIZATION,)


def test_cultivation_deadline_a_late_plan_is_recorded_as_late_never_refused(store, handler):
    handler.execute(file(CM_B, (row("b-0"),), stated_number=1, on=date(2017, 7, 11)))
    event = filed(store, CM_B)
    assert event.late
    assert event.due_on == TAIAN_2017.first_plan_due == date(2017, 7, 10)


def test_cultivation_row_a_later_filing_supersedes_the_table_and_keeps_the_first_date(
    store, handler
):
    handler.execute(file(CM_B, (row("b-0"),), stated_number=1))
    handler.execute(file(CM_B, (row("b-1"), row("b-2")), stated_number=2, on=date(2017, 9, 1)))
    plan = store.get(cultivation_key(CM_B, 2017))
    assert plan is not None
    assert [e.branch_id for e in plan.entries] == ["b-1", "b-2"]
    assert (plan.revision, plan.first_filed_on, plan.late) == (2, ON_TIME, False)
    assert filed(store, CM_B).late  # the revision itself came after the due date


def test_cultivation_batches_an_unknown_batch_names_the_field_and_the_rule(store, handler):
    """Read from JSON, an unknown batch is not a command: reported with its field path and
    `cultivation.batches`; nothing is written."""
    line = command_to_json(file(CM_B, (row("b-0"),), stated_number=1))
    line["rows"][0]["batch"] = "SOON"
    with pytest.raises(InvalidCommand) as raised:
        parse_command(json.dumps(line))
    assert raised.value.problems == [
        "$.rows[0].batch: expected one of FIRST, FOCUS, RESERVE (cultivation.batches)"
    ]
    assert store.stream(cultivation_key(CM_B, 2017)) == []


def test_cultivation_batches_an_unknown_batch_from_python_is_refused_and_logged(store, handler):
    bad = attrs.evolve(row("b-0"), batch="SOON")
    error = refused(store, handler, file(CM_B, (bad,), stated_number=1), "cultivation.batches")
    assert "rows[0].batch" in error.message


def test_org_jurisdiction_a_branch_outside_the_committees_subtree_is_refused(store, handler):
    error = refused(
        store, handler, file(CM_B, (row("b-0"), row("a-01")), stated_number=1), "org.jurisdiction"
    )
    assert isinstance(error, NotAuthorized)
    assert "rows[1].branch_id" in error.message


def test_org_jurisdiction_a_committee_filing_another_committees_plan_is_refused(store, handler):
    error = refused(
        store, handler, file(CM_B, (row("b-0"),), stated_number=1, by=OD), "org.jurisdiction"
    )
    assert isinstance(error, NotAuthorized)


def test_org_hierarchy_only_a_city_managed_committee_files_annex_2(store, handler):
    refused(store, handler, file(BASE_B1, (row("b-0"),), stated_number=1), "org.hierarchy")


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"year": 2020}, "rows[0].year"),
        ({"measures": ()}, "rows[0].measures"),
        ({"measures": ("",)}, "rows[0].measures"),
        ({"position": " "}, "rows[0].position"),
    ],
)
def test_cultivation_row_a_row_is_whole(store, handler, change, words):
    bad = attrs.evolve(row("b-0"), **change)
    error = refused(store, handler, file(CM_B, (bad,), stated_number=1), "cultivation.row")
    assert words in error.message


def test_cultivation_row_a_branch_is_planned_once_a_year_and_a_plan_has_rows(store, handler):
    refused(
        store, handler, file(CM_B, (row("b-0"), row("b-0")), stated_number=1), "cultivation.row"
    )
    refused(store, handler, file(CM_B, (), stated_number=1), "cultivation.row")


def test_an_unknown_branch_or_liaison_is_not_found_by_its_row(store, handler):
    with pytest.raises(NotFound) as raised:
        handler.execute(file(CM_B, (row("nowhere"),), stated_number=1))
    assert raised.value.field == "rows[0].branch_id"
    nobody = attrs.evolve(row("b-0"), person_id="nobody")
    with pytest.raises(NotFound) as raised:
        handler.execute(file(CM_B, (nobody,), stated_number=1))
    assert raised.value.field == "rows[0].person_id"
