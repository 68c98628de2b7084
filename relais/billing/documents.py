"""The PDFs of invoices, credit notes and tax receipts: rendered once, at issue, and stored
unchanged with their SHA-256 (as `bench.documents` does for the loan agreement). An issued
document is always served from its stored file, never rendered again.

The invoice is a Factur-X PDF/A-3 (the CII XML of profile EN 16931 embedded); both documents are
French legal texts with their English translation beside each mention, whatever the reader's
language (the French prevails)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.template.loader import render_to_string

from relais.billing import einvoice
from relais.billing.models import Invoice, TaxReceipt

if TYPE_CHECKING:
    from relais.billing.selectors import ReceiptFigures

FIXED_RECOVERY_INDEMNITY_EUROS = 40  # Code de commerce L441-10 and D441-5


def legal_notes(invoice: Invoice) -> list[tuple[str, str]]:
    """The mentions the XML carries as notes (UNTDID 4451 subject codes)."""
    notes = [
        (
            "AAB",
            f"En cas de retard de paiement : pénalités au taux annuel de "
            f"{invoice.late_penalty_rate} % et indemnité forfaitaire pour frais de recouvrement "
            f"de {FIXED_RECOVERY_INDEMNITY_EUROS} € (Code de commerce L441-10, D441-5). "
            "Pas d'escompte pour paiement anticipé.",
        ),
    ]
    if invoice.self_billed:
        notes.append(
            (
                "REG",
                "Autofacturation : facture émise par l'acheteur au nom et pour le compte du "
                "fournisseur (CGI art. 289 I-2), avec son acceptation préalable.",
            )
        )
    if invoice.vat_rate is None and invoice.vat_exemption:
        notes.append(("REG", invoice.vat_exemption))
    return notes


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as a Factur-X PDF/A-3: the page rendered with WeasyPrint, the XML checked
    against the Factur-X XSD (profile EN 16931) and embedded."""
    from weasyprint import HTML

    html = render_to_string(
        "billing/invoice_pdf.html",
        {
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "indemnity": FIXED_RECOVERY_INDEMNITY_EUROS,
            "type_code": einvoice.type_code(invoice),
        },
    )
    pdf = bytes(HTML(string=html).write_pdf(pdf_variant="pdf/a-3b"))
    xml = einvoice.cii_xml(invoice, legal_notes(invoice))
    kind = "Avoir" if invoice.is_credit_note else "Facture"
    return einvoice.embed(
        pdf,
        xml,
        title=f"{kind} {invoice.number}",
        author=invoice.issuer.name,
        subject=f"{kind} {invoice.number} — {invoice.firm.name}",
    )


def receipt_pdf(receipt: TaxReceipt, figures: ReceiptFigures) -> bytes:
    """The receipt following form 2041-MEC-SD (Cerfa n° 16216)."""
    from weasyprint import HTML

    html = render_to_string(
        "billing/receipt_pdf.html",
        {
            "receipt": receipt,
            "figures": figures,
            "beneficiary": receipt.beneficiary,
            "firm": receipt.firm,
        },
    )
    return bytes(HTML(string=html).write_pdf())


def freeze(document: Invoice | TaxReceipt, pdf: bytes, name: str) -> None:
    """Stores the PDF and its SHA-256 on the document (saved by the caller)."""
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    document.file.save(name, ContentFile(pdf), save=False)


def stored_bytes(document: Invoice | TaxReceipt) -> bytes:
    """The stored file, exactly as it was issued."""
    with document.file.open("rb") as handle:
        return bytes(handle.read())


def filename(document: Invoice | TaxReceipt) -> str:
    if isinstance(document, TaxReceipt):
        return f"recu-fiscal-{document.number}.pdf"
    prefix = "avoir" if document.is_credit_note else "facture"
    return f"{prefix}-{document.number}.pdf"
