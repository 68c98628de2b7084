"""Bad input to the API gets a clear 4xx in the error format and changes nothing; never a 500.

These run on SQLite and on PostgreSQL (which refuses NUL characters in text and overflows on
offsets beyond 64 bits): `DATABASE_URL=postgres://… pytest relais/core/tests/test_api_inputs.py`."""

from __future__ import annotations

import json

import pytest

from relais.accounts import services as account_services
from relais.accounts.models import User
from relais.projects.models import Project, ProjectStatus
from relais.projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_token(alice) -> dict[str, str]:
    raw = account_services.api_token_create(user=alice, name="outil").raw
    return {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}


@pytest.fixture
def public_projects(les_amis, vocabularies) -> list[Project]:
    return [
        ProjectFactory(nonprofit=les_amis, status=ProjectStatus.ACTIVE, title=f"Projet {n}")
        for n in range(3)
    ]


def _error(response) -> dict:
    return response.json()["error"]


@pytest.mark.parametrize("page", ["99999999999999999999", "1000001", "0", "-3"])
def test_a_page_number_out_of_bounds_gets_422_even_anonymously(client, public_projects, page):
    response = client.get(f"/api/v1/projects?page={page}", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert _error(response)["code"] == "invalid"
    assert "page" in _error(response)["fields"]


def test_a_page_number_that_is_not_a_number_gets_422(client, alice, alice_token):
    response = client.get("/api/v1/organisations?page=deux", headers=alice_token)
    assert response.status_code == 422
    assert "page" in _error(response)["fields"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/organisations",
        "/api/v1/bench-periods",
        "/api/v1/missions",
    ],
)
def test_every_paginated_list_bounds_its_page_number(client, alice, alice_token, url):
    assert client.get(f"{url}?page=99999999999999999999", headers=alice_token).status_code == 422
    assert client.get(f"{url}?page=1000000", headers=alice_token).status_code == 200


def test_a_page_beyond_the_last_one_is_empty_with_the_count(client, public_projects):
    response = client.get("/api/v1/projects?page=1000000")
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 3}


def test_a_page_size_above_the_maximum_gets_422(client, public_projects):
    assert client.get("/api/v1/projects?page_size=101").status_code == 422
    assert len(client.get("/api/v1/projects?page_size=2").json()["items"]) == 2


@pytest.mark.parametrize("page", ["99999999999999999999", "-1", "0", "deux", "1e3", "", "\x00"])
def test_the_public_project_list_page_answers_any_page_number(client, public_projects, page):
    response = client.get("/projects/", {"page": page})
    assert response.status_code == 200
    assert "Projet 0" in response.content.decode()


