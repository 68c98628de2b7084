"""What a firm gets back, computed in integer cents from the dated tax parameters.

- Symbolic fee: fee = rate × TJM per bench day lent.
- Skills sponsorship (art. 238 bis CGI): valuation = the cost of the time given (gross salary +
  employer charges), the gross salary counted being capped at 3 × PASS per employee and year;
  reduction = 60 % of the donations counted up to 2 M€, 40 % above; donations counted are capped
  at the higher of 20 000 € and 0.5 % of turnover, the excess carrying over to the next 5 years.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import holidays

from relais.bench.models import LendingMode, TaxYear

HUNDRED = Decimal(100)


def cents(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@lru_cache(maxsize=32)
def _french_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.France(years=year))


def working_days(start: dt.date, end: dt.date) -> int:
    """Days from start to end included, without weekends nor French public holidays."""
    count = 0
    day = start
    while day <= end:
        if day.weekday() < 5 and day not in _french_holidays(day.year):
            count += 1
        day += dt.timedelta(days=1)
    return count


def capped_daily_cost(daily_cost_cents: int, year: TaxYear) -> int:
    """The loaded daily cost counted for a receipt: gross salary capped at 3 × PASS a year."""
    charges = 1 + year.employer_charges_rate / HUNDRED
    gross = Decimal(daily_cost_cents) / charges
    cap = Decimal(year.pass_cents * year.salary_cap_pass_multiple) / year.working_days
    return cents(min(gross, cap) * charges)


@dataclass(frozen=True)
class Reduction:
    donations_cents: int
    limit_cents: int
    counted_cents: int
    carried_over_cents: int
    reduction_cents: int


def sponsorship_reduction(donations_cents: int, turnover_cents: int, year: TaxYear) -> Reduction:
    """The tax reduction of a year's donations, with the turnover cap and the 2 M€ threshold."""
    limit = max(year.floor_cents, cents(Decimal(turnover_cents) * year.turnover_rate / HUNDRED))
    counted = min(donations_cents, limit)
    below = min(counted, year.threshold_cents)
    above = counted - below
    reduction = cents(
        Decimal(below) * year.reduction_rate / HUNDRED
        + Decimal(above) * year.reduction_rate_above_threshold / HUNDRED
    )
    return Reduction(donations_cents, limit, counted, donations_cents - counted, reduction)


def fee_cents(days: int, tjm_cents: int, rate: Decimal) -> int:
    return cents(Decimal(days) * tjm_cents * rate / HUNDRED)


@dataclass(frozen=True)
class Estimate:
    mode: str
    bench_days: int
    value_at_tjm_cents: int
    fee_cents: int
    valuation_cents: int
    reduction: Reduction | None

    @property
    def yearly_cents(self) -> int:
        if self.mode == LendingMode.FEE:
            return self.fee_cents
        return self.reduction.reduction_cents if self.reduction else 0

    @property
    def monthly_cents(self) -> int:
        return cents(Decimal(self.yearly_cents) / 12)


def estimate(
    *,
    mode: str,
    headcount: int,
    bench_rate: Decimal,
    tjm_cents: int,
    daily_cost_cents: int,
    turnover_cents: int,
    fee_rate: Decimal,
    year: TaxYear,
) -> Estimate:
    """A firm's yearly return if it lends all its bench time: bench days = headcount × working
    days × bench rate."""
    days = cents(Decimal(headcount) * year.working_days * bench_rate / HUNDRED)
    value = days * tjm_cents
    if mode == LendingMode.FEE:
        return Estimate(mode, days, value, fee_cents(days, tjm_cents, fee_rate), 0, None)
    valuation = days * capped_daily_cost(daily_cost_cents, year)
    return Estimate(
        mode, days, value, 0, valuation, sponsorship_reduction(valuation, turnover_cents, year)
    )


def tax_year(year: int) -> TaxYear:
    """The parameters of that year, or of the latest year known before it."""
    found = TaxYear.objects.filter(year__lte=year).order_by("-year").first()
    return found or TaxYear.objects.order_by("year").first() or TaxYear(year=year, pass_cents=0)
