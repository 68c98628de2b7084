"""Layout pages: the public home, the dashboard by role, and the error pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from relais.accounts import selectors
from relais.accounts.models import Organisation, OrganisationKind, Role
from relais.projects import selectors as project_selectors

if TYPE_CHECKING:
    from relais.accounts.models import User


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    return render(request, "core/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    memberships = selectors.memberships_by_organisation(user)
    roles = {role for entry in memberships for role in entry.roles}
    projects = list(
        project_selectors.workspace_projects(user, [m.organisation.pk for m in memberships])
    )
    entries = [
        {
            "organisation": m.organisation,
            "roles": m.roles,
            "projects": [p for p in projects if p.nonprofit_id == m.organisation.pk],
            "led": [
                p
                for p in projects
                if p.nonprofit_id == m.organisation.pk and p.field_lead_id == user.pk
            ],
        }
        for m in memberships
    ]
    context: dict[str, object] = {
        "entries": entries,
        "roles": roles,
        "Role": Role,
        "OrganisationKind": OrganisationKind,
    }
    if Role.OPERATOR_STAFF in roles:
        context["organisation_counts"] = {
            kind.label: Organisation.objects.filter(kind=kind).count()
            for kind in (OrganisationKind.FIRM, OrganisationKind.NONPROFIT)
        }
        context["review_count"] = project_selectors.review_queue().count()
    return render(request, "core/dashboard.html", context)
