"""Property: a ledger written in the Annex 1 layout and imported into a store with the same
committees reads back as the same ledger (`ledger.row`), for generated ledgers of a few
sectors, branches, tiers, targets, results, problems and liaisons.

The file is written by guoying's own Annex 1 XLSX writer (`guoying.forms.write_ledger`), as
`guoying export --annex 1` writes it.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from attrs import frozen
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guoying.api import Actor, Guoying, Sector, Tier
from guoying.api.imports import (
    AdjustTier,
    AssignLiaison,
    RecordProblem,
    RegisterBranch,
    RegisterPerson,
    RegisterUnit,
    SetCreationTarget,
    UnitKind,
)
from guoying.forms import import_annex1
from tests.annex1_files import write_annex1
from tests.integration.builders import YEAR, add_base, add_county, found_city, open_app
from tests.integration.test_import_annex1 import ledger_rows

LIAISONS = {"王建国": "0538-1234567", "李红": "13800000000", "张伟": ""}
POSITIONS = ("党委书记", "党委副书记", "组织委员")
PROBLEMS = (
    ("组织生活不规范", "每月召开主题党日"),
    ("台账不全", "补齐台账"),
    ("党员老化", "发展年轻党员"),
)
# No advanced tier: a township of a few branches has none under `ledger.advanced_cap`.
TIERS = st.sampled_from([Tier.MIDDLE, Tier.LAGGING, Tier.WEAK])


@frozen
class GeneratedRow:
    sector: Sector
    tier: Tier
    results: tuple[Tier | None, Tier | None]
    targets: tuple[Tier | None, Tier | None, Tier | None]
    liaison: tuple[str, str] | None
    problems: tuple[tuple[str, str], ...]


rows_strategy = st.lists(
    st.builds(
        GeneratedRow,
        sector=st.sampled_from([Sector.RURAL, Sector.URBAN_COMMUNITY, Sector.SOCIAL_ORGANIZATION]),
        tier=TIERS,
        results=st.tuples(st.none() | TIERS, st.none() | TIERS),
        targets=st.tuples(*[st.none() | st.sampled_from(list(Tier))] * 3),
        liaison=st.none() | st.tuples(st.sampled_from(list(LIAISONS)), st.sampled_from(POSITIONS)),
        problems=st.lists(st.sampled_from(PROBLEMS), max_size=2, unique=True).map(tuple),
    ),
    min_size=1,
    max_size=5,
)


def tree(app: Guoying) -> None:
    found_city(app)
    add_county(app, "daiyue")
    add_base(app, "town", "daiyue")


def record(app: Guoying, rows: list[GeneratedRow]) -> None:
    """The generated ledger entered by the base committee as it would decide it."""
    actor = Actor("sec-town", "town", "secretary")
    people: set[str] = set()
    commands: list[Any] = []

    def on(day: date) -> dict[str, Any]:
        return {"actor": actor, "reason": "台账", "effective_on": day}

    for index, row in enumerate(rows):
        branch_id = f"town-{index:02d}"
        commands += [
            RegisterUnit(**on(date(2017, 6, 1)), unit_id=f"u-{branch_id}", name=f"第{index}村",
                         kind=UnitKind.VILLAGE, committee_id="town"),
            RegisterBranch(**on(date(2017, 6, 1)), branch_id=branch_id, name=f"第{index}村党支部",
                           sector=row.sector, base_committee_id="town",
                           unit_ids=(f"u-{branch_id}",), year=2017, tier=row.tier),
        ]  # fmt: skip
        for year, result in zip((2017, 2018), row.results, strict=True):
            if result is not None:
                commands.append(
                    AdjustTier(
                        **on(date(year, 12, 10)), branch_id=branch_id, year=year, tier=result
                    )
                )
        for year, target in zip((2017, 2018, 2019), row.targets, strict=True):
            if target is not None:
                commands.append(
                    SetCreationTarget(**on(date(2017, 7, 5)), branch_id=branch_id, year=year,
                                      target=target)
                )  # fmt: skip
        if row.liaison is not None:
            name, position = row.liaison
            person_id = f"p-{list(LIAISONS).index(name)}"
            if person_id not in people:
                people.add(person_id)
                commands.append(
                    RegisterPerson(**on(date(2017, 7, 1)), person_id=person_id, name=name,
                                   phone=LIAISONS[name])
                )  # fmt: skip
            commands.append(
                AssignLiaison(**on(date(2017, 7, 5)), branch_id=branch_id, person_id=person_id,
                              position=position)
            )  # fmt: skip
            for number, (problem, measure) in enumerate(row.problems):
                commands.append(
                    RecordProblem(**on(date(2018, 3, 1)), branch_id=branch_id, case_id=f"c{number}",
                                  problem=problem, measure=measure, owner_id=person_id,
                                  deadline=date(2018, 6, 30))
                )  # fmt: skip
    app.execute_unit(commands)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows_strategy)
def test_a_ledger_written_in_the_layout_imports_back_to_the_same_ledger(
    rows: list[GeneratedRow],
) -> None:
    with open_app("memory://") as source:
        tree(source)
        record(source, rows)
        ledger = source.ledger("town", YEAR)
    with tempfile.TemporaryDirectory() as folder, open_app("memory://") as target:
        path = write_annex1(ledger, Path(folder) / "town.xlsx", written_on=date(2018, 12, 20))
        tree(target)
        report = import_annex1(target, path, "town", YEAR)
        assert report.issues == ()
        assert ledger_rows(target.ledger("town", YEAR)) == ledger_rows(ledger)
        assert import_annex1(target, path, "town", YEAR).planned == ()
