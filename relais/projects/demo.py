"""Demo projects in every state of the workflow, two of them active with their field leads.

Built through the services, as a nonprofit and the operator would; a project that already exists
(same nonprofit, same title) is left as it is, so running the seed twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from relais.accounts.models import Membership, Organisation, Role, User
from relais.core.models import Cause, Language, Skill
from relais.projects import services
from relais.projects.models import Licence, Project
from relais.projects.models import ProjectStatus as S
from relais.projects.workflow import REVIEW_CHECKLIST

# The path through the workflow that leads to each final state.
PATHS: dict[S, list[S]] = {
    S.DRAFT: [],
    S.SUBMITTED: [S.SUBMITTED],
    S.CHANGES_REQUESTED: [S.SUBMITTED, S.CHANGES_REQUESTED],
    S.ACCEPTED: [S.SUBMITTED, S.ACCEPTED],
    S.ACTIVE: [S.SUBMITTED, S.CHANGES_REQUESTED, S.SUBMITTED, S.ACCEPTED, S.ACTIVE],
    S.PAUSED: [S.SUBMITTED, S.ACCEPTED, S.ACTIVE, S.PAUSED],
    S.COMPLETED: [S.SUBMITTED, S.ACCEPTED, S.ACTIVE, S.COMPLETED],
    S.REJECTED: [S.SUBMITTED, S.REJECTED],
    S.WITHDRAWN: [S.WITHDRAWN],
    S.ARCHIVED: [S.SUBMITTED, S.REJECTED, S.ARCHIVED],
}

# Staff accept only with every point of the checklist met.
FULL_CHECKLIST = {key: True for key, _label in REVIEW_CHECKLIST}
COMMENTS = {
    S.CHANGES_REQUESTED: "Pouvez-vous détailler comment le travail se découpe en tâches de moins "
    "de 48 heures, et la disponibilité hebdomadaire de la référente ?",
    S.REJECTED: "Le projet représente moins d'une année-personne de travail : il serait mieux "
    "servi par une mission courte.",
}


@dataclass(frozen=True)
class DemoProject:
    nonprofit: str
    title: str
    status: S
    effort_days: int
    causes: tuple[str, ...]
    skills: tuple[str, ...]
    summary: str


PROJECTS = (
    DemoProject(
        "Les Jardins Partagés du Nord",
        "Carte collaborative des jardins partagés",
        S.ACTIVE,
        320,
        ("environment-climate", "poverty-inclusion"),
        ("python", "gis", "frontend", "ux-design"),
        "Une carte ouverte où chaque jardin partagé de la région publie ses parcelles libres, "
        "ses récoltes à partager et ses ateliers, pour que les habitants sans jardin y trouvent "
        "leur place.",
    ),
    DemoProject(
        "Fondation Lire Ensemble",
        "Liseuse accessible pour les enfants dyslexiques",
        S.ACTIVE,
        440,
        ("education", "digital-inclusion"),
        ("javascript", "accessibility", "mobile", "testing"),
        "Une application de lecture qui adapte police, espacement et synthèse vocale à chaque "
        "enfant, utilisée dans les ateliers de soutien scolaire de la fondation.",
    ),
    DemoProject(
        "Réseau Santé Solidaire",
        "Suivi des maraudes sanitaires",
        S.ACCEPTED,
        260,
        ("health", "poverty-inclusion"),
        ("backend", "mobile", "security"),
        "Un outil simple, hors ligne d'abord, pour que les équipes de maraude notent les besoins "
        "de soins rencontrés et orientent vers les permanences.",
    ),
    DemoProject(
        "Voix Citoyennes",
        "Consultations citoyennes ouvertes",
        S.SUBMITTED,
        380,
        ("democracy-civic-life",),
        ("python", "frontend", "accessibility"),
        "Une plateforme libre de consultation pour les communes rurales : propositions, débats "
        "modérés et restitution publique.",
    ),
    DemoProject(
        "Ponts Nord-Sud",
        "Système d'information des coopératives partenaires",
        S.CHANGES_REQUESTED,
        500,
        ("global-south",),
        ("databases", "backend", "business-analysis"),
        "Un système de gestion des stocks et des ventes pour les coopératives agricoles "
        "partenaires, pensé pour des connexions intermittentes.",
    ),
    DemoProject(
        "Les Jardins Partagés du Nord",
        "Observatoire du compost de quartier",
        S.PAUSED,
        230,
        ("environment-climate",),
        ("data", "python"),
        "Mesurer les tonnes de déchets détournées par les composteurs de quartier et publier "
        "les résultats chaque mois.",
    ),
    DemoProject(
        "Fondation Lire Ensemble",
        "Catalogue des bibliothèques de rue",
        S.COMPLETED,
        240,
        ("culture", "education"),
        ("php", "frontend"),
        "Le catalogue commun des boîtes à livres et bibliothèques de rue, avec signalement des "
        "boîtes vides.",
    ),
    DemoProject(
        "Réseau Santé Solidaire",
        "Annuaire des permanences d'accès aux soins",
        S.DRAFT,
        300,
        ("health",),
        ("frontend", "data"),
        "Un annuaire à jour des permanences d'accès aux soins de santé, consultable par les "
        "travailleurs sociaux.",
    ),
    DemoProject(
        "Voix Citoyennes",
        "Application de pétitions locales",
        S.REJECTED,
        80,
        ("democracy-civic-life",),
        ("mobile",),
        "Une petite application de pétitions pour les associations de quartier.",
    ),
    DemoProject(
        "Ponts Nord-Sud",
        "Nouveau site vitrine",
        S.WITHDRAWN,
        40,
        ("global-south",),
        ("frontend",),
        "La refonte du site de présentation de l'association.",
    ),
    DemoProject(
        "Les Jardins Partagés du Nord",
        "Fichier des bénévoles",
        S.ARCHIVED,
        120,
        ("environment-climate",),
        ("databases",),
        "Un fichier partagé des bénévoles et de leurs disponibilités.",
    ),
)


def seed_projects(staff: User) -> None:
    french = list(Language.objects.filter(slug="fr"))
    for demo in PROJECTS:
        nonprofit = Organisation.objects.get(kind="nonprofit", name=demo.nonprofit)
        if Project.objects.filter(nonprofit=nonprofit, title=demo.title).exists():
            continue
        admin = (
            Membership.objects.filter(organisation=nonprofit, role=Role.NONPROFIT_ADMIN)
            .select_related("user")
            .first()
        )
        lead = (
            Membership.objects.filter(organisation=nonprofit, role=Role.FIELD_LEAD)
            .select_related("user")
            .first()
        )
        assert admin is not None
        assert lead is not None
        project = services.project_create(
            user=admin.user,
            nonprofit=nonprofit,
            causes=Cause.objects.filter(slug__in=demo.causes),
            skills=Skill.objects.filter(slug__in=demo.skills),
            languages=french,
            title=demo.title,
            summary=demo.summary,
            problem="Aujourd'hui, tout repose sur des tableurs et des appels téléphoniques : "
            "l'information se perd et les bénévoles s'épuisent.",
            beneficiaries="Les habitants et les bénévoles accompagnés par l'association.",
            deliverables="Une application libre, documentée, hébergée par l'association, et un "
            "guide de prise en main.",
            effort_days=demo.effort_days,
            field_lead=lead.user,
            licence=Licence.AGPL,
        )
        for target in PATHS[demo.status]:
            owner_steps = {S.SUBMITTED, S.WITHDRAWN}
            actor = admin.user if target in owner_steps else staff
            services.project_transition(
                project=project,
                actor=actor,
                target=target,
                comment=COMMENTS.get(target, ""),
                checklist=FULL_CHECKLIST if target == S.ACCEPTED else None,
                notify=False,  # past history: nobody is told today
            )
