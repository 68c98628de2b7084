"""The strict Content-Security-Policy breaks nothing a browser shows: staff set up two-factor
authentication, the API docs render, htmx filters work (the `page` fixture fails the test on any
CSP violation in the console)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from relais.accounts import services
from relais.accounts.models import OrganisationKind, Role
from relais.accounts.tests.factories import OrganisationFactory, UserFactory
from relais.conftest import totp_code
from relais.core.tests.browser import BROWSER_MARKS

pytestmark = BROWSER_MARKS


def test_new_staff_set_up_an_authenticator_app_then_work(page):
    operator = OrganisationFactory(name="Relais", kind=OrganisationKind.OPERATOR)
    staff = UserFactory(email="olga@relais.example")
    services.membership_add(organisation=operator, user=staff, role=Role.OPERATOR_STAFF)

    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(staff.email)
    page.get_by_label("Mot de passe").fill("correct-horse-battery-9")
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label("Mot de passe").fill("correct-horse-battery-9")
    page.get_by_role("button", name="Confirmer").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    expect(page.get_by_role("img", name=re.compile(r"^[A-Z2-7]{32}$"))).to_be_visible()
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label(re.compile(r"^Code de l.authentificateur")).fill(totp_code(secret))
    page.get_by_role("button", name="Activer").click()
    page.wait_for_url(lambda url: "/totp/activate/" not in url)

    page.goto("/projects/review/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/accounts/2fa/" not in page.url


def test_the_api_docs_and_the_htmx_filters_run_under_the_policy(page):
    from relais.accounts.tests.factories import MembershipFactory

    user = MembershipFactory(role=Role.FIRM_ADMIN).user
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill("correct-horse-battery-9")
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(re.compile(r"/dashboard/"))

    page.goto("/api/v1/docs")
    expect(page.get_by_text("Relais API").first).to_be_visible()
    expect(page.locator(".opblock").first).to_be_visible()

    page.goto("/projects/")
    with page.expect_request(re.compile(r"/projects/\?")):
        page.locator("form.filters select").first.select_option(index=1)
