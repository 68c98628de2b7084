"""A recall ends a period on the bench, never before its start; nothing else is recalled."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import AuditEvent
from relais.bench import services
from relais.bench.models import BenchPeriod, BenchStatus, Recall

pytestmark = pytest.mark.django_db


def test_a_recall_dated_before_the_start_ends_the_period_on_its_first_day(alice, acme, dora, terms):
    start = timezone.localdate() - dt.timedelta(days=2)
    period = services.bench_period_open(admin=alice, firm=acme, consultant=dora, start=start)

    recall = services.bench_period_recall(
        actor=alice, period=period, effective_date=start - dt.timedelta(days=30)
    )

    period.refresh_from_db()
    assert recall.effective_date == start
    assert period.end == start
    assert period.status == BenchStatus.ENDED


@pytest.mark.parametrize("approve", [None, False])
def test_a_requested_or_refused_period_cannot_be_recalled(alice, acme, dora, terms, approve):
    start = timezone.localdate() + dt.timedelta(days=10)
    period = services.bench_period_request(consultant=dora, firm=acme, start=start)
    if approve is not None:
        services.bench_period_decide(admin=alice, period=period, approve=approve)

    with pytest.raises(ValidationError) as refused:
        services.bench_period_recall(
            actor=alice, period=period, effective_date=timezone.localdate()
        )

    assert "on the bench" in " ".join(refused.value.messages) or "intercontrat" in " ".join(
        refused.value.messages
    )
    period.refresh_from_db()
    assert period.end is None
    assert not Recall.objects.filter(bench_period=period).exists()


def test_the_recall_button_on_a_requested_period_says_why_and_changes_nothing(
    client, alice, acme, dora, terms
):
    period = services.bench_period_request(
        consultant=dora, firm=acme, start=timezone.localdate() + dt.timedelta(days=10)
    )
    client.force_login(alice)

    response = client.post(reverse("bench:recall", kwargs={"period_pk": period.pk}), follow=True)

    assert response.status_code == 200
    assert not Recall.objects.filter(bench_period=period).exists()
    assert period.get_status_display() in response.content.decode()


def test_the_database_refuses_a_period_that_ends_before_it_starts(alice, acme, dora, terms):
    start = timezone.localdate()
    period = services.bench_period_open(admin=alice, firm=acme, consultant=dora, start=start)

    with pytest.raises(IntegrityError), transaction.atomic():
        BenchPeriod.objects.filter(pk=period.pk).update(end=start - dt.timedelta(days=1))


def test_a_recall_is_in_the_audit_log(alice, acme, dora, terms):
    period = services.bench_period_open(
        admin=alice, firm=acme, consultant=dora, start=timezone.localdate()
    )

    services.bench_period_recall(actor=alice, period=period)

    event = AuditEvent.objects.get(action="bench.recall")
    assert event.actor_label == alice.email
    assert event.organisation == acme
    assert event.target == dora.email
    assert AuditEvent.objects.filter(action="bench.recall_applied").exists()


def test_a_recall_dated_in_year_one_is_refused_with_a_message(client, alice, acme, dora, terms):
    period = services.bench_period_open(
        admin=alice, firm=acme, consultant=dora, start=timezone.localdate()
    )
    client.force_login(alice)

    response = client.post(
        reverse("bench:recall", kwargs={"period_pk": period.pk}),
        {"effective_date": "0001-01-01"},
        follow=True,
    )

    assert response.status_code == 200
    assert str(timezone.localdate().year - 30) in response.content.decode()
    assert not Recall.objects.filter(bench_period=period).exists()


def test_the_api_refuses_a_recall_dated_in_year_9999(client, alice, acme, dora, terms):
    period = services.bench_period_open(
        admin=alice, firm=acme, consultant=dora, start=timezone.localdate()
    )
    client.force_login(alice)

    response = client.post(
        f"/api/v1/bench-periods/{period.pk}/recall",
        {"effective_date": "9999-12-31"},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert not Recall.objects.filter(bench_period=period).exists()
