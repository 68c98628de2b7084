"""Operator staff and admin users work with two-factor authentication, or not at all."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.urls import reverse

from relais.accounts import services
from relais.accounts.models import OrganisationKind, Role
from relais.accounts.tests.factories import OrganisationFactory, UserFactory
from relais.conftest import totp_code

pytestmark = pytest.mark.django_db

SETUP = reverse("mfa_activate_totp")


@pytest.fixture
def staff_without_mfa():
    operator = OrganisationFactory(name="Relais", kind=OrganisationKind.OPERATOR)
    user = UserFactory(email="olga@relais.example")
    services.membership_add(organisation=operator, user=user, role=Role.OPERATOR_STAFF)
    return user


@pytest.mark.parametrize(
    "url", ["/dashboard/", reverse("projects:review_queue"), "/settings/", "/projects/"]
)
def test_staff_without_two_factor_authentication_are_sent_to_set_it_up(
    client, staff_without_mfa, url
):
    client.force_login(staff_without_mfa)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == SETUP


def test_the_admin_is_refused_to_staff_without_two_factor_authentication(client, staff_without_mfa):
    client.force_login(staff_without_mfa)

    assert client.get("/admin/")["Location"] == SETUP
    assert client.get("/admin/accounts/user/")["Location"] == SETUP
    response = client.post("/admin/accounts/user/add/", {"email": "evil@example.org"})
    assert response["Location"] == SETUP


def test_a_superuser_without_a_staff_role_needs_it_too(client):
    from relais.accounts.models import User

    admin = User.objects.create_superuser("root@relais.example", "correct-horse-battery-9")
    client.force_login(admin)

    assert client.get("/admin/")["Location"] == SETUP


def test_the_api_answers_staff_without_two_factor_authentication_with_a_clear_403(
    client, staff_without_mfa
):
    client.force_login(staff_without_mfa)

    response = client.get("/api/v1/projects")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


def test_staff_without_two_factor_authentication_may_still_sign_out(client, staff_without_mfa):
    client.force_login(staff_without_mfa)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_staff_who_set_up_an_authenticator_app_reach_the_staff_pages(client, staff_without_mfa):
    client.post(
        reverse("account_login"),
        {"login": staff_without_mfa.email, "password": "correct-horse-battery-9"},
    )
    assert client.get("/dashboard/")["Location"] == SETUP
    # allauth asks for the password again before adding an authenticator.
    assert client.get(SETUP)["Location"].startswith(reverse("account_reauthenticate"))
    client.post(reverse("account_reauthenticate"), {"password": "correct-horse-battery-9"})
    assert client.get(SETUP).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]

    client.post(SETUP, {"code": totp_code(secret)})

    assert Authenticator.objects.filter(user=staff_without_mfa).exists()
    assert client.get(reverse("projects:review_queue")).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_staff_with_an_authenticator_reach_the_staff_pages_and_the_admin(client, operator_staff):
    client.force_login(operator_staff)

    assert client.get(reverse("projects:review_queue")).status_code == 200
    assert client.get("/admin/").status_code == 200


def test_staff_signing_in_are_asked_for_their_code(client, operator_staff):
    response = client.post(
        reverse("account_login"),
        {"login": operator_staff.email, "password": "correct-horse-battery-9"},
    )
    assert response["Location"] == reverse("mfa_authenticate")

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code()})

    assert response.status_code == 302
    assert client.get(reverse("projects:review_queue")).status_code == 200


def test_other_users_are_not_asked_for_two_factor_authentication(client, alice):
    client.force_login(alice)

    assert client.get("/dashboard/").status_code == 200


def test_the_demo_operator_staff_can_sign_in_with_the_printed_secret(client, vocabularies):
    from relais.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo

    seed_demo()
    email = DEMO_ACCOUNTS[Role.OPERATOR_STAFF]
    client.post(reverse("account_login"), {"login": email, "password": DEMO_PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": totp_code(DEMO_TOTP_SECRET)})

    assert client.get(reverse("projects:review_queue")).status_code == 200


def test_the_demo_listing_shows_the_staff_authenticator_secret(capsys, vocabularies):
    from relais.accounts.demo import DEMO_TOTP_SECRET, seed_demo
    from relais.site.management.commands.seed_demo import Command

    seed_demo()
    Command().handle(if_empty=True)

    assert f"secret={DEMO_TOTP_SECRET}" in capsys.readouterr().out
