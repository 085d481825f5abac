"""Small cities built through the public API, and helpers the integration tests share.

Every builder goes through `Guoying.execute` (or `execute_unit`, an import judged on its end
state), so the events under test are the ones the library itself decides and saves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from attrs import frozen

from guoying import (
    Actor,
    AdjustTier,
    ApproveCapException,
    AssignLiaison,
    CommitteeLevel,
    Guoying,
    RecordCommonProblem,
    RecordProblem,
    Refused,
    RegisterBranch,
    RegisterCommittee,
    RegisterPerson,
    RegisterUnit,
    Sector,
    SetCreationTarget,
    SignOffRectification,
    Tier,
    UnitKind,
)
from guoying.adapters import schema
from guoying.domain.branch import branch_key
from guoying.domain.events import DomainEvent, stamp
from guoying.domain.person import PersonRegistered, person_aggregate_id
from guoying.domain.policy import TAIAN_2017
from guoying.domain.values import Authority, Decision

CHINA = ZoneInfo("Asia/Shanghai")
NOW = datetime(2018, 12, 20, 10, 0, tzinfo=CHINA)
FIRST_YEAR = 2017
YEAR = 2018
# The tree is dated (`OrgTree.at`): committees are founded before the first decision that
# uses them, or they would have no jurisdiction over a branch's 2017 first assessment.
FOUNDED = date(2017, 1, 1)
CITY = "city"
ORG_DEPT = "org-dept"


def fixed_clock() -> datetime:
    """The business clock of every test: 2018-12-20 in China Standard Time."""
    return NOW


def secretary(committee_id: str) -> Actor:
    return Actor(f"sec-{committee_id}", committee_id, "secretary")


def open_app(url: str, **options: Any) -> Guoying:
    """A `Guoying` on a store URL with the fixed business clock."""
    options.setdefault("clock", fixed_clock)
    return Guoying(url, **options)


def found_city(app: Guoying, *, effective_on: date = FOUNDED) -> None:
    """The city committee and its Organization Department (`org.hierarchy`)."""
    app.execute(
        RegisterCommittee(
            actor=secretary(CITY),
            reason="the city committee founds the tree",
            committee_id=CITY,
            name="中共泰安市委",
            level=CommitteeLevel.CITY,
            effective_on=effective_on,
        )
    )
    app.execute(
        RegisterCommittee(
            actor=secretary(CITY),
            reason="the Organization Department reviews and files",
            committee_id=ORG_DEPT,
            name="市委组织部",
            level=CommitteeLevel.ORGANIZATION_DEPARTMENT,
            parent_id=CITY,
            effective_on=effective_on,
        )
    )


def add_county(
    app: Guoying, county_id: str, *, name: str | None = None, effective_on: date = FOUNDED
) -> None:
    """A county-level city-managed committee under the city committee."""
    app.execute(
        RegisterCommittee(
            actor=secretary(CITY),
            reason="a city-managed committee",
            committee_id=county_id,
            name=name or f"{county_id} county committee",
            level=CommitteeLevel.CITY_MANAGED,
            parent_id=CITY,
            county_level=True,
            effective_on=effective_on,
        )
    )


def add_base(
    app: Guoying,
    base_id: str,
    parent_id: str,
    *,
    name: str | None = None,
    effective_on: date = FOUNDED,
) -> None:
    """A base (grassroots) committee under a city-managed or intermediate committee."""
    app.execute(
        RegisterCommittee(
            actor=secretary(parent_id),
            reason="a grassroots committee",
            committee_id=base_id,
            name=name or f"{base_id} township committee",
            level=CommitteeLevel.BASE,
            parent_id=parent_id,
            effective_on=effective_on,
        )
    )


def add_branches(
    app: Guoying,
    base_id: str,
    count: int,
    *,
    tier: Tier = Tier.MIDDLE,
    year: int = FIRST_YEAR,
    sectors: Sequence[Sector] = (Sector.RURAL,),
    prefix: str | None = None,
) -> list[str]:
    """`count` branches of one base committee, each serving a unit of its own, entered in
    one import (`execute_unit`) with the base committee's first assessment."""
    prefix = prefix or f"{base_id}-b"
    actor = secretary(base_id)
    commands: list[Any] = []
    branch_ids = []
    for number in range(1, count + 1):
        branch_id = f"{prefix}{number:02d}"
        sector = sectors[(number - 1) % len(sectors)]
        commands.append(
            RegisterUnit(
                actor=actor,
                reason="the unit the branch serves",
                unit_id=f"u-{branch_id}",
                name=f"{branch_id} village",
                kind=UnitKind.VILLAGE,
                committee_id=base_id,
                effective_on=date(year, 6, 1),
            )
        )
        commands.append(
            RegisterBranch(
                actor=actor,
                reason="first assessment (分析研判)",
                branch_id=branch_id,
                name=f"{branch_id} branch",
                sector=sector,
                base_committee_id=base_id,
                unit_ids=(f"u-{branch_id}",),
                year=year,
                tier=tier,
                effective_on=date(year, 6, 1),
            )
        )
        branch_ids.append(branch_id)
    app.execute_unit(commands)
    return branch_ids


