"""End-to-end journeys of accounts in headless chromium, with axe-core checks on each page."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from playwright.sync_api import expect

from relais.accounts.models import Membership, Role
from relais.core.tests.browser import BROWSER_MARKS, PASSWORD, assert_accessible, link_in_last_email

pytestmark = BROWSER_MARKS


def test_sign_up_verify_sign_in_switch_language_and_invite_a_member(page, browser, live_server):
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Créer un compte").first.click()
    assert_accessible(page)
    page.get_by_label("E-mail").fill("nina@exemple.org")
    page.get_by_label("Mot de passe :", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe (confirmation)").fill(PASSWORD)
    page.get_by_role("button", name="Création de compte").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/"))
    assert_accessible(page)

    page.goto(link_in_last_email(r"http://[^\s]+/accounts/confirm-email/[^\s]+"))
    page.get_by_role("button", name="Confirmer").click()
    page.wait_for_url(re.compile(r"/dashboard/"))
    expect(page.get_by_text("Vous n’appartenez encore à aucune organisation")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Se déconnecter").click()
    page.goto("/accounts/login/")
    assert_accessible(page)
    page.get_by_label("E-mail").fill("nina@exemple.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(re.compile(r"/dashboard/"))

    page.get_by_label("Langue").select_option("en")
    page.get_by_role("button", name="Change").click()
    expect(page.get_by_role("heading", name="Where do you start?")).to_be_visible()
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("button", name="Change", exact=True).click()
    expect(page.get_by_role("heading", name="Par où commencer ?")).to_be_visible()

    page.get_by_role("link", name="Inscrire votre ESN").click()
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Nom\b")).fill("ESN Nina")
    page.get_by_label("SIREN").fill("123")
    page.get_by_role("button", name="Inscrire").click()
    expect(page.get_by_text("n’est pas un numéro SIREN valide")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("SIREN").fill("732 829 320")
    page.get_by_role("button", name="Inscrire").click()
    expect(page.get_by_role("heading", name="ESN Nina")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Adresse e-mail").fill("oscar@exemple.org")
    page.get_by_label(re.compile(r"^Rôle")).select_option(Role.CONSULTANT)
    page.get_by_role("button", name="Envoyer l’invitation").click()
    page.get_by_role("cell", name="oscar@exemple.org", exact=True).wait_for()

    # The link carries the site's public address; here the live server answers elsewhere.
    invitation_url = urlparse(link_in_last_email(r"http://[^\s]+/invitations/[^\s]+/")).path
    guest_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    guest_context.set_default_timeout(5000)
    guest = guest_context.new_page()
    guest.goto(invitation_url)
    expect(guest.get_by_role("heading", name="Rejoindre ESN Nina")).to_be_visible()
    assert_accessible(guest)
    guest.get_by_label("Prénom").fill("Oscar")
    guest.get_by_label(re.compile(r"^Nom\b")).fill("Martin")
    guest.get_by_label(re.compile(r"^Mot de passe \*?$")).fill(PASSWORD)
    guest.get_by_label(re.compile(r"^Mot de passe \(confirmation\)")).fill(PASSWORD)
    guest.get_by_role("button", name="Créer mon compte et accepter").click()
    expect(guest.get_by_text("Bienvenue chez ESN Nina")).to_be_visible()
    assert Membership.objects.filter(
        user__email="oscar@exemple.org", organisation__name="ESN Nina", role=Role.CONSULTANT
    ).exists()
    guest.goto("/dashboard/")
    expect(guest.get_by_text("Pas encore de mission solidaire")).to_be_visible()
    assert_accessible(guest)


def test_settings_and_api_docs_pages_are_accessible(page, live_server):
    from relais.accounts.tests.factories import MembershipFactory

    user = MembershipFactory(role=Role.FIRM_ADMIN).user
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill("correct-horse-battery-9")
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(re.compile(r"/dashboard/"))
    assert_accessible(page)
    page.goto("/settings/")
    page.get_by_label("Nom du jeton").fill("outil")
    page.get_by_role("button", name="Créer un jeton").click()
    expect(page.get_by_text("Copiez ce jeton maintenant")).to_be_visible()
    assert_accessible(page)
    page.goto("/accounts/2fa/")
    assert_accessible(page)
