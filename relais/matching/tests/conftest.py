from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from relais.bench.models import BenchPeriod, BenchStatus, ConsultantProfile, ConsultantSkill
from relais.core.models import Skill
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.work import services as work_services


def skill(slug: str) -> Skill:
    return Skill.objects.get_or_create(slug=slug, defaults={"name_fr": slug, "name_en": slug})[0]


def on_bench(user, firm, skills=None, *, opt_out=False):  # type: ignore[no-untyped-def]
    """The consultant's profile with these skills ({slug: level}) and a bench period open today."""
    profile, _created = ConsultantProfile.objects.get_or_create(user=user, defaults={"firm": firm})
    profile.matching_opt_out = opt_out
    profile.save()
    for slug, level in (skills or {}).items():
        ConsultantSkill.objects.create(profile=profile, skill=skill(slug), level=level)
    BenchPeriod.objects.create(
        consultant=user, firm=firm, start=timezone.localdate(), status=BenchStatus.OPEN
    )
    return profile


@pytest.fixture
def project(les_amis, fabien):
    return ProjectFactory(
        nonprofit=les_amis, field_lead=fabien, status=ProjectStatus.ACTIVE, title="Carte"
    )


@pytest.fixture
def make_task(project, fabien):
    def make(title="Écrire le guide", skills=(), priority=2, target=None):  # type: ignore[no-untyped-def]
        task = work_services.task_create(
            lead=fabien,
            project=target or project,
            title=title,
            brief="Le contexte.",
            acceptance_criteria="Relu",
            estimate_hours=Decimal(6),
            skills=[skill(s) for s in skills],
            priority=priority,
        )
        return work_services.task_publish(lead=fabien, task=task)

    return make
