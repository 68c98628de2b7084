from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from relais.bench import services as bench_services
from relais.bench.tests.helpers import mission_started
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.work import services as work_services


@pytest.fixture(autouse=True)
def _documents_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def project(les_amis, fabien, vocabularies):
    from relais.core.models import Cause

    project = ProjectFactory(
        nonprofit=les_amis, field_lead=fabien, status=ProjectStatus.ACTIVE, title="Carte"
    )
    project.causes.set(Cause.objects.all()[:1])
    return project


def finish_task(lead, consultant, project, title="Inventaire", hours="3"):
    """A task the consultant claims, logs time on, submits; the lead accepts it."""
    task = work_services.task_create(
        lead=lead,
        project=project,
        title=title,
        brief="b",
        acceptance_criteria="c",
        estimate_hours=Decimal(4),
    )
    work_services.task_publish(lead=lead, task=task)
    work_services.task_claim(consultant=consultant, task=task)
    work_services.time_log(
        consultant=consultant, task=task, date=timezone.localdate(), hours=Decimal(hours)
    )
    work_services.task_submit(consultant=consultant, task=task, note="fini")
    work_services.task_accept(lead=lead, task=task)
    task.refresh_from_db()
    return task


@pytest.fixture
def mission(bob, project):
    return mission_started(bob, project, bench_since=timezone.localdate() - dt.timedelta(days=30))


def end(mission):
    from django.db import transaction

    with transaction.atomic():
        bench_services.mission_end(mission=mission, end=timezone.localdate())
    mission.refresh_from_db()
    return mission
