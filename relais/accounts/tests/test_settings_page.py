from __future__ import annotations

import pytest
from django.urls import reverse

from relais.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def test_a_token_created_in_settings_is_shown_once_and_works(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:api_token_create"), {"name": "outil de staffing"})
    body = response.content.decode()
    raw = body.split('id="new-token">')[1].split("<")[0]
    assert raw.startswith("rls_")
    assert "ne sera plus affiché" in body
    assert raw not in client.get(reverse("accounts:settings")).content.decode()
    client.logout()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_a_token_needs_a_name(client, alice):
    client.force_login(alice)
    response = client.post(reverse("accounts:api_token_create"), {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoking_a_token_from_settings(client, alice):
    client.force_login(alice)
    client.post(reverse("accounts:api_token_create"), {"name": "outil"})
    token = ApiToken.objects.get()
    response = client.post(
        reverse("accounts:api_token_revoke", kwargs={"token_pk": token.pk}),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Aucun jeton actif" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_nobody_else_can_revoke_a_token(client, alice, charlie):
    client.force_login(alice)
    client.post(reverse("accounts:api_token_create"), {"name": "outil"})
    token = ApiToken.objects.get()
    client.force_login(charlie)
    url = reverse("accounts:api_token_revoke", kwargs={"token_pk": token.pk})
    assert client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_profile_name_is_saved(client, alice):
    client.force_login(alice)
    client.post(reverse("accounts:settings"), {"first_name": "Alicia", "last_name": "Durand"})
    alice.refresh_from_db()
    assert alice.get_full_name() == "Alicia Durand"
