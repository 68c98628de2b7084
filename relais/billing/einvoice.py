"""The Factur-X invoice: the CII XML of profile EN 16931 (the European norm of the electronic
invoice) built from an invoice, checked against the Factur-X XSD, and embedded in the PDF/A-3 the
reader sees, with the factur-x library.

The XML follows the order of the CII schema (UN/CEFACT CrossIndustryInvoice D16B, as profiled by
Factur-X 1.0 EN 16931): document context, document (number, type code, date, notes), lines,
then the header agreement (seller, buyer), delivery and settlement (currency, VAT breakdown,
billing period, due date, totals, the invoice a credit note corrects)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import facturx
from lxml import etree

if TYPE_CHECKING:
    from relais.accounts.models import Organisation
    from relais.billing.models import Invoice

PROFILE_EN16931 = "urn:cen.eu:en16931:2017"
RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}

# UNTDID 1001 document type codes.
TYPE_INVOICE = "380"
TYPE_SELF_BILLED_INVOICE = "389"
TYPE_CREDIT_NOTE = "381"
TYPE_SELF_BILLED_CREDIT_NOTE = "261"


class FacturXError(Exception):
    """The XML does not pass the Factur-X XSD, or is not of profile EN 16931."""


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NSMAP[prefix]}}}{name}", **attrs)
    if text is not None:
        element.text = text
    return element


def _amount(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def _date(parent: etree._Element, tag: str, day: dt.date, *, qualified: bool = False) -> None:
    holder = _el(parent, tag)
    _el(
        holder,
        "qdt:DateTimeString" if qualified else "udt:DateTimeString",
        f"{day:%Y%m%d}",
        format="102",
    )


def _party(parent: etree._Element, tag: str, organisation: Organisation) -> None:
    party = _el(parent, tag)
    _el(party, "ram:Name", organisation.name)
    if organisation.siren:
        legal = _el(party, "ram:SpecifiedLegalOrganization")
        # ISO 6523 scheme 0002: the French SIRENE register.
        _el(legal, "ram:ID", organisation.siren, schemeID="0002")
    address = _el(party, "ram:PostalTradeAddress")
    if organisation.postcode:
        _el(address, "ram:PostcodeCode", organisation.postcode)
    if organisation.address_line:
        _el(address, "ram:LineOne", organisation.address_line)
    if organisation.city:
        _el(address, "ram:CityName", organisation.city)
    _el(address, "ram:CountryID", "FR")
    if organisation.vat_number:
        registration = _el(party, "ram:SpecifiedTaxRegistration")
        _el(registration, "ram:ID", organisation.vat_number, schemeID="VA")


def type_code(invoice: Invoice) -> str:
    if invoice.is_credit_note:
        return TYPE_SELF_BILLED_CREDIT_NOTE if invoice.self_billed else TYPE_CREDIT_NOTE
    return TYPE_SELF_BILLED_INVOICE if invoice.self_billed else TYPE_INVOICE


def _tax(parent: etree._Element, invoice: Invoice, *, header: bool, basis_cents: int = 0) -> None:
    tax = _el(parent, "ram:ApplicableTradeTax")
    exempt = invoice.vat_rate is None
    if header:
        _el(tax, "ram:CalculatedAmount", _amount(invoice.vat_cents))
    _el(tax, "ram:TypeCode", "VAT")
    if header and exempt:
        _el(tax, "ram:ExemptionReason", invoice.vat_exemption)
    if header:
        _el(tax, "ram:BasisAmount", _amount(basis_cents))
    # S: standard rate; E: exempt (with the reason, e.g. the franchise of art. 293 B).
    _el(tax, "ram:CategoryCode", "E" if exempt else "S")
    _el(tax, "ram:RateApplicablePercent", "0" if exempt else f"{invoice.vat_rate:f}")


def cii_xml(invoice: Invoice, notes: list[tuple[str, str]]) -> bytes:
    """The invoice's CII XML, profile EN 16931. `notes` are (subject code, text) pairs: the legal
    mentions (UNTDID 4451: AAB penalties and indemnity, PMT payment terms, REG regulatory)."""
    root = etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    context = _el(root, "rsm:ExchangedDocumentContext")
    guideline = _el(context, "ram:GuidelineSpecifiedDocumentContextParameter")
    _el(guideline, "ram:ID", PROFILE_EN16931)
    document = _el(root, "rsm:ExchangedDocument")
    _el(document, "ram:ID", invoice.number)
    _el(document, "ram:TypeCode", type_code(invoice))
    assert invoice.issued_on is not None
    _date(document, "ram:IssueDateTime", invoice.issued_on)
    for subject, text in notes:
        note = _el(document, "ram:IncludedNote")
        _el(note, "ram:Content", text)
        _el(note, "ram:SubjectCode", subject)
    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    for index, line in enumerate(invoice.lines.all(), start=1):
        item = _el(transaction, "ram:IncludedSupplyChainTradeLineItem")
        _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", str(index))
        _el(_el(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.description)
        price = _el(_el(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice")
        _el(price, "ram:ChargeAmount", _amount(line.unit_cents))
        # UN/ECE recommendation 20: DAY.
        _el(
            _el(item, "ram:SpecifiedLineTradeDelivery"),
            "ram:BilledQuantity",
            str(line.quantity),
            unitCode="DAY",
        )
        settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
        _tax(settlement, invoice, header=False)
        total = _el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        _el(total, "ram:LineTotalAmount", _amount(line.amount_cents))
    agreement = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
    _party(agreement, "ram:SellerTradeParty", invoice.firm)
    _party(agreement, "ram:BuyerTradeParty", invoice.buyer)
    _el(transaction, "ram:ApplicableHeaderTradeDelivery")
    settlement = _el(transaction, "ram:ApplicableHeaderTradeSettlement")
    _el(settlement, "ram:InvoiceCurrencyCode", "EUR")
    _tax(settlement, invoice, header=True, basis_cents=invoice.total_ht_cents)
    period = _el(settlement, "ram:BillingSpecifiedPeriod")
    _date(period, "ram:StartDateTime", invoice.month)
    _date(period, "ram:EndDateTime", month_end(invoice.month))
    if invoice.due_on is not None:
        terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
        _date(terms, "ram:DueDateDateTime", invoice.due_on)
    summation = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(summation, "ram:LineTotalAmount", _amount(invoice.total_ht_cents))
    _el(summation, "ram:TaxBasisTotalAmount", _amount(invoice.total_ht_cents))
    _el(summation, "ram:TaxTotalAmount", _amount(invoice.vat_cents), currencyID="EUR")
    _el(summation, "ram:GrandTotalAmount", _amount(invoice.total_ttc_cents))
    _el(summation, "ram:DuePayableAmount", _amount(invoice.total_ttc_cents))
    if invoice.credits is not None:
        referenced = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(referenced, "ram:IssuerAssignedID", invoice.credits.number)
        if invoice.credits.issued_on is not None:
            _date(
                referenced, "ram:FormattedIssueDateTime", invoice.credits.issued_on, qualified=True
            )
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def month_end(month: dt.date) -> dt.date:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def check(xml: bytes) -> None:
    """Refuses an XML that fails the Factur-X XSD or is not of profile EN 16931."""
    try:
        facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
        level = facturx.get_level(etree.fromstring(xml), flavor="factur-x")
    except Exception as error:  # the library raises plain exceptions with the XSD's message
        raise FacturXError(str(error)) from error
    if level != "en16931":
        raise FacturXError(f"profile {level!r}, expected 'en16931'")


def embed(pdf: bytes, xml: bytes, *, title: str, author: str, subject: str) -> bytes:
    """The PDF/A-3 with the XML attached as factur-x.xml: a Factur-X invoice."""
    check(xml)
    return bytes(
        facturx.generate_from_binary(
            pdf,
            xml,
            flavor="factur-x",
            level="en16931",
            check_xsd=True,
            pdf_metadata={
                "author": author,
                "keywords": "Factur-X, Invoice",
                "title": title,
                "subject": subject,
            },
            lang="fr-FR",
        )
    )
