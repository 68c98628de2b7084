from __future__ import annotations

from django.contrib import admin

from relais.billing.models import BillingSettings, Invoice, OperatorCost, TaxReceipt
from relais.core.admin import ReadOnlyAdmin


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    """Issued invoices and credit notes are frozen: made, issued and corrected on Relais only."""

    list_display = ["number", "kind", "firm", "month", "status", "total_ttc_cents", "issued_on"]
    list_filter = ["kind", "status", "self_billed"]
    search_fields = ["number", "firm__name"]


@admin.register(TaxReceipt)
class TaxReceiptAdmin(ReadOnlyAdmin):
    """Receipts are issued (signed) by the beneficiary's admin on Relais, never edited here."""

    list_display = ["number", "beneficiary", "firm", "year", "status", "amount_cents"]
    list_filter = ["status", "year"]


@admin.register(BillingSettings)
class BillingSettingsAdmin(ReadOnlyAdmin):
    """Set by the firm's admin (self-billing needs their acceptance): read-only here."""

    list_display = ["firm", "mode", "vat_rate", "self_billing_accepted_at"]


@admin.register(OperatorCost)
class OperatorCostAdmin(ReadOnlyAdmin):
    """Entered by staff on the finance page."""

    list_display = ["month", "category", "label", "amount_cents"]
