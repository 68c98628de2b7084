"""Every state change of billing, one function each.

Rules held here: a firm's invoice bills each fee movement of the ledger once; numbers follow each
other without gaps per issuer, series and year (a sequence row locked while the number is taken,
in the transaction that stores the document); an issued invoice or receipt is frozen (its PDF
stored once, with its SHA-256) and is corrected only by a credit note; self-billing needs the
firm's prior acceptance; a receipt is issued by the beneficiary's admin, for a closed year."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relais.accounts.audit import audit
from relais.accounts.models import Organisation, OrganisationKind, Role
from relais.billing import access, documents, einvoice, selectors
from relais.billing.models import (
    BillingSettings,
    Invoice,
    InvoicedFee,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    InvoicingMode,
    NumberSequence,
    OperatorCost,
    ReceiptStatus,
    Series,
    TaxReceipt,
)
from relais.billing.tasks import invoice_notify, receipt_notify
from relais.core.errors import Conflict, Invalid, NotAllowed, ServiceError
from relais.core.mail import notify_on_commit
from relais.core.validators import refuse_implausible_dates

if TYPE_CHECKING:
    from django.http import HttpRequest

    from relais.accounts.models import User

DEFAULT_VAT_RATE = Decimal(20)
logger = logging.getLogger(__name__)


# --- Settings -----------------------------------------------------------------------------


def billing_settings_for(firm: Organisation) -> BillingSettings:
    """The firm's settings, or the defaults (the firm issues its invoices, VAT at 20 %) unsaved."""
    found = BillingSettings.objects.filter(firm=firm).first()
    return found or BillingSettings(firm=firm, mode=InvoicingMode.FIRM, vat_rate=DEFAULT_VAT_RATE)


@transaction.atomic
def billing_settings_set(
    *,
    admin: User,
    firm: Organisation,
    mode: str,
    accept_self_billing: bool,
    vat_rate: Decimal | None,
    vat_exemption: str,
    payment_days: int,
    late_penalty_rate: Decimal,
) -> BillingSettings:
    """A firm admin sets how the firm's fee invoices are issued and its VAT regime. Self-billing
    (the operator issues in the firm's name) needs the firm's express prior acceptance, recorded
    with who gave it and when; a VAT rate or an exemption mention is required."""
    if not admin.has_role(firm.pk, [Role.FIRM_ADMIN]):
        raise NotAllowed
    errors: dict[str, list[str]] = {}
    if mode not in InvoicingMode.values:
        errors["mode"] = [_("Choose who issues the invoices.")]
    vat_exemption = vat_exemption.strip()
    if vat_rate is None and not vat_exemption:
        errors["vat_exemption"] = [
            _("Give the VAT rate, or the mention of the exemption (such as art. 293 B du CGI).")
        ]
    if vat_rate is not None and vat_exemption:
        errors["vat_exemption"] = [_("An invoice with VAT carries no exemption mention.")]
    if vat_rate is not None and not Decimal(0) <= vat_rate <= Decimal(100):
        errors["vat_rate"] = [_("A rate is between 0 and 100 %.")]
    if not 0 <= payment_days <= 60:
        errors["payment_days"] = [_("Code de commerce L441-10: 60 days at most.")]
    if not Decimal(0) <= late_penalty_rate <= Decimal(100):
        errors["late_penalty_rate"] = [_("A rate is between 0 and 100 %.")]
    current = BillingSettings.objects.select_for_update().filter(firm=firm).first()
    accepted = current.self_billing_accepted_at if current is not None else None
    if mode == InvoicingMode.SELF_BILLED and accepted is None and not accept_self_billing:
        errors["accept_self_billing"] = [
            _("Self-billing needs the firm's prior acceptance: tick the box to give it.")
        ]
    if errors:
        raise Invalid(fields=errors)
    settings = current or BillingSettings(firm=firm)
    settings.mode = mode
    if mode == InvoicingMode.SELF_BILLED and accepted is None:
        settings.self_billing_accepted_at = timezone.now()
        settings.self_billing_accepted_by = admin
    settings.vat_rate = vat_rate
    settings.vat_exemption = vat_exemption
    settings.payment_days = payment_days
    settings.late_penalty_rate = late_penalty_rate
    settings.updated_by = admin
    settings.updated_at = timezone.now()
    settings.save()
    audit("billing.settings", actor=admin, organisation=firm, target=firm, mode=mode)
    return settings


