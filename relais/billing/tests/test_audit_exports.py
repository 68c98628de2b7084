"""Invoices and tax receipts are legal documents (a receipt states each person's valuation):
each PDF download, from the page or the API, leaves an audit event saying who took which one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from relais.accounts.models import AuditEvent
from relais.billing import documents, services
from relais.core.tests.api import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(fees, self_billed, acme, month):
    return services.invoice_prepare(firm=acme, month=month)


@pytest.fixture
def receipt(sponsorship, nadia):
    [receipt] = services.receipts_prepare(year=sponsorship.start.year)
    return services.receipt_issue(receipt=receipt, admin=nadia, signatory="Nadia, présidente")


def _downloads(action):
    return AuditEvent.objects.filter(action=action)


def test_downloading_an_invoice_from_the_page_and_the_api_is_on_record(client, invoice, alice):
    client.force_login(alice)

    page = client.get(reverse("billing:invoice_pdf", kwargs={"invoice_pk": invoice.pk}))
    api = Api(client, alice).get(f"/api/v1/invoices/{invoice.pk}.pdf")

    assert (page.status_code, api.status_code) == (200, 200)
    events = list(_downloads("billing.invoice_downloaded"))
    assert len(events) == 2
    assert {e.actor for e in events} == {alice}
    assert {e.target for e in events} == {documents.filename(invoice)}
    assert {e.details["invoice"] for e in events} == {invoice.pk}


def test_downloading_a_receipt_from_the_page_and_the_api_is_on_record(client, receipt, alice):
    client.force_login(alice)

    page = client.get(reverse("billing:receipt_pdf", kwargs={"receipt_pk": receipt.pk}))
    api = Api(client, alice).get(f"/api/v1/receipts/{receipt.pk}.pdf")

    assert (page.status_code, api.status_code) == (200, 200)
    events = list(_downloads("billing.receipt_downloaded"))
    assert len(events) == 2
    assert {e.actor for e in events} == {alice}
    assert {e.target for e in events} == {documents.filename(receipt)}
    assert {e.details["receipt"] for e in events} == {receipt.pk}


def test_an_outsider_s_refused_download_records_nothing(client, invoice, charlie):
    client.force_login(charlie)

    page = client.get(reverse("billing:invoice_pdf", kwargs={"invoice_pk": invoice.pk}))
    api = Api(client, charlie).get(f"/api/v1/invoices/{invoice.pk}.pdf")

    assert (page.status_code, api.status_code) == (404, 404)
    assert not _downloads("billing.invoice_downloaded").exists()
