"""Values that must never be stored (issue 8, #9), and answers that must not tell whether an
address has an account (#10)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from relais.accounts import services
from relais.accounts.models import Invitation, Organisation, Role
from relais.accounts.services import api_token_create
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

ACCEPT_URL = "http://testserver/invitations/__token__/"


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_create(user=user, name='t').raw}"}


@pytest.mark.parametrize("email", ["not an email", "", "a@b", "x" * 250 + "@example.org"])
def test_an_invitation_to_something_that_is_not_an_address_is_refused(alice, acme, email):
    with pytest.raises(ValidationError) as refused:
        services.invitation_create(
            organisation=acme, invited_by=alice, email=email, role=Role.CONSULTANT,
            accept_url=ACCEPT_URL,
        )  # fmt: skip
    assert "email" in refused.value.message_dict
    assert not Invitation.objects.exists()


def test_the_api_refuses_an_invitation_to_not_an_email_with_a_422(client, alice, acme):
    response = client.post(
        f"/api/v1/firms/{acme.pk}/roster/invitations",
        json.dumps({"email": "not an email"}),
        content_type="application/json",
        headers=bearer(alice),
    )
    assert response.status_code == 422
    assert "email" in response.json()["error"]["fields"]
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("field", ["name", "address_line", "postcode", "city"])
@pytest.mark.parametrize("bad", ["Acme\r\nBcc: x@evil.example", "Acme\x00", "Acme\u2028Conseil"])
def test_an_organisation_field_with_a_line_break_or_control_character_is_refused(
    client, alice, acme, field, bad
):
    client.force_login(alice)
    data = {"name": "Acme Conseil", "siren": acme.siren, field: bad}
    response = client.post(
        reverse("accounts:organisation_edit", kwargs={"organisation_pk": acme.pk}), data
    )
    assert response.status_code == 200  # the form again, with the error
    assert response.context["form"].errors[field]
    assert Organisation.objects.get(pk=acme.pk).name == "Acme Conseil"
    with pytest.raises(ValidationError):
        services.organisation_update(organisation=acme, **{field: bad})


def test_registering_a_firm_whose_name_has_a_line_break_is_refused(client, charlie):
    client.force_login(charlie)
    response = client.post(
        reverse("accounts:organisation_create", kwargs={"kind": "firm"}),
        {"name": "Nouvelle\nESN", "siren": "732829320"},
    )
    assert response.context["form"].errors["name"]
    assert not Organisation.objects.filter(siren="732829320").exists()


def test_a_name_with_a_line_break_is_refused_in_settings_and_the_api(client, bob):
    client.force_login(bob)
    response = client.post(
        reverse("accounts:settings"), {"first_name": "Bob\nBcc: x", "last_name": "B"}
    )
    assert response.context["profile_form"].errors["first_name"]
    response = client.patch(
        "/api/v1/me",
        json.dumps({"first_name": "Bob\r\n", "last_name": "B\x07"}),
        content_type="application/json",
        headers=bearer(bob),
    )
    assert response.status_code == 422
    bob.refresh_from_db()
    assert (bob.first_name, bob.last_name) != ("Bob\r\n", "B\x07")


def test_opening_a_bench_period_says_the_same_for_an_unknown_address_and_an_outsider(
    client, alice, acme, charlie
):
    def answer(email):
        response = client.post(
            "/api/v1/bench-periods",
            json.dumps({"firm_id": acme.pk, "consultant_email": email, "start": "2026-01-05"}),
            content_type="application/json",
            headers=bearer(alice),
        )
        return response.status_code, response.json()

    assert answer("nobody@nowhere.example") == answer(charlie.email)
    assert answer(charlie.email)[0] == 422


def test_choosing_a_field_lead_says_the_same_for_an_unknown_address_and_an_outsider(
    client, nadia, les_amis, charlie
):
    project = ProjectFactory(nonprofit=les_amis, status=ProjectStatus.DRAFT)

    def answer(email):
        response = client.patch(
            f"/api/v1/projects/{project.pk}",
            json.dumps({"field_lead_email": email}),
            content_type="application/json",
            headers=bearer(nadia),
        )
        return response.status_code, response.json()

    assert answer("nobody@nowhere.example") == answer(charlie.email)
    assert answer(charlie.email)[0] == 422
