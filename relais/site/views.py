"""The pages that span every app: the public home and each person's dashboard by role."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from relais.accounts import selectors
from relais.accounts.models import Organisation, OrganisationKind, Role
from relais.bench import selectors as bench_selectors
from relais.projects import selectors as project_selectors

if TYPE_CHECKING:
    from relais.accounts.models import User


def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("site:dashboard")
    return render(request, "site/home.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    memberships = selectors.memberships_by_organisation(user)
    roles = {role for entry in memberships for role in entry.roles}
    projects = list(
        project_selectors.workspace_projects(user, [m.organisation.pk for m in memberships])
    )
    missions = bench_selectors.mission_to_dos(user)
    entries = [
        {
            "organisation": m.organisation,
            "to_draw_up": [
                x for x in missions.to_draw_up if x.bench_period.firm_id == m.organisation.pk
            ],
            "to_accept": [
                x for x in missions.to_accept if x.project.nonprofit_id == m.organisation.pk
            ],
            "new_on_team": [
                x for x in missions.new_on_team if x.project.nonprofit_id == m.organisation.pk
            ],
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
        "my_missions": missions.mine,
    }
    if Role.OPERATOR_STAFF in roles:
        context["organisation_counts"] = {
            kind.label: Organisation.objects.filter(kind=kind).count()
            for kind in (OrganisationKind.FIRM, OrganisationKind.NONPROFIT)
        }
        context["review_count"] = project_selectors.review_queue().count()
        context["firms_to_verify"] = selectors.firms_awaiting_verification().count()
    return render(request, "site/dashboard.html", context)