# --- Numbers ------------------------------------------------------------------------------


def next_number(issuer: Organisation, series: str, year: int) -> int:
    """The next number of a series: the sequence row is locked until the caller's transaction
    ends, so two documents never take the same number and a rolled-back one leaves no gap."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_number must run inside the transaction that stores the document")
    try:
        with transaction.atomic():
            NumberSequence.objects.get_or_create(issuer=issuer, series=series, year=year)
    except IntegrityError:  # created at the same moment by another transaction: it exists now
        pass
    sequence = NumberSequence.objects.select_for_update().get(
        issuer=issuer, series=series, year=year
    )
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


PREFIXES = {Series.INVOICE: "FA", Series.CREDIT_NOTE: "AV"}


def _operator() -> Organisation:
    operator = Organisation.objects.filter(kind=OrganisationKind.OPERATOR).first()
    if operator is None:
        raise Conflict(_("The operator's organisation is not recorded: no invoice can be made."))
    return operator


# --- Invoices -----------------------------------------------------------------------------


def _month_is_over(month: dt.date) -> dt.date:
    refuse_implausible_dates(month=month)
    month = month.replace(day=1)
    if selectors.next_month(month) > timezone.localdate():
        raise Invalid(
            _("%(month)s is not over yet: only a past month can be invoiced.")
            % {"month": date_format(month, "YEAR_MONTH_FORMAT")},
            fields={"month": [_("Choose a month that is over.")]},
        )
    return month


@transaction.atomic
def invoice_prepare(
    *, firm: Organisation, month: dt.date, by: User | None = None
) -> Invoice | None:
    """Makes the firm's invoice of a past month from the fee movements not invoiced yet (days
    up to that month's end): issued at once when the operator self-bills, otherwise a draft the
    firm's admin issues. None when there is nothing to invoice or the month is invoiced already
    (running it twice changes nothing)."""
    month = _month_is_over(month)
    # One run at a time per firm: the lock of the firm's row serialises them.
    Organisation.objects.select_for_update().filter(pk=firm.pk).first()
    if Invoice.objects.filter(firm=firm, month=month, kind=InvoiceKind.INVOICE).exists():
        return None
    lines = selectors.fees_not_invoiced(firm, einvoice.month_end(month))
    if not lines:
        return None
    settings = billing_settings_for(firm)
    self_billed = settings.mode == InvoicingMode.SELF_BILLED
    operator = _operator()
    invoice = Invoice.objects.create(
        kind=InvoiceKind.INVOICE,
        firm=firm,
        buyer=operator,
        issuer=operator if self_billed else firm,
        self_billed=self_billed,
        self_billing_accepted_at=settings.self_billing_accepted_at if self_billed else None,
        month=month,
        vat_rate=settings.vat_rate,
        vat_exemption=settings.vat_exemption if settings.vat_rate is None else "",
        payment_days=settings.payment_days,
        late_penalty_rate=settings.late_penalty_rate,
    )
    for position, line in enumerate(lines):
        consultant = line.mission.consultant
        name = consultant.get_full_name() or consultant.email
        first, last = min(line.days), max(line.days)
        made = InvoiceLine.objects.create(
            invoice=invoice,
            mission=line.mission,
            description=(
                f"Mise à disposition (prêt à but non lucratif) — {name} — "
                f"« {line.mission.project.title} » — jours du {first:%d/%m/%Y} au {last:%d/%m/%Y}"
            )[:300],
            quantity=line.quantity,
            unit_cents=line.unit_cents,
            amount_cents=line.amount_cents,
            position=position,
        )
        InvoicedFee.objects.bulk_create(
            InvoicedFee(transaction_id=pk, line=made) for pk in line.transactions
        )
    invoice.total_ht_cents = sum(line.amount_cents for line in lines)
    invoice.vat_cents = selectors.vat_of(invoice.total_ht_cents, invoice.vat_rate)
    invoice.total_ttc_cents = invoice.total_ht_cents + invoice.vat_cents
    invoice.save(update_fields=["total_ht_cents", "vat_cents", "total_ttc_cents"])
    if self_billed:
        _issue(invoice, by=by)
    else:
        notify_on_commit(invoice_notify, invoice_id=invoice.pk, event="to_issue")
    return invoice


def _issue(invoice: Invoice, *, by: User | None) -> Invoice:
    """Numbers, renders and freezes the invoice (or credit note), and tells who must act."""
    today = timezone.localdate()
    series = Series.CREDIT_NOTE if invoice.is_credit_note else Series.INVOICE
    invoice.year = today.year
    invoice.sequence = next_number(invoice.issuer, series, today.year)
    invoice.number = f"{PREFIXES[series]}-{today.year}-{invoice.sequence:05d}"
    invoice.issued_on = today
    invoice.due_on = today + dt.timedelta(days=invoice.payment_days)
    invoice.issued_by = by
    invoice.status = InvoiceStatus.ISSUED
    pdf = documents.invoice_pdf(invoice)
    documents.freeze(invoice, pdf, documents.filename(invoice))
    invoice.save()
    audit(
        "billing.invoice_issued",
        actor=by,
        organisation=invoice.firm,
        target=invoice.number,
        kind=invoice.kind,
        total_ttc_cents=invoice.total_ttc_cents,
        sha256=invoice.sha256,
    )
    if invoice.is_credit_note:
        notify_on_commit(invoice_notify, invoice_id=invoice.pk, event="credit_note")
    else:
        if invoice.self_billed:
            notify_on_commit(invoice_notify, invoice_id=invoice.pk, event="issued_for_you")
        notify_on_commit(invoice_notify, invoice_id=invoice.pk, event="to_pay")
    return invoice


@transaction.atomic
def invoice_issue(*, invoice: Invoice, admin: User) -> Invoice:
    """The firm's admin issues a draft invoice of their firm (the firm issues its own): it gets
    the next number of the firm's series and is frozen; the operator is told it has to pay."""
    invoice = (
        Invoice.objects.select_for_update()
        .select_related("firm", "buyer", "issuer")
        .get(pk=invoice.pk)
    )
    if not admin.has_role(invoice.issuer_id, [Role.FIRM_ADMIN]):
        raise NotAllowed
    if invoice.status != InvoiceStatus.DRAFT:
        raise Conflict(_("This invoice is already issued: an issued invoice never changes."))
    return _issue(invoice, by=admin)


