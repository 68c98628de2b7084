"""The API of circles and collections: each operation's success and refusals."""

from __future__ import annotations

import pytest
from django.utils import timezone

from relais.core.tests.api import Api, error_code
from relais.funding import payments, services
from relais.funding.models import Circle, CircleInvitation, CircleMembership
from relais.funding.tests.conftest import fund, sign

pytestmark = pytest.mark.django_db


def test_members_list_their_circles_and_outsiders_see_none(client, circle, bob, charlie):
    response = Api(client, bob).get("/api/v1/circles")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["items"]] == [circle.pk]
    assert Api(client, charlie).get("/api/v1/circles").json()["items"] == []
    assert Api(client).get("/api/v1/circles").status_code == 401


def test_a_member_reads_the_pool_balance_and_an_outsider_gets_404(client, circle, bob, charlie):
    fund(circle, 42_00)
    response = Api(client, bob).get(f"/api/v1/circles/{circle.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["balance_cents"] == 42_00
    assert body["my_role"] == "admin"
    assert "tjm" not in str(body).lower()
    response = Api(client, charlie).get(f"/api/v1/circles/{circle.pk}")
    assert response.status_code == 404


def test_a_consultant_creates_a_circle_and_a_firm_admin_is_refused(client, bob, alice, acme):
    response = Api(client, bob).post("/api/v1/circles", {"name": "Cercle API", "firm_id": acme.pk})
    assert response.status_code == 201
    assert Circle.objects.get(pk=response.json()["id"]).firm == acme
    refused = Api(client, alice).post("/api/v1/circles", {"name": "Cercle admin"})
    assert refused.status_code == 403
    blank = Api(client, bob).post("/api/v1/circles", {"name": "   "})
    assert blank.status_code == 422
    assert Circle.objects.count() == 1


def test_a_member_invites_by_email_and_a_bad_address_is_refused(client, circle, bob, charlie):
    response = Api(client, bob).post(
        f"/api/v1/circles/{circle.pk}/invitations", {"email": "emma@acme.example"}
    )
    assert response.status_code == 201
    bad = Api(client, bob).post(f"/api/v1/circles/{circle.pk}/invitations", {"email": "nope"})
    assert bad.status_code == 422
    outsider = Api(client, charlie).post(
        f"/api/v1/circles/{circle.pk}/invitations", {"email": "x@y.example"}
    )
    assert outsider.status_code == 404
    assert CircleInvitation.objects.count() == 1


def test_the_invited_person_accepts_and_a_second_answer_is_refused(client, circle, bob, emma, dora):
    invitation = services.circle_invite(inviter=bob, circle=circle, email=emma.email)
    assert (
        Api(client, dora).post(f"/api/v1/circle-invitations/{invitation.pk}/accept").status_code
        == 404
    )
    response = Api(client, emma).post(f"/api/v1/circle-invitations/{invitation.pk}/accept")
    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    again = Api(client, emma).post(f"/api/v1/circle-invitations/{invitation.pk}/accept")
    assert again.status_code == 409
    assert error_code(again) == "conflict"
    assert CircleMembership.objects.filter(user=emma).count() == 1


@pytest.fixture
def run(circle, bob, tier, operator_staff):
    sign(bob, circle, tier)
    return services.collection_run_create(
        staff=operator_staff, period=timezone.localdate(), notify=False
    )


def test_staff_list_the_runs_and_others_are_refused(client, run, operator_staff, bob):
    response = Api(client, operator_staff).get("/api/v1/collections")
    assert response.status_code == 200
    assert response.json()["items"][0]["id"] == run.pk
    assert Api(client, bob).get("/api/v1/collections").status_code == 403


def test_staff_download_the_pain008_file_valid_by_its_xsd(client, run, operator_staff, bob):
    response = Api(client, operator_staff).get(f"/api/v1/collections/{run.pk}/pain008.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    payments.validate_against_xsd(response.content, run.version)
    assert Api(client, bob).get(f"/api/v1/collections/{run.pk}/pain008.xml").status_code == 403
    missing = Api(client, operator_staff).get(f"/api/v1/collections/{run.pk + 1}/pain008.xml")
    assert missing.status_code == 404
