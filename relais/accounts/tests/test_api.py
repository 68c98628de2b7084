from __future__ import annotations

import json

import pytest

from relais.accounts import services
from relais.accounts.models import ApiToken, AuditEvent
from relais.accounts.tests.factories import MembershipFactory, OrganisationFactory
from relais.core.tests.api import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_token(alice) -> str:
    return services.api_token_create(user=alice, name="staffing tool").raw


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_me_answers_with_the_user_and_their_roles(client, alice_token):
    response = client.get("/api/v1/me", headers=auth(alice_token))
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == "alice@acme.example"
    assert body["memberships"][0]["organisation_name"] == "Acme Conseil"
    assert body["memberships"][0]["roles"] == ["firm_admin"]


def test_only_the_digest_of_a_token_is_stored(alice_token):
    stored = ApiToken.objects.get()
    assert alice_token not in {stored.digest, stored.prefix}
    assert len(stored.digest) == 64


@pytest.mark.parametrize("header", [{"Authorization": "Bearer rls_unknown"}, {}])
def test_an_unknown_or_missing_token_gets_401_in_the_error_format(client, alice, header):
    response = client.get("/api/v1/me", headers={**header, "Accept-Language": "fr"})
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "unauthenticated"
    assert "Authentification requise" in error["message"]
    assert error["fields"] == {}


def test_a_revoked_token_stops_working(client, alice_token):
    services.api_token_revoke(token=ApiToken.objects.get())
    assert client.get("/api/v1/me", headers=auth(alice_token)).status_code == 401


def test_malformed_json_gets_400_and_changes_nothing(client, alice, alice_token):
    response = client.patch(
        "/api/v1/me",
        data="{first_name: oops",
        content_type="application/json",
        headers={**auth(alice_token), "Accept-Language": "en"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "malformed_body",
        "message": "The request body is not valid JSON.",
        "fields": {},
    }
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_invalid_fields_get_422_with_the_field_named(client, alice, alice_token):
    response = client.patch(
        "/api/v1/me",
        data=json.dumps({"first_name": "x" * 200, "last_name": "Y"}),
        content_type="application/json",
        headers=auth(alice_token),
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "first_name" in error["fields"]
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_patch_me_changes_the_name(client, alice, alice_token):
    response = client.patch(
        "/api/v1/me",
        data=json.dumps({"first_name": "Alicia", "last_name": "Dupont"}),
        content_type="application/json",
        headers=auth(alice_token),
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    assert (alice.first_name, alice.last_name) == ("Alicia", "Dupont")


def test_organisations_lists_only_the_users_own_paginated(client, alice, alice_token, other_firm):
    for n in range(55):
        MembershipFactory(user=alice, organisation=OrganisationFactory(name=f"Org {n:02d}"))
    first = client.get("/api/v1/organisations", headers=auth(alice_token)).json()
    second = client.get("/api/v1/organisations?page=2", headers=auth(alice_token)).json()
    names = [o["name"] for o in first["items"] + second["items"]]
    assert first["count"] == 56
    assert len(first["items"]) == 50
    assert "Acme Conseil" in names
    assert "Autre ESN" not in names


def test_another_organisation_is_not_found(client, alice_token, other_firm):
    response = client.get(f"/api/v1/organisations/{other_firm.pk}", headers=auth(alice_token))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_the_openapi_document_and_docs_are_served(client, alice):
    document = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/me" in document["paths"]
    assert document["info"]["title"] == "Relais API"
    assert client.get("/api/v1/docs").status_code == 200


def test_organisations_list_the_users_own(client, alice, bob, other_firm):
    response = Api(client, bob).get("/api/v1/organisations")
    assert response.status_code == 200
    assert [o["name"] for o in response.json()["items"]] == ["Acme Conseil"]


def test_a_page_number_below_one_is_refused(client, alice):
    response = Api(client, alice).get("/api/v1/organisations", page=0)
    assert response.status_code == 422
    assert "page" in response.json()["error"]["fields"]


def test_a_member_reads_their_organisation(client, acme, bob):
    response = Api(client, bob).get(f"/api/v1/organisations/{acme.pk}")
    assert response.status_code == 200
    assert response.json()["name"] == "Acme Conseil"


def test_another_firms_admin_does_not_read_the_organisation(client, acme, charlie):
    response = Api(client, charlie).get(f"/api/v1/organisations/{acme.pk}")
    assert response.status_code == 404
    assert "Acme Conseil" not in response.content.decode()


def test_patch_me_without_a_token_changes_nothing(client, alice):
    response = Api(client).patch("/api/v1/me", {"first_name": "Pirate", "last_name": "X"})
    assert response.status_code == 401
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_me_export_returns_everything_about_the_user_and_is_audited(client, alice, alice_token):
    response = client.get("/api/v1/me/export", headers=auth(alice_token))

    assert response.status_code == 200
    body = response.json()
    assert body["account"]["email"] == "alice@acme.example"
    assert body["api_tokens"][0]["name"] == "staffing tool"
    assert "digest" not in body["api_tokens"][0]
    assert AuditEvent.objects.filter(action="privacy.export", actor=alice).count() == 1


def test_me_export_without_a_token_gets_401_and_exports_nothing(client, alice):
    response = client.get("/api/v1/me/export")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert not AuditEvent.objects.filter(action="privacy.export").exists()
