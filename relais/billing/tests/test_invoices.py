"""Monthly fee invoices: Factur-X, French mentions, exact amounts, numbering, credit notes."""

from __future__ import annotations

import datetime as dt
import hashlib

import facturx
import pytest
from django.core import mail
from django.utils import timezone
from lxml import etree

from relais.accounts.tests.factories import MembershipFactory
from relais.bench.tests.pdftext import pdf_text
from relais.billing import documents, services
from relais.billing.models import Invoice, InvoicedFee, InvoiceStatus, NumberSequence
from relais.billing.tests.conftest import self_billing
from relais.billing.tests.helpers import book_fees, fee_mission, working_days_of
from relais.core.errors import Conflict, Invalid, NotAllowed

pytestmark = pytest.mark.django_db

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}


def embedded_xml(invoice):
    pdf = documents.stored_bytes(invoice)
    name, xml = facturx.get_xml_from_pdf(pdf, check_xsd=False)
    assert name == "factur-x.xml"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert facturx.get_level(etree.fromstring(xml), flavor="factur-x") == "en16931"
    return etree.fromstring(xml)


def test_a_self_billed_invoice_bills_the_month_s_fees_exactly(fees, self_billed, acme, month):
    mission, movements = fees
    invoice = services.invoice_prepare(firm=acme, month=month)
    assert invoice.status == InvoiceStatus.ISSUED
    assert invoice.self_billed
    assert invoice.issuer.kind == "operator"
    assert (invoice.total_ht_cents, invoice.vat_cents, invoice.total_ttc_cents) == (1650, 330, 1980)
    [line] = invoice.lines.all()
    assert (line.quantity, line.unit_cents, line.amount_cents, line.mission) == (
        3,
        550,
        1650,
        mission,
    )
    assert sorted(InvoicedFee.objects.values_list("transaction_id", flat=True)) == sorted(movements)
    year = timezone.localdate().year
    assert invoice.number == f"FA-{year}-00001"
    assert invoice.due_on == invoice.issued_on + dt.timedelta(days=30)
    pdf = documents.stored_bytes(invoice)
    assert hashlib.sha256(pdf).hexdigest() == invoice.sha256
    assert pdf.startswith(b"%PDF")


def test_the_invoice_pdf_carries_the_french_mentions_and_their_english(
    fees, self_billed, acme, month, relais_org
):
    invoice = services.invoice_prepare(firm=acme, month=month)
    text = pdf_text(documents.stored_bytes(invoice))
    for mention in [
        "Autofacturation",
        "Self-billed invoice",
        f"Facture / Invoice n° {invoice.number}",
        f"SIREN {acme.siren}",
        f"SIREN {relais_org.siren}",
        acme.name,
        relais_org.name,
        "Échéance / Due date",
        "indemnité forfaitaire pour frais de recouvrement de 40 €",
        "fixed recovery indemnity of 40 €",
        "pénalités de retard au taux annuel de 12,00 %",
        "Total HT / Total excl. VAT 16,50 €",
        "TVA / VAT 20,00 % 3,30 €",
        "19,80 €",
        "Bob",
    ]:
        assert mention in text, mention


def test_the_embedded_xml_passes_the_factur_x_xsd_with_the_same_figures(
    fees, self_billed, acme, month
):
    invoice = services.invoice_prepare(firm=acme, month=month)
    root = embedded_xml(invoice)
    assert root.findtext(".//rsm:ExchangedDocument/ram:ID", namespaces=NS) == invoice.number
    assert root.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "389"
    assert root.findtext(".//ram:GrandTotalAmount", namespaces=NS) == "19.80"
    assert root.findtext(".//ram:TaxBasisTotalAmount", namespaces=NS) == "16.50"
    assert root.findtext(".//ram:BilledQuantity", namespaces=NS) == "3"
    seller = root.find(".//ram:SellerTradeParty", namespaces=NS)
    assert seller.findtext("ram:SpecifiedLegalOrganization/ram:ID", namespaces=NS) == acme.siren


