"""Issue 8, hole 1: nobody takes an account over through a roster import.

The attack, end to end through the web: sign up, register a firm, import a roster with the
victim's address, import it again with the attacker's address and the same employee id, then ask
for a password reset of the victim's account."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from relais.accounts.models import Invitation, Membership, Organisation, User
from relais.accounts.tests.factories import UserFactory
from relais.bench import roster
from relais.bench.models import ConsultantProfile

pytestmark = pytest.mark.django_db

PASSWORD = "Un-mot-de-passe-42"
ATTACKER = "mallory@example.net"
HEADER = "email,first_name,last_name,job_title,tjm,daily_cost,skills,employee_id"


def _sign_up_and_register_a_firm(client) -> Organisation:
    client.post(
        reverse("account_signup"),
        {"email": ATTACKER, "password1": PASSWORD, "password2": PASSWORD},
    )
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    assert link is not None
    client.post(link.group(1))
    assert client.login(email=ATTACKER, password=PASSWORD) or client.post(
        reverse("account_login"), {"login": ATTACKER, "password": PASSWORD}
    )
    client.post(
        reverse("accounts:organisation_create", kwargs={"kind": "firm"}),
        {"name": "Mallory Conseil", "siren": "732829320"},
    )
    return Organisation.objects.get(name="Mallory Conseil")


def _import(client, firm: Organisation, row: str):
    upload = SimpleUploadedFile("roster.csv", f"{HEADER}\n{row}\n".encode())
    preview = client.post(
        reverse("bench:roster", kwargs={"organisation_pk": firm.pk}), {"file": upload}
    )
    payload = preview.context["payload"]
    if payload:
        client.post(
            reverse("bench:roster_apply", kwargs={"organisation_pk": firm.pk}),
            {"payload": payload},
        )
    return preview


def _reset_mails_to(address: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if address in m.to and "/password/reset/key/" in m.body]


@pytest.fixture
def victim(db) -> User:
    user = UserFactory(email="victor@example.org", first_name="Victor", last_name="Hugo")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_firm_that_imports_someones_address_twice_never_gets_their_account(
    client, victim, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        firm = _sign_up_and_register_a_firm(client)
        _import(client, firm, "victor@example.org,Pirate,Pirate,Dev,500,300,,E1")
        _import(client, firm, f"{ATTACKER},Pirate,Pirate,Dev,500,300,,E1")
        client.logout()
        client.post(reverse("account_reset_password"), {"email": "victor@example.org"})

    victim.refresh_from_db()
    assert victim.email == "victor@example.org"
    assert (victim.first_name, victim.last_name) == ("Victor", "Hugo")
    assert victim.check_password(PASSWORD)
    assert not Membership.objects.filter(user=victim).exists()
    assert not ConsultantProfile.objects.filter(user=victim).exists()
    # The firm could only invite: the victim decides, and nothing of theirs changed meanwhile.
    invitation = Invitation.objects.get(organisation=firm, email="victor@example.org")
    assert invitation.is_pending
    assert invitation.payload["employee_id"] == "E1"
    # The reset link goes to the victim's mailbox only.
    assert len(_reset_mails_to("victor@example.org")) == 1
    assert _reset_mails_to(ATTACKER) == []


@pytest.mark.parametrize("kind", ["operator_staff", "is_staff", "is_superuser"])
def test_a_roster_row_with_a_staff_address_is_refused_without_saying_why(
    client, kind, operator_staff, django_capture_on_commit_callbacks
):
    if kind == "operator_staff":
        staff = operator_staff
    else:
        staff = UserFactory(email="root@relais.example", **{kind: True})
    with django_capture_on_commit_callbacks(execute=True):
        firm = _sign_up_and_register_a_firm(client)
        preview = _import(client, firm, f"{staff.email},Pirate,Pirate,Dev,500,300,,E1")
        client.logout()
        client.post(reverse("account_reset_password"), {"email": staff.email})

    assert preview.status_code == 400
    assert preview.context["payload"] == ""
    with translation.override("fr"):
        refusal = roster.cannot_be_added_message()
    assert preview.context["check"].errors == [(2, refusal)]
    assert "staff" not in refusal.lower()
    staff.refresh_from_db()
    assert staff.email in {"staff@relais.example", "root@relais.example"}
    assert not Membership.objects.filter(user=staff, organisation=firm).exists()
    assert not Invitation.objects.filter(email=staff.email).exists()
    assert _reset_mails_to(ATTACKER) == []
