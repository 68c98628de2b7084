"""A firm's year figures (days lent, fee, valuation) loop over every day of its missions: they are
computed once a day per firm and kept in the cache until something they count changes — a
mission, an absence, the firm's fiscal years or terms (its own version), tax parameters or a
project (every firm's)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from relais.bench import returns, selectors
from relais.bench.models import Absence, TaxYear
from relais.bench.tests.test_loan_figures import lend, period, tax_years  # noqa: F401

pytestmark = pytest.mark.django_db


def queries_of(function):
    with CaptureQueriesContext(connection) as captured:
        result = function()
    return result, len(captured.captured_queries)


@pytest.fixture
def lent(acme, period):  # noqa: F811
    """Ten working days of this month or the last, ended (fee mode, 500 € a day at 1 %)."""
    today = timezone.localdate()
    start = today.replace(day=1) - dt.timedelta(days=40 if today.day < 15 else 0)
    start = start.replace(day=1)
    while not returns.is_working_day(start):
        start += dt.timedelta(days=1)
    end = start
    while returns.working_days(start, end) < 10:
        end += dt.timedelta(days=1)
    lend(period, start, end=end)
    return start, end


def test_the_figures_are_computed_once_then_read_from_the_cache(acme, lent):
    first, cost = queries_of(lambda: selectors.firm_year_cached(acme))
    assert first.bench_days == 10
    assert cost > 3
    again, cost = queries_of(lambda: selectors.firm_year_cached(acme))
    assert cost == 0, "read from the cache"
    assert again.bench_days == 10
    assert again.fee_cents == first.fee_cents == 10 * 5_00


def test_an_absence_declared_changes_the_figures_at_once(acme, dora, lent):
    start, _end = lent
    assert selectors.firm_year_cached(acme).bench_days == 10
    Absence.objects.create(consultant=dora, firm=acme, start=start, end=start)
    assert selectors.firm_year_cached(acme).bench_days == 9


def test_another_mission_changes_the_figures_at_once(acme, period, lent):  # noqa: F811
    _start, end = lent
    assert selectors.firm_year_cached(acme).bench_days == 10
    after = end + dt.timedelta(days=1)
    while not returns.is_working_day(after):
        after += dt.timedelta(days=1)
    lend(period, after, end=after)
    if after <= timezone.localdate():
        assert selectors.firm_year_cached(acme).bench_days == 11


def test_a_change_of_tax_parameters_recomputes_every_firms_figures(acme, lent):
    selectors.firm_year_cached(acme)
    TaxYear.objects.get(year=timezone.localdate().year).save()
    figures, cost = queries_of(lambda: selectors.firm_year_cached(acme))
    assert cost > 3, "computed again"
    assert figures.bench_days == 10


def test_another_firms_change_keeps_this_firms_figures(acme, lent):
    from relais.accounts.tests.factories import OrganisationFactory, UserFactory

    selectors.firm_year_cached(acme)
    other = OrganisationFactory(kind="firm")
    # An organisation saved is a global change; a mission-side change of another firm is not.
    _figures, cost = queries_of(lambda: selectors.firm_year_cached(acme))
    assert cost > 3
    Absence.objects.create(
        consultant=UserFactory(), firm=other, start=timezone.localdate(), end=timezone.localdate()
    )
    _figures, cost = queries_of(lambda: selectors.firm_year_cached(acme))
    assert cost == 0


def test_the_dashboard_reads_its_figures_from_the_cache_on_a_second_visit(
    client, alice, acme, lent
):
    client.force_login(alice)
    url = reverse("bench:firm_dashboard", kwargs={"organisation_pk": acme.pk})
    page, first = queries_of(lambda: client.get(url))
    assert page.status_code == 200
    page, second = queries_of(lambda: client.get(url))
    assert page.status_code == 200
    assert second < first, (first, second)
