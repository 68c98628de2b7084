"""A roster import links people to the firm without ever changing who they are.

A new address gets an account; an address that has one gets an invitation, and the person joins
only by accepting it signed in; staff and other firms' consultants cannot be added by a roster,
and the preview says so with the same words as the import."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from relais.accounts.models import AuditEvent, Invitation, Membership, Role
from relais.accounts.tests.factories import MembershipFactory
from relais.bench import roster, services
from relais.bench.models import ConsultantProfile

pytestmark = pytest.mark.django_db

HEADER = "email,first_name,last_name,job_title,tjm,daily_cost,skills,employee_id"


def preview(client, firm, *rows: str):
    upload = SimpleUploadedFile("roster.csv", "\n".join([HEADER, *rows, ""]).encode())
    return client.post(
        reverse("bench:roster", kwargs={"organisation_pk": firm.pk}), {"file": upload}
    )


def apply(client, firm, response):
    return client.post(
        reverse("bench:roster_apply", kwargs={"organisation_pk": firm.pk}),
        {"payload": response.context["payload"]},
    )


def outcomes(response) -> list[str]:
    return [plan.outcome for plan in response.context["plans"]]


def refusal() -> str:
    with translation.override("fr"):
        return roster.cannot_be_added_message()


def test_an_existing_account_is_invited_and_joins_only_when_they_accept(
    client, alice, acme, nadia, django_capture_on_commit_callbacks, vocabularies
):
    client.force_login(alice)
    checked = preview(client, acme, "nadia@amis.example,N,A,Dev,610,400,python,E7")
    assert checked.status_code == 200
    assert outcomes(checked) == ["invited"]
    assert checked.context["emails"] == 1  # the preview says an email will be sent
    with django_capture_on_commit_callbacks(execute=True):
        apply(client, acme, checked)
    assert not Membership.objects.filter(user=nadia, organisation=acme).exists()
    assert not ConsultantProfile.objects.filter(user=nadia).exists()
    invitation = Invitation.objects.get(organisation=acme, email="nadia@amis.example")
    assert invitation.role == Role.CONSULTANT
    assert mail.outbox[-1].to == ["nadia@amis.example"]

    # Importing again sends nothing new: the invitation waits for its answer.
    again = preview(client, acme, "nadia@amis.example,N,A,Dev,620,400,python,E7")
    assert outcomes(again) == ["awaiting"]
    with django_capture_on_commit_callbacks(execute=True):
        apply(client, acme, again)
    assert len(mail.outbox) == 1
    invitation.refresh_from_db()
    assert invitation.payload["tjm_cents"] == 620_00

    link = re.search(r"https?://[^/\s]+(/invitations/\S+/)", mail.outbox[-1].body)
    assert link is not None
    client.force_login(nadia)
    response = client.post(link.group(1))
    assert response.status_code == 302
    profile = ConsultantProfile.objects.get(user=nadia)
    assert (profile.firm, profile.employee_id, profile.tjm_cents) == (acme, "E7", 620_00)
    assert list(profile.skills.values_list("skill__slug", flat=True)) == ["python"]
    nadia.refresh_from_db()
    assert (nadia.first_name, nadia.email) == ("Nadia", "nadia@amis.example")
    assert {
        "roster.imported",
        "invitation.created",
        "invitation.accepted",
        "membership.added",
    } <= set(AuditEvent.objects.values_list("action", flat=True))


def test_a_consultant_of_another_firm_is_refused_in_the_preview_with_the_staff_words(
    client, alice, acme, other_firm, charlie, operator_staff
):
    MembershipFactory(
        organisation=other_firm, role=Role.CONSULTANT, user__email="eve@autre.example"
    )
    ConsultantProfile.objects.create(
        user=Membership.objects.get(user__email="eve@autre.example").user, firm=other_firm
    )
    client.force_login(alice)
    response = preview(
        client,
        acme,
        "eve@autre.example,Eve,E,Dev,500,300,,",
        "staff@relais.example,Olga,O,Dev,500,300,,",
    )
    assert response.status_code == 400
    assert response.context["check"].errors == [(2, refusal()), (3, refusal())]
    assert other_firm.name not in response.content.decode()
    assert response.context["payload"] == ""


def test_the_import_refuses_what_the_preview_would_refuse_now(alice, acme, operator_staff):
    row = roster.RosterRow(line=2, email="staff@relais.example", first_name="O", last_name="O")
    with pytest.raises(ValidationError) as refused:
        services.roster_apply(admin=alice, firm=acme, rows=[row])
    assert refusal() in " ".join(refused.value.messages)
    assert not Invitation.objects.exists()
    assert not Membership.objects.filter(user=operator_staff, organisation=acme).exists()


def test_two_rows_that_designate_one_consultant_are_refused(client, alice, acme):
    client.force_login(alice)
    apply(client, acme, preview(client, acme, "c1@acme.example,C,Un,Dev,500,300,,E1"))
    response = preview(
        client,
        acme,
        "autre@acme.example,C,Un,Dev,500,300,,E1",
        "c1@acme.example,C,Un,Dev,500,300,,E2",
    )
    assert response.status_code == 400
    assert response.context["check"].errors[0][0] == 3
    assert ConsultantProfile.objects.get().employee_id == "E1"


def test_a_consultant_who_joined_by_invitation_gets_the_firms_data_from_the_roster(
    client, alice, acme, bob
):
    client.force_login(alice)
    checked = preview(client, acme, "bob@acme.example,Robert,B,Architecte,700,500,,E9")
    assert outcomes(checked) == ["updated"]
    apply(client, acme, checked)
    profile = ConsultantProfile.objects.get(user=bob)
    assert (profile.job_title, profile.employee_id) == ("Architecte", "E9")
    bob.refresh_from_db()
    assert bob.first_name == "Bob"


def test_a_roster_invitation_cannot_pull_a_consultant_away_from_their_firm(
    client, alice, acme, other_firm, nadia, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        apply(client, acme, preview(client, acme, "nadia@amis.example,N,A,Dev,610,400,,E7"))
    # Meanwhile Nadia became a consultant of another firm.
    ConsultantProfile.objects.create(user=nadia, firm=other_firm)
    link = re.search(r"https?://[^/\s]+(/invitations/\S+/)", mail.outbox[-1].body)
    client.force_login(nadia)
    response = client.post(link.group(1))
    assert response.status_code == 400
    assert not Membership.objects.filter(user=nadia, organisation=acme).exists()
    assert Invitation.objects.get(email="nadia@amis.example").is_pending


def test_an_employee_id_taken_since_the_invitation_is_left_blank_on_acceptance(
    client, alice, acme, nadia, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        apply(client, acme, preview(client, acme, "nadia@amis.example,N,A,Dev,610,400,,E7"))
        apply(client, acme, preview(client, acme, "new@acme.example,New,N,Dev,610,400,,E7"))
    link = re.search(r"https?://[^/\s]+(/invitations/\S+/)", mail.outbox[0].body)
    client.force_login(nadia)
    assert client.post(link.group(1)).status_code == 302
    assert ConsultantProfile.objects.get(user=nadia).employee_id == ""
    assert ConsultantProfile.objects.get(user__email="new@acme.example").employee_id == "E7"
