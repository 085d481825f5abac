"""Policy as versioned data: exact limits, plan windows and the version in effect."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guoying.domain.policy import DEFAULT_POLICY_BOOK, TAIAN_2017, Policy, PolicyBook


def test_ledger_advanced_cap_limit_of_thirty_branches_at_ten_percent_is_exactly_three():
    """`ledger.advanced_cap`: 0.10 x 30 is 3 exactly."""
    assert TAIAN_2017.advanced_limit(30) == 3


def test_ledger_advanced_cap_limit_avoids_the_float_rounding_trap():
    """`ledger.advanced_cap`: 0.29 x 100 is 29, though in floats it floors to 28."""
    assert math.floor(0.29 * 100) == 28  # the trap exact arithmetic avoids
    policy = Policy(version="p", effective_on=date(2017, 1, 1), advanced_share=Decimal("0.29"))
    assert policy.advanced_limit(100) == 29


@pytest.mark.parametrize(
    ("branches", "limit"),
    [(0, 0), (1, 0), (9, 0), (10, 1), (19, 1), (20, 2), (29, 2), (30, 3), (99, 9), (100, 10)],
)
def test_ledger_advanced_cap_limit_is_the_floor_of_share_times_branches(branches, limit):
    """`ledger.advanced_cap`: the limit is floor(0.10 x n); fewer than ten branches allow none."""
    assert TAIAN_2017.advanced_limit(branches) == limit


@settings(max_examples=200)
@given(
    hundredths=st.integers(min_value=0, max_value=100),
    branches=st.integers(min_value=0, max_value=100_000),
)
def test_ledger_advanced_cap_limit_is_exact_for_any_share_and_count(hundredths, branches):
    """`ledger.advanced_cap`: floor(share x n) computed exactly, whatever the policy's share."""
    share = Decimal(hundredths) / 100
    policy = Policy(version="p", effective_on=date(2017, 1, 1), advanced_share=share)
    assert policy.advanced_limit(branches) == math.floor(Fraction(hundredths, 100) * branches)


def test_the_default_share_of_advanced_branches_is_ten_percent_and_weak_share_is_unset():
    """`ledger.advanced_cap` defaults to 0.10; `ledger.weak_share` has no figure in the source."""
    assert TAIAN_2017.advanced_share == Decimal("0.10")
    assert TAIAN_2017.weak_share is None


@pytest.mark.parametrize("year", [2017, 2018, 2019])
def test_a_year_of_the_first_plan_belongs_to_the_window_2017_to_2019(year):
    assert TAIAN_2017.plan_window(year) == range(2017, 2020)


@pytest.mark.parametrize(
    ("year", "window"),
    [
        (2020, range(2020, 2023)),
        (2022, range(2020, 2023)),
        (2023, range(2023, 2026)),
        (2016, range(2014, 2017)),
        (2014, range(2014, 2017)),
    ],
)
def test_plan_windows_repeat_every_three_years_on_both_sides_of_the_first(year, window):
    assert TAIAN_2017.plan_window(year) == window


@given(year=st.integers(min_value=1900, max_value=2200), length=st.integers(1, 6))
def test_every_year_lies_in_exactly_one_plan_window_of_the_policy_length(year, length):
    policy = Policy(version="p", effective_on=date(2017, 1, 1), plan_window_years=length)
    window = policy.plan_window(year)
    assert year in window
    assert len(window) == length
    assert (window.start - policy.first_year) % length == 0


def test_the_policy_covers_only_the_years_of_its_plan():
    assert not TAIAN_2017.covers_year(2016)
    assert all(TAIAN_2017.covers_year(year) for year in (2017, 2018, 2019))
    assert not TAIAN_2017.covers_year(2020)


REVISED = Policy(
    version="revised-2019", effective_on=date(2019, 3, 1), advanced_share=Decimal("0.15")
)


def test_the_version_in_effect_changes_on_its_effective_date():
    book = PolicyBook((TAIAN_2017, REVISED))
    assert book.in_effect(date(2019, 2, 28)) is TAIAN_2017
    assert book.in_effect(date(2019, 3, 1)) is REVISED
    assert book.in_effect(date(2030, 1, 1)) is REVISED


def test_the_first_version_governs_dates_before_it_took_effect():
    book = PolicyBook((TAIAN_2017, REVISED))
    assert book.in_effect(date(2000, 1, 1)) is TAIAN_2017
    assert DEFAULT_POLICY_BOOK.in_effect(date(2017, 5, 26)) is TAIAN_2017


def test_a_policy_book_orders_its_versions_by_effective_date_whatever_the_order_given():
    book = PolicyBook((REVISED, TAIAN_2017))
    assert book.versions == (TAIAN_2017, REVISED)
    assert book.in_effect(date(2018, 1, 1)) is TAIAN_2017


@given(
    offsets=st.lists(st.integers(0, 3000), min_size=1, max_size=6, unique=True),
    day=st.integers(-100, 3200),
)
def test_the_version_in_effect_is_the_latest_one_that_took_effect_on_or_before_the_day(
    offsets, day
):
    start = date(2017, 1, 1)
    versions = [
        Policy(version=f"v{offset}", effective_on=start + timedelta(days=offset))
        for offset in offsets
    ]
    on = start + timedelta(days=day)
    chosen = PolicyBook(tuple(versions)).in_effect(on)
    started = [p for p in versions if p.effective_on <= on]
    expected = (
        max(started, key=lambda p: p.effective_on)
        if started
        else min(versions, key=lambda p: p.effective_on)
    )
    assert chosen == expected


def test_a_policy_book_finds_a_version_by_its_id_and_refuses_an_unknown_one():
    book = PolicyBook((TAIAN_2017, REVISED))
    assert book.by_version("revised-2019") is REVISED
    with pytest.raises(KeyError):
        book.by_version("no-such-version")


def test_a_policy_book_needs_at_least_one_version():
    with pytest.raises(ValueError, match="at least one version"):
        PolicyBook(())
