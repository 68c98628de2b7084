"""Each figure of the firm's return against values computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from relais.bench.models import LendingMode, TaxYear
from relais.bench.returns import (
    capped_daily_cost,
    estimate,
    fee_cents,
    sponsorship_reduction,
    working_days,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tax_years() -> None:
    """The dated parameters as the data migration writes them (a flushed database, e.g. reused
    after transactional tests, has lost them)."""
    import importlib

    from django.apps import apps

    if not TaxYear.objects.exists():
        importlib.import_module("relais.bench.migrations.0002_tax_years").add(apps, None)


@pytest.fixture
def y2026():
    return TaxYear.objects.get(year=2026)


def test_the_2025_and_2026_ceilings_are_data():
    assert TaxYear.objects.get(year=2025).pass_cents == 47_100_00
    assert TaxYear.objects.get(year=2026).pass_cents == 48_060_00


def test_working_days_skip_weekends_and_french_public_holidays():
    # May 2026: 21 weekdays, minus May 1st (Fri), May 8th (Fri), Ascension May 14th (Thu)
    # and Whit Monday May 25th: 17 working days.
    assert working_days(dt.date(2026, 5, 1), dt.date(2026, 5, 31)) == 17
    assert working_days(dt.date(2026, 11, 28), dt.date(2026, 11, 29)) == 0  # a weekend


def test_the_fee_is_rate_times_tjm_per_day():
    # 10 days × 600 € × 1 % = 60 €
    assert fee_cents(10, 600_00, Decimal(1)) == 60_00


def test_a_fee_estimate_by_hand(y2026):
    # 2026 has 252 working days (261 weekdays, 9 public holidays on weekdays).
    # 100 consultants × 252 days × 5 % = 1 260 days; × 500 € × 1 % = 6 300 € a year.
    result = estimate(
        mode=LendingMode.FEE,
        headcount=100,
        bench_rate=Decimal(5),
        tjm_cents=500_00,
        daily_cost_cents=400_00,
        turnover_cents=10_000_000_00,
        fee_rate=Decimal(1),
        year=y2026,
    )
    assert result.bench_days == 1260
    assert result.fee_cents == 6_300_00
    assert result.yearly_cents == 6_300_00
    assert result.monthly_cents == 525_00
    assert result.value_at_tjm_cents == 630_000_00


def test_a_sponsorship_estimate_by_hand_with_the_turnover_cap(y2026):
    # 1 260 days × 400 € = 504 000 € given; counted up to max(20 000, 0.5 % × 10 M€ = 50 000);
    # reduction 60 % × 50 000 = 30 000 €; 454 000 € carried over.
    result = estimate(
        mode=LendingMode.SPONSORSHIP,
        headcount=100,
        bench_rate=Decimal(5),
        tjm_cents=500_00,
        daily_cost_cents=400_00,
        turnover_cents=10_000_000_00,
        fee_rate=Decimal(0),
        year=y2026,
    )
    assert result.valuation_cents == 504_000_00
    assert result.reduction.limit_cents == 50_000_00
    assert result.reduction.reduction_cents == 30_000_00
    assert result.reduction.carried_over_cents == 454_000_00
    assert result.monthly_cents == 2_500_00


def test_the_20_000_euro_floor_applies_to_small_turnovers(y2026):
    # 0.5 % of 1 M€ is 5 000 €, below the 20 000 € floor.
    reduction = sponsorship_reduction(30_000_00, 1_000_000_00, y2026)
    assert reduction.limit_cents == 20_000_00
    assert reduction.reduction_cents == 12_000_00
    assert reduction.carried_over_cents == 10_000_00


def test_donations_above_2_million_get_40_percent(y2026):
    # Turnover 1 G€ → limit 5 M€; 3 M€ counted: 60 % × 2 M€ + 40 % × 1 M€ = 1.6 M€.
    reduction = sponsorship_reduction(3_000_000_00, 1_000_000_000_00, y2026)
    assert reduction.reduction_cents == 1_600_000_00


def test_the_salary_counted_is_capped_at_three_pass(y2026):
    # Daily gross cap: 3 × 48 060 € / 252 working days of 2026 = 572.14 €; loaded with 45 %
    # charges: 572.142857 × 1.45 = 829.61 €.
    assert capped_daily_cost(1_500_00, y2026) == 829_61
    # Below the cap, the loaded cost counts in full.
    assert capped_daily_cost(400_00, y2026) == 400_00


def test_the_cap_follows_the_year(y2026):
    y2025 = TaxYear.objects.get(year=2025)
    # 3 × 47 100 € / 251 working days of 2025 = 562.95 € of gross a day; × 1.45 = 816.27 €
    assert capped_daily_cost(1_500_00, y2025) == 816_27
