"""A recall is never refused in effect: an earlier date brings a pending recall forward (today
applies it at once), a later one leaves it; the firm sees what a recall will do before confirming,
with no JavaScript."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import AuditEvent
from relais.bench import services
from relais.bench.models import BenchStatus, MissionStatus, Recall
from relais.work import services as work_services
from relais.work.models import Claim, TaskStatus

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _claimed_task(on_mission, fabien):
    _period, mission = on_mission
    task = work_services.task_create(
        lead=fabien,
        project=mission.project,
        title="Carte des lieux",
        brief="b",
        acceptance_criteria="c",
        estimate_hours=Decimal(4),
    )
    work_services.task_publish(lead=fabien, task=task)
    work_services.task_claim(consultant=mission.consultant, task=task)
    return task


def test_a_recall_today_replaces_a_pending_future_one_and_applies_at_once(
    on_mission, alice, fabien
):
    period, mission = on_mission
    task = _claimed_task(on_mission, fabien)
    first = services.bench_period_recall(
        actor=alice, period=period, effective_date=TODAY() + dt.timedelta(days=20)
    )
    assert first.applied_at is None

    second = services.bench_period_recall(actor=alice, period=period)

    assert second.pk == first.pk
    assert Recall.objects.count() == 1
    assert second.effective_date == TODAY()
    assert second.applied_at is not None
    period.refresh_from_db()
    mission.refresh_from_db()
    task.refresh_from_db()
    assert period.status == BenchStatus.ENDED
    assert period.end == TODAY()
    assert mission.status == MissionStatus.ENDED
    assert mission.end == TODAY()
    assert task.status == TaskStatus.READY
    assert not Claim.objects.filter(ended_at__isnull=True).exists()
    moved = AuditEvent.objects.get(action="bench.recall_brought_forward")
    assert moved.details["before"] == (TODAY() + dt.timedelta(days=20)).isoformat()
    assert moved.details["effective_date"] == TODAY().isoformat()


def test_an_earlier_future_date_brings_the_recall_forward_without_applying_it(on_mission, alice):
    period, mission = on_mission
    services.bench_period_recall(
        actor=alice, period=period, effective_date=TODAY() + dt.timedelta(days=20)
    )
    recall = services.bench_period_recall(
        actor=alice, period=period, effective_date=TODAY() + dt.timedelta(days=5)
    )
    assert recall.effective_date == TODAY() + dt.timedelta(days=5)
    assert recall.applied_at is None
    period.refresh_from_db()
    mission.refresh_from_db()
    assert period.end == TODAY() + dt.timedelta(days=5)
    assert mission.end == TODAY() + dt.timedelta(days=5)
    assert mission.status == MissionStatus.ACTIVE


def test_a_later_date_leaves_the_pending_recall_as_it_is(on_mission, alice):
    period, _mission = on_mission
    services.bench_period_recall(
        actor=alice, period=period, effective_date=TODAY() + dt.timedelta(days=5)
    )
    recall = services.bench_period_recall(
        actor=alice, period=period, effective_date=TODAY() + dt.timedelta(days=30)
    )
    assert recall.effective_date == TODAY() + dt.timedelta(days=5)
    assert not AuditEvent.objects.filter(action="bench.recall_brought_forward").exists()


def test_the_confirmation_page_says_what_will_happen_and_changes_nothing(
    client, on_mission, alice, fabien
):
    period, mission = on_mission
    task = _claimed_task(on_mission, fabien)
    client.force_login(alice)
    url = reverse("bench:recall", kwargs={"period_pk": period.pk})

    response = client.get(url, {"effective_date": TODAY().isoformat()})

    assert response.status_code == 200
    page = response.content.decode()
    assert mission.project.title in page
    assert task.title in page
    assert mission.consultant.display_name in page
    assert fabien.display_name in page
    assert f'value="{TODAY():%Y-%m-%d}"' in page
    assert not Recall.objects.exists()
    task.refresh_from_db()
    assert task.status == TaskStatus.CLAIMED

    confirmed = client.post(url, {"effective_date": TODAY().isoformat()})

    assert confirmed.status_code == 302
    assert Recall.objects.get().applied_at is not None
    task.refresh_from_db()
    assert task.status == TaskStatus.READY


def test_the_bench_page_asks_for_the_confirmation_page_first(client, on_mission, alice):
    period, _mission = on_mission
    client.force_login(alice)
    page = client.get(
        reverse("bench:bench_periods", kwargs={"organisation_pk": period.firm_id})
    ).content.decode()
    recall_url = reverse("bench:recall", kwargs={"period_pk": period.pk})
    assert f'<form method="get" action="{recall_url}"' in page


def test_the_confirmation_page_is_for_the_firm_admins(client, on_mission, bob, charlie):
    period, _mission = on_mission
    url = reverse("bench:recall", kwargs={"period_pk": period.pk})
    for outsider, status in ((charlie, 404), (bob, 404)):
        client.force_login(outsider)
        assert client.get(url).status_code == status
    assert not Recall.objects.exists()
