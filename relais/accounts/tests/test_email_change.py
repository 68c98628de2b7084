"""A person changes their own address from Settings; the new one counts once confirmed from it."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from relais.accounts.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def verified_bob(bob):
    EmailAddress.objects.update_or_create(
        user=bob, email=bob.email, defaults={"verified": True, "primary": True}
    )
    return bob


def test_the_settings_page_links_to_the_address_change(client, verified_bob):
    client.force_login(verified_bob)
    page = client.get(reverse("accounts:settings"))
    assert page.status_code == 200
    assert reverse("account_email") in page.content.decode()
    assert client.get(reverse("account_email")).status_code == 200


def test_a_new_address_replaces_the_old_one_only_once_confirmed_from_the_new_mailbox(
    client, verified_bob
):
    client.force_login(verified_bob)
    response = client.post(
        reverse("account_email"), {"email": "robert@nouveau.example", "action_add": ""}
    )
    assert response.status_code == 302
    verified_bob.refresh_from_db()
    assert verified_bob.email == "bob@acme.example"  # nothing changes before the confirmation
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["robert@nouveau.example"]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", confirmation.body)
    assert link is not None

    assert client.post(link.group(1)).status_code == 302
    verified_bob.refresh_from_db()
    assert verified_bob.email == "robert@nouveau.example"
    assert list(EmailAddress.objects.filter(user=verified_bob).values_list("email", "primary")) == [
        ("robert@nouveau.example", True)
    ]
    # The old mailbox is told, and the change is in the audit log.
    assert any(m.to == ["bob@acme.example"] for m in mail.outbox)
    event = AuditEvent.objects.get(action="auth.email_changed")
    assert (event.actor, event.details) == (
        verified_bob,
        {"from_email": "bob@acme.example", "to_email": "robert@nouveau.example"},
    )


def test_an_unconfirmed_address_cannot_be_made_primary(client, verified_bob):
    client.force_login(verified_bob)
    client.post(reverse("account_email"), {"email": "robert@nouveau.example", "action_add": ""})
    client.post(reverse("account_email"), {"email": "robert@nouveau.example", "action_primary": ""})
    verified_bob.refresh_from_db()
    assert verified_bob.email == "bob@acme.example"
