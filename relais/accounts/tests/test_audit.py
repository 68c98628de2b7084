"""The audit log: sign-ins and their failures are recorded, nobody can change or delete an event,
and only operator staff read it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from relais.accounts.audit import audit
from relais.accounts.models import AuditEvent, Membership, Role

pytestmark = pytest.mark.django_db

AUDIT_URL = reverse("accounts:audit_log")


def test_a_failed_sign_in_is_recorded_with_the_address_tried(client, alice):
    client.post(reverse("account_login"), {"login": alice.email, "password": "wrong"})

    event = AuditEvent.objects.get(action="auth.sign_in_failed")
    assert event.target == alice.email
    assert event.actor is None
    assert event.ip == "127.0.0.1"
    assert "wrong" not in str(event.details)


def test_a_sign_in_and_a_sign_out_are_recorded(client, alice):
    response = client.post(
        reverse("account_login"), {"login": alice.email, "password": "correct-horse-battery-9"}
    )
    assert response.status_code == 302
    client.post(reverse("account_logout"))

    actions = list(
        AuditEvent.objects.filter(actor=alice).order_by("at", "id").values_list("action", flat=True)
    )
    assert actions == ["auth.sign_in", "auth.sign_out"]


def test_an_audit_event_can_be_neither_changed_nor_deleted(alice):
    event = audit("test.something", actor=alice, target="x")

    event.target = "y"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(target="y")
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.all().delete()
    event.refresh_from_db()
    assert event.target == "x"


@pytest.mark.parametrize("persona", ["charlie", "alice", "nadia"])
def test_only_operator_staff_find_the_audit_log(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(AUDIT_URL).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(AUDIT_URL)

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_staff_read_the_events_newest_first_and_filter_them(client, operator_staff, alice, acme):
    audit("roster.imported", actor=alice, organisation=acme, target="roster.csv")
    audit("bench.recall", actor=alice, organisation=acme, target="dora@acme.example")
    client.force_login(operator_staff)

    page = client.get(AUDIT_URL)
    body = page.content.decode()
    assert page.status_code == 200
    assert body.index("bench.recall") < body.index("roster.imported")
    assert "Acme Conseil" in body

    only_recalls = client.get(AUDIT_URL, {"action": "bench.recall"}).content.decode()
    assert "dora@acme.example" in only_recalls
    assert "roster.csv" not in only_recalls

    by_email = client.get(AUDIT_URL, {"email": "dora@acme"}).content.decode()
    assert "dora@acme.example" in by_email
    assert "roster.csv" not in by_email


def test_the_audit_log_is_paginated_and_a_huge_page_number_is_harmless(client, operator_staff):
    for n in range(60):
        audit("test.event", target=f"cible-{n:02d}")
    client.force_login(operator_staff)

    first = client.get(AUDIT_URL, {"action": "test.event"})
    huge = client.get(AUDIT_URL, {"action": "test.event", "page": "9" * 40})

    assert first.status_code == 200
    assert "cible-59" in first.content.decode()
    assert "cible-00" not in first.content.decode()
    assert huge.status_code == 200
    assert "cible-00" in huge.content.decode()


def test_the_staff_dashboard_links_to_the_audit_log(client, operator_staff):
    client.force_login(operator_staff)

    assert AUDIT_URL in client.get(reverse("site:dashboard")).content.decode()


def test_a_role_changed_in_the_admin_is_recorded(client, operator_staff, acme, bob):
    membership = Membership.objects.get(user=bob, organisation=acme)
    client.force_login(operator_staff)
    url = reverse("admin:accounts_organisation_change", args=[acme.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "name": acme.name,
            "kind": acme.kind,
            "general_interest": acme.general_interest,
            "created_at_0": acme.created_at.strftime("%Y-%m-%d"),
            "created_at_1": acme.created_at.strftime("%H:%M:%S"),
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": str(membership.pk),
            "memberships-0-organisation": str(acme.pk),
            "memberships-0-user": str(bob.pk),
            "memberships-0-role": Role.FIRM_ADMIN,
            "memberships-0-created_at_0": membership.created_at.strftime("%Y-%m-%d"),
            "memberships-0-created_at_1": membership.created_at.strftime("%H:%M:%S"),
        }
    )
    data.pop("causes", None)

    response = client.post(url, data)

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.membership_changed")
    assert event.actor == operator_staff
    assert event.target == bob.email
    assert event.details["role"] == Role.FIRM_ADMIN
