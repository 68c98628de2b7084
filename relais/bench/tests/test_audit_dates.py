"""Issue 8, hole 9 (audit): "dates in year 1" are refused. Recalls, bench periods and time entries
are bounded (core.validators.plausible_date); so are the dates of the loan added since: an
absence and the day the staff representatives were informed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from relais.bench import services
from relais.bench.models import Absence
from relais.bench.tests.loan import mentions

pytestmark = pytest.mark.django_db


@pytest.fixture
def requested(dora, on_bench, active_project):
    return services.mission_create(consultant=dora, project=active_project)


def test_a_bench_period_starting_in_year_one_is_refused_through_the_page(
    client, alice, acme, dora, terms
):
    """The behaviour the others should share (already there)."""
    client.force_login(alice)
    response = client.post(
        reverse("bench:bench_periods", kwargs={"organisation_pk": acme.pk}),
        {"consultant_email": dora.email, "start": "0001-01-01"},
    )
    assert response.status_code in {200, 400}
    assert not dora.bench_periods.exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [(dt.date(1, 1, 1), dt.date(1, 1, 2)), (dt.date(9999, 12, 30), dt.date(9999, 12, 31))],
)
def test_an_absence_in_year_one_or_9999_is_refused_through_the_page(
    client, alice, acme, dora, start, end
):
    client.force_login(alice)
    client.post(
        reverse("bench:absences", kwargs={"organisation_pk": acme.pk}),
        {"consultant": dora.pk, "start": start.isoformat(), "end": end.isoformat()},
    )
    assert not Absence.objects.exists()


def test_staff_representatives_informed_in_year_one_is_refused(requested, alice):
    with pytest.raises(ValidationError) as refused:
        services.mission_agreement_draw_up(
            admin=alice, mission=requested, mentions=mentions(cse_informed_on=dt.date(1, 1, 1))
        )
    assert "cse_informed_on" in refused.value.message_dict


def test_staff_representatives_informed_tomorrow_is_refused(requested, alice):
    """The upper bound exists already."""
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.mission_agreement_draw_up(
            admin=alice, mission=requested, mentions=mentions(cse_informed_on=tomorrow)
        )
    assert "cse_informed_on" in refused.value.message_dict