@transaction.atomic
def invoices_issue_month(*, month: dt.date, by: User | None = None) -> list[Invoice]:
    """Makes every firm's invoice of a past month (the periodic job, or staff for a given month):
    firms with fees not invoiced yet get one; a second run makes nothing."""
    month = _month_is_over(month)
    if by is not None and not by.is_operator_staff:
        raise NotAllowed
    firms = (
        Organisation.objects.filter(
            kind=OrganisationKind.FIRM,
            ledger_accounts__entries__transaction__kind="fee",
            ledger_accounts__entries__transaction__invoiced__isnull=True,
            ledger_accounts__entries__transaction__day__lt=selectors.next_month(month),
        )
        .distinct()
        .order_by("pk")
    )
    made = []
    for firm in firms:
        # One firm whose invoice cannot be made (its XML refused, say) stops no other: its
        # savepoint rolls back, with the number it took, so no gap is left.
        try:
            with transaction.atomic():
                invoice = invoice_prepare(firm=firm, month=month, by=by)
        except (ServiceError, einvoice.FacturXError):
            logger.exception("The invoice of %s for %s could not be made", firm.pk, month)
            continue
        if invoice is not None:
            made.append(invoice)
    return made


def invoices_issue_last_month() -> dict[str, object]:
    """The periodic job: on the first days of a month, last month's invoices (idempotent)."""
    today = timezone.localdate()
    if today.day > 7:
        return {"invoices": 0}
    last = selectors.previous_month(today)
    return {"month": f"{last:%Y-%m}", "invoices": len(invoices_issue_month(month=last))}


