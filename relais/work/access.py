"""The only way views and the API fetch work objects (tasks, pages, onboarding) for a user.

A project's work is visible to its nonprofit's members, its field lead, the consultants of its
team (past members keep reading what they worked on) and operator staff. Leading the work
(writing the backlog, reviewing, the knowledge base and onboarding kit) is for the field lead,
the nonprofit's admins and operator staff. What a user may not see is reported as missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.http import Http404

from relais.projects.access import is_lead as is_lead
from relais.projects.models import Project
from relais.work.models import Handover, KnowledgePage, OnboardingStep, Task, TeamMember

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from relais.accounts.models import User


def is_team_member(user: User, project: Project, *, current: bool = True) -> bool:
    members = TeamMember.objects.filter(project=project, user=user)
    if current:
        members = members.filter(left_at__isnull=True)
    return members.exists()


def can_read(user: User | AnonymousUser, project: Project) -> bool:
    if not user.is_authenticated:
        return False
    if is_lead(user, project):
        return True
    if user.belongs_to(project.nonprofit_id):
        return True
    return is_team_member(user, project, current=False)


def project_get_for_user(user: User | AnonymousUser, pk: int, *, lead: bool = False) -> Project:
    project = Project.objects.select_related("nonprofit", "field_lead").filter(pk=pk).first()
    if project is None or not can_read(user, project):
        raise Http404
    if lead and not is_lead(user, project):  # type: ignore[arg-type]
        raise PermissionDenied
    return project


def task_get_for_user(user: User | AnonymousUser, pk: int, *, lead: bool = False) -> Task:
    task = (
        Task.objects.select_related("project__nonprofit", "project__field_lead")
        .filter(pk=pk)
        .first()
    )
    if task is None or not can_read(user, task.project):
        raise Http404
    if lead and not is_lead(user, task.project):  # type: ignore[arg-type]
        raise PermissionDenied
    return task


def page_get_for_user(
    user: User | AnonymousUser, project_pk: int, slug: str, *, lead: bool = False
) -> KnowledgePage:
    project = project_get_for_user(user, project_pk, lead=lead)
    page = (
        KnowledgePage.objects.filter(project=project, slug=slug).select_related("project").first()
    )
    if page is None:
        raise Http404
    return page


def onboarding_step_get_for_user(
    user: User | AnonymousUser, project_pk: int, pk: int, *, lead: bool = False
) -> OnboardingStep:
    project = project_get_for_user(user, project_pk, lead=lead)
    step = OnboardingStep.objects.filter(project=project, pk=pk).select_related("project").first()
    if step is None:
        raise Http404
    return step


def handover_get_for_user(user: User | AnonymousUser, pk: int) -> Handover:
    handover = Handover.objects.select_related("task__project", "claim").filter(pk=pk).first()
    if handover is None or not can_read(user, handover.task.project):
        raise Http404
    return handover


def team_member_get_for_user(user: User | AnonymousUser, project_pk: int, pk: int) -> TeamMember:
    project = project_get_for_user(user, project_pk, lead=True)
    member = (
        TeamMember.objects.filter(project=project, pk=pk).select_related("project", "user").first()
    )
    if member is None:
        raise Http404
    return member
