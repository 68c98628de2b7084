"""HTML views of the firm side: parse, check access, call a service, render."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relais.accounts.models import Organisation, Role
from relais.bench import access, returns, roster, selectors, services
from relais.bench.forms import (
    BenchPeriodForm,
    BenchRequestForm,
    EstimateForm,
    ProfileForm,
    RecallForm,
    RosterUploadForm,
    TermsForm,
)
from relais.bench.models import (
    BenchPeriod,
    BenchStatus,
    ConsultantProfile,
    LendingMode,
    Mission,
    MissionStatus,
    Recall,
)
from relais.bench.workflow import (
    BENCH_STEPS,
    ON_BENCH,
    WAITING_FOR,
    BenchActor,
    BenchStep,
    MissionActor,
    MissionStep,
    bench_steps_for,
    steps_for,
)
from relais.core.errors import ServiceError
from relais.core.forms import copy_errors, error_messages, flash_error, signed_in_user
from relais.projects.access import public_projects
from relais.projects.models import ProjectStatus
from relais.work.models import Handover

if TYPE_CHECKING:
    pass


_ROSTER_SALT = "relais.bench.roster"


def _period_steps(periods: Iterable[BenchPeriod], actors: set[BenchActor]) -> dict[str, set[int]]:
    """Each step of the bench-period table → the periods on which these roles may take it: the
    buttons of each row (`{% if period.pk in can.recall %}`)."""
    periods = list(periods)
    recalled = set(
        Recall.objects.filter(bench_period__in=periods).values_list("bench_period_id", flat=True)
    )
    can: dict[str, set[int]] = {str(name): set() for name in BenchStep}
    for period in periods:
        for step in bench_steps_for(period.status, actors, recalled=period.pk in recalled):
            can[str(step.name)].add(period.pk)
    return can


@login_required
@require_GET
def firm_dashboard(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    firm = access.firm_get_for_admin(user, organisation_pk, read=True)
    terms = selectors.terms_at(firm, timezone.localdate())
    on_bench = selectors.on_bench_now(firm)
    is_firm_admin = user.has_role(firm.pk, [Role.FIRM_ADMIN])
    return render(
        request,
        "bench/firm_dashboard.html",
        {
            "firm": firm,
            "terms": terms,
            "on_bench": on_bench,
            "year": selectors.firm_year(firm),
            "requests": firm.bench_periods.filter(
                status__in=BENCH_STEPS[BenchStep.APPROVE].sources
            ).select_related("consultant"),
            "is_firm_admin": is_firm_admin,
            "can": _period_steps(on_bench, {BenchActor.FIRM} if is_firm_admin else set()),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def terms_edit(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    firm = access.firm_get_for_admin(user, organisation_pk)
    current = selectors.terms_at(firm, timezone.localdate())
    initial: dict[str, Any] = {}
    if current is not None:
        initial = {
            "mode": current.mode,
            "fee_rate": current.fee_rate,
            "max_bench_days_per_year": current.max_bench_days_per_year,
            "preferred_causes": current.preferred_causes.all(),
            "headcount": current.headcount,
            "bench_rate": current.bench_rate,
            "average_tjm_cents": current.average_tjm_cents / 100,
            "average_daily_cost_cents": current.average_daily_cost_cents / 100,
            "turnover_cents": current.turnover_cents / 100,
        }
    form = TermsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.firm_terms_set(
                admin=user, firm=firm, preferred_causes=data.pop("preferred_causes"), **data
            )
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Terms saved: missions that start from today take them."))
            return redirect("bench:firm_dashboard", organisation_pk=firm.pk)
    return render(
        request,
        "bench/terms_form.html",
        {"firm": firm, "form": form, "history": firm.terms.all()[:10]},
        status=400 if form.errors else 200,
    )


@require_GET
def estimate(request: HttpRequest) -> HttpResponse:
    """The return estimate a sales rep shows in a meeting: public, nothing stored."""
    form = EstimateForm(request.GET or None)
    result = None
    if form.is_valid():
        data = dict(form.cleaned_data)
        year = returns.tax_year(data.pop("year"))
        result = returns.estimate(year=year, **data)
    return render(
        request, "bench/estimate.html", {"form": form, "result": result, "LendingMode": LendingMode}
    )


@login_required
@require_http_methods(["GET", "POST"])
def roster_view(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    firm = access.firm_get_for_admin(user, organisation_pk)
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    check = None
    plans: list[roster.RowPlan] = []
    payload = ""
    file_error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check = roster.check(upload, upload.name)
        except roster.RosterFileError as error:
            file_error = str(error)
        else:
            if not check.errors:
                # The preview and the import run the same plan: a row refused here is refused
                # there, with the same words.
                plans = roster.plan(firm, check.rows)
                check.errors.extend(
                    (p.row.line, p.error) for p in plans if p.outcome == roster.Outcome.REFUSED
                )
            if not check.errors:
                payload = signing.dumps(
                    [row.as_dict() for row in check.rows], salt=_ROSTER_SALT, compress=True
                )
    profiles = (
        ConsultantProfile.objects.filter(firm=firm)
        .select_related("user")
        .order_by("user__last_name")
    )
    status = 400 if (form.errors or file_error or (check and check.errors)) else 200
    return render(
        request,
        "bench/roster.html",
        {
            "firm": firm,
            "form": form,
            "check": check,
            "payload": payload,
            "plans": plans,
            "max_rows": roster.MAX_ROWS,
            "emails": sum(
                p.outcome in (roster.Outcome.CREATED, roster.Outcome.INVITED) for p in plans
            ),
            "file_error": file_error,
            "profiles": profiles,
        },
        status=status,
    )


@login_required
@require_POST
def roster_apply(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    firm = access.firm_get_for_admin(user, organisation_pk)
    try:
        data = signing.loads(request.POST.get("payload", ""), salt=_ROSTER_SALT, max_age=3600)
        rows = [roster.RosterRow(**row) for row in data]
    except (signing.BadSignature, TypeError, json.JSONDecodeError):
        messages.error(
            request, _("This preview has expired or was altered: upload the file again.")
        )
        return redirect("bench:roster", organisation_pk=firm.pk)
    accept_url = request.build_absolute_uri(
        reverse("accounts:invitation_accept", kwargs={"token": "__token__"})
    )
    try:
        counts = services.roster_apply(
            admin=user, firm=firm, rows=rows, accept_url=accept_url, request=request
        )
    except (ServiceError, ValidationError) as error:
        flash_error(request, error)
        return redirect("bench:roster", organisation_pk=firm.pk)
    messages.success(
        request,
        _(
            "Roster imported: %(created)s added, %(invited)s invited, %(updated)s updated, "
            "%(unchanged)s unchanged, %(awaiting)s already invited."
        )
        % counts,
    )
    return redirect("bench:roster", organisation_pk=firm.pk)


@login_required
@require_http_methods(["GET", "POST"])
def bench_periods(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    firm = access.firm_get_for_admin(user, organisation_pk)
    form = BenchPeriodForm(request.POST or None, firm=firm)
    if request.method == "POST" and form.is_valid():
        try:
            services.bench_period_open(admin=user, firm=firm, **form.cleaned_data)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Bench period opened."))
            return redirect("bench:bench_periods", organisation_pk=firm.pk)
    periods = (
        BenchPeriod.objects.filter(firm=firm)
        .select_related("consultant", "recall")
        .prefetch_related("missions__project")
    )
    return render(
        request,
        "bench/bench_periods.html",
        {
            "firm": firm,
            "form": form,
            "periods": periods,
            "can": _period_steps(periods, {BenchActor.FIRM}),
            "recall_form": RecallForm(),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def bench_period_decide(request: HttpRequest, period_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    period = access.bench_period_get_for_user(user, period_pk, admin=True)
    try:
        services.bench_period_decide(
            admin=user, period=period, approve=request.POST.get("decision") == "approve"
        )
    except (ServiceError, ValidationError) as error:
        flash_error(request, error)
    return redirect("bench:bench_periods", organisation_pk=period.firm_id)


@login_required
@require_POST
def bench_period_recall(request: HttpRequest, period_pk: int) -> HttpResponse:
    """One click: the consultant goes back to a client. Never refused."""
    user = signed_in_user(request)
    period = access.bench_period_get_for_user(user, period_pk, admin=True)
    form = RecallForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("effective_date", [])))
        return redirect("bench:bench_periods", organisation_pk=period.firm_id)
    effective = form.cleaned_data.get("effective_date")
    try:
        recall = services.bench_period_recall(actor=user, period=period, effective_date=effective)
    except (ServiceError, ValidationError) as error:
        flash_error(request, error)
        return redirect("bench:bench_periods", organisation_pk=period.firm_id)
    messages.success(
        request,
        _(
            "%(name)s is recalled from %(date)s; %(count)s task(s) went back to the backlog "
            "with a handover."
        )
        % {
            "name": period.consultant.display_name,
            "date": date_format(recall.effective_date, "SHORT_DATE_FORMAT"),
            "count": len(recall.released_tasks),
        },
    )
    return redirect("bench:bench_periods", organisation_pk=period.firm_id)


@login_required
@require_http_methods(["GET", "POST"])
def my_bench(request: HttpRequest) -> HttpResponse:
    """The consultant's own bench: periods, request, missions, and what a recall left behind."""
    user = signed_in_user(request)
    firms = user.organisation_ids(Role.CONSULTANT)
    if not firms:
        raise Http404
    form = BenchRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        firm = Organisation.objects.get(pk=firms[0])
        try:
            services.bench_period_request(consultant=user, firm=firm, **form.cleaned_data)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Request sent to your firm."))
            return redirect("bench:my_bench")
    periods = BenchPeriod.objects.filter(consultant=user).select_related("firm", "recall")
    missions = Mission.objects.filter(consultant=user).select_related("project", "bench_period")
    on_bench = any(
        BenchStatus(p.status) in ON_BENCH
        and p.start <= timezone.localdate()
        and (p.end is None or p.end >= timezone.localdate())
        for p in periods
    )
    firm_unverified = Organisation.objects.filter(pk__in=firms, verified_at__isnull=True).exists()
    joinable = (
        public_projects().filter(status=ProjectStatus.ACTIVE).select_related("nonprofit")
        if on_bench and not firm_unverified
        else []
    )
    drafted = Handover.objects.filter(
        claim__consultant=user, drafted_automatically=True, amended_at__isnull=True
    ).select_related("task")
    return render(
        request,
        "bench/my_bench.html",
        {
            "form": form,
            "periods": periods,
            "missions": missions,
            "joinable": joinable,
            "drafted": drafted,
            "on_bench": on_bench,
            "firm_unverified": firm_unverified,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def mission_join(request: HttpRequest, project_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    project = public_projects().filter(pk=project_pk).first()
    if project is None:
        raise Http404
    try:
        mission = services.mission_create(consultant=user, project=project, request=request)
    except (ServiceError, ValidationError) as error:
        flash_error(request, error)
        return redirect("bench:my_bench")
    messages.success(
        request,
        _(
            "Mission requested: it starts once your firm has drawn up the loan agreement, the "
            "nonprofit has accepted it and you have agreed to it."
        ),
    )
    return redirect("bench:mission", mission_pk=mission.pk)


def _mission_page(
    request: HttpRequest, mission: Mission, *, refusal_error: str = "", status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    actors = set()
    if user.has_role(mission.bench_period.firm_id, [Role.FIRM_ADMIN]):
        actors.add(MissionActor.FIRM)
    if user.has_role(mission.project.nonprofit_id, [Role.NONPROFIT_ADMIN]):
        actors.add(MissionActor.BENEFICIARY)
    if mission.consultant_id == user.pk:
        actors.add(MissionActor.CONSULTANT)
    steps = {step.name for actor in actors for step in steps_for(mission.status, actor)}
    return render(
        request,
        "bench/mission.html",
        {
            "mission": mission,
            "is_firm_admin": MissionActor.FIRM in actors,
            "is_beneficiary": MissionActor.BENEFICIARY in actors,
            "is_consultant": MissionActor.CONSULTANT in actors,
            "can_draw_up": MissionStep.DRAW_UP in steps,
            "can_accept": MissionStep.ACCEPT in steps,
            "can_refuse": MissionStep.REFUSE in steps,
            "can_consent": MissionStep.CONSENT in steps,
            "waiting_for": WAITING_FOR.get(MissionStatus(mission.status), ""),
            # What the page says about the mission's state, from the workflow table.
            "is_refused": mission.status == MissionStatus.REFUSED,
            "is_started": mission.status == MissionStatus.ACTIVE,
            "is_pending": MissionStatus(mission.status) in WAITING_FOR,
            "refusal_error": refusal_error,
            "reason": request.POST.get("reason", "") if refusal_error else "",
        },
        status=status,
    )


@login_required
@require_GET
def mission_detail(request: HttpRequest, mission_pk: int) -> HttpResponse:
    mission = access.mission_get_for_user(signed_in_user(request), mission_pk)
    return _mission_page(request, mission)


@login_required
@require_POST
def mission_agreement(request: HttpRequest, mission_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    mission = access.mission_get_for_user(user, mission_pk)
    try:
        services.mission_agreement_draw_up(admin=user, mission=mission, request=request)
    except (ServiceError, ValidationError) as error:
        flash_error(request, error)
    else:
        messages.success(
            request,
            _("The loan agreement is drawn up. The nonprofit is asked to accept the mission."),
        )
    return redirect("bench:mission", mission_pk=mission.pk)


@login_required
@require_POST
def mission_accept(request: HttpRequest, mission_pk: int) -> HttpResponse:
    """The nonprofit that owns the project accepts the mission and its loan agreement."""
    user = signed_in_user(request)
    mission = access.mission_get_for_user(user, mission_pk)
    try:
        services.mission_beneficiary_accept(admin=user, mission=mission, request=request)
    except (ServiceError, ValidationError) as error:
        flash_error(request, error)
    else:
        messages.success(
            request, _("Mission accepted. The consultant is asked for their written agreement.")
        )
    return redirect("bench:mission", mission_pk=mission.pk)


@login_required
@require_POST
def mission_refuse(request: HttpRequest, mission_pk: int) -> HttpResponse:
    """The nonprofit that owns the project refuses the mission, saying why."""
    user = signed_in_user(request)
    mission = access.mission_get_for_user(user, mission_pk)
    try:
        services.mission_beneficiary_refuse(
            admin=user, mission=mission, reason=request.POST.get("reason", ""), request=request
        )
    except ValidationError as error:
        return _mission_page(
            request, mission, refusal_error=" ".join(error_messages(error)), status=400
        )
    except ServiceError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("Mission refused. The consultant and their firm are told."))
    return redirect("bench:mission", mission_pk=mission.pk)


@login_required
@require_POST
def mission_consent(request: HttpRequest, mission_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    mission = access.mission_get_for_user(user, mission_pk)
    if request.POST.get("agree") != "yes":
        messages.error(request, _("Tick the box to give your written agreement."))
        return redirect("bench:mission", mission_pk=mission.pk)
    try:
        services.mission_consent(consultant=user, mission=mission, request=request)
    except (ServiceError, ValidationError) as error:
        flash_error(request, error)
    else:
        messages.success(
            request, _("Your agreement is recorded: the mission has started, you are on the team.")
        )
    return redirect("bench:mission", mission_pk=mission.pk)


@login_required
@require_GET
def mission_agreement_pdf(request: HttpRequest, mission_pk: int) -> HttpResponse:
    """The loan agreement as a PDF (Code du travail L8241-2, R8241-2)."""
    from weasyprint import HTML

    user = signed_in_user(request)
    mission = access.mission_get_for_user(user, mission_pk)
    if mission.agreement_generated_at is None:
        raise Http404
    html = render_to_string(
        "bench/agreement.html", {"mission": mission, "terms": mission.terms}, request=request
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="convention-{mission.agreement_number}.pdf"'
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def my_profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    firms = user.organisation_ids(Role.CONSULTANT)
    if not firms:
        raise Http404
    # Reading the page creates nothing: an unsaved profile until the first save.
    profile = ConsultantProfile.objects.filter(user=user).first() or ConsultantProfile(
        user=user, firm=Organisation.objects.get(pk=firms[0])
    )
    initial: dict[str, Any] = {"bio": profile.bio, "matching_opt_out": profile.matching_opt_out}
    if profile.pk:
        initial["causes"] = profile.causes.all()
        initial["languages"] = profile.languages.all()
        initial.update(
            {f"skill_{s.skill.slug}": s.level for s in profile.skills.select_related("skill")}
        )
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.profile_update(
            user=user,
            profile=profile,
            bio=form.cleaned_data["bio"],
            matching_opt_out=form.cleaned_data["matching_opt_out"],
            causes=form.cleaned_data["causes"],
            languages=form.cleaned_data["languages"],
            skills=form.skill_levels(),
        )
        messages.success(request, _("Profile saved."))
        return redirect("bench:my_profile")
    return render(
        request,
        "bench/profile.html",
        {"form": form, "profile": profile},
        status=400 if form.errors else 200,
    )
