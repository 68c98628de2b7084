"""A circle from creation to the pool paying a firm — in headless chromium: a consultant creates a
circle, a colleague joins by its link with a SEPA mandate, operator staff export a collection
(pain.008 valid by its XSD), mark it collected and import a bank return, and a mission in fee
mode accrues three days that the pool pays the firm exactly."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import urlparse

from django.core.management import call_command
from django.utils import timezone

from relais.bench import returns
from relais.bench.tests.helpers import mission_started
from relais.bench.tests.loan import backdate
from relais.conftest import totp_code
from relais.core.tests.browser import BROWSER_MARKS, assert_accessible
from relais.funding import ledger, payments, services
from relais.funding.models import (
    Circle,
    CircleMembership,
    CollectionRun,
    Debit,
    DebitStatus,
    MembershipStatus,
)
from relais.funding.tests.conftest import BIC, BIC_2, IBAN, IBAN_2, funding_data
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory

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


def submit(page, field: str) -> None:
    """Submits the form that holds the field."""
    page.locator(field).locator("xpath=ancestor::form").locator("button[type=submit]").first.click()


def sign_mandate(page, *, tier: int, billing: int, iban: str, bic: str, holder: str) -> None:
    page.locator(f"#id_tier_{tier}").check()
    page.locator(f"#id_billing_{billing}").check()
    page.locator("#id_holder_name").fill(holder)
    page.locator("#id_iban").fill(iban)
    page.locator("#id_bic").fill(bic)
    page.locator("#id_agree").check()
    submit(page, "#id_iban")


def three_working_days_back(today: dt.date) -> dt.date:
    day, count = today, 0
    while True:
        if returns.is_working_day(day):
            count += 1
            if count == 3:
                return day
        day -= dt.timedelta(days=1)


def test_a_circle_funds_three_fee_mode_days_of_its_member(
    page, browser, live_server, bob, emma, acme, les_amis, fabien, operator_staff, tmp_path
):
    funding_data()
    # Bob creates his firm's circle and signs his mandate (240 € a year, yearly).
    sign_in(page, bob.email)
    page.goto("/circles/")
    page.locator("#id_name").fill("Cercle des Acmiens")
    page.locator("#id_firm").select_option(str(acme.pk))
    submit(page, "#id_name")
    circle = Circle.objects.get()
    page.wait_for_url(re.compile(rf"/circles/{circle.pk}/$"))
    join_url = page.locator("[data-join-url]").inner_text().strip()
    assert_accessible(page)
    page.goto(f"/circles/{circle.pk}/subscription/")
    sign_mandate(page, tier=2, billing=1, iban=IBAN, bic=BIC, holder="Bob Martin")
    assert (
        page.locator("[data-membership-status]").first.get_attribute("data-membership-status")
        == MembershipStatus.ACTIVE
    )

    # Emma joins by the link (her own action), sees the mandate's text, signs it: 120 € yearly.
    emma_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    emma_page = emma_context.new_page()
    sign_in(emma_page, emma.email)
    emma_page.goto(urlparse(join_url).path)
    emma_page.locator("main form button[type=submit]").click()
    emma_page.wait_for_url(re.compile(r"/subscription/$"))
    sign_mandate(emma_page, tier=1, billing=1, iban=IBAN_2, bic=BIC_2, holder="Emma Leroy")
    rum = emma_page.locator("[data-rum]").inner_text().strip()
    assert rum == CircleMembership.objects.get(user=emma).mandates.get().rum
    assert_accessible(emma_page)

    # Operator staff make this month's collection, download the file, check it by its XSD.
    staff_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    staff_page = staff_context.new_page()
    sign_in(staff_page, operator_staff.email, with_totp=True)
    staff_page.goto("/collections/")
    staff_page.locator("#id_period").fill(timezone.localdate().isoformat())
    submit(staff_page, "#id_period")
    run = CollectionRun.objects.get()
    staff_page.wait_for_url(re.compile(rf"/collections/{run.pk}/$"))
    with staff_page.expect_download() as download:
        staff_page.locator("[data-download]").click()
    saved = tmp_path / "pain008.xml"
    download.value.save_as(saved)
    document = Path(saved).read_bytes()
    payments.validate_against_xsd(document, "pain.008.001.08")
    assert rum.encode() in document
    assert_accessible(staff_page)
    staff_page.locator("main form button[type=submit]").click()
    staff_page.wait_for_selector("[data-run-status=collected]")

    # The bank returns Emma's debit: staff import the file; she is past due and told.
    debit = Debit.objects.get(membership__user=emma)
    staff_page.goto("/collections/")
    staff_page.locator("#id_file").set_input_files(
        {
            "name": "retours.csv",
            "mimeType": "text/csv",
            "buffer": (
                f"rum,end_to_end_id,amount,reason_code\n{rum},{debit.end_to_end_id},120.00,AM04\n"
            ).encode(),
        }
    )
    submit(staff_page, "#id_file")
    staff_page.wait_for_url(re.compile(r"/collections/$"))
    debit.refresh_from_db()
    assert debit.status == DebitStatus.RETURNED
    assert CircleMembership.objects.get(user=emma).status == MembershipStatus.PAST_DUE
    emma_page.goto("/dashboard/")
    assert emma_page.locator("[data-to-do=past-due]").count() == 1

    # Bob goes on the bench on a fee-mode mission and works three days; the job books them.
    project = ProjectFactory(
        nonprofit=les_amis, field_lead=fabien, status=ProjectStatus.ACTIVE, title="Jardins"
    )
    mission = mission_started(
        bob, project, bench_since=timezone.localdate() - dt.timedelta(days=10)
    )
    # Bob has been a member for a month (the pool pays its members' days from when they join).
    CircleMembership.objects.filter(user=bob).update(
        joined_at=timezone.now() - dt.timedelta(days=30)
    )
    backdate(mission.pk, three_working_days_back(timezone.localdate()))
    mission.refresh_from_db()
    pool_before = ledger.balance_cents(ledger.pool_account(circle))
    assert services.fees_accrue() == {"booked": 3, "refused": 0}
    fee = returns.daily_fee_cents(mission.tjm_cents, mission.fee_rate)
    assert fee == 5_00  # 1 % of 500 €
    assert ledger.balance_cents(ledger.firm_payable_account(acme)) == 3 * fee
    assert ledger.balance_cents(ledger.pool_account(circle)) == pool_before - 3 * fee
    page.goto(f"/circles/{circle.pk}/")
    assert page.locator("[data-spending-days]").first.get_attribute("data-spending-days") == "3"
    call_command("ledger_check")
    emma_context.close()
    staff_context.close()
