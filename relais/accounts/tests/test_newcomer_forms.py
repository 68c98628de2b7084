"""An organisation's details: a French postcode has five digits, and a nonprofit's form says
that a SIREN or an RNA number is required."""

from __future__ import annotations

import pytest
from django.urls import reverse

from relais.accounts.forms import OrganisationForm
from relais.accounts.models import Organisation, OrganisationKind

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("postcode", ["-1", "7501", "750111", "ABCDE"])
def test_a_postcode_that_is_not_five_digits_is_refused(client, alice, acme, postcode):
    client.force_login(alice)
    response = client.post(
        reverse("accounts:organisation_edit", kwargs={"organisation_pk": acme.pk}),
        {"name": acme.name, "siren": acme.siren, "postcode": postcode},
    )
    assert "5 chiffres" in str(response.context["form"].errors["postcode"])
    assert Organisation.objects.get(pk=acme.pk).postcode != postcode


def test_a_five_digit_postcode_is_kept(client, alice, acme):
    client.force_login(alice)
    client.post(
        reverse("accounts:organisation_edit", kwargs={"organisation_pk": acme.pk}),
        {"name": acme.name, "siren": acme.siren, "postcode": "75011"},
    )
    assert Organisation.objects.get(pk=acme.pk).postcode == "75011"


def test_the_nonprofit_form_marks_siren_or_rna_as_required():
    form = OrganisationForm(kind=OrganisationKind.NONPROFIT)
    assert "SIREN ou RNA requis" in str(form.fields["siren"].label)
    assert "SIREN ou RNA requis" in str(form.fields["rna"].label)


def test_the_sign_up_email_greets_a_person_not_a_host_and_names_the_address(client):
    from django.core import mail

    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "Un-mot-de-passe-42",
            "password2": "Un-mot-de-passe-42",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    body = mail.outbox[-1].body
    assert "Hello from" not in body
    assert "testserver" not in body.split("http", 1)[0]  # the host only in the link
    assert "new@example.org" in body
    assert "confirm-email" in body