def test_an_exempt_firm_s_invoice_states_the_exemption_and_no_vat(alice, fees, acme, month):
    self_billing(alice, acme, vat_rate=None, vat_exemption="TVA non applicable, art. 293 B du CGI")
    invoice = services.invoice_prepare(firm=acme, month=month)
    assert (invoice.vat_cents, invoice.total_ttc_cents) == (0, 1650)
    assert "TVA non applicable, art. 293 B du CGI" in pdf_text(documents.stored_bytes(invoice))
    root = embedded_xml(invoice)
    assert (
        root.findtext(
            ".//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReason",
            namespaces=NS,
        )
        == invoice.vat_exemption
    )
    assert root.findtext(".//ram:CategoryCode", namespaces=NS) == "E"


def test_running_the_month_twice_makes_one_invoice(fees, self_billed, acme, month, operator_staff):
    first = services.invoices_issue_month(month=month, by=operator_staff)
    again = services.invoices_issue_month(month=month, by=operator_staff)
    assert len(first) == 1
    assert again == []
    assert Invoice.objects.count() == 1
    assert NumberSequence.objects.get().last == 1


def test_the_periodic_job_issues_last_month_in_the_first_days_only(
    fees, self_billed, acme, month, monkeypatch
):
    real = timezone.localdate()
    monkeypatch.setattr(timezone, "localdate", lambda *args: real.replace(day=9))
    assert services.invoices_issue_last_month() == {"invoices": 0}
    monkeypatch.setattr(timezone, "localdate", lambda *args: real.replace(day=2))
    assert services.invoices_issue_last_month() == {"month": f"{month:%Y-%m}", "invoices": 1}
    assert services.invoices_issue_last_month()["invoices"] == 0
    assert Invoice.objects.get().month == month


def test_a_month_not_over_is_refused_and_nothing_is_made(fees, self_billed, acme):
    this_month = timezone.localdate().replace(day=1)
    with pytest.raises(Invalid) as refused:
        services.invoice_prepare(firm=acme, month=this_month)
    assert "month" in refused.value.fields
    assert not Invoice.objects.exists()


def test_self_billing_needs_the_firm_s_prior_acceptance(alice, acme):
    with pytest.raises(Invalid) as refused:
        self_billing(alice, acme, accept_self_billing=False)
    assert "accept_self_billing" in refused.value.fields
    settings = services.billing_settings_for(acme)
    assert settings.pk is None
    assert settings.mode == "firm"


def test_a_consultant_cannot_change_the_billing_settings(bob, acme):
    with pytest.raises(NotAllowed):
        self_billing(bob, acme)


def test_a_firm_that_issues_its_own_gets_a_draft_then_numbers_it(
    alice, fees, acme, month, operator_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        draft = services.invoice_prepare(firm=acme, month=month)
    assert draft.status == InvoiceStatus.DRAFT
    assert draft.number == ""
    assert draft.issuer == acme
    assert [alice.email] in [m.to for m in mail.outbox]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.invoice_issue(invoice=draft, admin=alice)
    assert issued.number == f"FA-{timezone.localdate().year}-00001"
    assert not issued.self_billed
    assert [operator_staff.email] in [m.to for m in mail.outbox]
    assert "Autofacturation" not in pdf_text(documents.stored_bytes(issued))
    assert (
        embedded_xml(issued).findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS)
        == "380"
    )
    frozen = issued.sha256
    with pytest.raises(Conflict):
        services.invoice_issue(invoice=issued, admin=alice)
    issued.refresh_from_db()
    assert issued.sha256 == frozen
    assert NumberSequence.objects.get(issuer=acme).last == 1


def test_numbers_follow_each_other_per_issuer(relais_org, month, operator_staff):
    firms = []
    for n in range(3):
        admin = MembershipFactory(role="firm_admin").user
        consultant = MembershipFactory(
            role="consultant", organisation=admin.memberships.get().organisation
        ).user
        firm = admin.memberships.get().organisation
        self_billing(admin, firm)
        book_fees(fee_mission(consultant), working_days_of(month, 1 + n), 100)
        firms.append(firm)
    made = services.invoices_issue_month(month=month, by=operator_staff)
    year = timezone.localdate().year
    assert sorted(i.number for i in made) == [f"FA-{year}-0000{n}" for n in (1, 2, 3)]


