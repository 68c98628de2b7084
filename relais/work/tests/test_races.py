"""The races of the work side, proven with real concurrent connections on PostgreSQL: two pages
with one title, two 13-hour entries for one day."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from relais.accounts.models import Role
from relais.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from relais.bench.tests.helpers import mission_started
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.work import services
from relais.work.models import KnowledgePage, TimeEntry
from relais.work.tests.test_concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]


def active_project(email, rna):
    lead = UserFactory(email=email)
    nonprofit = OrganisationFactory(kind="nonprofit", siren="", rna=rna)
    MembershipFactory(user=lead, organisation=nonprofit, role=Role.FIELD_LEAD)
    project = ProjectFactory(nonprofit=nonprofit, field_lead=lead, status=ProjectStatus.ACTIVE)
    return lead, project


def test_ten_pages_created_at_once_with_one_title_all_get_their_own_address():
    lead, project = active_project("lead-pages@amis.example", "W753333333")

    results = run_together(
        [
            lambda n=n: services.page_save(
                author=lead, project=project, title="Accès au serveur", body=f"Version {n}"
            )
            for n in range(10)
        ]
    )

    assert [r for r in results if not isinstance(r, KnowledgePage)] == []
    slugs = sorted(KnowledgePage.objects.filter(project=project).values_list("slug", flat=True))
    assert len(slugs) == 10
    assert len(set(slugs)) == 10
    assert "acces-au-serveur" in slugs


def test_two_six_hour_entries_for_one_day_cannot_both_be_stored():
    """At most 10 hours of work a day (L3121-18), even when both entries arrive together."""
    lead, project = active_project("lead-hours@amis.example", "W754444444")
    consultant = MembershipFactory(role=Role.CONSULTANT, user__email="hours@esn.example").user
    mission_started(consultant, project)
    tasks = []
    for n in range(2):
        task = services.task_create(
            lead=lead,
            project=project,
            title=f"Tâche {n}",
            brief="b",
            acceptance_criteria="c",
            estimate_hours=Decimal(20),
        )
        task = services.task_publish(lead=lead, task=task)
        services.task_claim(consultant=consultant, task=task)
        tasks.append(task)
    today = timezone.localdate()

    results = run_together(
        [
            lambda t=t: services.time_log(
                consultant=consultant, task=t, date=today, hours=Decimal(6)
            )
            for t in tasks
        ]
    )

    stored = [r for r in results if isinstance(r, TimeEntry)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(stored) == 1
    assert len(refused) == 1
    assert "10" in " ".join(refused[0].messages)
    logged = TimeEntry.objects.filter(claim__consultant=consultant, date=today)
    assert sum(e.hours for e in logged) == Decimal(6)
