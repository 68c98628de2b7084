"""The pages: who sees what, and bad input answered with a message that changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from relais.funding import services
from relais.funding.models import (
    Circle,
    CircleMembership,
    CollectionRun,
    Debit,
    MembershipStatus,
    SepaMandate,
)
from relais.funding.tests.conftest import BIC, IBAN, fund, sign

pytestmark = pytest.mark.django_db


def test_a_consultant_creates_a_circle_from_the_page(client, bob, acme):
    client.force_login(bob)
    response = client.post(
        reverse("funding:circles"), {"name": "Cercle", "description": "", "firm": acme.pk}
    )
    circle = Circle.objects.get()
    assert response.url == reverse("funding:circle", kwargs={"circle_pk": circle.pk})
    page = client.get(response.url)
    assert page.status_code == 200
    assert circle.link.token in page.content.decode()  # the admin sees the join link


def test_a_circle_page_is_404_for_an_outsider(client, circle, charlie):
    client.force_login(charlie)
    assert client.get(reverse("funding:circle", kwargs={"circle_pk": circle.pk})).status_code == 404


def test_a_member_sees_the_balance_but_not_the_join_link_nor_anyones_standing(
    client, circle, emma, bob
):
    services.circle_join_by_link(user=emma, token=circle.link.token)
    fund(circle, 12_00)
    client.force_login(emma)
    page = client.get(reverse("funding:circle", kwargs={"circle_pk": circle.pk})).content.decode()
    assert 'data-pool-balance="1200"' in page
    assert circle.link.token not in page
    assert "data-membership-status" in page  # her own


def test_signing_a_mandate_on_the_page_shows_its_reference(client, circle, bob, tier):
    client.force_login(bob)
    url = reverse("funding:subscribe", kwargs={"circle_pk": circle.pk})
    response = client.post(
        url,
        {
            "tier": tier.pk,
            "billing": "yearly",
            "holder_name": "Bob",
            "iban": IBAN,
            "bic": BIC,
            "rum": "",
            "agree": "on",
        },
    )
    assert response.status_code == 302
    mandate = SepaMandate.objects.get()
    assert mandate.rum in client.get(url).content.decode()
    assert CircleMembership.objects.get(user=bob).status == MembershipStatus.ACTIVE


def test_an_invalid_iban_on_the_page_gets_a_message_and_changes_nothing(client, circle, bob, tier):
    client.force_login(bob)
    response = client.post(
        reverse("funding:subscribe", kwargs={"circle_pk": circle.pk}),
        {
            "tier": tier.pk,
            "billing": "monthly",
            "holder_name": "Bob",
            "iban": "FR7630006000011234567890180",
            "bic": BIC,
            "agree": "on",
        },
    )
    assert response.status_code == 422
    assert gettext("This IBAN is not valid.") in response.content.decode()
    assert not SepaMandate.objects.exists()


def test_the_invited_person_accepts_on_the_invitation_page(client, circle, bob, emma):
    invitation = services.circle_invite(inviter=bob, circle=circle, email=emma.email)
    url = reverse("funding:invitation", kwargs={"circle_invitation_pk": invitation.pk})
    client.force_login(bob)
    assert client.get(url).status_code == 404
    client.force_login(emma)
    assert client.get(url).status_code == 200
    client.post(url, {"answer": "accept"})
    assert CircleMembership.objects.filter(user=emma, circle=circle).exists()


def test_the_dashboard_shows_the_circle_to_dos(client, circle, bob, emma):
    invitation = services.circle_invite(inviter=bob, circle=circle, email=emma.email)
    client.force_login(emma)
    page = client.get(reverse("site:dashboard")).content.decode()
    assert reverse("funding:invitation", kwargs={"circle_invitation_pk": invitation.pk}) in page
    client.force_login(bob)
    page = client.get(reverse("site:dashboard")).content.decode()
    assert 'data-to-do="mandate"' in page


def test_collections_are_staff_only(client, bob):
    client.force_login(bob)
    assert client.get(reverse("funding:collections")).status_code == 403


def test_staff_make_a_run_download_it_and_a_second_is_refused(
    client, circle, bob, tier, operator_staff
):
    sign(bob, circle, tier)
    client.force_login(operator_staff)
    data = {"period": timezone.localdate().isoformat(), "version": "pain.008.001.08"}
    response = client.post(reverse("funding:collections"), data)
    run = CollectionRun.objects.get()
    assert response.url == reverse("funding:collection", kwargs={"run_pk": run.pk})
    file = client.get(reverse("funding:collection_file", kwargs={"run_pk": run.pk}))
    assert file.status_code == 200
    assert b"pain.008.001.08" in file.content
    again = client.post(reverse("funding:collections"), data)
    assert again.status_code == 422
    assert CollectionRun.objects.count() == 1


def test_a_returns_file_with_an_unknown_rum_gets_a_message_and_changes_nothing(
    client, circle, bob, tier, operator_staff
):
    sign(bob, circle, tier)
    run = services.collection_run_create(
        staff=operator_staff, period=timezone.localdate(), notify=False
    )
    debit = Debit.objects.get()
    client.force_login(operator_staff)
    upload = SimpleUploadedFile(
        "returns.csv",
        f"rum,end_to_end_id,amount,reason_code\nINCONNUE,{debit.end_to_end_id},10.00,AM04\n".encode(),
    )
    response = client.post(reverse("funding:returns_import"), {"file": upload}, follow=True)
    assert (
        gettext("Nothing was imported: correct the file and send it again.")
        in response.content.decode()
    )
    debit.refresh_from_db()
    assert debit.status == "pending"
    assert run.debits.count() == 1