def test_a_credit_note_corrects_an_invoice_without_editing_it(
    fees, self_billed, acme, month, operator_staff, alice
):
    invoice = services.invoice_prepare(firm=acme, month=month)
    frozen = (invoice.sha256, invoice.total_ttc_cents)
    with pytest.raises(NotAllowed):  # the operator self-billed it: the operator corrects it
        services.credit_note_issue(invoice=invoice, by=alice, reason="Erreur")
    note = services.credit_note_issue(
        invoice=invoice, by=operator_staff, reason="Un jour en trop", amount_ht_cents=550
    )
    assert note.credits == invoice
    assert note.kind == "credit_note"
    assert (note.total_ht_cents, note.vat_cents, note.total_ttc_cents) == (550, 110, 660)
    assert note.number == f"AV-{timezone.localdate().year}-00001"
    invoice.refresh_from_db()
    assert (invoice.sha256, invoice.total_ttc_cents) == frozen
    root = embedded_xml(note)
    assert root.findtext(".//rsm:ExchangedDocument/ram:TypeCode", namespaces=NS) == "261"
    assert (
        root.findtext(".//ram:InvoiceReferencedDocument/ram:IssuerAssignedID", namespaces=NS)
        == invoice.number
    )
    text = pdf_text(documents.stored_bytes(note))
    assert "Avoir / Credit note" in text
    assert invoice.number in text
    with pytest.raises(Invalid) as refused:
        services.credit_note_issue(
            invoice=invoice, by=operator_staff, reason="Trop", amount_ht_cents=1101
        )
    assert "amount" in refused.value.fields
    services.credit_note_issue(invoice=invoice, by=operator_staff, reason="Le reste")
    with pytest.raises(Conflict):
        services.credit_note_issue(invoice=invoice, by=operator_staff, reason="Encore")
    assert Invoice.objects.filter(kind="credit_note").count() == 2


def test_each_fee_is_billed_once_in_the_month_of_its_day(bob, self_billed, acme, month, relais_org):
    before = (month - dt.timedelta(days=1)).replace(day=1)
    mission = fee_mission(bob)
    book_fees(mission, working_days_of(before, 2), 550)
    book_fees(mission, working_days_of(month, 3), 550)
    first = services.invoice_prepare(firm=acme, month=before)
    second = services.invoice_prepare(firm=acme, month=month)
    assert [line.quantity for line in first.lines.all()] == [2]
    assert [line.quantity for line in second.lines.all()] == [3]
    assert services.invoice_prepare(firm=acme, month=month) is None
    assert InvoicedFee.objects.count() == 5


def test_staff_mark_an_invoice_paid_and_it_leaves_their_to_do(
    fees, self_billed, acme, month, operator_staff, alice
):
    from relais.billing.selectors import billing_to_dos

    invoice = services.invoice_prepare(firm=acme, month=month)
    assert billing_to_dos(operator_staff).invoices_to_pay == [invoice]
    assert billing_to_dos(alice).invoices_issued_for_you == [invoice]
    with pytest.raises(NotAllowed):
        services.invoice_mark_paid(invoice=invoice, staff=alice)
    services.invoice_mark_paid(invoice=invoice, staff=operator_staff)
    assert billing_to_dos(operator_staff).invoices_to_pay == []
    with pytest.raises(Conflict):
        services.invoice_mark_paid(invoice=invoice, staff=operator_staff)


def test_the_command_refuses_a_bad_or_future_month_clearly(relais_org):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("invoices_issue", "octobre")
    with pytest.raises(CommandError):
        call_command("invoices_issue", timezone.localdate().strftime("%Y-%m"))
    assert not Invoice.objects.exists()
