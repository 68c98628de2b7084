"""The billing pages: who sees what, the forms' refusals, the dashboard's to-dos."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from relais.billing import documents, selectors, services
from relais.billing.models import BillingSettings, TaxReceipt

pytestmark = pytest.mark.django_db


def test_the_firm_sees_its_payable_and_invoices_and_outsiders_nothing(
    client, fees, self_billed, acme, month, alice, bob, charlie, operator_staff
):
    invoice = services.invoice_prepare(firm=acme, month=month)
    page = reverse("billing:firm_billing", kwargs={"organisation_pk": acme.pk})
    client.force_login(alice)
    html = client.get(page).content.decode()
    assert f'data-payable="{selectors.firm_payable_cents(acme)}"' in html
    assert selectors.firm_payable_cents(acme) == 1650
    assert f'data-invoice="{invoice.pk}"' in html
    detail = reverse("billing:invoice", kwargs={"invoice_pk": invoice.pk})
    assert 'data-total-ttc="1980"' in client.get(detail).content.decode()
    pdf = client.get(reverse("billing:invoice_pdf", kwargs={"invoice_pk": invoice.pk}))
    assert pdf.content == documents.stored_bytes(invoice)
    dashboard = client.get(reverse("site:dashboard")).content.decode()
    assert 'data-to-do="invoice-issued-for-you"' in dashboard
    client.force_login(operator_staff)
    assert 'data-to-do="invoice-to-pay"' in client.get(reverse("site:dashboard")).content.decode()
    client.force_login(charlie)
    assert client.get(page).status_code == 404
    assert client.get(detail).status_code == 404
    client.force_login(bob)
    assert client.get(page).status_code == 403
    assert client.get(detail).status_code == 404


def test_self_billing_is_refused_on_the_page_without_the_acceptance(client, alice, acme):
    url = reverse("billing:settings", kwargs={"organisation_pk": acme.pk})
    client.force_login(alice)
    data = {
        "mode": "self_billed",
        "vat_rate": "20",
        "vat_exemption": "",
        "payment_days": "30",
        "late_penalty_rate": "12",
    }
    assert client.post(url, data).status_code == 400
    assert not BillingSettings.objects.exists()
    assert client.post(url, {**data, "vat_rate": "vingt"}).status_code == 400
    assert client.post(url, {**data, "accept_self_billing": "on"}).status_code == 302
    settings = BillingSettings.objects.get()
    assert settings.self_billing_accepted_by == alice


def test_the_nonprofit_admin_issues_from_the_page_and_issuing_twice_changes_nothing(
    client, sponsorship, nadia, alice
):
    [receipt] = services.receipts_prepare(year=sponsorship.start.year)
    client.force_login(nadia)
    dashboard = client.get(reverse("site:dashboard")).content.decode()
    assert 'data-to-do="receipt-to-issue"' in dashboard
    page = reverse("billing:receipt", kwargs={"receipt_pk": receipt.pk})
    assert 'data-amount="217500"' in client.get(page).content.decode()
    issue = reverse("billing:receipt_issue", kwargs={"receipt_pk": receipt.pk})
    assert client.post(issue, {"signatory": "Nadia, présidente"}).status_code == 400
    assert TaxReceipt.objects.get().status == "ready"
    done = client.post(issue, {"signatory": "Nadia, présidente", "confirm": "on"})
    assert done.status_code == 302
    issued = TaxReceipt.objects.get()
    frozen = (issued.number, issued.sha256)
    again = client.post(issue, {"signatory": "Autre", "confirm": "on"}, follow=True)
    refusal = escape(_("This receipt is already issued: an issued receipt never changes."))
    assert refusal in again.content.decode()
    issued.refresh_from_db()
    assert (issued.number, issued.sha256) == frozen
    client.force_login(alice)
    pdf = client.get(reverse("billing:receipt_pdf", kwargs={"receipt_pk": issued.pk}))
    assert pdf.content == documents.stored_bytes(issued)
