"""The billing objects the URL-walking access test (core/tests/test_access_walk.py) points its
outsiders at: an issued invoice of Acme, a draft one, and a receipt Les Amis issued Acme."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.core.files.base import ContentFile

from relais.accounts.models import Organisation, OrganisationKind
from relais.billing.models import Invoice, OperatorCost, TaxReceipt

PDF = b"%PDF-1.7 facture secrete d'Acme"


def billing_victims(acme: Any, les_amis: Any) -> dict[str, list[Any]]:
    operator = Organisation.objects.filter(kind=OrganisationKind.OPERATOR).first() or acme
    issued = Invoice(
        firm=acme,
        buyer=operator,
        issuer=operator,
        self_billed=True,
        month=dt.date(2026, 1, 1),
        status="issued",
        year=2026,
        sequence=1,
        number="FA-2026-00001",
        issued_on=dt.date(2026, 2, 2),
        sha256=hashlib.sha256(PDF).hexdigest(),
    )
    issued.file.save("facture-walk.pdf", ContentFile(PDF), save=False)
    issued.save()
    draft = Invoice.objects.create(
        firm=acme, buyer=operator, issuer=acme, month=dt.date(2026, 2, 1)
    )
    receipt = TaxReceipt(
        beneficiary=les_amis,
        firm=acme,
        year=2025,
        status="issued",
        sequence=1,
        number="2025-0001",
        amount_cents=100_00,
        sha256=hashlib.sha256(PDF).hexdigest(),
    )
    receipt.file.save("recu-walk.pdf", ContentFile(PDF), save=False)
    receipt.save()
    return {
        "invoice_pk": [issued.pk, draft.pk],
        "invoice_id": [issued.pk, draft.pk],
        "receipt_pk": [receipt.pk],
        "receipt_id": [receipt.pk],
    }


def billing_fingerprint() -> tuple[object, ...]:
    return (
        sorted(Invoice.objects.values_list("pk", "status", "number", "sha256", "paid_at")),
        sorted(TaxReceipt.objects.values_list("pk", "status", "number", "sha256")),
        OperatorCost.objects.count(),
    )
