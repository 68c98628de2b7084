"""API tokens expire, die with the password, and leave a trace in the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from relais.accounts import services
from relais.accounts.models import ApiToken, AuditEvent, User

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-9"


def auth(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def test_a_token_lasts_90_days_unless_another_lifetime_is_chosen(alice):
    default = services.api_token_create(user=alice, name="outil").token
    yearly = services.api_token_create(user=alice, name="outil", lifetime_days=365).token
    assert default.expires_at - default.created_at == dt.timedelta(days=90)
    assert yearly.expires_at - yearly.created_at == dt.timedelta(days=365)


def test_a_lifetime_that_is_not_offered_is_refused(alice):
    with pytest.raises(services.ValidationError):
        services.api_token_create(user=alice, name="outil", lifetime_days=10_000)
    assert not ApiToken.objects.exists()


def test_an_expired_token_authenticates_nobody(client, alice):
    created = services.api_token_create(user=alice, name="outil", lifetime_days=30)
    assert client.get("/api/v1/me", headers=auth(created.raw)).status_code == 200
    ApiToken.objects.filter(pk=created.token.pk).update(expires_at=timezone.now())
    response = client.get("/api/v1/me", headers=auth(created.raw))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_token_made_before_expiry_existed_lasts_the_default_lifetime(client, alice):
    created = services.api_token_create(user=alice, name="ancien")
    ApiToken.objects.filter(pk=created.token.pk).update(
        expires_at=None, created_at=timezone.now() - dt.timedelta(days=91)
    )
    assert client.get("/api/v1/me", headers=auth(created.raw)).status_code == 401


def test_the_settings_page_offers_a_lifetime_and_shows_the_expiry(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("accounts:api_token_create"), {"name": "outil", "lifetime_days": "30"}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.expires_at.date() == (token.created_at + dt.timedelta(days=30)).date()
    page = client.get(reverse("accounts:settings")).content.decode()
    assert 'name="lifetime_days"' in page
    assert token.expires_at.strftime("%Y") in page.split('id="tokens"')[1]


def test_an_expired_token_is_no_longer_listed_as_active(client, alice):
    created = services.api_token_create(user=alice, name="périmé")
    ApiToken.objects.filter(pk=created.token.pk).update(expires_at=timezone.now())
    client.force_login(alice)
    assert "périmé" not in client.get(reverse("accounts:settings")).content.decode()


def test_changing_the_password_revokes_every_token(client, alice, bob):
    alices = [services.api_token_create(user=alice, name=f"outil {n}").raw for n in range(2)]
    bobs = services.api_token_create(user=bob, name="outil").raw
    client.force_login(alice)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": "Un-autre-mot-42", "password2": "Un-autre-mot-42"},
    )
    assert response.status_code == 302
    tool = Client()  # a tool holding a token, not Alice's browser and its session
    for raw in alices:
        assert tool.get("/api/v1/me", headers=auth(raw)).status_code == 401
    assert tool.get("/api/v1/me", headers=auth(bobs)).status_code == 200
    event = AuditEvent.objects.get(action="api_token.revoke_all")
    assert event.actor == alice
    assert event.details["reason"] == "password_changed"
    assert len(event.details["tokens"]) == 2


def test_a_password_set_by_the_admin_revokes_every_token(client, alice):
    raw = services.api_token_create(user=alice, name="outil").raw
    form = AdminPasswordChangeForm(
        alice, {"password1": "Un-autre-mot-42", "password2": "Un-autre-mot-42"}
    )
    assert form.is_valid(), form.errors
    form.save()
    assert client.get("/api/v1/me", headers=auth(raw)).status_code == 401


def test_a_password_reset_revokes_every_token(client, alice):
    raw = services.api_token_create(user=alice, name="outil").raw
    alice.set_password("Un-autre-mot-42")
    alice.save()
    assert client.get("/api/v1/me", headers=auth(raw)).status_code == 401


def test_other_changes_to_the_account_keep_the_tokens(client, alice, settings):
    raw = services.api_token_create(user=alice, name="outil").raw
    services.user_update_profile(user=alice, first_name="Alicia", last_name="Martin")
    alice.save(update_fields=["last_login"])
    # A sign-in that rehashes the password with the preferred hasher is not a password change.
    settings.PASSWORD_HASHERS = [
        *settings.PASSWORD_HASHERS,
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    User.objects.filter(pk=alice.pk).update(
        password=make_password(PASSWORD, hasher="pbkdf2_sha256")
    )
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    alice.refresh_from_db()
    assert not alice.password.startswith("pbkdf2_sha256$")  # rehashed and saved
    alice.save()
    assert client.get("/api/v1/me", headers=auth(raw)).status_code == 200
    assert not AuditEvent.objects.filter(action="api_token.revoke_all").exists()


def test_creation_revocation_and_use_are_audited(client, alice):
    created = services.api_token_create(user=alice, name="outil")
    for _ in range(3):
        assert client.get("/api/v1/me", headers=auth(created.raw)).status_code == 200
    services.api_token_revoke(token=created.token)
    actions = list(
        AuditEvent.objects.filter(actor=alice, action__startswith="api_token.")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    # Use is recorded once an hour per token, not at every request.
    assert actions == ["api_token.create", "api_token.use", "api_token.revoke"]
    assert AuditEvent.objects.filter(target=str(created.token)).count() == 3
