"""Issue 8, hole 9 (audit): "dates in year 1" are refused everywhere a person types one. The
campaign phases, the month of a SEPA collection and the months of billing join the bench's
dates: the page says why (core.validators.plausible_date) and nothing is stored; the services
refuse the same dates, for the API and the jobs that call them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from relais.billing import services as billing_services
from relais.billing.models import OperatorCost
from relais.campaigns import services as campaign_services
from relais.campaigns.models import Campaign
from relais.core.errors import Invalid
from relais.core.validators import plausible_date
from relais.funding import services as funding_services
from relais.funding.models import Circle, CollectionRun

pytestmark = pytest.mark.django_db

YEAR_ONE = dt.date(1, 1, 1)
YEAR_9999 = dt.date(9999, 12, 1)


def _refusal(value: dt.date) -> str:
    with pytest.raises(ValidationError) as refused:
        plausible_date(value)
    return refused.value.messages[0]


@pytest.fixture
def circle(db: None) -> Circle:
    return Circle.objects.create(name="Cercle Acme")


def _campaign_data(circle: Circle, **dates: dt.date) -> dict[str, object]:
    today = timezone.localdate()
    data: dict[str, object] = {
        "title": "Appel 2027",
        "proposals_from": today,
        "review_from": today,
        "vote_from": today,
        "results_from": today + dt.timedelta(days=7),
        "budget_days": 50,
        "rule": "mes",
        "circles": [circle.pk],
    }
    data.update(dates)
    return data


@pytest.mark.parametrize("value", [YEAR_ONE, YEAR_9999], ids=["year 1", "year 9999"])
@pytest.mark.parametrize("field", ["proposals_from", "results_from", "jury_from"])
def test_a_campaign_phase_in_an_impossible_year_is_refused_on_the_page(
    client, operator_staff, circle, field, value
):
    client.force_login(operator_staff)

    response = client.post(reverse("campaigns:list"), _campaign_data(circle, **{field: value}))

    assert response.status_code == 200
    assert escape(_refusal(value)) in response.content.decode()
    assert not Campaign.objects.exists()


def test_the_campaign_service_refuses_a_phase_in_year_one(operator_staff, circle):
    today = timezone.localdate()
    with pytest.raises(Invalid) as refused:
        campaign_services.campaign_create(
            by=operator_staff,
            title="Appel",
            description="",
            proposals_from=YEAR_ONE,
            review_from=today,
            vote_from=today,
            results_from=today + dt.timedelta(days=7),
            budget_days=50,
            rule="mes",
            circles=[circle],
        )
    assert refused.value.fields == {"proposals_from": [_refusal(YEAR_ONE)]}
    assert not Campaign.objects.exists()


def test_a_collection_of_year_one_is_refused_on_the_page_and_by_the_service(client, operator_staff):
    client.force_login(operator_staff)

    response = client.post(
        reverse("funding:collections"), {"period": "0001-01-01", "version": "pain.008.001.08"}
    )

    assert response.status_code == 422
    assert escape(_("Choose a month near today.")) in response.content.decode()
    with pytest.raises(Invalid) as refused:
        funding_services.collection_run_create(staff=operator_staff, period=YEAR_ONE, notify=False)
    assert refused.value.fields == {"period": [_refusal(YEAR_ONE)]}
    assert not CollectionRun.objects.exists()


def test_an_operator_cost_of_year_one_is_refused_on_the_page_and_by_the_service(
    client, operator_staff
):
    client.force_login(operator_staff)
    data = {"month": "0001-01", "category": "platform", "amount": "10", "label": "Hébergement"}

    response = client.post(reverse("billing:finance_cost_add"), data)

    assert response.status_code == 400
    assert escape(_refusal(YEAR_ONE)) in response.content.decode()
    with pytest.raises(Invalid) as refused:
        billing_services.operator_cost_add(
            staff=operator_staff, month=YEAR_ONE, category="platform", amount_cents=10_00, label="x"
        )
    assert refused.value.fields == {"month": [_refusal(YEAR_ONE)]}
    assert not OperatorCost.objects.exists()


def test_invoicing_the_month_of_year_one_is_refused_on_the_page_and_by_the_service(
    client, operator_staff
):
    client.force_login(operator_staff)

    response = client.post(reverse("billing:finance_invoices_run"), {"month": "0001-01"})

    assert response.status_code == 400
    assert escape(_refusal(YEAR_ONE)) in response.content.decode()
    with pytest.raises(Invalid) as refused:
        billing_services.invoices_issue_month(month=YEAR_ONE, by=operator_staff)
    assert refused.value.fields == {"month": [_refusal(YEAR_ONE)]}
