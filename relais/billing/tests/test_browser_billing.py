"""The month's fee invoice from the operator's finance page to the firm's download — in headless
chromium: three fee days booked last month (the pool paid the firm's payable), operator staff
make the month's invoices, the firm's admin opens the invoice and downloads the Factur-X PDF,
whose embedded CII XML passes the Factur-X XSD (profile EN 16931) with the exact amounts. The
funding browser test walks the steps before (circle, mandate, pain.008, return, accrual)."""

from __future__ import annotations

import re

import facturx
from lxml import etree

from relais.billing.models import Invoice
from relais.conftest import totp_code
from relais.core.tests.browser import BROWSER_MARKS, assert_accessible
from relais.funding import ledger

pytestmark = BROWSER_MARKS
PASSWORD = "correct-horse-battery-9"


def sign_in(page, email: str, *, with_totp: bool = False) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    if with_totp:
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.get_by_label("Code").fill(totp_code())
        page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(re.compile(r"/dashboard/"))


def test_staff_invoice_last_month_and_the_firm_downloads_a_valid_factur_x(
    page, browser, live_server, operator_staff, alice, acme, fees, self_billed, month, tmp_path
):
    payable = ledger.balance_cents(ledger.firm_payable_account(acme))
    assert payable == 3 * 550  # three days at 5.50 € owed to Acme

    sign_in(page, operator_staff.email, with_totp=True)
    page.goto("/finance/")
    assert_accessible(page)
    page.locator("#id_run_month").fill(month.strftime("%Y-%m"))
    page.locator("#id_run_month").locator("xpath=ancestor::form").locator(
        "button[type=submit]"
    ).click()
    page.wait_for_url(re.compile(r"/finance/$"))
    invoice = Invoice.objects.get(firm=acme, month=month)
    assert invoice.number
    assert invoice.total_ht_cents == 3 * 550
    assert invoice.total_ttc_cents == invoice.total_ht_cents + invoice.vat_cents

    firm_context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", accept_downloads=True
    )
    firm_page = firm_context.new_page()
    sign_in(firm_page, alice.email)
    firm_page.goto(f"/invoices/{invoice.pk}/")
    assert invoice.number in firm_page.content()
    assert_accessible(firm_page)
    with firm_page.expect_download() as download:
        firm_page.locator(f"a[href$='/invoices/{invoice.pk}/invoice.pdf']").click()
    saved = tmp_path / "facture.pdf"
    download.value.save_as(saved)
    pdf = saved.read_bytes()
    _name, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"
    assert invoice.number.encode() in xml
    assert b"16.50" in xml  # the total excluding VAT, in the XML the buyer's software reads
    firm_context.close()
