"""The billing API: lists and PDFs, with the usual access rules."""

from __future__ import annotations

import pytest

from relais.accounts.services import api_token_create
from relais.billing import documents, services
from relais.billing.models import Invoice

pytestmark = pytest.mark.django_db


def bearer(user):
    return {"Authorization": f"Bearer {api_token_create(user=user, name='api').raw}"}


@pytest.fixture
def invoice(fees, self_billed, acme, month):
    return services.invoice_prepare(firm=acme, month=month)


def test_a_firm_admin_lists_and_downloads_the_firm_s_invoices(client, invoice, alice, charlie):
    listed = client.get("/api/v1/invoices", headers=bearer(alice))
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 1
    assert body["items"][0]["number"] == invoice.number
    assert body["items"][0]["total_ttc_cents"] == 1980
    pdf = client.get(f"/api/v1/invoices/{invoice.pk}.pdf", headers=bearer(alice))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content == documents.stored_bytes(invoice)
    other = bearer(charlie)
    assert client.get("/api/v1/invoices", headers=other).json()["count"] == 0
    assert client.get(f"/api/v1/invoices/{invoice.pk}.pdf", headers=other).status_code == 404


def test_consultants_and_anonymous_get_no_invoice(client, invoice, bob):
    assert client.get("/api/v1/invoices").status_code == 401
    assert client.get("/api/v1/invoices", headers=bearer(bob)).json()["count"] == 0
    assert client.get(f"/api/v1/invoices/{invoice.pk}.pdf", headers=bearer(bob)).status_code == 404


def test_a_draft_has_no_pdf_yet(client, fees, alice, acme, month, relais_org):
    draft = services.invoice_prepare(firm=acme, month=month)
    assert draft.status == "draft"
    response = client.get(f"/api/v1/invoices/{draft.pk}.pdf", headers=bearer(alice))
    assert response.status_code == 404
    assert Invoice.objects.get().status == "draft"


def test_a_page_out_of_range_is_refused(client, alice):
    assert client.get("/api/v1/invoices?page=0", headers=bearer(alice)).status_code == 422
    assert client.get("/api/v1/receipts?page=0", headers=bearer(alice)).status_code == 422


def test_receipts_by_api_for_their_parties_only(client, sponsorship, nadia, alice, charlie):
    [receipt] = services.receipts_prepare(year=sponsorship.start.year)
    assert client.get("/api/v1/receipts", headers=bearer(alice)).json()["count"] == 0
    assert (
        client.get(f"/api/v1/receipts/{receipt.pk}.pdf", headers=bearer(nadia)).status_code == 404
    )
    services.receipt_issue(receipt=receipt, admin=nadia, signatory="Nadia, présidente")
    listed = client.get("/api/v1/receipts", headers=bearer(nadia))
    assert listed.status_code == 200
    assert listed.json()["items"][0]["amount_cents"] == 2175_00
    assert client.get("/api/v1/receipts", headers=bearer(alice)).json()["count"] == 1
    pdf = client.get(f"/api/v1/receipts/{receipt.pk}.pdf", headers=bearer(alice))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert (
        client.get(f"/api/v1/receipts/{receipt.pk}.pdf", headers=bearer(charlie)).status_code == 404
    )
