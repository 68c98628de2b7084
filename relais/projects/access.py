"""The only way views and the API fetch projects and diagnoses for a user.

Public projects (accepted, active, paused, completed) are readable by anyone; the rest only by
the nonprofit's members, the project's field lead and operator staff. What a user may not see is
reported as missing (404).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404

from relais.accounts.models import Role
from relais.projects.models import PUBLIC_STATUSES, Diagnosis, Project, ProjectImage
from relais.projects.workflow import Actor

if TYPE_CHECKING:
    from relais.accounts.models import User


def public_projects() -> QuerySet[Project]:
    return Project.objects.filter(status__in=PUBLIC_STATUSES)


def actors_for(user: User | AnonymousUser, project: Project) -> set[Actor]:
    """The workflow roles the user holds on this project."""
    if not user.is_authenticated:
        return set()
    actors = set()
    if user.has_role(project.nonprofit_id, ["nonprofit_admin"]):
        actors.add(Actor.OWNER)
    if project.field_lead_id == user.pk:
        actors.add(Actor.FIELD_LEAD)
    if user.is_operator_staff:
        actors.add(Actor.STAFF)
    return actors


def is_lead(user: User, project: Project) -> bool:
    """Whether the user leads the project's work: its field lead, an admin of its nonprofit, or
    operator staff."""
    return (
        project.field_lead_id == user.pk
        or user.has_role(project.nonprofit_id, [Role.NONPROFIT_ADMIN])
        or user.is_operator_staff
    )


def _is_insider(user: User | AnonymousUser, project: Project) -> bool:
    if not user.is_authenticated:
        return False
    return (
        user.belongs_to(project.nonprofit_id)
        or project.field_lead_id == user.pk
        or user.is_operator_staff
    )


def can_open_workspace(user: User | AnonymousUser, project: Project) -> bool:
    """Whether the user may open the project's workspace: its nonprofit's members, its field
    lead and operator staff (consultants of the team work from the board)."""
    return _is_insider(user, project)


def project_get_public(pk: int) -> Project:
    """A public project, for anyone."""
    project = public_projects().select_related("nonprofit", "field_lead").filter(pk=pk).first()
    if project is None:
        raise Http404
    return project


def project_get_for_user(user: User | AnonymousUser, pk: int, *, manage: bool = False) -> Project:
    """A project of the user's workspace; with manage=True, one they may edit (owner or staff)."""
    project = Project.objects.select_related("nonprofit", "field_lead").filter(pk=pk).first()
    if project is None or not _is_insider(user, project):
        raise Http404
    if manage and not actors_for(user, project) & {Actor.OWNER, Actor.STAFF}:
        raise PermissionDenied
    return project


def project_get_readable(user: User | AnonymousUser, pk: int) -> Project:
    """A project the user may read: public, or of their workspace."""
    project = Project.objects.select_related("nonprofit", "field_lead").filter(pk=pk).first()
    if project is None or not (project.is_public or _is_insider(user, project)):
        raise Http404
    return project


def project_image_get_for_user(
    user: User | AnonymousUser, project_pk: int, pk: int
) -> ProjectImage:
    project = project_get_readable(user, project_pk)
    image = project.images.filter(pk=pk).first()
    if image is None:
        raise Http404
    return image


def diagnosis_get_for_user(user: User | AnonymousUser, public_id: str) -> Diagnosis:
    """A diagnosis designated by its unguessable id (the link its author was given); once it
    belongs to a nonprofit, only that nonprofit's members and operator staff may open it."""
    try:
        diagnosis = Diagnosis.objects.get(public_id=public_id)
    except (Diagnosis.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    if diagnosis.organisation_id is not None:
        allowed = user.is_authenticated and (
            user.belongs_to(diagnosis.organisation_id) or user.is_operator_staff
        )
        if not allowed:
            raise Http404
    return diagnosis
