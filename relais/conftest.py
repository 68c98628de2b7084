"""Shared fixtures: the personas.

Alice administers the firm Acme, Bob is her teammate (a consultant of Acme), Charlie administers
another firm and must never see or change anything of Acme's. Nonprofit personas follow the same
pattern (Nadia administers Les Amis, Fabien is its field lead).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from relais.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from relais.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from relais.env import env_bool, env_str

# Test-only settings, read here so that the README check sees them (see the README's table).
CHROMIUM = env_str("RELAIS_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = env_bool("RELAIS_REQUIRE_BROWSER", False)
REDIS_URL = env_str("RELAIS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_REDIS = env_bool("RELAIS_REQUIRE_REDIS", False)


def _member(organisation: Organisation, role: str, email: str, first: str) -> User:
    user = UserFactory(email=email, first_name=first)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


@pytest.fixture
def acme(db: None) -> Organisation:
    return OrganisationFactory(name="Acme Conseil", kind=OrganisationKind.FIRM)


@pytest.fixture
def other_firm(db: None) -> Organisation:
    return OrganisationFactory(name="Autre ESN", kind=OrganisationKind.FIRM)


@pytest.fixture
def les_amis(db: None) -> Organisation:
    return OrganisationFactory(
        name="Les Amis du Quartier", kind=OrganisationKind.NONPROFIT, siren="", rna="W751234567"
    )


@pytest.fixture
def alice(acme: Organisation) -> User:
    return _member(acme, Role.FIRM_ADMIN, "alice@acme.example", "Alice")


@pytest.fixture
def bob(acme: Organisation) -> User:
    return _member(acme, Role.CONSULTANT, "bob@acme.example", "Bob")


@pytest.fixture
def charlie(other_firm: Organisation) -> User:
    return _member(other_firm, Role.FIRM_ADMIN, "charlie@autre.example", "Charlie")


@pytest.fixture
def nadia(les_amis: Organisation) -> User:
    return _member(les_amis, Role.NONPROFIT_ADMIN, "nadia@amis.example", "Nadia")


@pytest.fixture
def fabien(les_amis: Organisation) -> User:
    return _member(les_amis, Role.FIELD_LEAD, "fabien@amis.example", "Fabien")


@pytest.fixture
def operator_staff(db: None) -> User:
    from relais.accounts import services

    operator = OrganisationFactory(name="Relais", kind=OrganisationKind.OPERATOR)
    user = UserFactory(email="staff@relais.example", first_name="Olga")
    services.membership_add(organisation=operator, user=user, role=Role.OPERATOR_STAFF)
    give_totp(user)  # staff must use two-factor authentication before anything else
    return user


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def give_totp(user: User) -> str:
    """Activates an authenticator app for the user; returns its secret."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, TOTP_SECRET)
    return TOTP_SECRET


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The code the authenticator app shows now."""
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def roles_of(user: User) -> set[tuple[str, str]]:
    return set(Membership.objects.filter(user=user).values_list("organisation__name", "role"))


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Rate limits live in the cache: one test's failed logins must not throttle the next.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    # Every test starts in the default language (French), whatever the one before it left
    # active in this thread (a request in English, a job run in a person's language).
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between two page actions are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(5000)
    page = context.new_page()
    # Whatever the journey, the Content-Security-Policy must never have to block anything.
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert refused == [], refused


@pytest.fixture
def vocabularies() -> None:
    """Causes, skills and languages, subscription tiers and rates, matching weights: the rows the
    data migrations write (a live-server test flushes them when it ends)."""
    restore_vocabularies()


def restore_vocabularies() -> None:
    """Writes again the rows of the data migrations (idempotent), for fixtures that need them."""
    import importlib

    from django.apps import apps

    for name, function in [
        ("relais.core.migrations.0002_cause_taxonomy", "add_causes"),
        ("relais.core.migrations.0004_skill_and_language_vocabularies", "add"),
        ("relais.funding.migrations.0003_tiers_and_rates", "add"),
        ("relais.matching.migrations.0002_default_weights", "seed"),
    ]:
        getattr(importlib.import_module(name), function)(apps, None)
