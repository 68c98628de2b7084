"""The pages that span every app: the public home, each person's dashboard by role, the legal
pages and each person's data (download, erasure)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from relais.accounts import selectors
from relais.accounts.models import Organisation, OrganisationKind, Role
from relais.bench import selectors as bench_selectors
from relais.bench.models import BenchPeriod, BenchStatus, MissionStatus
from relais.billing.selectors import billing_to_dos
from relais.campaigns.selectors import juries_to_grade, votes_to_cast
from relais.core.errors import ServiceError
from relais.core.forms import copy_errors, signed_in_user
from relais.funding.selectors import funding_to_dos
from relais.matching import selectors as matching_selectors
from relais.projects import selectors as project_selectors
from relais.projects.models import ProjectStatus
from relais.site import privacy, services
from relais.site.forms import ErasureForm, LegalPageForm
from relais.site.models import LegalPage, LegalPageKind
from relais.work.models import Claim

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
    # One query for the bench periods the page shows: requests to the firms the user administers
    # (their to-do) and the user's own current periods (as a consultant).
    administered_firms = [m.organisation.pk for m in memberships if Role.FIRM_ADMIN in m.roles]
    periods = list(
        BenchPeriod.objects.filter(
            Q(firm_id__in=administered_firms, status=BenchStatus.REQUESTED)
            | Q(consultant=user, status__in=[BenchStatus.REQUESTED, BenchStatus.OPEN])
        )
        .select_related("consultant", "firm")
        .order_by("start", "id")[:200]
    )
    bench_requests = [
        p for p in periods if p.firm_id in administered_firms and p.status == BenchStatus.REQUESTED
    ]
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
            "to_start": [
                p
                for p in projects
                if p.nonprofit_id == m.organisation.pk and p.status == ProjectStatus.ACCEPTED
            ],
            "bench_requests": [p for p in bench_requests if p.firm_id == m.organisation.pk]
            if Role.FIRM_ADMIN in m.roles
            else [],
        }
        for m in memberships
    ]
    context: dict[str, object] = {
        "entries": entries,
        "roles": roles,
        "Role": Role,
        "OrganisationKind": OrganisationKind,
        "my_missions": missions.mine,
        "to_agree": [x for x in missions.mine if x.status == MissionStatus.ACCEPTED],
    }
    # Circles: invitations to accept, a mandate to sign, a returned debit, a pool too low.
    context["funding"] = funding_to_dos(user)
    context["billing"] = billing_to_dos(user)
    # Calls for projects: open votes where the user is an elector and has not voted yet.
    context["votes_to_cast"] = list(votes_to_cast(user)[:20])
    context["juries_to_grade"] = list(juries_to_grade(user)[:20])
    if Role.CONSULTANT in roles:
        context["my_periods"] = [p for p in periods if p.consultant_id == user.pk]
        context["my_claims"] = list(
            Claim.objects.filter(consultant=user, ended_at__isnull=True)
            .select_related("task__project")
            .order_by("started_at")
        )
        context["my_suggestions"] = [
            {"suggestion": x, "reasons": matching_selectors.explain(x)}
            for x in matching_selectors.offered_to(user)[:1]
        ]
    if Role.OPERATOR_STAFF in roles:
        context["organisation_counts"] = {
            kind.label: Organisation.objects.filter(kind=kind).count()
            for kind in (OrganisationKind.FIRM, OrganisationKind.NONPROFIT)
        }
        context["review_count"] = project_selectors.review_queue().count()
        context["firms_to_verify"] = selectors.firms_awaiting_verification().count()
        context["sponsorship_to_verify"] = selectors.nonprofits_awaiting_sponsorship_check().count()
    return render(request, "site/dashboard.html", context)


# --- Legal pages --------------------------------------------------------------------------


def _legal_text(kind: str, language: str) -> tuple[str, LegalPage | None]:
    page = LegalPage.objects.filter(kind=kind, language=language).first()
    if page is not None:
        return page.body, page
    return services.legal_page_default(kind, language), None


def _legal_page(request: HttpRequest, kind: LegalPageKind) -> HttpResponse:
    language = translation.get_language() or settings.LANGUAGE_CODE
    language = language.split("-")[0]
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    body, page = _legal_text(kind, language)
    return render(
        request,
        "site/legal_page.html",
        {"title": kind.label, "body": body, "page": page, "kind": kind},
    )


@require_GET
def privacy_notice(request: HttpRequest) -> HttpResponse:
    return _legal_page(request, LegalPageKind.PRIVACY)


@require_GET
def legal_notice(request: HttpRequest) -> HttpResponse:
    return _legal_page(request, LegalPageKind.LEGAL)


def _require_staff(request: HttpRequest) -> User:
    user = signed_in_user(request)
    if not user.is_operator_staff:
        raise Http404
    return user


@login_required
@require_GET
def legal_pages(request: HttpRequest) -> HttpResponse:
    """Operator staff's list of the legal pages, each per language; nobody else learns it exists."""
    _require_staff(request)
    written = {(p.kind, p.language): p for p in LegalPage.objects.select_related("updated_by")}
    rows = [
        {
            "kind": kind,
            "language": code,
            "language_name": name,
            "page": written.get((kind.value, code)),
        }
        for kind in LegalPageKind
        for code, name in settings.LANGUAGES
    ]
    return render(request, "site/legal_pages.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def legal_page_edit(request: HttpRequest, kind: str, language: str) -> HttpResponse:
    """Operator staff write a legal page in one language; nobody else learns it exists."""
    staff = _require_staff(request)
    if kind not in LegalPageKind.values or language not in dict(settings.LANGUAGES):
        raise Http404
    body, page = _legal_text(kind, language)
    form = LegalPageForm(request.POST or None, initial={"body": body})
    if request.method == "POST" and form.is_valid():
        try:
            services.legal_page_save(
                staff=staff,
                kind=kind,
                language=language,
                body=form.cleaned_data["body"],
                request=request,
            )
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The page is saved."))
            return redirect("site:legal_pages")
    return render(
        request,
        "site/legal_page_form.html",
        {
            "form": form,
            "kind": LegalPageKind(kind),
            "language_name": dict(settings.LANGUAGES)[language],
            "page": page,
        },
    )


# --- My data ------------------------------------------------------------------------------


@login_required
@require_GET
def my_data(request: HttpRequest) -> HttpResponse:
    """What Relais holds about the person, how to download it and how to erase the account."""
    user = signed_in_user(request)
    return render(
        request,
        "site/my_data.html",
        {"refusal": privacy.erasure_refusal(user), "erase_form": ErasureForm()},
    )


@login_required
@require_GET
def my_data_download(request: HttpRequest) -> HttpResponse:
    """Everything Relais holds about the person, as a JSON file (audited)."""
    data = privacy.personal_data_export(user=signed_in_user(request), request=request)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="relais-my-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_erase(request: HttpRequest) -> HttpResponse:
    """The person erases their account after confirming their password, unless the law requires
    keeping it for now (the page says why and until when)."""
    user = signed_in_user(request)
    form = ErasureForm(request.POST or None)
    refusal = privacy.erasure_refusal(user)
    if request.method == "POST" and form.is_valid():
        try:
            privacy.account_erase(
                user=user, password=form.cleaned_data["password"], request=request
            )
        except (ValidationError, ServiceError) as error:
            copy_errors(form, error)
        else:
            logout(request)
            messages.success(request, _("Your account is erased. Thank you for your help."))
            return redirect("site:home")
    return render(request, "site/account_erase.html", {"form": form, "refusal": refusal})
