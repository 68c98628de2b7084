"""Reads of billing: the fees a firm has not been invoiced yet, the figures of a tax receipt,
a firm's payable, and the operator's finance view (all from the ledger)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from num2words import num2words

from relais.bench import returns
from relais.bench.models import LendingMode, Mission, MissionStatus
from relais.bench.selectors import consultant_days, mission_cost_basis
from relais.billing.models import Invoice, InvoiceKind, InvoiceStatus, OperatorCost, TaxReceipt
from relais.funding.models import (
    AccountKind,
    CircleMembership,
    LedgerEntry,
    MembershipStatus,
    TransactionKind,
)

if TYPE_CHECKING:
    from relais.accounts.models import Organisation, User


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(month: dt.date) -> dt.date:
    return (month.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


# --- Fees to invoice ----------------------------------------------------------------------


@dataclass
class FeeLine:
    """A mission's fee days at one fee a day: days × unit = amount, exactly."""

    mission: Mission
    unit_cents: int
    transactions: list[int] = field(default_factory=list)
    days: list[dt.date] = field(default_factory=list)

    @property
    def quantity(self) -> int:
        return len(self.transactions)

    @property
    def amount_cents(self) -> int:
        return self.quantity * self.unit_cents


def fees_not_invoiced(firm: Organisation, until: dt.date) -> list[FeeLine]:
    """The firm's fee movements for mission days up to `until` that no invoice bills yet, one
    line per mission and fee a day (a fee movement pays one day: pool −x, firm's payable +x)."""
    entries = (
        LedgerEntry.objects.filter(
            account__kind=AccountKind.FIRM_PAYABLE,
            account__organisation=firm,
            amount_cents__gt=0,
            transaction__kind=TransactionKind.FEE,
            transaction__day__lte=until,
            transaction__invoiced__isnull=True,
        )
        .select_related("transaction__mission__consultant", "transaction__mission__project")
        .order_by("transaction__mission_id", "transaction__day", "transaction_id")
    )
    lines: dict[tuple[int, int], FeeLine] = {}
    for entry in entries:
        movement = entry.transaction
        if movement.mission is None or movement.day is None:
            continue
        key = (movement.mission_id or 0, entry.amount_cents)
        line = lines.setdefault(key, FeeLine(movement.mission, entry.amount_cents))
        line.transactions.append(movement.pk)
        line.days.append(movement.day)
    return list(lines.values())


def firm_payable_cents(firm: Organisation) -> int:
    """What is owed to the firm, derived from the ledger (its payable account's balance)."""
    total = LedgerEntry.objects.filter(
        account__kind=AccountKind.FIRM_PAYABLE, account__organisation=firm
    ).aggregate(total=Sum("amount_cents"))["total"]
    return int(total or 0)


def credited_cents(invoice: Invoice) -> int:
    """What the credit notes of an invoice take back, excluding VAT."""
    total = invoice.credit_notes.exclude(status=InvoiceStatus.DRAFT).aggregate(
        total=Sum("total_ht_cents")
    )["total"]
    return int(total or 0)


# --- Tax receipts -------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonGift:
    """One employee's time given to the beneficiary in the year, valued at cost."""

    name: str
    days: int
    valuation_cents: int


@dataclass(frozen=True)
class ReceiptFigures:
    year: int
    people: list[PersonGift]
    pass_cents: int
    salary_cap_cents: int

    @property
    def amount_cents(self) -> int:
        return sum(p.valuation_cents for p in self.people)

    @property
    def days(self) -> int:
        return sum(p.days for p in self.people)


