"""Issue 8, hole 7 (audit): a huge `page` number overflowed every paginated endpoint. Now every
paginated operation of the API, found in its own OpenAPI document (so that the apps added since,
funding, billing, campaigns, matching and impact, are walked too), answers 422 in the error format,
anonymously and with a token, and never a 500.

Runs on SQLite and on PostgreSQL (where an offset beyond 64 bits overflowed)."""

from __future__ import annotations

import re
from functools import cache

import pytest

from relais.accounts import services as account_services

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"


@cache
def _paginated_paths() -> tuple[str, ...]:
    from relais.api import api

    document = api.get_openapi_schema()
    found = []
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        names = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
        if "page" in names:
            found.append(re.sub(r"{[^}]+}", "1", path))
    return tuple(sorted(found))


def paginated_operations(client) -> tuple[str, ...]:
    """The paths of the GET operations that take a `page` query parameter, their ids set to 1
    (read from the document the API builds; the first test checks it is the one served)."""
    return _paginated_paths()


def test_the_walk_finds_the_paginated_lists_of_every_app(client):
    paths = paginated_operations(client)
    served = client.get("/api/v1/openapi.json").json()["paths"]
    assert {path for path in paths if "/1" not in path} <= served.keys()
    # The lists of the first apps and of those that came after the security issue.
    for expected in ("/api/v1/projects", "/api/v1/organisations", "/api/v1/missions"):
        assert expected in paths
    assert len(paths) >= 8, paths


@pytest.mark.parametrize("page", [HUGE, "0"])
def test_every_paginated_list_refuses_an_absurd_page_with_a_token(
    client, operator_staff, alice, page
):
    for user in (operator_staff, alice):
        raw = account_services.api_token_create(user=user, name="audit").raw
        headers = {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}
        for path in paginated_operations(client):
            response = client.get(f"{path}?page={page}", headers=headers)
            assert response.status_code == 422, (user.email, path, response.status_code)
            error = response.json()["error"]
            assert error["code"] == "invalid", (path, error)
            assert "page" in error["fields"], (path, error)


def test_every_paginated_list_answers_an_anonymous_huge_page_without_a_server_error(client):
    for path in paginated_operations(client):
        response = client.get(f"{path}?page={HUGE}", headers={"Accept-Language": "en"})
        # Public lists validate the page (422); the others ask for credentials first (401).
        assert response.status_code in {401, 422}, (path, response.status_code)
        assert "error" in response.json(), path


def test_a_page_past_the_end_of_every_list_is_an_empty_page_not_an_error(client, operator_staff):
    raw = account_services.api_token_create(user=operator_staff, name="audit").raw
    headers = {"Authorization": f"Bearer {raw}"}
    for path in paginated_operations(client):
        response = client.get(f"{path}?page=1000000", headers=headers)
        # 200 with no items, or the list's own refusal (403/404: not theirs) - never a 5xx.
        assert response.status_code in {200, 403, 404}, (path, response.status_code)
        if response.status_code == 200:
            assert response.json()["items"] == [], path
