from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.urls import reverse

from relais.accounts.models import User

pytestmark = pytest.mark.django_db


def test_sign_up_requires_verifying_the_email(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "Un-mot-de-passe-42",
            "password2": "Un-mot-de-passe-42",
        },
    )
    assert response.status_code == 302
    assert User.objects.filter(email="new@example.org").exists()
    assert "confirm-email" in mail.outbox[-1].body
    # Not signed in until the address is confirmed.
    assert client.get(reverse("site:dashboard")).status_code == 302


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from relais import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_repeated_failed_logins_are_throttled(client, alice):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": alice.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": alice.email, "password": "wrong"})
    assert "Trop de tentatives de connexion" in response.content.decode()


def test_a_user_with_totp_must_give_a_code_after_the_password(client, alice):
    TOTP.activate(alice, generate_totp_secret())
    response = client.post(
        reverse("account_login"), {"login": alice.email, "password": "correct-horse-battery-9"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("site:dashboard")).status_code == 302


def test_operator_staff_reach_the_admin_and_others_do_not(client, operator_staff, alice):
    client.force_login(operator_staff)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/organisation/").status_code == 200
    client.force_login(alice)
    assert client.get("/admin/", follow=True).status_code == 403
