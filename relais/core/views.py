"""Layout pages: the public home, the dashboard by role, and the error pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from relais.accounts import selectors
from relais.accounts.models import Organisation, OrganisationKind, Role

if TYPE_CHECKING:
    from relais.accounts.models import User


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:dashboard")
    return render(request, "core/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    entries = selectors.memberships_by_organisation(user)
    roles = {role for entry in entries for role in entry.roles}
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
    return render(request, "core/dashboard.html", context)