@transaction.atomic
def credit_note_issue(
    *, invoice: Invoice, by: User, reason: str, amount_ht_cents: int | None = None
) -> Invoice:
    """Corrects an issued invoice with a credit note (never an edit): by its issuer, for the
    whole amount not credited yet or part of it, with a reason; numbered in the issuer's credit
    note series, frozen, and both parties told."""
    invoice = (
        Invoice.objects.select_for_update()
        .select_related("firm", "buyer", "issuer")
        .get(pk=invoice.pk)
    )
    if not access.may_correct(by, invoice):
        raise NotAllowed
    if invoice.is_credit_note or invoice.status == InvoiceStatus.DRAFT:
        raise Conflict(_("Only an issued invoice can be corrected by a credit note."))
    reason = reason.strip()
    left = invoice.total_ht_cents - selectors.credited_cents(invoice)
    amount = left if amount_ht_cents is None else amount_ht_cents
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = [_("Say why the invoice is corrected.")]
    if left <= 0:
        raise Conflict(_("This invoice is already credited in full."))
    if not 0 < amount <= left:
        errors["amount"] = [
            _("The credit note takes back between 0.01 € and %(left)s € excluding VAT.")
            % {"left": f"{left / 100:.2f}"}
        ]
    if errors:
        raise Invalid(fields=errors)
    note = Invoice.objects.create(
        kind=InvoiceKind.CREDIT_NOTE,
        firm=invoice.firm,
        buyer=invoice.buyer,
        issuer=invoice.issuer,
        self_billed=invoice.self_billed,
        self_billing_accepted_at=invoice.self_billing_accepted_at,
        month=invoice.month,
        credits=invoice,
        reason=reason[:300],
        vat_rate=invoice.vat_rate,
        vat_exemption=invoice.vat_exemption,
        payment_days=invoice.payment_days,
        late_penalty_rate=invoice.late_penalty_rate,
        total_ht_cents=amount,
        vat_cents=selectors.vat_of(amount, invoice.vat_rate),
        total_ttc_cents=amount + selectors.vat_of(amount, invoice.vat_rate),
    )
    InvoiceLine.objects.create(
        invoice=note,
        description=f"Avoir sur la facture {invoice.number} : {reason}"[:300],
        quantity=1,
        unit_cents=amount,
        amount_cents=amount,
    )
    return _issue(note, by=by)


@transaction.atomic
def invoice_mark_paid(*, invoice: Invoice, staff: User) -> Invoice:
    """Operator staff record that an issued invoice is paid (it leaves their to-do)."""
    if not staff.is_operator_staff:
        raise NotAllowed
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status != InvoiceStatus.ISSUED or invoice.is_credit_note:
        raise Conflict(_("Only an issued invoice that is not paid yet can be marked paid."))
    invoice.status = InvoiceStatus.PAID
    invoice.paid_at = timezone.now()
    invoice.save(update_fields=["status", "paid_at"])
    audit("billing.invoice_paid", actor=staff, organisation=invoice.firm, target=invoice.number)
    return invoice


# --- Tax receipts -------------------------------------------------------------------------


def _closed_year(year: int) -> int:
    if year >= timezone.localdate().year:
        raise Invalid(
            _("%(year)s is not over yet: a receipt covers a closed year.") % {"year": year},
            fields={"year": [_("Choose a year that is over.")]},
        )
    return year


@transaction.atomic
def receipts_prepare(
    *, year: int, by: User | None = None, beneficiary: Organisation | None = None
) -> list[TaxReceipt]:
    """After a year ends (the periodic job) or on demand for a closed year (the beneficiary's
    admin or staff): one receipt to issue per donor firm and beneficiary with sponsorship time
    that year; its admins are told. A receipt already there is left as it is."""
    year = _closed_year(year)
    if by is not None and not (
        by.is_operator_staff
        or (beneficiary is not None and by.has_role(beneficiary.pk, [Role.NONPROFIT_ADMIN]))
    ):
        raise NotAllowed
    made: list[TaxReceipt] = []
    for firm_id, beneficiary_id in selectors.sponsorship_pairs(year):
        if beneficiary is not None and beneficiary_id != beneficiary.pk:
            continue
        receipt, created = TaxReceipt.objects.get_or_create(
            beneficiary_id=beneficiary_id, firm_id=firm_id, year=year
        )
        if created:
            made.append(receipt)
            notify_on_commit(receipt_notify, receipt_id=receipt.pk, event="ready")
    return made


def receipts_prepare_last_year() -> dict[str, object]:
    """The periodic job: in January, the receipts of the year that ended (idempotent)."""
    today = timezone.localdate()
    if today.month != 1:
        return {"receipts": 0}
    return {"year": today.year - 1, "receipts": len(receipts_prepare(year=today.year - 1))}


