"""Tax receipts for skills sponsorship (form 2041-MEC-SD): figures, words, issue, access."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone

from relais.accounts.tests.factories import MembershipFactory
from relais.bench import returns
from relais.bench.models import Mission, TaxYear
from relais.bench.tests.pdftext import pdf_text
from relais.billing import access, documents, selectors, services
from relais.billing.models import NumberSequence, TaxReceipt
from relais.core.errors import Conflict, Invalid, NotAllowed

pytestmark = pytest.mark.django_db


def expected_valuation(gross_cents: int, year: int, days: int = 5) -> int:
    parameters = TaxYear.objects.get(year=year)
    basis = returns.CostBasis(gross_cents, Decimal(45), 0, 0)
    days_in_year = returns.working_days(
        timezone.datetime(year, 1, 1).date(), timezone.datetime(year, 12, 31).date()
    )
    return returns.capped_cost_of_days(basis, days, parameters, days_in_year=days_in_year)


def test_the_figures_value_each_person_s_days_at_cost(sponsorship, acme, les_amis, bob):
    year = sponsorship.start.year
    figures = selectors.receipt_figures(acme, les_amis, year)
    [person] = figures.people
    assert person.days == 5
    # 5 days × 300 € gross × 1.45 (below the cap of 3 × PASS a year).
    assert person.valuation_cents == 5 * 300_00 * 145 // 100 == expected_valuation(300_00, year)
    assert figures.amount_cents == 2175_00


def test_a_salary_above_three_pass_is_counted_at_the_cap(sponsorship, acme, les_amis):
    year = sponsorship.start.year
    Mission.objects.filter(pk=sponsorship.pk).update(daily_gross_salary_cents=2000_00)
    [person] = selectors.receipt_figures(acme, les_amis, year).people
    capped = expected_valuation(2000_00, year)
    assert person.valuation_cents == capped < 5 * 2000_00 * 145 // 100


def test_the_amount_is_written_in_french_words_euros_and_cents():
    assert selectors.amount_in_words(2175_00) == "deux mille cent soixante-quinze euros"
    assert selectors.amount_in_words(1_01) == "un euro et un centime"
    assert selectors.amount_in_words(80_45) == "quatre-vingts euros et quarante-cinq centimes"


def test_the_nonprofit_admin_issues_the_receipt_and_the_firm_is_told(
    sponsorship, acme, les_amis, nadia, alice, django_capture_on_commit_callbacks
):
    year = sponsorship.start.year
    with django_capture_on_commit_callbacks(execute=True):
        [receipt] = services.receipts_prepare(year=year)
    assert receipt.status == "ready"
    assert receipt.number == ""
    assert [nadia.email] in [m.to for m in mail.outbox]
    assert selectors.billing_to_dos(nadia).receipts_to_issue == [receipt]
    # The firm sees nothing before the nonprofit signs.
    assert not access.receipts_for(alice).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        issued = services.receipt_issue(
            receipt=receipt, admin=nadia, signatory="Nadia Martin, présidente"
        )
    assert issued.number == f"{year}-0001"
    assert issued.amount_cents == 2175_00
    assert issued.amount_words == "deux mille cent soixante-quinze euros"
    assert [alice.email] in [m.to for m in mail.outbox]
    assert list(access.receipts_for(alice)) == [issued]
    pdf = documents.stored_bytes(issued)
    assert hashlib.sha256(pdf).hexdigest() == issued.sha256
    text = pdf_text(pdf)
    for mention in [
        "2041-MEC-SD",
        "16216",
        f"Numéro d'ordre du reçu / Receipt number : {issued.number}",
        les_amis.name,
        f"RNA : {les_amis.rna}",
        acme.name,
        f"SIREN : {acme.siren}",
        "Bob",
        "2 175,00 €",
        "deux mille cent soixante-quinze euros",
        f"du 01/01/{year} au 31/12/{year}",
        "Nadia Martin, présidente",
        "238 bis",
        "Kind of gift: skills sponsorship",
    ]:
        assert mention in text, mention
    # Issuing twice is refused and changes nothing.
    with pytest.raises(Conflict):
        services.receipt_issue(receipt=issued, admin=nadia, signatory="Quelqu'un d'autre")
    issued.refresh_from_db()
    assert issued.signatory == "Nadia Martin, présidente"
    assert NumberSequence.objects.get(issuer=les_amis).last == 1


def test_only_the_beneficiary_s_admin_signs(sponsorship, alice, nadia, fabien):
    [receipt] = services.receipts_prepare(year=sponsorship.start.year)
    for someone in (alice, fabien):
        with pytest.raises(NotAllowed):
            services.receipt_issue(receipt=receipt, admin=someone, signatory="X")
    with pytest.raises(Invalid) as refused:
        services.receipt_issue(receipt=receipt, admin=nadia, signatory="   ")
    assert "signatory" in refused.value.fields
    receipt.refresh_from_db()
    assert receipt.status == "ready"
    assert receipt.number == ""


def test_a_year_not_over_has_no_receipt(sponsorship, nadia, les_amis):
    with pytest.raises(Invalid) as refused:
        services.receipts_prepare(year=timezone.localdate().year, by=nadia, beneficiary=les_amis)
    assert "year" in refused.value.fields
    assert not TaxReceipt.objects.exists()


def test_preparing_twice_makes_one_receipt(sponsorship, nadia, les_amis):
    year = sponsorship.start.year
    assert len(services.receipts_prepare(year=year, by=nadia, beneficiary=les_amis)) == 1
    assert services.receipts_prepare(year=year, by=nadia, beneficiary=les_amis) == []
    assert TaxReceipt.objects.count() == 1


def test_receipts_are_seen_only_by_their_parties(
    sponsorship, alice, bob, charlie, nadia, fabien, operator_staff
):
    [receipt] = services.receipts_prepare(year=sponsorship.start.year)
    other_admin = MembershipFactory(
        role="nonprofit_admin",
        organisation__kind="nonprofit",
        organisation__siren="",
        organisation__rna="W759999999",
    ).user
    assert list(access.receipts_for(nadia)) == [receipt]
    for outsider in (bob, charlie, fabien, other_admin, operator_staff):
        assert not access.receipts_for(outsider).exists()
