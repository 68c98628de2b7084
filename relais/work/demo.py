"""Demo work for the two active demo projects: a backlog of 30+ tasks with dependencies, a
knowledge base with a start-here page, an onboarding kit; then, once the firm side has started
their missions (the only way into a team), past claims of the team with their time logs and
handovers (written and drafted). Built through the services; a project that already has tasks
(or claims) is left as it is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import holidays
from django.utils import timezone

from relais.accounts.models import Role, User
from relais.core.models import Skill
from relais.projects.models import Project, ProjectStatus
from relais.work import services
from relais.work.models import Claim, ClaimEnd, Task, TaskStatus, TeamMember

# (title, hours, skills, indexes of the tasks it depends on, label)
BACKLOG = [
    ("Écrire le guide d'installation locale", 6, ["technical-writing"], [], "good first task"),
    ("Choisir et documenter le modèle de données", 12, ["databases", "business-analysis"], [], ""),
    ("Créer le schéma de base de données", 10, ["databases", "backend"], [1], ""),
    ("Importer les données existantes des tableurs", 16, ["data", "python"], [2], ""),
    ("API de lecture des fiches", 14, ["backend", "python"], [2], ""),
    ("API d'écriture avec validation", 18, ["backend", "python"], [4], ""),
    ("Authentification des bénévoles", 16, ["backend", "security"], [2], ""),
    ("Gabarit de page accessible", 8, ["frontend", "accessibility"], [], "good first task"),
    ("Page de liste avec filtres", 12, ["frontend"], [4, 7], ""),
    ("Page de détail d'une fiche", 8, ["frontend"], [4, 7], ""),
    ("Formulaire de saisie d'une fiche", 14, ["frontend", "ux-design"], [5, 7], ""),
    ("Carte interactive des fiches", 20, ["frontend", "gis"], [4], ""),
    ("Recherche plein texte", 12, ["backend", "databases"], [4], ""),
    ("Export CSV pour les bénévoles", 6, ["backend"], [4], "good first task"),
    ("Tests de bout en bout du parcours de saisie", 12, ["testing"], [10], ""),
    ("Audit d'accessibilité RGAA des pages", 16, ["accessibility"], [8, 9, 10], ""),
    ("Corriger les écarts d'accessibilité", 20, ["frontend", "accessibility"], [15], ""),
    ("Intégration continue", 6, ["devops"], [], "good first task"),
    ("Déploiement sur l'hébergement de l'association", 12, ["devops"], [17], ""),
    ("Sauvegardes et restauration testée", 8, ["devops", "security"], [18], ""),
    ("Journal des modifications des fiches", 10, ["backend"], [5], ""),
    ("Notifications par e-mail des nouvelles fiches", 10, ["backend"], [5], ""),
    ("Tableau de bord d'activité pour l'association", 16, ["data", "frontend"], [4], ""),
    ("Guide de prise en main pour les bénévoles", 8, ["technical-writing", "training"], [10], ""),
    ("Atelier de formation des bénévoles", 6, ["training"], [23], ""),
    ("Version mobile du formulaire", 14, ["mobile", "frontend"], [10], ""),
    ("Mode hors ligne de la saisie", 24, ["mobile", "frontend"], [25], ""),
    ("Revue de sécurité de l'API", 12, ["security"], [5, 6], ""),
    ("Politique de confidentialité et RGPD", 8, ["business-analysis"], [], ""),
    ("Statistiques publiques anonymisées", 12, ["data", "backend"], [22], ""),
    ("Documentation de l'API", 6, ["technical-writing", "backend"], [5], "good first task"),
    ("Plan de passation à l'équipe de l'association", 6, ["project-management"], [18, 23], ""),
]

START_HERE = """# Commencer ici

Bienvenue ! Ce projet est piloté par la référente terrain ; posez vos questions dans les
commentaires des tâches, elle répond chaque semaine.

## Le problème
Aujourd'hui, tout passe par des tableurs partagés et des appels : l'information se perd.

## Où est le travail
- Le code : le dépôt indiqué sur la page du projet.
- Les décisions : la page « Décisions » de cette base.

## Votre première heure
1. Lisez cette page et le guide d'installation.
2. Faites tourner le projet sur votre machine.
3. Prenez une tâche marquée *good first task*.
"""

DECISIONS = """# Décisions