@transaction.atomic
def receipt_issue(*, receipt: TaxReceipt, admin: User, signatory: str) -> TaxReceipt:
    """The beneficiary's admin reviews the figures Relais computed and issues (signs) the
    receipt: it gets the next number of the beneficiary's year, its PDF is frozen, and the
    donor firm's admins are told. Issuing twice is refused."""
    receipt = (
        TaxReceipt.objects.select_for_update()
        .select_related("beneficiary", "firm")
        .get(pk=receipt.pk)
    )
    if not admin.has_role(receipt.beneficiary_id, [Role.NONPROFIT_ADMIN]):
        raise NotAllowed
    if receipt.status != ReceiptStatus.READY:
        raise Conflict(_("This receipt is already issued: an issued receipt never changes."))
    signatory = " ".join(signatory.split())
    if not signatory:
        raise Invalid(fields={"signatory": [_("Give the signatory's name and title.")]})
    if receipt.beneficiary.sponsorship_eligible_at is None:
        raise Conflict(
            _("The Relais team has not verified that this organisation may issue tax receipts.")
        )
    figures = selectors.receipt_figures(receipt.firm, receipt.beneficiary, receipt.year)
    if figures.amount_cents <= 0:
        raise Conflict(_("No time was given to this organisation that year: nothing to receipt."))
    today = timezone.localdate()
    receipt.sequence = next_number(receipt.beneficiary, Series.RECEIPT, receipt.year)
    receipt.number = f"{receipt.year}-{receipt.sequence:04d}"
    receipt.people = [
        {"name": p.name, "days": p.days, "valuation_cents": p.valuation_cents}
        for p in figures.people
    ]
    receipt.amount_cents = figures.amount_cents
    receipt.amount_words = selectors.amount_in_words(figures.amount_cents)
    receipt.signatory = signatory[:200]
    receipt.issued_on = today
    receipt.issued_at = timezone.now()
    receipt.issued_by = admin
    receipt.status = ReceiptStatus.ISSUED
    pdf = documents.receipt_pdf(receipt, figures)
    documents.freeze(receipt, pdf, documents.filename(receipt))
    receipt.save()
    audit(
        "billing.receipt_issued",
        actor=admin,
        organisation=receipt.beneficiary,
        target=receipt.number,
        amount_cents=receipt.amount_cents,
        sha256=receipt.sha256,
    )
    notify_on_commit(receipt_notify, receipt_id=receipt.pk, event="issued")
    return receipt


# --- Operator costs -----------------------------------------------------------------------


@transaction.atomic
def operator_cost_add(
    *, staff: User, month: dt.date, category: str, amount_cents: int, label: str
) -> OperatorCost:
    """Operator staff enter a cost of a month that has begun (field leads, platform…)."""
    if not staff.is_operator_staff:
        raise NotAllowed
    refuse_implausible_dates(month=month)
    month = month.replace(day=1)
    errors: dict[str, list[str]] = {}
    if month > timezone.localdate():
        errors["month"] = [_("A cost is entered for a month that has begun.")]
    if amount_cents <= 0:
        errors["amount"] = [_("Give an amount above zero.")]
    if not label.strip():
        errors["label"] = [_("Say what the cost is.")]
    if errors:
        raise Invalid(fields=errors)
    cost = OperatorCost.objects.create(
        month=month,
        category=category,
        amount_cents=amount_cents,
        label=label.strip()[:200],
        entered_by=staff,
    )
    audit("billing.cost_added", actor=staff, target=cost, amount_cents=amount_cents)
    return cost


def document_download(
    *, actor: User, document: Invoice | TaxReceipt, request: HttpRequest | None = None
) -> bytes:
    """The stored PDF of an invoice or a tax receipt, exactly as issued, for a person the access
    rules let read it. A legal document with amounts (and, for a receipt, each person's
    valuation): who downloaded it is on record."""
    if isinstance(document, Invoice):
        audit(
            "billing.invoice_downloaded",
            actor=actor,
            target=documents.filename(document),
            request=request,
            invoice=document.pk,
        )
    else:
        audit(
            "billing.receipt_downloaded",
            actor=actor,
            target=documents.filename(document),
            request=request,
            receipt=document.pk,
        )
    return documents.stored_bytes(document)
