"""HTML views of the impact app: parse, check access, call a service, render."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relais.accounts.models import Organisation, OrganisationKind, Role
from relais.bench import access as bench_access
from relais.bench.models import Mission, MissionStatus
from relais.core.errors import ServiceError
from relais.core.forms import copy_errors, flash_error, signed_in_user
from relais.core.public_cache import public_page
from relais.impact import access, calendar, charts, documents, selectors, services, signing
from relais.impact.forms import (
    ArgumentForm,
    ChallengeForm,
    PreferenceForm,
    RevokeForm,
    StoryForm,
    VerifyForm,
    WordsForm,
)
from relais.impact.models import Argument, Challenge, Credential, MissionWords, Preference, Story
from relais.projects.models import Project

LANGUAGES = ("fr", "en")


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    return asked if asked in LANGUAGES else (get_language() or "fr")[:2]


def _pdf_response(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _charts(figures: selectors.Figures) -> list[charts.Chart]:
    month = "%m/%Y"
    return [
        charts.bar_chart(
            "days",
            _("Days given, by month"),
            [(m.strftime(month), n) for m, n in figures.days_by_month],
        ),
        charts.bar_chart(
            "tasks",
            _("Tasks done, by month"),
            [(m.strftime(month), n) for m, n in figures.tasks_by_month],
        ),
        charts.bar_chart("causes", _("Projects served, by cause"), figures.causes),
    ]


def _dashboard(request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    figures = context["figures"]
    return render(request, template, {**context, "charts": _charts(figures)})


# --- Dashboards -------------------------------------------------------------------------------


@require_GET
def public_dashboard(request: HttpRequest) -> HttpResponse:
    """What the platform achieved, for anyone: projects, causes, days given, tasks done (the
    page cached for anonymous visitors until a figure it shows changes)."""

    def context() -> dict[str, Any]:
        figures = selectors.public_figures()
        return {
            "figures": figures,
            "charts": _charts(figures),
            "stories": Story.objects.select_related("project")[:3],
            "challenges": Challenge.objects.filter(end__gte=timezone.localdate())[:5],
        }

    return public_page(request, "impact/public.html", context, versions=[selectors.PUBLIC_IMPACT])


@login_required
@require_GET
def firm_dashboard(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    firm = access.firm_get_for_reports(signed_in_user(request), organisation_pk)
    return _dashboard(
        request,
        "impact/scope.html",
        figures=selectors.firm_figures(firm),
        scope=firm,
        csr=True,
    )


@login_required
@require_GET
def nonprofit_dashboard(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    nonprofit = access.nonprofit_get_for_reports(signed_in_user(request), organisation_pk)
    return _dashboard(
        request,
        "impact/scope.html",
        figures=selectors.nonprofit_figures(nonprofit),
        scope=nonprofit,
    )


@login_required
@require_GET
def circle_dashboard(request: HttpRequest, circle_pk: int) -> HttpResponse:
    circle = access.circle_get_for_member(signed_in_user(request), circle_pk)
    figures = selectors.people_figures(
        f"circle:{circle_pk}", selectors.circle_member_ids(circle_pk)
    )
    return _dashboard(request, "impact/scope.html", figures=figures, scope=circle)


@login_required
@require_GET
def operator_dashboard(request: HttpRequest) -> HttpResponse:
    if not signed_in_user(request).is_operator_staff:
        raise PermissionDenied
    return _dashboard(
        request,
        "impact/operator.html",
        figures=selectors.public_figures(),
        rows=selectors.operator_rows(),
    )


# --- CSR report -------------------------------------------------------------------------------


@login_required
@require_GET
def csr_report(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    firm = access.firm_get_for_reports(signed_in_user(request), organisation_pk)
    return render(request, "impact/csr_page.html", {"r": selectors.csr_report(firm), "firm": firm})


@login_required
@require_GET
def csr_report_pdf(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    firm = access.firm_get_for_reports(signed_in_user(request), organisation_pk)
    language = _language(request)
    return _pdf_response(
        documents.csr_report_pdf(firm, language), f"csr-report-{firm.pk}-{language}.pdf"
    )


# --- Credentials and certificates -------------------------------------------------------------


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    """The operator's public keys (retired ones included), as a JWK set."""
    response = JsonResponse(signing.jwks())
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def issuer(request: HttpRequest) -> JsonResponse:
    """The issuer's Open Badges profile."""
    return JsonResponse(
        {
            "@context": [selectors.VC2_CONTEXT, selectors.OB3_CONTEXT],
            "id": selectors.issuer_url(),
            "type": ["Profile"],
            "name": selectors.operator_name(),
            "url": request.build_absolute_uri("/"),
        }
    )


