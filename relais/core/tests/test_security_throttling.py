"""Login throttling holds whatever the Host header says, and trusts X-Forwarded-For only from the
proxies the settings name."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from relais.accounts.audit import audit
from relais.core.net import client_ip

pytestmark = pytest.mark.django_db

THROTTLED = "Trop de tentatives de connexion"


def _sign_in(client, email, password, **headers):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **headers)


def test_another_port_in_the_host_header_does_not_reset_the_failed_login_counter(client, alice):
    # Each attempt from another port and another address: only the account's counter can stop it.
    for attempt in range(5):
        response = _sign_in(
            client,
            alice.email,
            "wrong",
            HTTP_HOST=f"localhost:{8001 + attempt}",
            REMOTE_ADDR=f"203.0.113.{attempt + 1}",
        )
        assert THROTTLED not in response.content.decode()

    response = _sign_in(
        client,
        alice.email.upper(),
        "correct-horse-battery-9",
        HTTP_HOST="127.0.0.1:9999",
        REMOTE_ADDR="203.0.113.99",
    )

    assert THROTTLED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_the_per_address_limit(
    client, alice, bob
):
    # Ten failures from one address, each claiming another client in X-Forwarded-For.
    for attempt in range(10):
        email = alice.email if attempt % 2 else bob.email
        _sign_in(client, email, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")

    response = _sign_in(
        client, "someone@example.org", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.200"
    )

    assert THROTTLED in response.content.decode()


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_one_client_failing_does_not_lock_out_the_others(client, alice, bob):
    # Every request comes from the proxy's address; the proxy appends the client's.
    for attempt in range(10):
        email = alice.email if attempt % 2 else bob.email
        _sign_in(
            client, email, "wrong", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7"
        )
    assert THROTTLED in _sign_in(
        client,
        "x@example.org",
        "wrong",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    ).content.decode("utf-8")

    response = _sign_in(
        client,
        "nobody@example.org",
        "wrong",
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )

    assert response.status_code == 200
    assert THROTTLED not in response.content.decode()


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, None, "192.0.2.10"),
        (0, "198.51.100.1", "192.0.2.10"),
        (1, None, "192.0.2.10"),
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (2, "198.51.100.1", "198.51.100.1"),
        (1, "not-an-address", "192.0.2.10"),
        (1, "[2001:db8::1]:443", "2001:db8::1"),
    ],
)
def test_the_client_address_comes_from_forwarded_for_only_through_trusted_proxies(
    settings, trusted, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = trusted
    headers = {"REMOTE_ADDR": "192.0.2.10"}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded

    assert client_ip(RequestFactory().get("/", **headers)) == expected


def test_the_audit_log_records_the_address_the_trusted_proxy_saw(settings, alice):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.3"
    )

    event = audit("test.action", actor=alice, request=request)

    assert event.ip == "198.51.100.3"


def test_the_api_throttles_follow_the_same_trusted_proxy_rule():
    from django.conf import settings

    assert settings.NINJA_NUM_PROXIES == settings.TRUSTED_PROXY_COUNT == 0
