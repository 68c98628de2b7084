from __future__ import annotations

import pytest
from django.urls import reverse

from relais.accounts.models import Organisation, Role
from relais.conftest import roles_of

pytestmark = pytest.mark.django_db

FIRM_URL = reverse("accounts:organisation_create", kwargs={"kind": "firm"})
NONPROFIT_URL = reverse("accounts:organisation_create", kwargs={"kind": "nonprofit"})


def test_registering_a_firm_makes_its_creator_the_admin(client, charlie):
    client.force_login(charlie)
    response = client.post(
        FIRM_URL,
        {"name": "Nouvelle ESN", "siren": "732 829 320", "vat_number": "FR44732829320"},
    )
    firm = Organisation.objects.get(name="Nouvelle ESN")
    assert response.status_code == 302
    assert firm.siren == "732829320"
    assert firm.vat_number == "FR44732829320"
    assert ("Nouvelle ESN", Role.FIRM_ADMIN) in roles_of(charlie)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"siren": "732829321"}, "n’est pas un numéro SIREN valide"),
        ({"siren": ""}, "Ce champ est obligatoire"),
        ({"siren": "732829320", "siret": "73282932000075"}, "n’est pas un numéro SIRET valide"),
        ({"siren": "732829320", "siret": "40483304800022"}, "Le SIRET doit commencer par le SIREN"),
        ({"siren": "732829320", "vat_number": "FR12345"}, "n’est pas un numéro de TVA"),
        (
            {"siren": "732829320", "vat_number": "FR83404833048"},
            "Le numéro de TVA ne correspond pas au SIREN",
        ),
    ],
)
def test_a_firm_with_bad_identifiers_is_refused_in_french_and_nothing_is_written(
    client, charlie, data, message
):
    client.force_login(charlie)
    before = Organisation.objects.count()
    response = client.post(FIRM_URL, {"name": "Mauvaise ESN", **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Organisation.objects.count() == before
    assert ("Mauvaise ESN", Role.FIRM_ADMIN) not in roles_of(charlie)


def test_a_nonprofit_needs_a_siren_or_an_rna_number(client, charlie):
    client.force_login(charlie)
    response = client.post(NONPROFIT_URL, {"name": "Asso", "general_interest": "yes"})
    assert "Indiquez le SIREN ou le numéro RNA" in response.content.decode()
    response = client.post(
        NONPROFIT_URL, {"name": "Asso", "general_interest": "yes", "rna": "X123"}
    )
    assert "n’est pas un numéro RNA valide" in response.content.decode()
    assert not Organisation.objects.filter(name="Asso").exists()
    response = client.post(
        NONPROFIT_URL,
        {"name": "Asso", "general_interest": "yes", "rna": "w751234568", "causes": ["1", "2"]},
    )
    asso = Organisation.objects.get(name="Asso")
    assert response.status_code == 302
    assert asso.rna == "W751234568"
    assert asso.causes.count() == 2
    assert ("Asso", Role.NONPROFIT_ADMIN) in roles_of(charlie)


def test_an_unknown_cause_is_refused(client, charlie):
    client.force_login(charlie)
    response = client.post(
        NONPROFIT_URL,
        {"name": "Asso", "general_interest": "yes", "rna": "W751234568", "causes": ["999"]},
    )
    assert response.status_code == 200
    assert not Organisation.objects.filter(name="Asso").exists()


def test_the_operator_cannot_be_registered_from_the_site(client, charlie):
    client.force_login(charlie)
    url = reverse("accounts:organisation_create", kwargs={"kind": "operator"})
    assert client.post(url, {"name": "Faux opérateur", "siren": "732829320"}).status_code == 404


def test_a_registered_siren_cannot_be_registered_twice(client, charlie, acme):
    client.force_login(charlie)
    response = client.post(FIRM_URL, {"name": "Copie", "siren": acme.siren})
    assert response.status_code == 200
    assert not Organisation.objects.filter(name="Copie").exists()


def test_members_see_their_organisation_and_its_members(client, alice, bob, acme):
    client.force_login(bob)
    page = client.get(reverse("accounts:organisation_detail", kwargs={"organisation_pk": acme.pk}))
    assert page.status_code == 200
    assert "alice@acme.example" in page.content.decode()
    # A consultant sees the team but not the invitation form nor the edit link.
    assert "Envoyer l’invitation" not in page.content.decode()


def test_only_the_admin_edits_the_organisation(client, alice, bob, acme):
    url = reverse("accounts:organisation_edit", kwargs={"organisation_pk": acme.pk})
    client.force_login(bob)
    assert client.post(url, {"name": "Renamed", "siren": acme.siren}).status_code == 403
    client.force_login(alice)
    assert client.post(url, {"name": "Acme Group", "siren": acme.siren}).status_code == 302
    acme.refresh_from_db()
    assert acme.name == "Acme Group"


def test_an_outsider_gets_not_found_for_another_organisation(client, charlie, acme):
    client.force_login(charlie)
    url = reverse("accounts:organisation_detail", kwargs={"organisation_pk": acme.pk})
    assert client.get(url).status_code == 404


def test_operator_staff_can_read_any_organisation_but_not_edit_it(client, operator_staff, acme):
    client.force_login(operator_staff)
    assert (
        client.get(
            reverse("accounts:organisation_detail", kwargs={"organisation_pk": acme.pk})
        ).status_code
        == 200
    )
    assert (
        client.get(
            reverse("accounts:organisation_edit", kwargs={"organisation_pk": acme.pk})
        ).status_code
        == 403
    )
