"""API rate limits: per client address without credentials, per user with them; the counters live
in the default cache, so every process of the site shares them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from relais.accounts import services as account_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_rates(settings):
    settings.API_RATE_ANON = "3/m"
    settings.API_RATE_USER = "5/m"


def test_a_visitor_beyond_the_anonymous_rate_gets_429_with_retry_after(client, small_rates):
    answers = [client.get("/api/v1/projects").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    response = client.get("/api/v1/projects", headers={"Accept-Language": "en"})
    assert response.status_code == 429
    assert response.json()["error"] == {
        "code": "throttled",
        "message": "Too many requests: wait a moment before trying again.",
        "fields": {},
    }
    assert 1 <= int(response["Retry-After"]) <= 60


def test_another_address_has_its_own_count(client, small_rates):
    for _ in range(3):
        client.get("/api/v1/projects", REMOTE_ADDR="203.0.113.1")
    assert client.get("/api/v1/projects", REMOTE_ADDR="203.0.113.1").status_code == 429
    assert client.get("/api/v1/projects", REMOTE_ADDR="203.0.113.2").status_code == 200


def test_a_forged_forwarded_for_header_does_not_reset_the_count(client, small_rates):
    for n in range(3):
        client.get("/api/v1/projects", headers={"X-Forwarded-For": f"198.51.100.{n}"})
    response = client.get("/api/v1/projects", headers={"X-Forwarded-For": "198.51.100.99"})
    assert response.status_code == 429


def test_a_user_has_their_own_rate_whatever_their_address(client, alice, bob, small_rates):
    alice_token = account_services.api_token_create(user=alice, name="outil").raw
    bob_token = account_services.api_token_create(user=bob, name="outil").raw
    alice_auth = {"Authorization": f"Bearer {alice_token}"}
    # Alice is not held back by the anonymous visitors of her address, nor they by her.
    for _ in range(3):
        client.get("/api/v1/projects")
    answers = [client.get("/api/v1/me", headers=alice_auth).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    bob_auth = {"Authorization": f"Bearer {bob_token}"}
    assert client.get("/api/v1/me", headers=bob_auth).status_code == 200


def test_the_count_lives_in_the_shared_cache(client, small_rates):
    for _ in range(3):
        client.get("/api/v1/projects")
    assert client.get("/api/v1/projects").status_code == 429
    cache.clear()  # as another process would find it after the window: empty
    assert client.get("/api/v1/projects").status_code == 200


@pytest.mark.parametrize("value", ["60", "sixty/m", "60/week", "0/m", "-1/m"])
def test_a_malformed_rate_setting_stops_the_start(monkeypatch, value):
    from relais.settings import _api_rate

    monkeypatch.setenv("RELAIS_API_RATE_ANON", value)
    with pytest.raises(ImproperlyConfigured):
        _api_rate("RELAIS_API_RATE_ANON", "60/m")


def test_a_rate_setting_is_read_from_the_environment(monkeypatch):
    from relais.settings import _api_rate

    monkeypatch.setenv("RELAIS_API_RATE_USER", "1000/h")
    assert _api_rate("RELAIS_API_RATE_USER", "600/m") == "1000/h"
    monkeypatch.delenv("RELAIS_API_RATE_USER")
    assert _api_rate("RELAIS_API_RATE_USER", "600/m") == "600/m"
