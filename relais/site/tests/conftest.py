from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from relais.accounts.models import Role
from relais.accounts.tests.factories import MembershipFactory
from relais.bench.tests.helpers import mission_started
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.work import services
from relais.work.models import Claim

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks(settings):
    """Jobs go to the database queue, as in production, instead of running at once."""
    settings.TASKS = DATABASE_TASKS


@pytest.fixture
def idle_claim(les_amis, fabien) -> Claim:
    """Ana's claim on a task of Les Amis, without activity for ten days: it should lapse."""
    project = ProjectFactory(nonprofit=les_amis, field_lead=fabien, status=ProjectStatus.ACTIVE)
    ana = MembershipFactory(role=Role.CONSULTANT, user__email="ana@esn.example").user
    mission_started(ana, project)
    task = services.task_create(
        lead=fabien,
        project=project,
        title="Écrire le guide",
        brief="Le contexte.",
        acceptance_criteria="Relu",
        estimate_hours=Decimal(6),
    )
    services.task_publish(lead=fabien, task=task)
    claim = services.task_claim(consultant=ana, task=task)
    Claim.objects.filter(pk=claim.pk).update(
        last_activity_at=timezone.now() - dt.timedelta(days=10)
    )
    return claim
