from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from relais.accounts.services import api_token_create
from relais.bench.models import Recall
from relais.bench.tests.test_bench import claimed_task
from relais.work.models import Handover, TaskStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_api(alice):
    return {"Authorization": f"Bearer {api_token_create(user=alice, name='staffing').raw}"}


def recall(client, period, headers, **body):
    return client.post(
        f"/api/v1/bench-periods/{period.pk}/recall",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.parametrize("offset", [-3, 0, 2])
def test_the_recall_api_takes_a_past_today_or_future_date(client, on_mission, alice_api, offset):
    period, _mission = on_mission
    task = claimed_task(on_mission)
    date = timezone.localdate() + dt.timedelta(days=offset)
    response = recall(client, period, alice_api, effective_date=date.isoformat())
    assert response.status_code == 200
    body = response.json()
    assert body["effective_date"] == date.isoformat()
    assert body["applied"] is (offset <= 0)
    task.refresh_from_db()
    assert (task.status == TaskStatus.READY) is (offset <= 0)
    assert body["released_tasks"] == ([task.pk] if offset <= 0 else [])


def test_the_recall_api_defaults_to_today(client, on_mission, alice_api):
    period, _mission = on_mission
    # A staffing tool may send no body at all.
    response = client.post(
        f"/api/v1/bench-periods/{period.pk}/recall",
        "",
        content_type="application/json",
        headers=alice_api,
    )
    assert response.status_code == 200
    assert response.json()["effective_date"] == timezone.localdate().isoformat()


def test_a_second_recall_by_api_is_no_error_and_no_double_effect(client, on_mission, alice_api):
    period, _mission = on_mission
    claimed_task(on_mission)
    first = recall(client, period, alice_api).json()
    second = recall(client, period, alice_api, effective_date="2020-01-01")
    assert second.status_code == 200
    assert second.json() == first
    assert Recall.objects.count() == 1
    assert Handover.objects.count() == 1


def test_another_firm_cannot_recall(client, on_mission, charlie):
    period, _mission = on_mission
    headers = {"Authorization": f"Bearer {api_token_create(user=charlie, name='t').raw}"}
    assert recall(client, period, headers).status_code == 404
    assert not Recall.objects.exists()


def test_bench_periods_and_missions_list_for_the_firm_and_not_others(
    client, on_mission, alice_api, charlie
):
    assert client.get("/api/v1/bench-periods", headers=alice_api).json()["count"] == 1
    assert client.get("/api/v1/missions", headers=alice_api).json()["count"] == 1
    other = {"Authorization": f"Bearer {api_token_create(user=charlie, name='t').raw}"}
    assert client.get("/api/v1/bench-periods", headers=other).json()["count"] == 0
    assert client.get("/api/v1/missions", headers=other).json()["count"] == 0


def test_opening_a_bench_period_by_api(client, alice, acme, alice_api, dora):
    response = client.post(
        "/api/v1/bench-periods",
        json.dumps(
            {
                "firm_id": acme.pk,
                "consultant_email": dora.email,
                "start": "2026-12-01",
                "expected_end": "2026-11-01",
            }
        ),
        content_type="application/json",
        headers=alice_api,
    )
    assert response.status_code == 422
    assert "expected_end" in response.json()["error"]["fields"]
