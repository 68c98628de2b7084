"""The SEPA bank file holds every debtor's name and IBAN: each download, from the page or the
API, leaves an audit event saying who took which run's file."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import AuditEvent
from relais.core.tests.api import Api
from relais.funding import services
from relais.funding.tests.conftest import sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(circle, bob, tier, operator_staff):
    sign(bob, circle, tier)
    return services.collection_run_create(
        staff=operator_staff, period=timezone.localdate(), notify=False
    )


def _exports():
    return AuditEvent.objects.filter(action="funding.collection_exported")


def test_downloading_the_bank_file_from_the_page_is_on_record(client, run, operator_staff):
    client.force_login(operator_staff)

    response = client.get(reverse("funding:collection_file", kwargs={"run_pk": run.pk}))

    assert response.status_code == 200
    [event] = _exports()
    assert (event.actor, event.actor_label) == (operator_staff, operator_staff.email)
    assert event.target == str(run)
    assert event.details == {"run": run.pk}


def test_downloading_the_bank_file_by_api_is_on_record(client, run, operator_staff):
    response = Api(client, operator_staff).get(f"/api/v1/collections/{run.pk}/pain008.xml")

    assert response.status_code == 200
    [event] = _exports()
    assert event.actor == operator_staff
    assert event.target == str(run)
    assert event.details == {"run": run.pk}


def test_a_refused_download_records_no_export(client, run, bob):
    client.force_login(bob)

    page = client.get(reverse("funding:collection_file", kwargs={"run_pk": run.pk}))
    api = Api(client, bob).get(f"/api/v1/collections/{run.pk}/pain008.xml")

    assert (page.status_code, api.status_code) == (403, 403)
    assert not _exports().exists()