def receipt_figures(firm: Organisation, beneficiary: Organisation, year: int) -> ReceiptFigures:
    """The time the firm's employees gave the beneficiary in a calendar year in sponsorship
    missions: per person, the working days (each counted once across their missions, absences
    removed) and their cost, the gross salary counted being capped at 3 × PASS a year
    (`bench.returns.capped_cost_of_days`). A year without tax parameters raises."""
    parameters = returns.tax_year(year)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    missions = list(
        Mission.objects.filter(
            bench_period__firm=firm,
            start__isnull=False,
            start__lte=end,
            status__in=[MissionStatus.ACTIVE, MissionStatus.ENDED],
        )
        .filter(Q(end__isnull=True) | Q(end__gte=start))
        .select_related("consultant", "project")
        .order_by("consultant_id", "start", "id")
    )
    by_consultant: dict[int, list[Mission]] = defaultdict(list)
    for mission in missions:
        by_consultant[mission.consultant_id].append(mission)
    people: list[PersonGift] = []
    for theirs in by_consultant.values():
        consultant = theirs[0].consultant
        alsace = bool(
            getattr(getattr(consultant, "consultant_profile", None), "alsace_moselle", False)
        )
        days_in_year = returns.working_days(start, end, alsace_moselle=alsace)
        their_days = consultant_days(theirs, start, end, alsace_moselle=alsace)
        days = value = 0
        for mission in theirs:
            if (
                mission.mode != LendingMode.SPONSORSHIP
                or mission.project.nonprofit_id != beneficiary.pk
            ):
                continue
            count = len(their_days[mission.pk])
            if not count:
                continue
            days += count
            value += returns.capped_cost_of_days(
                mission_cost_basis(mission), count, parameters, days_in_year=days_in_year
            )
        if days:
            name = consultant.get_full_name() or consultant.email
            people.append(PersonGift(name, days, value))
    people.sort(key=lambda p: p.name)
    return ReceiptFigures(
        year,
        people,
        parameters.pass_cents,
        parameters.pass_cents * parameters.salary_cap_pass_multiple,
    )


def amount_in_words(cents: int) -> str:
    """The amount in French words, euros and cents: « mille deux cent trente euros et
    quarante-cinq centimes »."""
    euros, rest = divmod(cents, 100)
    words = f"{num2words(euros, lang='fr')} euro{'s' if euros > 1 else ''}"
    if rest:
        words += f" et {num2words(rest, lang='fr')} centime{'s' if rest > 1 else ''}"
    return words


