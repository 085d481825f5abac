"""The three-year cultivation plan (§3, Annex 2): each city-managed committee's exemplars to
cultivate, year by year, filed with the city Organization Department.

Rules: `cultivation.batches` (each row in one of three batches), `cultivation.row` (the
rows of Annex 2, numbered within each year), `cultivation.minimum` (a county-level
committee's at least 50 a year across its subtree, checked at filing; any other
city-managed committee states its own number, which the plan records), `cultivation.coverage`
(the sectors covered and missed, recorded, never refused) and `cultivation.deadline` (late
recorded, never refused).

One plan per committee and plan window (`cultivation:<committee>:<first year>`). A later
filing for the same window is a revision that supersedes the whole table: it is judged
afresh by every rule, and the plan keeps the date and lateness of its first filing
(docs/adr/008-plans-and-cultivation.md).
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Sequence
from datetime import date

from attrs import define, frozen

from guoying.domain.events import DomainEvent, Key, next_version, stamp
from guoying.domain.exceptions import JurisdictionViolation, RuleViolation
from guoying.domain.organization import Committee, CommitteeMap
from guoying.domain.plans import window_of
from guoying.domain.policy import Policy
from guoying.domain.values import CommitteeLevel, Decision, Sector


class Batch(enum.StrEnum):
    """The three batches of exemplars (`cultivation.batches`), in the source's order."""

    FIRST = "FIRST"  # 率先培树: cultivate first
    FOCUS = "FOCUS"  # 重点培养: develop with focus
    RESERVE = "RESERVE"  # 长远储备: reserve for the long term


# The rule an unknown batch is refused by, for the converter's message (a batch that is not
# one of the three cannot be read as a command at all).
BATCH_RULE = "cultivation.batches"

# `cultivation.coverage`: the six fields the exemplars should cover (not "other fields").
COVERED_SECTORS: tuple[Sector, ...] = tuple(s for s in Sector if s is not Sector.OTHER)


@frozen
class PlannedExemplar:
    """A row as the committee gives it, with the branch's sector at filing."""

    year: int
    batch: Batch
    branch_id: str
    sector: Sector
    measures: tuple[str, ...]
    person_id: str
    position: str


@frozen
class CultivationEntry:
    """A row of Annex 2 as filed: the year, its number within the year, the batch, the
    branch (and its sector when filed), the specific measures, and the liaison by id and
    position (the name and telephone number are personal data, joined when read)."""

    year: int
    sequence: int
    batch: Batch
    branch_id: str
    sector: Sector
    measures: tuple[str, ...]
    person_id: str
    position: str


@define
class CultivationPlan:
    id: str
    version: int
    committee_id: str
    window_start: int
    window_end: int
    revision: int
    first_filed_on: date
    due_on: date
    late: bool
    entries: tuple[CultivationEntry, ...] = ()


def cultivation_key(committee_id: str, window_start: int) -> Key[CultivationPlan]:
    return Key(f"cultivation:{committee_id}:{window_start}", CultivationPlan)


@frozen(kw_only=True)
class CultivationPlanFiled(DomainEvent[CultivationPlan]):
    """A city-managed committee's Annex 2 filed with the city Organization Department, or a
    revision of it that supersedes the earlier table. `required_minimum` is the policy's
    number a year for a county-level committee (none for the others); `stated_number` is
    the committee's own. `late` is this filing's own lateness against `due_on`."""

    committee_id: str
    window_start: int
    window_end: int
    filed_with: str
    revision: int
    county_level: bool
    required_minimum: int | None
    stated_number: int | None
    entries: tuple[CultivationEntry, ...]
    sectors_covered: tuple[Sector, ...]
    sectors_missed: tuple[Sector, ...]
    due_on: date
    late: bool

    def mutate(self, aggregate: CultivationPlan | None) -> CultivationPlan:
        if aggregate is None:
            return CultivationPlan(
                id=self.originator_id,
                version=self.originator_version,
                committee_id=self.committee_id,
                window_start=self.window_start,
                window_end=self.window_end,
                revision=self.revision,
                first_filed_on=self.effective_on,
                due_on=self.due_on,
                late=self.late,
                entries=self.entries,
            )
        aggregate.version = self.originator_version
        aggregate.revision = self.revision
        aggregate.entries = self.entries
        return aggregate


def coverage(sectors: Sequence[Sector]) -> tuple[tuple[Sector, ...], tuple[Sector, ...]]:
    """`cultivation.coverage`: the fields covered and those missed, in the ledger's order."""
    found = set(sectors)
    return (
        tuple(s for s in COVERED_SECTORS if s in found),
        tuple(s for s in COVERED_SECTORS if s not in found),
    )


def _row_problem(index: int, row: PlannedExemplar, window: Sequence[int]) -> str | None:
    if row.year not in window:
        return f"rows[{index}].year: {row.year} is outside the plan window {window[0]}-{window[-1]}"
    if not row.measures or any(not m.strip() for m in row.measures):
        return f"rows[{index}].measures: a row lists its specific measures, none blank"
    if not row.position.strip():
        return f"rows[{index}].position: the liaison's position is required"
    return None