@frozen
class SmallCity:
    """One county with two townships: ten branches in `town` and three in `village`; one
    advanced branch in each, the village's by an approved `ledger.advanced_cap` exception."""

    county: str
    town: str
    village: str
    town_branches: tuple[str, ...]
    village_branches: tuple[str, ...]
    liaison: str

    @property
    def branches(self) -> tuple[str, ...]:
        return self.town_branches + self.village_branches


def approvals(
    committee_id: str,
    by: str,
    justification: str,
    on: date,
    *,
    through: int = TAIAN_2017.last_year,
) -> list[ApproveCapException]:
    """The parent committee's own decisions, on `on`, to let `committee_id` above its cap
    in that year and each later year the policy covers, since a tier carries into them and
    counts again there (`ledger.advanced_cap`)."""
    return [
        ApproveCapException(
            actor=secretary(by),
            reason=justification,
            effective_on=on,
            committee_id=committee_id,
            year=year,
        )
        for year in range(on.year, through + 1)
    ]


def build_small_city(app: Guoying) -> SmallCity:
    """A city with every kind of ledger fact: tiers and adjustments, targets, a liaison with
    personal data, open, closed and overdue rectification cases, and a common problem."""
    found_city(app)
    add_county(app, "daiyue")
    add_base(app, "town", "daiyue")
    add_base(app, "village", "daiyue")
    town = add_branches(
        app,
        "town",
        10,
        sectors=(Sector.RURAL, Sector.URBAN_COMMUNITY, Sector.NON_PUBLIC_ENTERPRISE),
    )
    village = add_branches(app, "village", 3, tier=Tier.LAGGING)
    actor = secretary("town")
    app.execute(
        AdjustTier(
            actor=actor,
            reason="2018 evaluation",
            branch_id=town[0],
            year=YEAR,
            tier=Tier.ADVANCED,
            effective_on=date(2018, 12, 10),
        )
    )
    app.execute(
        AdjustTier(
            actor=actor,
            reason="2018 evaluation",
            branch_id=town[1],
            year=YEAR,
            tier=Tier.WEAK,
            effective_on=date(2018, 12, 10),
        )
    )
    for year in (2017, 2018, 2019):
        app.execute(
            SetCreationTarget(
                actor=actor,
                reason="creation target",
                branch_id=town[2],
                year=year,
                target=Tier.ADVANCED,
            )
        )
    app.execute(
        RegisterPerson(
            actor=actor,
            reason="a leader of the township",
            person_id="p-wang",
            name="王建国",
            phone="0538-1234567",
        )
    )
    app.execute(
        AssignLiaison(
            actor=actor,
            reason="包保全覆盖",
            branch_id=town[2],
            person_id="p-wang",
            position="党委副书记",
            effective_on=date(2018, 3, 1),
        )
    )
    app.execute(
        RecordProblem(
            actor=actor,
            reason="supervision visit",
            branch_id=town[2],
            case_id="c1",
            problem="组织生活不规范",
            measure="每月召开主题党日",
            owner_id="p-wang",
            deadline=date(2018, 6, 30),
            effective_on=date(2018, 3, 1),
        )
    )
    app.execute(
        RecordProblem(
            actor=actor,
            reason="supervision visit",
            branch_id=town[2],
            case_id="c2",
            problem="台账不全",
            measure="补齐台账",
            owner_id="p-wang",
            deadline=date(2018, 5, 31),
            effective_on=date(2018, 3, 1),
        )
    )
    app.execute(
        SignOffRectification(
            actor=actor,
            reason="checked on site",
            branch_id=town[2],
            case_id="c2",
            outcome="台账已补齐",
            effective_on=date(2018, 5, 20),
        )
    )
    decided = date(2018, 12, 11)
    last = app.policy(decided).last_year
    # Three branches allow no advanced one (floor(0.3) = 0): the village's first needs an
    # exception approved by the county, and takes the county (2 of 13, limit 1) above its
    # cap too, which the Organization Department approves (`ledger.advanced_cap`).
    app.execute_unit(
        [
            AdjustTier(
                actor=secretary("village"),
                reason="2018 evaluation: provincial award",
                branch_id=village[0],
                year=YEAR,
                tier=Tier.ADVANCED,
                effective_on=date(2018, 12, 11),
            ),
            *approvals("village", "daiyue", "provincial model branch", decided, through=last),
            *approvals("daiyue", ORG_DEPT, "provincial model branch", decided, through=last),
        ]
    )
    app.execute(
        RecordCommonProblem(
            actor=actor,
            reason="面上共性问题",
            committee_id="town",
            problem_id="cp1",
            year=YEAR,
            problem="党员老化",
            measure="发展年轻党员",
        )
    )
    return SmallCity("daiyue", "town", "village", tuple(town), tuple(village), "p-wang")


