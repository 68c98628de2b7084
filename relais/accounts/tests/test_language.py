"""Each person has a language: taken from the browser at sign-up, chosen in settings or with the
switcher, used for their pages once signed in and for every email they get. (The recall email
to a French consultant and an English field lead: relais/bench/tests/test_recall_language.py.)"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import translation

from relais.accounts import selectors, services
from relais.accounts.models import Role, User

pytestmark = pytest.mark.django_db

PASSWORD = "Un-mot-de-passe-42"


def _sign_up(client, email: str, **headers: str):
    return client.post(
        reverse("account_signup"),
        {"email": email, "password1": PASSWORD, "password2": PASSWORD},
        headers=headers,
    )


def test_signing_up_from_an_english_browser_stores_english(client):
    response = _sign_up(client, "emma@example.org", **{"Accept-Language": "en-GB,en;q=0.8"})
    assert response.status_code == 302
    assert User.objects.get(email="emma@example.org").language == "en"
    # The confirmation email already speaks English.
    assert mail.outbox[-1].subject == "[Relais] Please Confirm Your Email Address"


def test_signing_up_from_a_french_browser_or_an_unknown_language_stores_french(client):
    _sign_up(client, "lea@example.org", **{"Accept-Language": "fr-FR,fr;q=0.9"})
    _sign_up(client, "kai@example.org", **{"Accept-Language": "de-DE"})
    assert User.objects.get(email="lea@example.org").language == "fr"
    assert User.objects.get(email="kai@example.org").language == settings.LANGUAGE_CODE


def test_signing_up_after_switching_to_english_stores_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    _sign_up(client, "emma@example.org")
    assert User.objects.get(email="emma@example.org").language == "en"


def test_a_password_reset_asked_from_a_french_page_arrives_in_the_accounts_language(client, alice):
    alice.language = "en"
    alice.save(update_fields=["language"])
    client.post(
        reverse("account_reset_password"), {"email": alice.email}, headers={"Accept-Language": "fr"}
    )
    assert mail.outbox[-1].to == [alice.email]
    assert "Password Reset" in mail.outbox[-1].subject


def test_the_settings_page_offers_the_language_and_saves_it(client, alice):
    client.force_login(alice)
    page = client.get(reverse("accounts:settings")).content.decode()
    assert re.search(r'<option value="fr"[^>]*selected', page)

    response = client.post(
        reverse("accounts:settings"),
        {"first_name": alice.first_name, "last_name": alice.last_name, "language": "en"},
        follow=True,
    )

    alice.refresh_from_db()
    assert alice.language == "en"
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Changes saved." in body


def test_an_unknown_language_in_settings_is_refused_and_changes_nothing(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("accounts:settings"),
        {"first_name": "Alicia", "last_name": alice.last_name, "language": "xx"},
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    alice.refresh_from_db()
    assert (alice.language, alice.first_name) == ("fr", "Alice")


def test_changing_the_language_in_settings_changes_the_next_email(
    client, alice, acme, operator_staff, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    client.post(
        reverse("accounts:settings"),
        {"first_name": alice.first_name, "last_name": alice.last_name, "language": "en"},
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_verify(staff=operator_staff, organisation=acme)

    (message,) = [m for m in mail.outbox if m.to == [alice.email]]
    assert message.subject == "[Relais] Acme Conseil is verified"
    assert "has verified Acme Conseil" in message.body


def test_the_emails_of_one_step_go_out_in_each_recipients_language(
    alice, bob, acme, operator_staff, django_capture_on_commit_callbacks
):
    bob.memberships.update(role=Role.FIRM_ADMIN)
    bob.language = "en"
    bob.save(update_fields=["language"])

    with django_capture_on_commit_callbacks(execute=True):
        services.organisation_verify(staff=operator_staff, organisation=acme)

    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {
        alice.email: "[Relais] Acme Conseil est vérifiée",
        bob.email: "[Relais] Acme Conseil is verified",
    }


def test_a_signed_in_person_sees_the_site_in_their_language_whatever_the_browser(client, alice):
    alice.language = "en"
    alice.save(update_fields=["language"])
    client.force_login(alice)

    response = client.get(reverse("accounts:settings"), headers={"Accept-Language": "fr"})

    assert '<html lang="en">' in response.content.decode()
    # The site stays in their language after they sign out.
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_the_language_switcher_stores_the_choice_of_a_signed_in_person(client, alice):
    client.force_login(alice)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/settings/"})

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.language == "en"
    assert '<html lang="en">' in client.get(reverse("accounts:settings")).content.decode()


def test_the_switcher_ignores_an_unknown_language(client, alice):
    client.force_login(alice)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == "fr"


def test_the_api_follows_the_requests_language_not_the_stored_one(client, alice):
    alice.language = "en"
    alice.save(update_fields=["language"])
    client.force_login(alice)
    response = client.get("/api/v1/me", headers={"Accept-Language": "fr"})
    assert response.headers["Content-Language"] == "fr"


def test_an_invitee_who_accepts_from_an_english_browser_gets_an_english_account(
    client, alice, acme, django_capture_on_commit_callbacks
):
    alice.language = "en"
    alice.save(update_fields=["language"])
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        link = services.invitation_create(
            organisation=acme,
            email="dora@acme.example",
            role=Role.CONSULTANT,
            invited_by=alice,
            accept_url="http://testserver/invitations/__token__/",
        )
    # The inviter cannot know the newcomer's language: the invitation is in the site's.
    assert "7 jours" in mail.outbox[-1].body

    client.post(
        reverse("accounts:invitation_accept", kwargs={"token": link.token}),
        {
            "first_name": "Dora",
            "last_name": "Durand",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
        headers={"Accept-Language": "en"},
    )

    assert User.objects.get(email="dora@acme.example").language == "en"


def test_a_consultant_registered_by_their_firm_keeps_the_language_they_choose_a_password_in(
    client, acme
):
    user = User.objects.create_user("dora@acme.example", None)
    assert user.language == settings.LANGUAGE_CODE

    path = selectors.welcome_link_path(user)
    client.post(
        path,
        {"new_password1": PASSWORD, "new_password2": PASSWORD},
        headers={"Accept-Language": "en"},
    )

    user.refresh_from_db()
    assert user.has_usable_password()
    assert user.language == "en"