def _require_rows(rows: Sequence[PlannedExemplar], window: Sequence[int]) -> None:
    """`cultivation.batches` and `cultivation.row`: each row is whole, each branch planned
    once a year."""
    if not rows:
        raise RuleViolation("cultivation.row", "rows: a plan lists its exemplars, one or more")
    for index, row in enumerate(rows):
        if not isinstance(row.batch, Batch):
            raise RuleViolation(
                "cultivation.batches",
                f"rows[{index}].batch: {row.batch!r} is not a batch; expected one of "
                f"{', '.join(Batch)}",
                {"field": f"rows[{index}].batch"},
            )
        problem = _row_problem(index, row, window)
        if problem is not None:
            raise RuleViolation("cultivation.row", problem, {"row": index})
    twice = [key for key, n in Counter((r.year, r.branch_id) for r in rows).items() if n > 1]
    if twice:
        year, branch_id = twice[0]
        raise RuleViolation(
            "cultivation.row",
            f"rows: branch {branch_id!r} is planned twice for {year}; once a year",
            {"branch_id": branch_id, "year": year},
        )


def _require_minimum(
    committee: Committee,
    policy: Policy,
    counts: Counter[int],
    years: Sequence[int],
    stated_number: int | None,
) -> int | None:
    """`cultivation.minimum`; returns the policy's minimum for a county-level committee."""
    if not committee.county_level:
        if stated_number is None or stated_number < 1:
            raise RuleViolation(
                "cultivation.minimum",
                f"stated_number: {committee.committee_id!r} sets its own number of exemplars "
                "a year, and the plan records it (one or more)",
                {"committee_id": committee.committee_id},
            )
        return None
    minimum = policy.county_exemplars_minimum
    if stated_number is not None and stated_number < minimum:
        raise RuleViolation(
            "cultivation.minimum",
            f"stated_number: a county-level committee plans at least {minimum} exemplars a "
            f"year, not {stated_number}",
            {"committee_id": committee.committee_id, "stated_number": stated_number},
        )
    short = [(year, counts[year]) for year in years if counts[year] < minimum]
    if short:
        listed = ", ".join(f"{n} in {year}" for year, n in short)
        raise RuleViolation(
            "cultivation.minimum",
            f"county-level committee {committee.committee_id!r} plans {listed} across its "
            f"subtree; at least {minimum} a year (policy {policy.version})",
            {
                "committee_id": committee.committee_id,
                "minimum": minimum,
                "short": {str(year): n for year, n in short},
            },
        )
    return minimum


def require_filer(committee: Committee, decision: Decision) -> None:
    """A city-managed committee files its own plan (`org.hierarchy`, `org.jurisdiction`)."""
    if committee.level is not CommitteeLevel.CITY_MANAGED:
        raise RuleViolation(
            "org.hierarchy",
            f"the cultivation plan (Annex 2) is filed by a city-managed committee, not by "
            f"{committee.committee_id!r} ({committee.level.value})",
            {"committee_id": committee.committee_id},
        )
    if decision.actor.committee_id != committee.committee_id:
        raise JurisdictionViolation(
            f"{committee.committee_id!r} files its own cultivation plan, not "
            f"{decision.actor.committee_id!r}",
            {"committee_id": committee.committee_id},
        )


def file_cultivation_plan(
    existing: CultivationPlan | None,
    view: CommitteeMap,
    decision: Decision,
    policy: Policy,
    *,
    committee: Committee,
    year: int,
    stated_number: int | None,
    rows: Sequence[PlannedExemplar],
) -> CultivationPlanFiled:
    """Decide a filing of Annex 2 (or a revision superseding the earlier one). The handler
    has found every branch within the committee's subtree (`org.jurisdiction`)."""
    require_filer(committee, decision)
    department = view.organization_department()
    if department is None:
        raise RuleViolation(
            "org.hierarchy",
            f"no city Organization Department to file with on {decision.effective_on}",
        )
    window = window_of(policy, year, "cultivation.row")
    # The years of the window the policy covers are the ones a plan is held to.
    years = [y for y in window if policy.covers_year(y)]
    _require_rows(rows, years)
    counts = Counter(row.year for row in rows)
    required = _require_minimum(committee, policy, counts, years, stated_number)
    numbered: Counter[int] = Counter()
    entries = []
    for row in sorted(rows, key=lambda r: r.year):  # stable: the filing's order in a year
        numbered[row.year] += 1
        entries.append(
            CultivationEntry(
                year=row.year,
                sequence=numbered[row.year],
                batch=row.batch,
                branch_id=row.branch_id,
                sector=row.sector,
                measures=tuple(m.strip() for m in row.measures),
                person_id=row.person_id,
                position=row.position.strip(),
            )
        )
    covered, missed = coverage([row.sector for row in rows])
    due = policy.plan_due(window[0], policy.first_plan_due)
    return CultivationPlanFiled(
        **stamp(
            decision,
            cultivation_key(committee.committee_id, window[0]).id,
            next_version(existing),
        ),
        committee_id=committee.committee_id,
        window_start=window[0],
        window_end=window[-1],
        filed_with=department.committee_id,
        revision=(existing.revision + 1) if existing else 1,
        county_level=committee.county_level,
        required_minimum=required,
        stated_number=stated_number,
        entries=tuple(entries),
        sectors_covered=covered,
        sectors_missed=missed,
        due_on=due,
        late=decision.effective_on > due,
    )