def second_advanced(city: SmallCity) -> AdjustTier:
    """A second advanced branch in `town` for 2018: above floor(0.10 x 10) = 1, so it is
    refused by `ledger.advanced_cap`."""
    return AdjustTier(
        actor=secretary(city.town),
        reason="2018 evaluation",
        branch_id=city.town_branches[3],
        year=YEAR,
        tier=Tier.ADVANCED,
        effective_on=date(2018, 12, 10),
    )


def cap_refused(branch_number: int = 4) -> AdjustTier:
    """A second ADVANCED branch in the small city's `town` for 2018: refused
    (`ledger.advanced_cap`) and logged."""
    return AdjustTier(
        actor=secretary("town"),
        reason="2018 evaluation",
        branch_id=f"town-b{branch_number:02d}",
        year=YEAR,
        tier=Tier.ADVANCED,
        effective_on=date(2018, 12, 10),
    )


def out_of_jurisdiction() -> SetCreationTarget:
    """`village`'s secretary sets a target on a branch of `town`: refused
    (`org.jurisdiction`) and logged."""
    return SetCreationTarget(
        actor=secretary("village"),
        reason="not ours to set",
        branch_id="town-b05",
        year=YEAR,
        target=Tier.ADVANCED,
    )


def refuse(app: Guoying, command: Any) -> None:
    """Execute a command that must be refused (and so only logged)."""
    try:
        app.execute(command)
    except Refused:
        return
    raise AssertionError(f"{type(command).__name__} was not refused")


def _row_key(row: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
    """Order rows whose columns mix values and NULLs (a case open in one row of its
    history, closed in the next): NULL sorts first in its column."""
    return tuple((value is not None, value) for value in row)


def views_snapshot(app: Guoying) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every view table and the projections' tracking positions, sorted."""
    app.catch_up()
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    with app.store.engine.connect() as conn:
        for projection in app.projections:
            for table in projection.metadata.sorted_tables:
                rows = conn.execute(sa.select(table)).all()
                snapshot[table.name] = sorted((tuple(row) for row in rows), key=_row_key)
        tracking = conn.execute(sa.select(schema.tracking)).all()
    snapshot[schema.tracking.name] = sorted((tuple(row) for row in tracking), key=_row_key)
    return snapshot


def event_rows(app: Guoying) -> list[tuple[Any, ...]]:
    """Every stored event, in the store's order, as stored."""
    t = schema.events
    with app.store.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.select(t).order_by(t.c.id))]


def readings(app: Guoying, city: SmallCity) -> dict[str, Any]:
    """What a reader sees through the API: ledgers, rollup, figures, histories, refusals."""
    return {
        "town": app.ledger(city.town, YEAR),
        "town-2017": app.ledger(city.town, FIRST_YEAR),
        "village": app.ledger(city.village, YEAR),
        "county": app.ledger(city.county, YEAR),
        "figures": [app.figures(c, y) for c in (city.town, city.county) for y in (2017, 2018)],
        "history": {b: app.history(b) for b in city.branches},
        "refusals": app.refusals(),
    }


def person_registered(person_id: str, version: int = 1) -> DomainEvent:
    """A stored-event-shaped fact for store-level tests: `person_id` at a given version."""
    decision = Decision(
        secretary(CITY),
        "store contract test",
        date(2018, 1, 2),
        Authority((), "taian-2017"),
    )
    return PersonRegistered(
        **stamp(decision, person_aggregate_id(person_id), version), person_id=person_id
    )


def run_together(count: int, work: Callable[[int], Any], *, timeout: float = 60.0) -> list[Any]:
    """Run `work(i)` for i in range(count) in threads released together by a barrier.

    Returns, in order, each call's return value or the exception it raised.
    """
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            barrier.wait(timeout)
            results[index] = work(index)
        except Exception as error:  # noqa: BLE001 - handed to the test as a result
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(t.is_alive() for t in threads), "a thread did not finish in time"
    return results


def race_adjust_to_advanced(
    url: str, base_id: str, branch_id: str, barrier: Any, results: Any
) -> None:
    """A child process of the multi-process race: its own `Guoying`, released by a barrier.

    Puts (branch_id, outcome) on `results`: "ok", the rule id of a refusal, or the error.
    """
    try:
        results.put((branch_id, _adjust_to_advanced(url, base_id, branch_id, barrier)))
    except Exception as error:  # noqa: BLE001 - reported to the parent process
        results.put((branch_id, f"error: {error!r}"))


def _adjust_to_advanced(url: str, base_id: str, branch_id: str, barrier: Any) -> str:
    with open_app(url) as app:
        command = AdjustTier(
            actor=secretary(base_id),
            reason="2018 evaluation",
            branch_id=branch_id,
            year=YEAR,
            tier=Tier.ADVANCED,
        )
        app.store.get(branch_key(branch_id))  # warm the connection pool before the start
        barrier.wait(60)
        try:
            app.execute(command)
        except Refused as refusal:
            return refusal.rule_id
        return "ok"
