"""`RELAIS_CACHE_URL=redis://…` works: people sign in, their sessions and the login counters live in
Redis, shared by every process.

Needs a Redis server (by default 127.0.0.1:6379, database 15, which these tests erase). Without
one the tests are skipped, unless RELAIS_REQUIRE_REDIS=1 (CI) turns the skip into a failure.
"""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

# Read in conftest.py, like the other test-only settings, so the README check always sees them.
from relais.conftest import REDIS_URL, REQUIRE_REDIS
from relais.core.tests.test_security_settings import load_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_settings():
    """The cache and session settings Relais starts with under RELAIS_CACHE_URL=<test Redis>."""
    import redis

    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        server.ping()
    except redis.exceptions.ConnectionError as error:
        message = (
            f"Redis is not reachable at {REDIS_URL} ({error}): start it, or point "
            "RELAIS_TEST_REDIS_URL at one"
        )
        if REQUIRE_REDIS:
            pytest.fail(message)
        pytest.skip(message)
    server.flushdb()
    loaded = load_settings(RELAIS_CACHE_URL=REDIS_URL)
    assert loaded["cache_location"] == REDIS_URL
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": loaded["cache_location"],
        }
    }
    with override_settings(CACHES=caches, SESSION_ENGINE=loaded["session_engine"]):
        yield server
    server.flushdb()
    server.close()


def test_people_sign_in_with_the_redis_cache_and_their_session_is_kept_there(
    client, alice, redis_settings
):
    response = client.post(
        reverse("account_login"), {"login": alice.email, "password": "correct-horse-battery-9"}
    )

    assert response.status_code == 302
    assert client.get(reverse("site:dashboard")).status_code == 200
    keys = [key.decode() for key in redis_settings.keys("*")]
    assert any("sessions.cached_db" in key for key in keys), keys

    client.post(reverse("account_logout"))
    assert client.get(reverse("site:dashboard")).status_code == 302


def test_failed_logins_are_counted_in_redis(client, alice, redis_settings):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": alice.email, "password": "wrong"})

    response = client.post(
        reverse("account_login"), {"login": alice.email, "password": "correct-horse-battery-9"}
    )

    assert "Trop de tentatives de connexion" in response.content.decode()
    assert any(b"allauth:rl" in key for key in redis_settings.keys("*"))
