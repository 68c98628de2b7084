"""The only way views and the API fetch billing objects for a user.

Invoices and credit notes: the firm's admins (the seller) and operator staff (the buyer, and the
issuer when it self-bills); nobody else, not even the firm's consultants. Receipts: the
beneficiary's admins (who issue them) and the donor firm's admins, nobody else. Pay data
stays with those who already know it: an invoice carries fees, a receipt each person's valuation
at cost, which the law asks the beneficiary to state (form 2041-MEC-SD). What a person may not
see is missing (404)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from relais.accounts.models import Role
from relais.billing.models import Invoice, InvoiceStatus, TaxReceipt

if TYPE_CHECKING:
    from relais.accounts.models import User


def invoices_for(user: User) -> QuerySet[Invoice]:
    """Invoices and credit notes the user may see; a draft only by the firm that issues it."""
    if user.is_operator_staff:
        return Invoice.objects.exclude(status=InvoiceStatus.DRAFT)
    firms = user.organisation_ids(Role.FIRM_ADMIN)
    return Invoice.objects.filter(firm_id__in=firms)


def invoice_get_for_user(user: User, pk: int) -> Invoice:
    invoice = (
        invoices_for(user)
        .select_related("firm", "buyer", "issuer", "credits")
        .filter(pk=pk)
        .first()
    )
    if invoice is None:
        raise Http404
    return invoice


def receipts_for(user: User) -> QuerySet[TaxReceipt]:
    """Receipts the user may see: their nonprofit's (to issue or issued), their firm's once
    issued. Not operator staff: a receipt states each person's valuation at cost, which only
    the two parties of the gift see."""
    firms = user.organisation_ids(Role.FIRM_ADMIN)
    nonprofits = user.organisation_ids(Role.NONPROFIT_ADMIN)
    return TaxReceipt.objects.filter(
        Q(beneficiary_id__in=nonprofits) | Q(firm_id__in=firms, status="issued")
    )


def receipt_get_for_user(user: User, pk: int) -> TaxReceipt:
    receipt = receipts_for(user).select_related("firm", "beneficiary").filter(pk=pk).first()
    if receipt is None:
        raise Http404
    return receipt


def may_correct(user: User, invoice: Invoice) -> bool:
    """The issuer corrects an invoice with a credit note: operator staff for a self-billed
    invoice, the firm's admins for the firm's own."""
    if invoice.self_billed:
        return user.is_operator_staff
    return user.has_role(invoice.issuer_id, [Role.FIRM_ADMIN])
