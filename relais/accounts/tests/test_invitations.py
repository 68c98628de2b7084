from __future__ import annotations

import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse

from relais.accounts import selectors, services
from relais.accounts.models import Invitation, Membership, Role, User
from relais.conftest import roles_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def invite(client, django_capture_on_commit_callbacks):
    """Posts the invitation form; the email goes out once the transaction commits."""

    def post(organisation, email="dora@acme.example", role=Role.CONSULTANT, **extra):
        url = reverse("accounts:invitation_create", kwargs={"organisation_pk": organisation.pk})
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, {"email": email, "role": role}, **extra)

    return post


def link_in_last_email() -> str:
    match = re.search(
        re.escape(settings.SITE_URL) + r"(/invitations/[^/\s]+/)", mail.outbox[-1].body
    )
    assert match, mail.outbox[-1].body
    return match.group(1)


def test_an_admin_invites_by_email_and_the_link_arrives(client, invite, alice, acme):
    client.force_login(alice)
    response = invite(acme)
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dora@acme.example"]
    assert "Acme Conseil" in mail.outbox[0].subject
    assert "7 jours" in mail.outbox[0].body
    assert Invitation.objects.get().role == Role.CONSULTANT


def test_an_htmx_invitation_answers_with_the_invitations_fragment_only(client, invite, alice, acme):
    client.force_login(alice)
    response = invite(acme, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="invitations"' in body
    assert "<html" not in body
    assert "dora@acme.example" in body


def test_a_newcomer_accepts_by_creating_an_account_with_a_verified_email(
    client, invite, alice, acme
):
    client.force_login(alice)
    invite(acme)
    client.logout()
    url = link_in_last_email()
    page = client.get(url)
    assert "Rejoindre Acme Conseil" in page.content.decode()
    response = client.post(
        url,
        {
            "first_name": "Dora",
            "last_name": "Exploratrice",
            "password1": "Un-mot-de-passe-42",
            "password2": "Un-mot-de-passe-42",
        },
    )
    dora = User.objects.get(email="dora@acme.example")
    assert response.status_code == 302
    assert roles_of(dora) == {("Acme Conseil", Role.CONSULTANT)}
    assert EmailAddress.objects.get(user=dora).verified
    assert client.get(reverse("site:dashboard")).status_code == 200  # signed in


def test_an_existing_account_accepts_once_signed_in(client, invite, alice, acme, charlie):
    client.force_login(alice)
    invite(acme, email=charlie.email, role=Role.FIRM_ADMIN)
    url = link_in_last_email()
    client.logout()
    assert "Un compte existe déjà" in client.get(url).content.decode()
    client.force_login(charlie)
    assert client.post(url).status_code == 302
    assert ("Acme Conseil", Role.FIRM_ADMIN) in roles_of(charlie)


def test_an_invitation_works_once(client, invite, alice, acme, charlie):
    client.force_login(alice)
    invite(acme, email=charlie.email)
    url = link_in_last_email()
    client.force_login(charlie)
    client.post(url)
    response = client.post(url)
    assert response.status_code == 410
    assert "déjà été utilisée" in response.content.decode()
    assert Membership.objects.filter(user=charlie, organisation=acme).count() == 1


def test_an_invitation_expires_after_seven_days(client, invite, alice, acme, charlie, monkeypatch):
    client.force_login(alice)
    invite(acme, email=charlie.email)
    url = link_in_last_email()
    eight_days_later = time.time() + 8 * 24 * 3600
    monkeypatch.setattr("django.core.signing.time.time", lambda: eight_days_later)
    client.force_login(charlie)
    response = client.post(url)
    assert response.status_code == 410
    assert "a expiré" in response.content.decode()
    assert not Membership.objects.filter(user=charlie, organisation=acme).exists()


def test_a_tampered_link_is_refused(client, charlie):
    client.force_login(charlie)
    response = client.get(
        reverse("accounts:invitation_accept", kwargs={"token": "eyJmYWtlIjoxfQ:abc:def"})
    )
    assert response.status_code == 410
    assert "n’est pas valide" in response.content.decode()


def test_someone_else_signed_in_cannot_use_the_link(client, invite, alice, acme, charlie):
    client.force_login(alice)
    invite(acme, email="dora@acme.example")
    url = link_in_last_email()
    client.force_login(charlie)
    response = client.post(url)
    assert response.status_code == 400
    assert "a été envoyée à dora@acme.example" in response.content.decode()
    assert not Membership.objects.filter(user=charlie, organisation=acme).exists()
    assert Invitation.objects.get().accepted_at is None


def test_a_withdrawn_invitation_no_longer_works(client, invite, alice, acme, charlie):
    client.force_login(alice)
    invite(acme, email=charlie.email)
    url = link_in_last_email()
    invitation = Invitation.objects.get()
    client.post(
        reverse(
            "accounts:invitation_revoke",
            kwargs={"organisation_pk": acme.pk, "invitation_pk": invitation.pk},
        )
    )
    client.force_login(charlie)
    assert client.post(url).status_code == 410
    assert not Membership.objects.filter(user=charlie, organisation=acme).exists()


def test_a_consultant_cannot_invite(client, invite, bob, acme):
    client.force_login(bob)
    assert invite(acme).status_code == 403
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_a_role_of_another_kind_of_organisation_is_refused(client, invite, alice, acme):
    client.force_login(alice)
    response = invite(acme, role=Role.FIELD_LEAD)
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_a_bad_email_is_refused_with_a_message(client, invite, alice, acme):
    client.force_login(alice)
    response = invite(acme, email="not-an-email")
    assert response.status_code == 400
    assert "Saisissez une adresse de courriel valide" in response.content.decode()
    assert not Invitation.objects.exists()


def test_accepting_with_a_weak_password_creates_nothing(client, invite, alice, acme):
    client.force_login(alice)
    invite(acme)
    url = link_in_last_email()
    client.logout()
    response = client.post(
        url, {"first_name": "Dora", "last_name": "E", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 400
    assert not User.objects.filter(email="dora@acme.example").exists()
    assert Invitation.objects.get().accepted_at is None


def test_accepting_a_service_invitation_twice_raises(alice, acme, charlie):
    link = services.invitation_create(
        organisation=acme,
        invited_by=alice,
        email=charlie.email,
        role=Role.CONSULTANT,
        accept_url="http://x/__token__/",
    )
    services.invitation_accept(invitation=link.invitation, user=charlie)
    with pytest.raises(services.InvitationError):
        services.invitation_accept(invitation=link.invitation, user=charlie)


def test_a_welcome_link_sets_the_first_password_once_and_verifies_the_address(client):
    from relais.accounts.tests.factories import UserFactory

    user = UserFactory(email="newbie@acme.example")
    user.set_unusable_password()
    user.save()
    EmailAddress.objects.filter(user=user).update(verified=False)
    path = selectors.welcome_link_path(user)
    response = client.post(
        path, {"new_password1": "Un-mot-de-passe-42", "new_password2": "Un-mot-de-passe-42"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Un-mot-de-passe-42")
    assert EmailAddress.objects.get(user=user).verified
    client.logout()
    assert client.get(path).status_code == 410  # used once


def test_a_forged_welcome_link_is_refused(client):
    response = client.get(reverse("accounts:welcome", kwargs={"uidb64": "MQ", "token": "abc-def"}))
    assert response.status_code == 410
