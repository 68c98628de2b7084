"""API endpoints of billing: a firm's admins list their invoices and credit notes and download
them; nonprofit and firm admins list their tax receipts and download them; operator staff see
all. The PDFs are the stored files, byte for byte as issued."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.pagination import paginate

from relais.accounts.models import User
from relais.billing import access, documents, services
from relais.billing.models import Invoice, InvoiceStatus, ReceiptStatus, TaxReceipt
from relais.core.rest import Id, Pagination

router = Router(tags=["billing"])


class InvoiceOut(Schema):
    id: int
    kind: str
    status: str
    number: str
    firm_id: int
    issuer_id: int
    self_billed: bool
    month: dt.date
    issued_on: dt.date | None
    due_on: dt.date | None
    credits_id: int | None
    total_ht_cents: int
    vat_cents: int
    total_ttc_cents: int
    sha256: str


class ReceiptOut(Schema):
    id: int
    status: str
    number: str
    year: int
    beneficiary_id: int
    firm_id: int
    amount_cents: int
    amount_words: str
    issued_on: dt.date | None
    sha256: str


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


_PDF = {
    "responses": {
        200: {
            "description": "The PDF exactly as issued (its SHA-256 is in the list).",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _pdf(request: HttpRequest, document: Invoice | TaxReceipt) -> HttpResponse:
    content = services.document_download(actor=_me(request), document=document, request=request)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.filename(document)}"'
    return response


@router.get(
    "/invoices",
    response=list[InvoiceOut],
    summary="Fee invoices and credit notes you may see",
    description=(
        "A firm's admins: their firm's (drafts included, when the firm issues its own); "
        "operator staff: every issued one. Nobody else sees any."
    ),
)
@paginate(Pagination, page_size=50)
def invoice_list(request: HttpRequest) -> Any:
    return access.invoices_for(_me(request)).order_by("-month", "-id")


@router.get(
    "/invoices/{invoice_id}.pdf",
    response={200: None},
    openapi_extra=_PDF,
    summary="An issued invoice or credit note: the Factur-X PDF/A-3 as issued",
    description=(
        "The stored PDF with its embedded CII XML (Factur-X, profile EN 16931), never rendered "
        "again. 404: an invoice you may not see, or a draft not issued yet."
    ),
)
def invoice_pdf(request: HttpRequest, invoice_id: Id) -> Any:
    invoice = access.invoice_get_for_user(_me(request), invoice_id)
    if invoice.status == InvoiceStatus.DRAFT:
        raise Http404
    return _pdf(request, invoice)


@router.get(
    "/receipts",
    response=list[ReceiptOut],
    summary="Tax receipts you may see",
    description=(
        "A nonprofit's admins: the receipts their organisation issues (to issue and issued); "
        "a firm's admins: the receipts their firm received once issued. Nobody else, not even "
        "operator staff: a receipt states each person's valuation at cost."
    ),
)
@paginate(Pagination, page_size=50)
def receipt_list(request: HttpRequest) -> Any:
    return access.receipts_for(_me(request)).order_by("-year", "-id")


@router.get(
    "/receipts/{receipt_id}.pdf",
    response={200: None},
    openapi_extra=_PDF,
    summary="An issued tax receipt (form 2041-MEC-SD) as signed",
    description=(
        "The stored PDF, byte for byte as the beneficiary issued it. 404: a receipt you may "
        "not see, or one not issued yet."
    ),
)
def receipt_pdf(request: HttpRequest, receipt_id: Id) -> Any:
    receipt = access.receipt_get_for_user(_me(request), receipt_id)
    if receipt.status != ReceiptStatus.ISSUED:
        raise Http404
    return _pdf(request, receipt)
