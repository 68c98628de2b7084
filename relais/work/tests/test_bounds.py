"""Stored values of the work side are bounded: no 5 MB brief, no endless page, no time logged
in year 1; a long work log still gives a drafted handover."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from relais.core.validators import NOTE_MAX, PAGE_MAX, PROSE_MAX
from relais.work import services
from relais.work.models import ClaimEnd, Comment, KnowledgePage, Task, TimeEntry

pytestmark = pytest.mark.django_db


def test_a_five_megabyte_brief_is_refused_and_nothing_is_written(project, fabien):
    with pytest.raises(ValidationError) as refused:
        services.task_create(
            lead=fabien,
            project=project,
            title="Énorme",
            brief="x" * 5_000_000,
            acceptance_criteria="c",
            estimate_hours=Decimal(2),
        )

    assert "brief" in refused.value.message_dict
    assert not Task.objects.exists()


def test_the_api_refuses_a_brief_longer_than_the_limit(client, project, fabien):
    client.force_login(fabien)

    response = client.post(
        f"/api/v1/projects/{project.pk}/tasks",
        {
            "title": "Énorme",
            "brief": "x" * (PROSE_MAX + 1),
            "acceptance_criteria": "c",
            "estimate_hours": "2",
        },
        content_type="application/json",
    )

    assert response.status_code == 422
    assert "brief" in response.json()["error"]["fields"]
    assert not Task.objects.exists()


def test_a_knowledge_page_longer_than_the_limit_is_refused(client, project, fabien):
    with pytest.raises(ValidationError):
        services.page_save(author=fabien, project=project, title="Long", body="x" * (PAGE_MAX + 1))
    client.force_login(fabien)

    response = client.post(
        reverse("work:page_create", kwargs={"project_pk": project.pk}),
        {"title": "Long", "body": "x" * (PAGE_MAX + 1)},
    )

    assert response.status_code in {200, 400}
    assert not KnowledgePage.objects.exists()


def test_a_comment_longer_than_the_limit_is_refused(make_task, ana):
    task = make_task()

    with pytest.raises(ValidationError):
        services.task_comment(author=ana, task=task, body="x" * (PROSE_MAX + 1))

    assert not Comment.objects.exists()


def test_time_cannot_be_logged_in_year_one_through_the_page(client, make_task, ana):
    task = make_task()
    services.task_claim(consultant=ana, task=task)
    client.force_login(ana)

    response = client.post(
        reverse("work:time_log", kwargs={"task_pk": task.pk}),
        {"date": "0001-01-01", "hours": "2"},
    )

    assert response.status_code < 500
    assert str(timezone.localdate().year - 30) in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_time_cannot_be_logged_in_year_one_or_9999_through_the_api(client, make_task, ana):
    task = make_task()
    services.task_claim(consultant=ana, task=task)
    client.force_login(ana)

    for date in ("0001-01-01", "9999-12-31"):
        response = client.post(
            f"/api/v1/tasks/{task.pk}/time",
            {"date": date, "hours": "2"},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["error"]["fields"]

    assert not TimeEntry.objects.exists()


def test_a_long_work_log_still_gives_a_drafted_handover(make_task, ana):
    task = make_task()
    claim = services.task_claim(consultant=ana, task=task)
    today = timezone.localdate()
    for _ in range(8):
        services.time_log(
            consultant=ana, task=task, date=today, hours=Decimal("0.5"), note="y" * NOTE_MAX
        )
    claim.started_at = timezone.now() - dt.timedelta(days=30)
    claim.save(update_fields=["started_at"])

    handover = services.claim_end_with_handover(
        claim=claim, reason=ClaimEnd.LAPSED, at=timezone.now(), notify=False
    )

    assert handover is not None
    assert len(handover.done) <= PROSE_MAX
    assert handover.done.endswith("…")