@require_GET
def status_list(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(selectors.status_list())
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


def _verification(jws: str) -> dict[str, Any]:
    verified = signing.verify(jws)
    credential = None
    if verified.payload is not None:
        identifier = str(verified.payload.get("id", ""))
        if identifier.startswith("urn:uuid:"):
            try:
                credential = Credential.objects.filter(public_id=identifier[9:]).first()
            except Exception:
                credential = None
    revoked = credential is not None and credential.revoked_at is not None
    return {
        "verified": verified,
        "revoked": revoked,
        "known": credential is not None,
        "subject": (verified.payload or {}).get("credentialSubject") if verified.valid else None,
        "document": json.dumps(verified.payload, indent=2, ensure_ascii=False)
        if verified.valid
        else "",
    }


@require_http_methods(["GET", "POST"])
def credential_verify(request: HttpRequest) -> HttpResponse:
    """Anyone pastes a credential: whether its signature holds and whether it is revoked."""
    form = VerifyForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = _verification(form.cleaned_data["jws"])
    return render(request, "impact/verify.html", {"form": form, "result": result})


@require_GET
def credential_public(request: HttpRequest, credential_id: Any) -> HttpResponse:
    """A credential opened by its id: its verification, as anyone would see it."""
    credential = access.credential_get_public(credential_id)
    user = request.user
    may_revoke = (
        user.is_authenticated
        and credential.revoked_at is None
        and (user.is_operator_staff or credential.consultant_id == user.pk)
    )
    return render(
        request,
        "impact/credential.html",
        {
            "credential": credential,
            "result": _verification(credential.jws),
            "may_revoke": may_revoke,
            "revoke_form": RevokeForm(),
        },
    )


@login_required
@require_POST
def credential_revoke(request: HttpRequest, credential_id: Any) -> HttpResponse:
    user = signed_in_user(request)
    credential = access.credential_get_for_user(user, credential_id)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.credential_revoke(
                actor=user, credential=credential, reason=form.cleaned_data["reason"]
            )
        except ServiceError as error:
            flash_error(request, error)
        else:
            messages.success(request, _("The credential is revoked."))
    return redirect("impact:credential", credential_id=credential.public_id)


@login_required
@require_GET
def my_credentials(request: HttpRequest) -> HttpResponse:
    """A consultant's credentials, the missions they may ask one for, and their milestones."""
    user = signed_in_user(request)
    page = Paginator(
        access.credentials_for(user).filter(consultant=user).select_related("mission__project"),
        20,
    ).get_page(request.GET.get("page"))
    missions = (
        Mission.objects.filter(
            consultant=user, status__in=[MissionStatus.ACTIVE, MissionStatus.ENDED]
        )
        .select_related("project")
        .order_by("-start", "-id")[:50]
    )
    return render(
        request,
        "impact/my_credentials.html",
        {"page": page, "missions": missions, "milestones": selectors.milestones(user)},
    )


@login_required
@require_POST
def credential_issue(request: HttpRequest, mission_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    mission = bench_access.mission_get_for_user(user, mission_pk)
    try:
        credential = services.credential_issue(consultant=user, mission=mission)
    except ServiceError as error:
        flash_error(request, error)
        return redirect("impact:my_credentials")
    messages.success(request, _("Your credential is issued."))
    return redirect("impact:credential", credential_id=credential.public_id)


@login_required
@require_GET
def certificate_pdf(request: HttpRequest, mission_pk: int) -> HttpResponse:
    """The consultant's certificate for a mission that started: the consultant, their firm's
    admins, the project's field lead and nonprofit admins, operator staff."""
    mission = bench_access.mission_get_for_user(signed_in_user(request), mission_pk)
    if mission.status not in (MissionStatus.ACTIVE, MissionStatus.ENDED):
        raise Http404
    language = _language(request)
    return _pdf_response(
        documents.certificate_pdf(mission, language), f"certificate-{mission.pk}-{language}.pdf"
    )


@login_required
@require_http_methods(["GET", "POST"])
def mission_words(request: HttpRequest, mission_pk: int) -> HttpResponse:
    """The field lead writes their words on a consultant's mission."""
    user = signed_in_user(request)
    mission = bench_access.mission_get_for_user(user, mission_pk)
    if mission.project.field_lead_id != user.pk:
        raise PermissionDenied
    instance = MissionWords.objects.filter(mission=mission).first()
    form = WordsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.mission_words_save(
                lead=user,
                mission=mission,
                text=form.cleaned_data["text"],
                quotable=form.cleaned_data["quotable"],
            )
        except ServiceError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Your words are saved."))
            return redirect("impact:lead_missions")
    return render(request, "impact/words.html", {"form": form, "mission": mission})


@login_required
@require_GET
def lead_missions(request: HttpRequest) -> HttpResponse:
    """The missions on the projects the person leads, to write their words on each."""
    missions = (
        Mission.objects.filter(
            project__field_lead=signed_in_user(request),
            status__in=[MissionStatus.ACTIVE, MissionStatus.ENDED],
        )
        .select_related("consultant", "project")
        .order_by("-start", "-id")
    )
    page = Paginator(missions, 20).get_page(request.GET.get("page"))
    words = set(
        MissionWords.objects.filter(mission__in=list(page)).values_list("mission_id", flat=True)
    )
    return render(request, "impact/lead_missions.html", {"page": page, "words": words})


# --- Animation --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    preference = services.preference_of(user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        services.preference_update(
            user=user,
            on_leaderboards=form.cleaned_data["on_leaderboards"],
            weekly_digest=form.cleaned_data["weekly_digest"],
        )
        messages.success(request, _("Your choices are saved."))
        return redirect("impact:preferences")
    return render(
        request,
        "impact/preferences.html",
        {
            "form": form,
            "calendar_url": request.build_absolute_uri(
                reverse("impact:calendar", args=[preference.calendar_token])
            ),
            "milestones": selectors.milestones(user),
        },
    )


@login_required
@require_POST
def calendar_reset(request: HttpRequest) -> HttpResponse:
    services.calendar_token_reset(user=signed_in_user(request))
    messages.success(request, _("Your calendar has a new address; the old one no longer works."))
    return redirect("impact:preferences")


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A consultant's missions and task deadlines as iCalendar, at a secret address."""
    preference = Preference.objects.select_related("user").filter(calendar_token=token).first()
    if preference is None or not preference.user.is_active:
        raise Http404
    response = HttpResponse(
        calendar.feed(preference.user), content_type="text/calendar; charset=utf-8"
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def leaderboard(request: HttpRequest) -> HttpResponse:
    return render(request, "impact/leaderboard.html", {"standings": selectors.leaderboard()})


@require_http_methods(["GET", "POST"])
def challenges(request: HttpRequest) -> HttpResponse:
    """The seasonal challenges; operator staff set new ones here."""
    user = request.user
    is_staff = user.is_authenticated and user.is_operator_staff
    if request.method == "POST" and not is_staff:
        raise PermissionDenied
    form = ChallengeForm(request.POST or None) if is_staff else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            services.challenge_create(staff=user, **form.cleaned_data)  # type: ignore[arg-type]
        except ServiceError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The challenge is set."))
            return redirect("impact:challenges")
    page = Paginator(Challenge.objects.all(), 20).get_page(request.GET.get("page"))
    return render(request, "impact/challenges.html", {"page": page, "form": form})


@require_GET
def challenge_detail(request: HttpRequest, challenge_pk: int) -> HttpResponse:
    challenge = Challenge.objects.filter(pk=challenge_pk).first()
    if challenge is None:
        raise Http404
    standings = selectors.challenge_standings(challenge)
    chart = charts.bar_chart("standings", challenge.title, [(s.name, s.value) for s in standings])
    return render(request, "impact/challenge.html", {"challenge": challenge, "chart": chart})


@require_GET
def stories(request: HttpRequest) -> HttpResponse:
    page = Paginator(Story.objects.select_related("project", "author"), 10).get_page(
        request.GET.get("page")
    )
    return render(request, "impact/stories.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def story_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    project = Project.objects.filter(pk=project_pk, field_lead=user).first()
    if project is None:
        raise Http404
    form = StoryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.story_create(lead=user, project=project, **form.cleaned_data)
        except ServiceError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Your story is published."))
            return redirect("impact:stories")
    return render(request, "impact/story_form.html", {"form": form, "project": project})


# --- The argument kit -------------------------------------------------------------------------


def _my_firms(user: Any) -> Any:
    return Organisation.objects.filter(
        kind=OrganisationKind.FIRM,
        memberships__user=user,
        memberships__role__in=[Role.CONSULTANT, Role.FIRM_ADMIN],
    ).distinct()


@login_required
@require_http_methods(["GET", "POST"])
def kit(request: HttpRequest) -> HttpResponse:
    """A consultant enters their firm's figures (or picks their firm) and gets a one-pager."""
    user = signed_in_user(request)
    firms = _my_firms(user)
    form = ArgumentForm(request.POST or None, firms=firms)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        firm = data.pop("firm")
        name = data.pop("firm_name").strip() or (firm.name if firm else "")
        figures = {k: str(v) for k, v in data.items()}
        try:
            argument = services.argument_create(
                user=user, firm=firm, firm_name=name, figures=figures
            )
        except ServiceError as error:
            copy_errors(form, error)
        else:
            return redirect("impact:argument", token=argument.token)
    return render(request, "impact/kit.html", {"form": form})


def _argument(token: str) -> Argument:
    argument = Argument.objects.select_related("firm").filter(token=token).first()
    if argument is None:
        raise Http404
    return argument


@require_GET
def argument(request: HttpRequest, token: str) -> HttpResponse:
    """The one-pager, for anyone holding its link: no account needed."""
    found = _argument(token)
    response = render(
        request,
        "impact/argument.html",
        {"a": selectors.argument_content(found), "argument": found},
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def argument_pdf(request: HttpRequest, token: str) -> HttpResponse:
    found = _argument(token)
    language = _language(request)
    return _pdf_response(documents.argument_pdf(found, language), f"relais-{language}.pdf")
