"""What a firm gets back, computed in integer cents from the dated tax parameters.

- Non-profit loan (Code du travail L8241-1): the daily cost of a consultant is their gross daily
  salary × (1 + employer charges) — or their loaded daily cost — plus the professional expenses
  reimbursed per day; a fee (rate × TJM per day) may never exceed it.
- Symbolic fee: fee = rate × TJM per working day lent.
- Skills sponsorship (art. 238 bis CGI): valuation = the cost of the time given (gross salary +
  employer charges), the gross salary counted being capped at 3 × PASS per employee and fiscal
  year — a daily cap of 3 × PASS divided by the working days of that year, the same day count as
  the missions; reduction = 60 % of the gifts counted up to 2 M€, 40 % above (60 % kept for
  bodies helping people in difficulty); gifts counted are capped at the higher of 20 000 € and
  0.5 % of the fiscal year's turnover, the excess carrying over to the next 5 fiscal years, used
  oldest first after that year's own gifts.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

import holidays
from django.utils.translation import gettext as _

from relais.bench.models import LendingMode, TaxYear
from relais.core.errors import Conflict

HUNDRED = Decimal(100)


class TaxYearMissing(Conflict):
    """The parameters of a year are not recorded: no figure is computed with another year's."""


def cents(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- Working days -------------------------------------------------------------------------


@lru_cache(maxsize=64)
def public_holidays(year: int, alsace_moselle: bool = False) -> frozenset[dt.date]:
    """French public holidays of a year; Alsace-Moselle adds Good Friday and 26 December."""
    return frozenset(holidays.France(years=year, subdiv="57" if alsace_moselle else None))


def is_working_day(day: dt.date, *, alsace_moselle: bool = False) -> bool:
    """Monday to Friday, and not a public holiday."""
    return day.weekday() < 5 and day not in public_holidays(day.year, alsace_moselle)


@lru_cache(maxsize=128)
def _calendar_year_working_dates(year: int, alsace_moselle: bool) -> tuple[dt.date, ...]:
    """The working days of a calendar year, in order (computed once per year and region)."""
    day, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    found = []
    while day <= last:
        if is_working_day(day, alsace_moselle=alsace_moselle):
            found.append(day)
        day += dt.timedelta(days=1)
    return tuple(found)


def _working_dates_between(
    start: dt.date, end: dt.date, alsace_moselle: bool
) -> list[tuple[dt.date, ...]]:
    """The runs of working days from start to end included, a slice of each calendar year."""
    runs = []
    for year in range(start.year, end.year + 1):
        days = _calendar_year_working_dates(year, alsace_moselle)
        runs.append(days[bisect_left(days, start) : bisect_right(days, end)])
    return runs


def working_dates(start: dt.date, end: dt.date, *, alsace_moselle: bool = False) -> set[dt.date]:
    """The working days from start to end included."""
    if end < start:
        return set()
    dates: set[dt.date] = set()
    for run in _working_dates_between(start, end, alsace_moselle):
        dates.update(run)
    return dates


def working_days(start: dt.date, end: dt.date, *, alsace_moselle: bool = False) -> int:
    """Days from start to end included, without weekends nor French public holidays: counted by
    bisecting each year's working days, not day by day."""
    if end < start:
        return 0
    return sum(len(run) for run in _working_dates_between(start, end, alsace_moselle))


def year_working_days(year: int, *, alsace_moselle: bool = False) -> int:
    """The working days of a calendar year (252 in 2026; 251 in Alsace-Moselle)."""
    return working_days(dt.date(year, 1, 1), dt.date(year, 12, 31), alsace_moselle=alsace_moselle)


# --- Fiscal years -------------------------------------------------------------------------


def _closing(year: int, month: int, day: int) -> dt.date:
    """The closing date in a year; a 29, 30 or 31 the month lacks means its last day."""
    while True:
        try:
            return dt.date(year, month, day)
        except ValueError:
            day -= 1


def fiscal_year_bounds(year: int, *, month: int = 12, day: int = 31) -> tuple[dt.date, dt.date]:
    """First and last day of the fiscal year that closes in `year` on the given day."""
    end = _closing(year, month, day)
    start = _closing(year - 1, month, day) + dt.timedelta(days=1)
    return start, end


def fiscal_year_of(day: dt.date, *, month: int = 12, day_of_month: int = 31) -> int:
    """The fiscal year (named by the year it closes) a day belongs to."""
    return day.year if day <= _closing(day.year, month, day_of_month) else day.year + 1


# --- Cost basis and non-profit loan -------------------------------------------------------


@dataclass(frozen=True)
class CostBasis:
    """How a consultant's daily cost is determined (the agreement prints it)."""

    gross_cents: int | None
    charges_rate: Decimal | None
    loaded_cents: int
    expenses_cents: int

    @property
    def from_salary(self) -> bool:
        return self.gross_cents is not None and self.charges_rate is not None

    @property
    def salary_and_charges_cents(self) -> int:
        """Gross salary with employer charges (or the loaded daily cost), without expenses."""
        if self.gross_cents is not None and self.charges_rate is not None:
            return cents(Decimal(self.gross_cents) * (1 + self.charges_rate / HUNDRED))
        return self.loaded_cents

    @property
    def daily_cents(self) -> int:
        """The daily cost the fee may not exceed: salary, charges and expenses of a day."""
        return self.salary_and_charges_cents + self.expenses_cents


def daily_fee_cents(tjm_cents: int, rate: Decimal) -> int:
    return cents(Decimal(tjm_cents) * rate / HUNDRED)


def fee_above_cost_message(fee_cents: int, cost_cents: int) -> str:
    """The refusal of a fee above cost, naming the rule."""
    return _(
        "Code du travail L8241-1: a loan of staff is lawful only when not for profit: the fee "
        "may not exceed the salary, social charges and professional expenses of the days lent "
        "(here %(fee)s € a day against a cost of %(cost)s € a day)."
    ) % {"fee": f"{fee_cents / 100:.2f}", "cost": f"{cost_cents / 100:.2f}"}


def fee_exceeds_cost(*, tjm_cents: int, rate: Decimal, daily_cost_cents: int) -> bool:
    """True when rate × TJM a day is above the daily cost (L8241-1)."""
    return Decimal(tjm_cents) * rate / HUNDRED > daily_cost_cents


# --- Sponsorship --------------------------------------------------------------------------


def daily_salary_cap_cents(year: TaxYear, days_in_year: int) -> int:
    """3 × PASS divided by the working days of the year: the gross salary counted a day."""
    return cents(Decimal(year.pass_cents * year.salary_cap_pass_multiple) / max(days_in_year, 1))


def capped_daily_cost(
    daily_cost_cents: int, year: TaxYear, *, days_in_year: int | None = None
) -> int:
    """The loaded daily cost counted for a receipt: gross salary capped at 3 × PASS a year."""
    days_in_year = days_in_year or year_working_days(year.year)
    charges = 1 + year.employer_charges_rate / HUNDRED
    gross = Decimal(daily_cost_cents) / charges
    cap = Decimal(year.pass_cents * year.salary_cap_pass_multiple) / days_in_year
    return cents(min(gross, cap) * charges)


def capped_cost_of_days(basis: CostBasis, days: int, year: TaxYear, *, days_in_year: int) -> int:
    """Salary and charges of `days` days for a receipt, the gross salary capped at 3 × PASS
    over the working days of the year (so a full year counts 3 × PASS at most); a loaded cost
    is split with the year's charges rate. Rounded once, on the total."""
    cap = Decimal(year.pass_cents * year.salary_cap_pass_multiple) / max(days_in_year, 1)
    if basis.gross_cents is not None and basis.charges_rate is not None:
        gross, rate = Decimal(basis.gross_cents), basis.charges_rate
    else:
        rate = year.employer_charges_rate
        gross = Decimal(basis.loaded_cents) / (1 + rate / HUNDRED)
    return cents(days * min(gross, cap) * (1 + rate / HUNDRED))


@dataclass(frozen=True)
class Reduction:
    donations_cents: int
    limit_cents: int
    counted_cents: int
    carried_over_cents: int
    reduction_cents: int


def _reduction_of(counted: int, difficulty: int, year: TaxYear) -> int:
    """60 % of the gifts counted up to the threshold, 40 % above; gifts to bodies helping
    people in difficulty (counted first) keep 60 % and do not use the threshold."""
    difficulty = min(difficulty, counted)
    other = counted - difficulty
    below = min(other, year.threshold_cents)
    return cents(
        Decimal(difficulty + below) * year.reduction_rate / HUNDRED
        + Decimal(other - below) * year.reduction_rate_above_threshold / HUNDRED
    )


def turnover_limit_cents(turnover_cents: int, year: TaxYear) -> int:
    return max(year.floor_cents, cents(Decimal(turnover_cents) * year.turnover_rate / HUNDRED))


def sponsorship_reduction(donations_cents: int, turnover_cents: int, year: TaxYear) -> Reduction:
    """The tax reduction of a year's donations, with the turnover cap and the 2 M€ threshold."""
    limit = turnover_limit_cents(turnover_cents, year)
    counted = min(donations_cents, limit)
    return Reduction(
        donations_cents, limit, counted, donations_cents - counted, _reduction_of(counted, 0, year)
    )


@dataclass
class CarryOver:
    """The excess of one fiscal year, usable in the next five, oldest first."""

    year: int
    amount_cents: int
    used: dict[int, int] = field(default_factory=dict)  # fiscal year → cents used
    expired_cents: int = 0

    @property
    def left_cents(self) -> int:
        return self.amount_cents - sum(self.used.values()) - self.expired_cents


@dataclass
class YearGifts:
    """One fiscal year's gifts and what they give, carry-over included."""

    year: int
    relais_cents: int  # valuation of the time lent on Relais
    difficulty_cents: int  # of which to bodies helping people in difficulty
    other_gifts_cents: int
    turnover_cents: int
    limit_cents: int = 0
    counted_cents: int = 0  # the year's own gifts counted
    carry_used_cents: int = 0  # earlier excesses counted this year
    carry_used_from: dict[int, int] = field(default_factory=dict)
    excess_cents: int = 0  # carried to the next years
    expired_cents: int = 0  # excesses of earlier years that lapsed at this year's end
    reduction_cents: int = 0

    @property
    def gifts_cents(self) -> int:
        return self.relais_cents + self.other_gifts_cents


def carry_forward(years: Iterable[YearGifts], parameters: dict[int, TaxYear]) -> list[YearGifts]:
    """Applies the cap year by year, oldest first: the year's own gifts first, then earlier
    excesses oldest first within what is left of the cap; an excess lapses after the number of
    years of its year's parameters (5)."""
    pending: list[CarryOver] = []
    done: list[YearGifts] = []
    for gifts in sorted(years, key=lambda g: g.year):
        params = parameters[gifts.year]
        gifts.limit_cents = turnover_limit_cents(gifts.turnover_cents, params)
        gifts.counted_cents = min(gifts.gifts_cents, gifts.limit_cents)
        room = gifts.limit_cents - gifts.counted_cents
        for carry in pending:
            if room <= 0:
                break
            age = gifts.year - carry.year
            if carry.left_cents <= 0 or age > parameters[carry.year].carry_over_years:
                continue
            take = min(room, carry.left_cents)
            carry.used[gifts.year] = take
            gifts.carry_used_from[carry.year] = take
            gifts.carry_used_cents += take
            room -= take
        gifts.reduction_cents = _reduction_of(
            gifts.counted_cents + gifts.carry_used_cents, gifts.difficulty_cents, params
        )
        gifts.excess_cents = gifts.gifts_cents - gifts.counted_cents
        if gifts.excess_cents:
            pending.append(CarryOver(gifts.year, gifts.excess_cents))
        for carry in pending:
            age = gifts.year - carry.year
            if carry.left_cents > 0 and age >= parameters[carry.year].carry_over_years:
                carry.expired_cents = carry.left_cents
                gifts.expired_cents += carry.expired_cents
        done.append(gifts)
    return done


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
    days of the year × bench rate."""
    days_in_year = year_working_days(year.year)
    days = cents(Decimal(headcount) * days_in_year * bench_rate / HUNDRED)
    value = days * tjm_cents
    if mode == LendingMode.FEE:
        return Estimate(mode, days, value, fee_cents(days, tjm_cents, fee_rate), 0, None)
    valuation = days * capped_daily_cost(daily_cost_cents, year, days_in_year=days_in_year)
    return Estimate(
        mode, days, value, 0, valuation, sponsorship_reduction(valuation, turnover_cents, year)
    )


def tax_year(year: int) -> TaxYear:
    """The parameters of that year; a clear error when they are not recorded."""
    found = TaxYear.objects.filter(year=year).first()
    if found is None:
        raise TaxYearMissing(
            _(
                "The tax parameters of %(year)s (PASS, caps, rates) are not recorded yet: "
                "the Relais team must add them before the figures of that year can be computed."
            )
            % {"year": year}
        )
    return found
