"""The impact demo data, through the services: the demo consultant's credential for their
mission, the field lead's words on it, an impact story and a challenge between firms."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from relais.accounts.demo import DEMO_ACCOUNTS
from relais.accounts.models import Role, User
from relais.bench.models import Mission, MissionStatus
from relais.impact import services
from relais.impact.models import Challenge, Contenders, Credential, Metric, Story


def seed_impact() -> None:
    consultant = User.objects.get(email=DEMO_ACCOUNTS[Role.CONSULTANT])
    staff = User.objects.get(email=DEMO_ACCOUNTS[Role.OPERATOR_STAFF])
    started = Mission.objects.filter(
        status__in=[MissionStatus.ENDED, MissionStatus.ACTIVE], start__isnull=False
    ).select_related("project__field_lead", "consultant")
    mission = (
        started.filter(consultant=consultant).order_by("status", "pk").first()
        or started.order_by("status", "pk").first()
    )
    if mission is not None:
        lead = mission.project.field_lead
        if lead is not None:
            services.mission_words_save(
                lead=lead,
                mission=mission,
                text=(
                    "Des tâches livrées à temps, des passations claires : l'équipe a pu "
                    "reprendre le travail sans rien perdre."
                ),
                quotable=True,
            )
            if not Story.objects.exists():
                services.story_create(
                    lead=lead,
                    project=mission.project,
                    title="Ce que le projet a changé",
                    body=(
                        "Grâce au temps d'intercontrat prêté par les ESN, **l'association** "
                        "a un outil qui tient la route, documenté pour la suite."
                    ),
                )
        if not Credential.objects.filter(mission=mission, revoked_at__isnull=True).exists():
            services.credential_issue(consultant=mission.consultant, mission=mission)
    if not Challenge.objects.exists():
        today = timezone.localdate()
        services.challenge_create(
            staff=staff,
            title="Défi d'automne entre ESN",
            metric=Metric.TASKS_DONE,
            contenders=Contenders.FIRMS,
            start=today - dt.timedelta(days=30),
            end=today + dt.timedelta(days=30),
        )
