"""Invoices (Factur-X) for the fees owed to firms, and tax receipts for skills sponsorship.

An issued invoice, credit note or receipt is frozen: its PDF is stored once with its SHA-256 and
always served from that file; a correction is a credit note, never an edit. Numbers come from a
sequence row per issuer (or beneficiary), series and year, locked while a number is taken, so
that they follow each other without gaps. Amounts are integer cents."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
# The exemption mention of a seller under the VAT franchise (the usual case of a small firm).
FRANCHISE_MENTION = "TVA non applicable, art. 293 B du CGI"


class InvoicingMode(models.TextChoices):
    # CGI art. 289 I-2: the buyer (here the operator) may issue the invoice in the seller's name
    # and on its behalf, with the seller's prior acceptance; mention "Autofacturation".
    SELF_BILLED = "self_billed", _("Relais issues the invoices on the firm's behalf")
    FIRM = "firm", _("The firm issues its invoices itself")


class BillingSettings(models.Model):
    """How a firm invoices the fees owed to it, and its VAT regime (one row per firm)."""

    firm = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="billing_settings"
    )
    mode = models.CharField(
        _("who issues the invoices"),
        max_length=20,
        choices=InvoicingMode.choices,
        default=InvoicingMode.FIRM,
    )
    # The firm's prior acceptance of self-billing (CGI art. 289 I-2), recorded when given.
    self_billing_accepted_at = models.DateTimeField(
        _("self-billing accepted on"), null=True, blank=True
    )
    self_billing_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text=_("Leave empty when the fees are exempt from VAT, and give the mention."),
    )
    vat_exemption = models.CharField(
        _("VAT exemption mention"),
        max_length=200,
        blank=True,
        help_text=_("For example: TVA non applicable, art. 293 B du CGI."),
    )
    payment_days = models.PositiveSmallIntegerField(
        _("payment due after (days)"),
        default=30,
        validators=[MaxValueValidator(60)],
        help_text=_("Code de commerce L441-10: 60 days from the invoice date at most."),
    )
    late_penalty_rate = models.DecimalField(
        _("late-payment penalty rate (% a year)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("12.00"),
        validators=PERCENT,
        help_text=_("At least three times the legal interest rate (Code de commerce L441-10)."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("billing settings")
        verbose_name_plural = _("billing settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(vat_rate__isnull=False) | ~Q(vat_exemption=""),
                name="billing_vat_rate_or_exemption",
            ),
            models.CheckConstraint(
                condition=~Q(mode="self_billed") | Q(self_billing_accepted_at__isnull=False),
                name="self_billing_needs_acceptance",
            ),
        ]

    def __str__(self) -> str:
        return str(self.firm)


class Series(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")
    RECEIPT = "receipt", _("Tax receipt")


class NumberSequence(models.Model):
    """The last number given in a series, per issuer and year: locked (SELECT … FOR UPDATE)
    while the next one is taken, in the transaction that stores the document."""

    issuer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="number_sequences"
    )
    series = models.CharField(max_length=20, choices=Series.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "series", "year"], name="one_sequence_per_issuer_series_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.issuer} {self.series} {self.year}: {self.last}"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Invoice")
    CREDIT_NOTE = "credit_note", _("Credit note")


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", _("To issue")  # the firm issues its own: it has not yet
    ISSUED = "issued", _("Issued")
    PAID = "paid", _("Paid")


class Invoice(models.Model):
    """A monthly invoice of the fees owed to a firm (the seller) by the operator (the buyer), or a
    credit note correcting one. Issued by the operator on the firm's behalf (self-billing) or by
    the firm; frozen once issued."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE
    )
    status = models.CharField(
        _("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    firm = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="fee_invoices"
    )
    buyer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="fee_invoices_bought"
    )
    issuer = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="fee_invoices_issued"
    )
    self_billed = models.BooleanField(_("self-billed"), default=False)
    self_billing_accepted_at = models.DateTimeField(null=True, blank=True)
    month = models.DateField(_("month"), help_text=_("The first day of the month invoiced."))
    credits = models.ForeignKey(
        "self",
        verbose_name=_("corrects the invoice"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    sequence = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(_("number"), max_length=30, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    total_ht_cents = models.BigIntegerField(_("total excluding VAT"), default=0)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    vat_exemption = models.CharField(max_length=200, blank=True)
    vat_cents = models.BigIntegerField(_("VAT"), default=0)
    total_ttc_cents = models.BigIntegerField(_("total including VAT"), default=0)
    payment_days = models.PositiveSmallIntegerField(default=30)
    late_penalty_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(12))
    file = models.FileField(_("PDF"), upload_to="invoices/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    paid_at = models.DateTimeField(_("paid on"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            # One invoice per firm and month: the monthly run issues it once.
            models.UniqueConstraint(
                fields=["firm", "month"], condition=Q(kind="invoice"), name="one_invoice_per_month"
            ),
            models.UniqueConstraint(
                fields=["issuer", "kind", "year", "sequence"],
                condition=Q(sequence__isnull=False),
                name="invoice_number_once_per_issuer",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | (~Q(number="") & ~Q(sha256="")),
                name="issued_invoice_is_numbered_and_frozen",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice", credits__isnull=True)
                | Q(kind="credit_note", credits__isnull=False),
                name="credit_note_references_invoice",
            ),
            models.CheckConstraint(
                condition=Q(total_ttc_cents=models.F("total_ht_cents") + models.F("vat_cents")),
                name="invoice_totals_add_up",
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "-month"], name="invoice_firm_month"),
            models.Index(fields=["status", "-month"], name="invoice_status_month"),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.firm} {self.month:%Y-%m}"

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE


class InvoiceLine(models.Model):
    """One line: a mission's days of the month × the fee of a day (or a credit note's line)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    mission = models.ForeignKey(
        "bench.Mission", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.PositiveIntegerField(_("days"))
    unit_cents = models.BigIntegerField(_("unit price"))
    amount_cents = models.BigIntegerField(_("amount"))
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["invoice", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_cents=models.F("quantity") * models.F("unit_cents")),
                name="invoice_line_is_days_times_unit",
            )
        ]

    def __str__(self) -> str:
        return self.description


class InvoicedFee(models.Model):
    """A fee movement of the ledger and the invoice line that bills it: each fee is invoiced
    once (the movement is unique here)."""

    transaction = models.OneToOneField(
        "funding.LedgerTransaction", on_delete=models.PROTECT, related_name="invoiced"
    )
    line = models.ForeignKey(InvoiceLine, on_delete=models.CASCADE, related_name="fees")

    def __str__(self) -> str:
        return f"{self.transaction_id} → {self.line_id}"


class ReceiptStatus(models.TextChoices):
    READY = "ready", _("Ready to issue")
    ISSUED = "issued", _("Issued")


class TaxReceipt(models.Model):
    """The receipt a beneficiary issues to a donor firm for the time its employees gave in a
    year (form 2041-MEC-SD, Cerfa n° 16216). Relais computes the figures; the beneficiary's admin
    reviews and signs it, which freezes the PDF."""

    beneficiary = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="receipts_issued"
    )
    firm = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="receipts_received"
    )
    year = models.PositiveSmallIntegerField(_("year of the gifts"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReceiptStatus.choices, default=ReceiptStatus.READY
    )
    sequence = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(_("receipt number"), max_length=30, blank=True)
    # What the receipt states, frozen at issue: each person's days and valuation.
    people = models.JSONField(default=list, blank=True)
    amount_cents = models.BigIntegerField(_("amount"), default=0)
    amount_words = models.CharField(_("amount in words"), max_length=400, blank=True)
    signatory = models.CharField(_("signatory (name and title)"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file = models.FileField(_("PDF"), upload_to="receipts/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "beneficiary", "firm", "id"]
        verbose_name = _("tax receipt")
        verbose_name_plural = _("tax receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "firm", "year"], name="one_receipt_per_donor_and_year"
            ),
            models.UniqueConstraint(
                fields=["beneficiary", "year", "sequence"],
                condition=Q(sequence__isnull=False),
                name="receipt_number_once_per_beneficiary",
            ),
            models.CheckConstraint(
                condition=Q(status="ready")
                | (~Q(number="") & ~Q(sha256="") & Q(amount_cents__gt=0)),
                name="issued_receipt_is_numbered_and_frozen",
            ),
        ]
        indexes = [
            models.Index(fields=["firm", "-year"], name="receipt_firm_year"),
            models.Index(fields=["beneficiary", "status", "-year"], name="receipt_beneficiary"),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.beneficiary} → {self.firm} {self.year}"


class CostCategory(models.TextChoices):
    FIELD_LEADS = "field_leads", _("Field leads")
    PLATFORM = "platform", _("Platform")
    OTHER = "other", _("Other")


class OperatorCost(models.Model):
    """A cost of the operator in a month, entered by staff: the finance view sets it against
    the revenue."""

    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    category = models.CharField(_("category"), max_length=20, choices=CostCategory.choices)
    amount_cents = models.PositiveBigIntegerField(_("amount"))
    label = models.CharField(_("label"), max_length=200)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    entered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month", "category", "id"]
        verbose_name = _("operator cost")
        verbose_name_plural = _("operator costs")
        indexes = [models.Index(fields=["month"], name="operator_cost_month")]
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="operator_cost_month_is_first"),
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="operator_cost_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.label}"
