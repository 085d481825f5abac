"""Policy as versioned data: every number and list that rules.md marks as a Reading.

Each decision is judged by the version in effect on its `effective_on` and records that
version's id, so a replay years later explains the decision by the rules of its day.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal

from attrs import field, frozen

ALWAYS_CONSULTED = (
    "discipline inspection",
    "court",
    "procuratorate",
    "comprehensive governance",
    "petitions office",
    "610 office",
    "public security",
    "family planning",
    "audit",
)
CONSULTED_FOR_ENTERPRISES = (
    "land resources",
    "housing and construction",
    "environmental protection",
    "industry and commerce",
    "tax",
    "social security",
    "work safety",
)
CONSULTED_FOR_NON_PUBLIC = ("party-building body",)


@frozen(kw_only=True)
class Policy:
    """One version of the work plan's parameters."""

    version: str
    effective_on: date
    # ledger.advanced_cap: share of a committee's active branches that may be advanced.
    advanced_share: Decimal = Decimal("0.10")
    # ledger.weak_share: the source names no figure, so none is set by default.
    weak_share: Decimal | None = None
    # The years this version's plan covers; decisions for other years are refused.
    first_year: int = 2017
    last_year: int = 2019
    # 9a: a ledger for year Y shows the window of this many years that contains Y.
    plan_window_years: int = 3
    # selection.annual_titles, selection.proposal_ratio, selection.public_notice
    annual_titles: int = 100
    candidates_per_place: int = 2
    unit_notice_days: int = 3
    city_notice_days: int = 5
    # How many recent years count for priority recommendation (selection.priority).
    priority_window_years: int = 3
    # mentoring.ratio
    mentees_target: int = 5
    mentees_max: int = 8
    # cultivation.minimum for county-level committees
    county_exemplars_minimum: int = 50
    # cultivation.deadline, selection.timeline, mentoring.plan (month, day) each year
    first_plan_due: date = date(2017, 7, 10)
    # plan.filing. Reading: §1 gives the implementation plans no date; the Annex 2 plan,
    # which builds on them, is due 2017-07-10, so they are due by then too. The source gives
    # no dates for later plan windows: each window's plans (implementation and Annex 2) are
    # due on the same month and day in the window's first year (`plan_due`).
    implementation_plan_due: date = date(2017, 7, 10)
    applications_due: tuple[int, int] = (3, 31)
    site_visits_due: tuple[int, int] = (5, 31)
    naming_around: tuple[int, int] = (7, 1)
    # "Around 1 July": a naming this many days after `naming_around` is recorded as late.
    naming_grace_days: int = 14
    mentoring_schedule_due: tuple[int, int] = (7, 31)
    # selection.consultation
    agencies_always: tuple[str, ...] = ALWAYS_CONSULTED
    agencies_for_enterprises: tuple[str, ...] = CONSULTED_FOR_ENTERPRISES
    agencies_for_non_public: tuple[str, ...] = CONSULTED_FOR_NON_PUBLIC
    # reward.grant, in yuan
    grant_yuan: int = 10_000
    # supervision.exchange: the (month, day) each period of a year ends on, in order; one
    # exchange is due in each (every half year). supervision.special_meeting: one a year,
    # due by this (month, day). A period that ended without one is reported overdue.
    exchange_periods_end: tuple[tuple[int, int], ...] = ((6, 30), (12, 31))
    special_meeting_due: tuple[int, int] = (12, 31)
    timezone: str = "Asia/Shanghai"

    def covers_year(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    def advanced_limit(self, active_branches: int) -> int:
        """floor(share x n), computed exactly so that 0.10 x 30 is 3, not 2."""
        return int((self.advanced_share * active_branches).to_integral_value(ROUND_FLOOR))

    def due_on(self, year: int, month_day: tuple[int, int]) -> date:
        return date(year, *month_day)

    def plan_due(self, window_start: int, first_due: date) -> date:
        """`plan.filing`, `cultivation.deadline`: a plan of the window starting in
        `window_start` is due on `first_due` for the first window, on the same month and
        day in its first year for a later one (Reading)."""
        return first_due if window_start <= first_due.year else first_due.replace(year=window_start)

    def required_agencies(self, *, enterprise: bool, non_public: bool) -> tuple[str, ...]:
        """`selection.consultation`: the agencies a deciding committee consults about one
        candidate: always the first list, the second for financial institutions and
        enterprises, the third for non-public and social-organisation branches."""
        found = list(self.agencies_always)
        for wanted, extra in (
            (enterprise, self.agencies_for_enterprises),
            (non_public, self.agencies_for_non_public),
        ):
            if wanted:
                found += [agency for agency in extra if agency not in found]
        return tuple(found)

    def exchange_periods(self, year: int) -> list[tuple[date, date]]:
        """`supervision.exchange`: the periods of a year, each (first day, last day)."""
        periods, start = [], date(year, 1, 1)
        for month_day in self.exchange_periods_end:
            end = self.due_on(year, month_day)
            periods.append((start, end))
            start = end + timedelta(days=1)
        return periods

    def plan_window(self, year: int) -> range:
        offset = (year - self.first_year) % self.plan_window_years
        start = year - offset
        return range(start, start + self.plan_window_years)


TAIAN_2017 = Policy(version="taian-2017", effective_on=date(2017, 5, 27))


def _sorted_versions(versions: Iterable[Policy]) -> tuple[Policy, ...]:
    ordered = tuple(sorted(versions, key=lambda p: p.effective_on))
    if not ordered:
        raise ValueError("a policy book needs at least one version")
    return ordered


@frozen
class PolicyBook:
    """The published policy versions, each taking effect on its date."""

    versions: tuple[Policy, ...] = field(converter=_sorted_versions)

    def in_effect(self, on: date) -> Policy:
        """The version in effect on a date; the first version governs dates before it."""
        index = bisect_right([p.effective_on for p in self.versions], on)
        return self.versions[max(index - 1, 0)]

    def by_version(self, version: str) -> Policy:
        for policy in self.versions:
            if policy.version == version:
                return policy
        raise KeyError(version)


DEFAULT_POLICY_BOOK = PolicyBook((TAIAN_2017,))