def test_a_nul_character_in_a_body_gets_422_and_changes_nothing(client, alice, alice_token):
    response = client.patch(
        "/api/v1/me",
        data=json.dumps({"first_name": "Al\u0000ice", "last_name": "Martin"}),
        content_type="application/json",
        headers=alice_token,
    )
    assert response.status_code == 422
    assert _error(response)["code"] == "invalid"
    assert "NUL" in _error(response)["fields"]["first_name"][0]
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_a_nul_character_deep_in_a_body_names_the_field(client, nadia, les_amis, vocabularies):
    raw = account_services.api_token_create(user=nadia, name="outil").raw
    response = client.post(
        "/api/v1/projects",
        data=json.dumps({"nonprofit_id": les_amis.pk, "causes": ["ok", "x\u0000"]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 422
    assert "causes.1" in _error(response)["fields"]
    assert not Project.objects.exists()


def test_a_nul_character_in_a_query_string_gets_422(client, public_projects):
    response = client.get("/api/v1/projects", {"q": "jardin\x00"})
    assert response.status_code == 422
    assert "q" in _error(response)["fields"]


def test_nan_and_infinity_are_not_json(client, alice, alice_token):
    response = client.patch(
        "/api/v1/me",
        data='{"first_name": NaN, "last_name": Infinity}',
        content_type="application/json",
        headers=alice_token,
    )
    assert response.status_code == 400
    assert _error(response)["code"] == "malformed_body"


def test_a_name_longer_than_the_column_gets_422_and_changes_nothing(client, alice, alice_token):
    response = client.patch(
        "/api/v1/me",
        data=json.dumps({"first_name": "A" * 151, "last_name": "Martin"}),
        content_type="application/json",
        headers=alice_token,
    )
    assert response.status_code == 422
    assert "first_name" in _error(response)["fields"]
    alice.refresh_from_db()
    assert alice.first_name == "Alice"


def test_a_project_text_longer_than_its_field_gets_422(client, nadia, les_amis, vocabularies):
    raw = account_services.api_token_create(user=nadia, name="outil").raw
    response = client.post(
        "/api/v1/projects",
        data=json.dumps(
            {
                "nonprofit_id": les_amis.pk,
                "title": "Carte",
                "summary": "Une carte.",
                "problem": "x" * 10_001,
                "beneficiaries": "Les habitants.",
                "deliverables": "Une carte.",
                "effort_days": 10,
                "causes": ["environment-climate"],
                "languages": ["fr"],
                "repository_url": "https://example.org/" + "a" * 200,
            }
        ),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}", "Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert {"problem", "repository_url"} <= set(_error(response)["fields"])
    assert not Project.objects.exists()


@pytest.mark.parametrize("pk", ["99999999999999999999", "9223372036854775808", "0"])
def test_an_identifier_no_database_row_can_have_gets_422(client, alice, alice_token, pk):
    response = client.get(f"/api/v1/organisations/{pk}", headers=alice_token)
    assert response.status_code == 422
    assert _error(response)["code"] == "invalid"


def test_the_largest_identifier_is_simply_not_found(client, alice, alice_token):
    response = client.get("/api/v1/organisations/9223372036854775807", headers=alice_token)
    assert response.status_code == 404


def test_an_identifier_in_a_body_is_bounded_too(client, alice, alice_token):
    response = client.post(
        "/api/v1/bench-periods",
        data=json.dumps(
            {"firm_id": 2**70, "consultant_email": "bob@acme.example", "start": "2026-01-05"}
        ),
        content_type="application/json",
        headers=alice_token,
    )
    assert response.status_code == 422
    assert "firm_id" in _error(response)["fields"]


def test_a_session_without_csrf_token_gets_403_and_without_session_401(client, alice):
    assert client.patch("/api/v1/me", data="{}", content_type="application/json").status_code == 401
    client.force_login(alice)
    csrf_client = type(client)(enforce_csrf_checks=True)
    csrf_client.force_login(alice)
    response = csrf_client.patch(
        "/api/v1/me",
        data=json.dumps({"first_name": "Mallory", "last_name": "X"}),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert _error(response)["code"] == "forbidden"
    assert User.objects.get(pk=alice.pk).first_name == "Alice"


def test_the_openapi_document_lists_the_errors_each_operation_can_give(client):
    document = client.get("/api/v1/openapi.json").json()
    error = {"$ref": "#/components/schemas/ErrorOut"}
    assert document["components"]["schemas"]["ErrorOut"]["required"] == ["error"]
    public_list = document["paths"]["/api/v1/projects"]["get"]["responses"]
    assert set(public_list) == {"200", "422", "429"}
    transition = document["paths"]["/api/v1/projects/{project_id}/transitions"]["post"]
    assert {"400", "401", "403", "404", "409", "422", "429"} <= set(transition["responses"])
    assert transition["responses"]["409"]["content"]["application/json"]["schema"] == error
    throttled = transition["responses"]["429"]
    assert throttled["content"]["application/json"]["schema"] == error
    assert "Retry-After" in throttled["headers"]


def test_a_nul_character_in_the_public_search_is_no_server_error(client, public_projects):
    response = client.get("/projects/", {"q": "jardin\x00", "page": "2"})
    assert response.status_code == 200
