from __future__ import annotations

from decimal import Decimal

import pytest

from relais.accounts.models import Role
from relais.accounts.tests.factories import MembershipFactory
from relais.bench.tests.helpers import mission_started
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.work import services


@pytest.fixture
def project(les_amis, fabien):
    """An active project of Les Amis, piloted by Fabien."""
    return ProjectFactory(
        nonprofit=les_amis, field_lead=fabien, status=ProjectStatus.ACTIVE, title="Carte"
    )


def consultant(email):
    return MembershipFactory(role=Role.CONSULTANT, user__email=email).user


@pytest.fixture
def ana(project, fabien):
    """A consultant of the project's team: on an active mission on it (no work without one)."""
    user = consultant("ana@esn.example")
    mission_started(user, project)
    return user


@pytest.fixture
def ben(project, fabien):
    """Another consultant on an active mission on the project."""
    user = consultant("ben@esn.example")
    mission_started(user, project)
    return user


@pytest.fixture
def make_task(project, fabien):
    def make(title="Écrire le guide", hours="6", publish=True, **extra):
        task = services.task_create(
            lead=fabien,
            project=project,
            title=title,
            brief="Le contexte.",
            acceptance_criteria="Relu\nDocumenté",
            estimate_hours=Decimal(hours),
            **extra,
        )
        if publish:
            task = services.task_publish(lead=fabien, task=task)
        return task

    return make
