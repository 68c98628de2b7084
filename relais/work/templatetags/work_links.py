"""Links that depend on who looks: each person is sent to a project page they may open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template
from django.urls import reverse

from relais.projects import access as project_access

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from relais.accounts.models import User
    from relais.projects.models import Project

register = template.Library()


@register.simple_tag
def project_overview_url(user: User | AnonymousUser, project: Project) -> str:
    """The project's overview for this person: the workspace when they may open it, otherwise
    its public page (or the board, while the project is not public)."""
    if project_access.can_open_workspace(user, project):
        return reverse("projects:workspace", kwargs={"project_pk": project.pk})
    if project.is_public:
        return reverse("projects:project_detail", kwargs={"project_pk": project.pk})
    return reverse("work:board", kwargs={"project_pk": project.pk})