- Le projet est publié sous licence AGPL : ce qui est construit reste réutilisable.
- Les données personnelles des bénévoles ne quittent pas l'hébergement de l'association.
"""


def demo_teams() -> list[tuple[Project, list[User]]]:
    """Who the demo puts on which active project: three consultants each on the first two. The
    firm side starts their missions, which gives them their place in the team."""
    consultants = list(User.objects.filter(memberships__role=Role.CONSULTANT).order_by("email")[:6])
    projects = Project.objects.filter(status=ProjectStatus.ACTIVE).order_by("pk")
    return [(project, consultants[i * 3 : i * 3 + 3]) for i, project in enumerate(projects[:2])]


def seed_work() -> None:
    for project in Project.objects.filter(status=ProjectStatus.ACTIVE).select_related("field_lead"):
        if project.tasks.exists() or project.field_lead is None:
            continue
        lead = project.field_lead
        start = services.page_save(
            author=lead, project=project, title="Commencer ici", body=START_HERE, is_start_here=True
        )
        decisions = services.page_save(
            author=lead, project=project, title="Décisions", body=DECISIONS
        )
        services.page_save(
            author=lead,
            project=project,
            title="Décisions",
            body=DECISIONS + "- Les pages sont accessibles (RGAA niveau AA).\n",
            summary="Ajout de la décision sur l'accessibilité",
            page=decisions,
        )
        for kind, title, page in [
            ("read", "Lire la page « Commencer ici »", start),
            ("read", "Lire les décisions", decisions),
            ("access", "Demander l'accès au dépôt de code", None),
            ("run", "Faire tourner le projet en local", None),
        ]:
            services.onboarding_step_add(
                lead=lead, project=project, kind=kind, title=title, page=page
            )

        tasks: list[Task] = []
        for title, hours, skills, needs, label in BACKLOG:
            task = services.task_create(
                lead=lead,
                project=project,
                title=title,
                brief=f"**Contexte** : voir la page « Commencer ici ».\n\n{title}.",
                acceptance_criteria="Le travail est relu\nLa documentation est à jour",
                estimate_hours=Decimal(hours),
                skills=Skill.objects.filter(slug__in=skills),
                dependencies=[tasks[i] for i in needs],
                pages=[start],
                labels=[label] if label else [],
            )
            tasks.append(task)
        for task in tasks:
            services.task_publish(lead=lead, task=task)


def seed_work_history() -> None:
    """Past work of each demo team whose three missions started (run after the firm side)."""
    for project, team in demo_teams():
        members = set(
            TeamMember.objects.filter(project=project, left_at__isnull=True).values_list(
                "user_id", flat=True
            )
        )
        if project.field_lead is None or len(team) < 3 or {u.pk for u in team} - members:
            continue
        if Claim.objects.filter(task__project=project, consultant__in=team).exists():
            continue
        tasks = list(project.tasks.order_by("position"))
        if len(tasks) < 8 or tasks[0].status != TaskStatus.READY:
            continue
        _past_work(project, project.field_lead, team, tasks)


def _last_working_day(today: dt.date) -> dt.date:
    """Today or the latest weekday before it that is not a public holiday: no time is logged
    on rest days unless the firm allows it."""
    day = today
    while day.weekday() >= 5 or day in holidays.France(years=day.year):
        day -= dt.timedelta(days=1)
    return day


def _past_work(project: Project, lead: User, team: list[User], tasks: list[Task]) -> None:
    """A finished task started by one consultant and finished by another, a lapsed claim with
    its drafted handover, and a task in progress."""
    first, second, third = team
    guide, model = tasks[0], tasks[1]
    now = timezone.now()
    today = _last_working_day(timezone.localdate())
    before = now - dt.timedelta(days=6)

    services.task_claim(consultant=first, task=guide)
    Claim.objects.filter(task=guide).update(started_at=before)
    services.time_log(
        consultant=first,
        task=guide,
        date=today,
        hours=Decimal(3),
        note="Premières étapes écrites, reste la base de données",
    )
    services.task_release(
        consultant=first,
        task=guide,
        done="Installation des dépendances et lancement du serveur décrits.",
        state="La partie base de données n'est pas écrite.",
        next_step="Décrire la création de la base et le chargement des données de démo.",
        links="docs/installation.md",
    )
    services.task_claim(consultant=second, task=guide)
    Claim.objects.filter(task=guide, ended_at__isnull=True).update(started_at=before)
    services.time_log(consultant=second, task=guide, date=today, hours=Decimal(2))
    services.task_submit(consultant=second, task=guide)
    services.task_accept(lead=lead, task=guide)

    services.task_claim(consultant=third, task=model)
    Claim.objects.filter(task=model, ended_at__isnull=True).update(started_at=before)
    services.time_log(
        consultant=third,
        task=model,
        date=today,
        hours=Decimal("4.5"),
        note="Entités principales identifiées avec l'association",
    )
    idle = Claim.objects.get(task=model, ended_at__isnull=True)
    Claim.objects.filter(pk=idle.pk).update(last_activity_at=now - dt.timedelta(days=10))
    # Past history: the claim lapsed without telling anyone today (no email at first start).
    services.claim_end_with_handover(claim=idle, reason=ClaimEnd.LAPSED, at=now, notify=False)

    services.task_claim(consultant=first, task=tasks[7])


def claim_started_on(claim: Claim, day: dt.date) -> None:
    """Dates a demo claim back to 9:00 on a past day (the history the demo tells happened then)."""
    Claim.objects.filter(pk=claim.pk).update(
        started_at=timezone.make_aware(dt.datetime.combine(day, dt.time(9)))
    )