def sponsorship_pairs(year: int) -> list[tuple[int, int]]:
    """The (firm, beneficiary) pairs with a sponsorship mission running in the year."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return sorted(
        set(
            Mission.objects.filter(
                mode=LendingMode.SPONSORSHIP,
                start__isnull=False,
                start__lte=end,
                status__in=[MissionStatus.ACTIVE, MissionStatus.ENDED],
                project__nonprofit__sponsorship_eligible_at__isnull=False,
            )
            .filter(Q(end__isnull=True) | Q(end__gte=start))
            .values_list("bench_period__firm_id", "project__nonprofit_id")
        )
    )


# --- To-dos -------------------------------------------------------------------------------


@dataclass
class BillingToDos:
    invoices_to_issue: list[Invoice] = field(default_factory=list)  # firm admin, firm issues
    invoices_issued_for_you: list[Invoice] = field(default_factory=list)  # firm admin, self-billed
    invoices_to_pay: list[Invoice] = field(default_factory=list)  # operator staff
    receipts_to_issue: list[TaxReceipt] = field(default_factory=list)  # nonprofit admin
    receipts_received: list[TaxReceipt] = field(default_factory=list)  # firm admin

    def __bool__(self) -> bool:
        return any(
            (
                self.invoices_to_issue,
                self.invoices_issued_for_you,
                self.invoices_to_pay,
                self.receipts_to_issue,
                self.receipts_received,
            )
        )


def billing_to_dos(user: User) -> BillingToDos:
    """What waits on the user in billing, in a bounded number of queries."""
    from relais.accounts.models import Role

    firms = user.organisation_ids(Role.FIRM_ADMIN)
    nonprofits = user.organisation_ids(Role.NONPROFIT_ADMIN)
    since = timezone.localdate() - dt.timedelta(days=45)
    invoices = Invoice.objects.select_related("firm").order_by("-month", "-id")
    todos = BillingToDos()
    if firms:
        todos.invoices_to_issue = list(
            invoices.filter(firm_id__in=firms, status=InvoiceStatus.DRAFT)[:20]
        )
        todos.invoices_issued_for_you = list(
            invoices.filter(
                firm_id__in=firms,
                self_billed=True,
                status=InvoiceStatus.ISSUED,
                issued_on__gte=since,
            )[:20]
        )
        todos.receipts_received = list(
            TaxReceipt.objects.filter(
                firm_id__in=firms, status="issued", issued_on__gte=since
            ).select_related("beneficiary")[:20]
        )
    if nonprofits:
        todos.receipts_to_issue = list(
            TaxReceipt.objects.filter(beneficiary_id__in=nonprofits, status="ready").select_related(
                "firm"
            )[:20]
        )
    if user.is_operator_staff:
        todos.invoices_to_pay = list(
            invoices.filter(kind=InvoiceKind.INVOICE, status=InvoiceStatus.ISSUED)[:50]
        )
    return todos


# --- The operator's finance view ----------------------------------------------------------


@dataclass
class FinanceMonth:
    month: dt.date
    revenue_cents: int = 0  # OPERATOR_REVENUE movements: the operator's share of subscriptions
    pm_fund_cents: int = 0  # PM_FUND movements: sponsorship mode's project-management funding
    costs: dict[str, int] = field(default_factory=dict)
    spent_cents: int = 0  # FEE + SPONSORSHIP movements: what the pools paid out

    @property
    def income_cents(self) -> int:
        return self.revenue_cents + self.pm_fund_cents

    @property
    def costs_cents(self) -> int:
        return sum(self.costs.values())

    @property
    def margin_cents(self) -> int:
        return self.income_cents - self.costs_cents


@dataclass
class Finance:
    year: int
    months: list[FinanceMonth]
    committed_cents: int  # yearly amounts of the active memberships' tiers
    members: int

    @property
    def spent_cents(self) -> int:
        return sum(m.spent_cents for m in self.months)

    @property
    def revenue_cents(self) -> int:
        return sum(m.revenue_cents for m in self.months)

    @property
    def pm_fund_cents(self) -> int:
        return sum(m.pm_fund_cents for m in self.months)

    @property
    def costs_cents(self) -> int:
        return sum(m.costs_cents for m in self.months)

    @property
    def margin_cents(self) -> int:
        return sum(m.margin_cents for m in self.months)


def finance(year: int) -> Finance:
    """The operator's year, month by month, from the ledger (booking dates) and the costs staff
    entered: revenue by source, costs by category, margin; and the subscriptions committed
    (active memberships' yearly tiers) against what the pools spent (fees and sponsorship)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    months = {dt.date(year, m, 1): FinanceMonth(dt.date(year, m, 1)) for m in range(1, 13)}
    received = (
        LedgerEntry.objects.filter(
            account__kind__in=[AccountKind.OPERATOR_REVENUE, AccountKind.PM_FUND],
            transaction__booked_on__range=(start, end),
        )
        .annotate(month=TruncMonth("transaction__booked_on"))
        .values("month", "account__kind")
        .annotate(total=Sum("amount_cents"))
    )
    for row in received:
        target = months[_as_date(row["month"])]
        if row["account__kind"] == AccountKind.OPERATOR_REVENUE:
            target.revenue_cents += int(row["total"])
        else:
            target.pm_fund_cents += int(row["total"])
    spent = (
        LedgerEntry.objects.filter(
            account__kind=AccountKind.POOL,
            amount_cents__lt=0,
            transaction__kind__in=[TransactionKind.FEE, TransactionKind.SPONSORSHIP],
            transaction__booked_on__range=(start, end),
        )
        .annotate(month=TruncMonth("transaction__booked_on"))
        .values("month")
        .annotate(total=Sum("amount_cents"))
    )
    for row in spent:
        months[_as_date(row["month"])].spent_cents += -int(row["total"])
    costs = (
        OperatorCost.objects.filter(month__range=(start, end))
        .values("month", "category")
        .annotate(total=Sum("amount_cents"))
    )
    for row in costs:
        bucket = months[row["month"]].costs
        bucket[row["category"]] = bucket.get(row["category"], 0) + int(row["total"])
    active = CircleMembership.objects.filter(
        status=MembershipStatus.ACTIVE, tier__isnull=False
    ).aggregate(total=Sum("tier__yearly_amount_cents"), members=Count("id"))
    return Finance(
        year, list(months.values()), int(active["total"] or 0), int(active["members"] or 0)
    )


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def vat_of(total_ht_cents: int, rate: Decimal | None) -> int:
    """The VAT of an amount at a rate, rounded half-up to the cent (0 when exempt)."""
    if rate is None:
        return 0
    return int((Decimal(total_ht_cents) * rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
