"""HTML views of the firm side: parse, check access, call a service, render."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relais.accounts.models import Organisation, Role, User
from relais.bench import access, documents, limits, returns, roster, selectors, services
from relais.bench.forms import (
    AbsenceForm,
    BenchPeriodDatesForm,
    BenchPeriodForm,
    BenchRequestForm,
    ConsultantCostForm,
    EstimateForm,
    FiscalYearEndForm,
    FiscalYearForm,
    MissionAcceptForm,
    MissionConsentForm,
    MissionMentionsForm,
    ProfileForm,
    RecallForm,
    RosterUploadForm,
    TermsForm,
)
from relais.bench.models import (
    Absence,
    BenchPeriod,
    BenchStatus,
    ConsultantProfile,
    DocumentKind,
    LendingMode,
    Mission,
    MissionStatus,
    Recall,
)
from relais.bench.workflow import (
    BENCH_STEPS,
    ON_BENCH,
    STEPS,
    WAITING_FOR,
    BenchActor,
    BenchStep,
    MissionActor,
    MissionStep,
    bench_steps_for,
    steps_for,
)
from relais.core.errors import ServiceError
from relais.core.exports import spreadsheet_row
from relais.core.forms import copy_errors, error_messages, flash_error, signed_in_user
from relais.core.mail import absolute_url
from relais.core.models import Skill
from relais.core.paging import page_of
from relais.core.templatetags.relais_money import cents_to_units
from relais.projects.access import public_projects
from relais.projects.models import Project, ProjectStatus
from relais.work import access as work_access
from relais.work.forms import InviteForm
from relais.work.models import Handover

if TYPE_CHECKING:
    from relais.bench.models import FirmTerms


_ROSTER_SALT = "relais.bench.roster"


def _period_steps(periods: Iterable[BenchPeriod], actors: set[BenchActor]) -> dict[str, set[int]]:
    """Each step of the bench-period table → the periods on which these roles may take it: the
    buttons of each row (`{% if period.pk in can.recall %}`)."""
    periods = list(periods)
    recalled = set(
        Recall.objects.filter(bench_period__in=periods).values_list("bench_period_id", flat=True)
    )
    can: dict[str, set[int]] = {str(name): set() for name in BenchStep}
    today = timezone.localdate()
    for period in periods:
        for step in bench_steps_for(
            period.status, actors, recalled=period.pk in recalled, started=period.start <= today
        ):
            can[str(step.name)].add(period.pk)
    return can


# Requests to answer shown on the firm's dashboard (all of them on the bench periods page).
REQUESTS_SHOWN = 10
# Accepted projects about to start, shown on "my bench" (the project list has them all).
STARTING_SHOWN = 10


@login_required
@require_GET
def firm_dashboard(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    firm = access.firm_get_for_admin(user, organisation_pk, read=True)
    terms = selectors.terms_at(firm, timezone.localdate())
    on_bench, query = page_of(request, selectors.on_bench_now(firm).order_by("-start", "-id"))
    requests = firm.bench_periods.filter(
        status__in=BENCH_STEPS[BenchStep.APPROVE].sources
    ).select_related("consultant")
    is_firm_admin = user.has_role(firm.pk, [Role.FIRM_ADMIN])
    try:
        year = selectors.firm_year_cached(firm)
    except returns.TaxYearMissing as missing:
        # No figure computed with another year's parameters: the reason is shown instead.
        year = selectors.FirmYear(selectors.current_fiscal_year(firm), error=str(missing))
    return render(
        request,
        "bench/firm_dashboard.html",
        {
            "firm": firm,
            "terms": terms,
            "estimate_query": _estimate_query(terms, year.year) if terms else "",
            "on_bench": on_bench.object_list,
            "page": on_bench,
            "query": query,
            "year": year,
            # The oldest requests first, a few: the bench periods page lists them all.
            "requests": requests.order_by("start", "id")[:REQUESTS_SHOWN],
            "requests_count": requests.count(),
            "is_firm_admin": is_firm_admin,
            "can": _period_steps(
                on_bench.object_list, {BenchActor.FIRM} if is_firm_admin else set()
            ),
        },
    )


def _estimate_query(terms: FirmTerms, year: int) -> str:
    """The estimate's query string from the firm's terms, in locale-independent numbers (a
    French page must not write "6,00", which the form would refuse)."""
    return urlencode(
        {
            "mode": str(terms.mode),
            "headcount": str(terms.headcount),
            "bench_rate": str(terms.bench_rate),
            "tjm_cents": cents_to_units(terms.average_tjm_cents),
            "daily_cost_cents": cents_to_units(terms.average_daily_cost_cents),
            "turnover_cents": cents_to_units(terms.turnover_cents),
            "fee_rate": str(terms.fee_rate),
            "year": str(year),
        }
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
        try:
            year = returns.tax_year(data.pop("year"))
        except returns.TaxYearMissing as missing:
            # Never another year's parameters: the visitor reads why there is no figure.
            form.add_error("year", str(missing))
        else:
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
    profiles, query = page_of(
        request,
        ConsultantProfile.objects.filter(firm=firm)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "id"),
    )
    # Skills shown by their names in the reader's language, not by their codes.
    skill_names = {
        skill.slug: str(skill)
        for skill in Skill.objects.filter(slug__in={s for p in plans for s in p.row.skills})
    }
    previews = [(p, ", ".join(skill_names.get(s, s) for s in p.row.skills)) for p in plans]
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
            "previews": previews,
            "max_rows": roster.MAX_ROWS,
            "emails": sum(
                p.outcome in (roster.Outcome.CREATED, roster.Outcome.INVITED) for p in plans
            ),
            "file_error": file_error,
            "profiles": profiles.object_list,
            "page": profiles,
            "query": query,
        },
        status=status,
    )


@login_required
@require_GET
def roster_template(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """The roster template to fill in (CSV, headers in the reader's language)."""
    access.firm_get_for_admin(signed_in_user(request), organisation_pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="relais-roster.csv"'
    response.write("\ufeff")  # a BOM: Excel then reads the accents right
    writer = csv.writer(response, delimiter=";" if translation.get_language() == "fr" else ",")
    for row in roster.template_rows(translation.get_language() or "en"):
        writer.writerow(spreadsheet_row(row))
    return response


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
    accept_url = absolute_url(reverse("accounts:invitation_accept", kwargs={"token": "__token__"}))
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
            services.bench_period_open(admin=user, firm=firm, **form.period_fields())
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Bench period opened."))
            return redirect("bench:bench_periods", organisation_pk=firm.pk)
    page, query = page_of(
        request,
        BenchPeriod.objects.filter(firm=firm)
        .select_related("consultant", "recall")
        .prefetch_related("missions__project")
        .order_by("-start", "-id"),
    )
    return render(
        request,
        "bench/bench_periods.html",
        {
            "firm": firm,
            "form": form,
            "periods": page.object_list,
            "page": page,
            "query": query,
            "can": _period_steps(page.object_list, {BenchActor.FIRM}),
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
@require_http_methods(["GET", "POST"])
def bench_period_recall(request: HttpRequest, period_pk: int) -> HttpResponse:
    """The consultant goes back to a client. Never refused: GET shows what the recall will do
    (with the date chosen), POST confirms it; no JavaScript needed."""
    user = signed_in_user(request)
    period = access.bench_period_get_for_user(user, period_pk, admin=True)
    form = RecallForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("effective_date", [])))
        return redirect("bench:bench_periods", organisation_pk=period.firm_id)
    effective = form.cleaned_data.get("effective_date")
    if request.method == "GET":
        preview = limits.recall_preview(period, effective)
        return render(
            request,
            "bench/recall_confirm.html",
            {"period": period, "firm": period.firm, "preview": preview},
        )
    try:
        recall = services.bench_period_recall(actor=user, period=period, effective_date=effective)
    except (ServiceError, ValidationError) as error:
        flash_error(request, error)
        return redirect("bench:bench_periods", organisation_pk=period.firm_id)
    messages.success(
        request,
        ngettext(
            "%(name)s is recalled from %(date)s; %(count)s task went back to the backlog "
            "with a handover.",
            "%(name)s is recalled from %(date)s; %(count)s tasks went back to the backlog "
            "with a handover.",
            len(recall.released_tasks),
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
def bench_period_correct(request: HttpRequest, period_pk: int) -> HttpResponse:
    """The firm corrects the dates of a period that has not begun."""
    user = signed_in_user(request)
    period = access.bench_period_get_for_user(user, period_pk, admin=True)
    initial = {"start": period.start, "expected_end": period.expected_end}
    form = BenchPeriodDatesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.bench_period_correct(
                admin=user, period=period, request=request, **form.cleaned_data
            )
        except ServiceError as error:
            flash_error(request, error)
            return redirect("bench:bench_periods", organisation_pk=period.firm_id)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The dates of the bench period are corrected."))
            return redirect("bench:bench_periods", organisation_pk=period.firm_id)
    return render(
        request,
        "bench/bench_period_correct.html",
        {"period": period, "firm": period.firm, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def bench_period_cancel(request: HttpRequest, period_pk: int) -> HttpResponse:
    """The firm cancels a period that has not begun."""
    user = signed_in_user(request)
    period = access.bench_period_get_for_user(user, period_pk, admin=True)
    try:
        services.bench_period_cancel(admin=user, period=period, request=request)
    except (ServiceError, ValidationError) as error:
        flash_error(request, error)
    else:
        messages.success(request, _("The bench period is cancelled."))
    return redirect("bench:bench_periods", organisation_pk=period.firm_id)


@login_required
@require_http_methods(["GET", "POST"])
def mission_invite(request: HttpRequest, project_pk: int) -> HttpResponse:
    """A lead invites a consultant to the project: a mission request for the consultant's firm."""
    user = signed_in_user(request)
    project = work_access.project_get_for_user(user, project_pk, lead=True)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mission = services.mission_invite(
                lead=user,
                project=project,
                consultant_email=form.cleaned_data["email"],
                request=request,
            )
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "%(name)s is invited: their firm draws up the loan agreement, then you accept "
                    "it and they agree to it."
                )
                % {"name": mission.consultant.display_name},
            )
            return redirect("work:team", project_pk=project.pk)
    return render(
        request,
        "bench/mission_invite.html",
        {"project": project, "form": form, "is_lead": True},
        status=400 if form.errors else 200,
    )


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
    # A project the consultant already joined (or asked to) is not offered again.
    joined = missions.exclude(status__in=[MissionStatus.REFUSED, MissionStatus.ENDED]).values(
        "project_id"
    )
    joinable, query = page_of(
        request,
        public_projects()
        .filter(status=ProjectStatus.ACTIVE)
        .exclude(pk__in=joined)
        .select_related("nonprofit")
        .order_by("-created_at", "-id")
        if on_bench and not firm_unverified
        else Project.objects.none(),
        per_page=20,
    )
    # Accepted but not started yet: shown, with why they cannot be joined yet.
    starting = (
        public_projects()
        .filter(status=ProjectStatus.ACCEPTED)
        .select_related("nonprofit")
        .order_by("-created_at", "-id")[:STARTING_SHOWN]
        if on_bench
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
            "joinable": joinable.object_list,
            "page": joinable,
            "query": query,
            "starting": starting,
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


def _mentions_initial(mission: Mission) -> dict[str, Any]:
    return {name: getattr(mission, name) for name in services.MENTION_FIELDS}


def _mentions(form: MissionMentionsForm) -> services.MissionMentions:
    return services.MissionMentions(**form.cleaned_data)


def _mission_page(
    request: HttpRequest,
    mission: Mission,
    *,
    refusal_error: str = "",
    mentions_form: MissionMentionsForm | None = None,
    accept_form: MissionAcceptForm | None = None,
    consent_form: MissionConsentForm | None = None,
    status: int = 200,
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
    is_party = bool(actors) or user.is_operator_staff
    kinds = set(mission.documents.values_list("kind", flat=True))
    return render(
        request,
        "bench/mission.html",
        {
            "mission": mission,
            "is_firm_admin": MissionActor.FIRM in actors,
            "is_beneficiary": MissionActor.BENEFICIARY in actors,
            "is_consultant": MissionActor.CONSULTANT in actors,
            "can_draw_up": MissionStep.DRAW_UP in steps,
            "can_change": MissionStep.CHANGE in steps,
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
            "mentions_form": mentions_form
            or MissionMentionsForm(initial=_mentions_initial(mission)),
            "accept_form": accept_form
            or MissionAcceptForm(initial={"representative": mission.beneficiary_representative}),
            "consent_form": consent_form or MissionConsentForm(),
            # The stored documents, with their SHA-256: for the parties and operator staff only.
            "documents": mission.documents.select_related("accepted_by") if is_party else [],
            "has_agreement": is_party and "agreement" in kinds,
            "has_amendment": is_party and ("amendment" in kinds or MissionStep.CONSENT in steps),
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
    """The firm draws up the loan agreement with its mentions, or changes them (a new version
    that the beneficiary and the consultant accept again)."""
    user = signed_in_user(request)
    mission = access.mission_get_for_user(user, mission_pk)
    if not user.has_role(mission.bench_period.firm_id, [Role.FIRM_ADMIN]):
        raise PermissionDenied
    form = MissionMentionsForm(request.POST)
    changing = MissionStatus(mission.status) in STEPS[MissionStep.CHANGE].sources
    if form.is_valid():
        try:
            if changing:
                before = mission.document_version
                mission = services.mission_mentions_change(
                    admin=user, mission=mission, mentions=_mentions(form), request=request
                )
            else:
                services.mission_agreement_draw_up(
                    admin=user, mission=mission, mentions=_mentions(form), request=request
                )
        except ValidationError as error:
            copy_errors(form, error)
        except ServiceError as error:
            flash_error(request, error)
            return redirect("bench:mission", mission_pk=mission.pk)
        else:
            if not changing:
                messages.success(
                    request,
                    _("The loan agreement is drawn up. The nonprofit is asked to accept it."),
                )
            elif mission.document_version != before:
                messages.success(
                    request,
                    _(
                        "Version %(version)s of the agreement is drawn up: the nonprofit, then "
                        "the consultant, are asked to accept it again."
                    )
                    % {"version": mission.document_version},
                )
            else:
                messages.info(request, _("Nothing changed: the agreement stays as it was."))
            return redirect("bench:mission", mission_pk=mission.pk)
    return _mission_page(request, mission, mentions_form=form, status=400)


@login_required
@require_POST
def mission_accept(request: HttpRequest, mission_pk: int) -> HttpResponse:
    """The nonprofit that owns the project accepts the loan agreement, naming its
    representative."""
    user = signed_in_user(request)
    mission = access.mission_get_for_user(user, mission_pk)
    if not user.has_role(mission.project.nonprofit_id, [Role.NONPROFIT_ADMIN]):
        raise PermissionDenied
    form = MissionAcceptForm(request.POST)
    if form.is_valid():
        try:
            services.mission_beneficiary_accept(
                admin=user,
                mission=mission,
                representative=form.cleaned_data["representative"],
                request=request,
            )
        except ValidationError as error:
            copy_errors(form, error)
        except ServiceError as error:
            flash_error(request, error)
            return redirect("bench:mission", mission_pk=mission.pk)
        else:
            messages.success(
                request,
                _(
                    "Mission accepted. The consultant is asked to accept the amendment to their "
                    "employment contract."
                ),
            )
            return redirect("bench:mission", mission_pk=mission.pk)
    return _mission_page(request, mission, accept_form=form, status=400)


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
    """The consultant accepts the amendment to their employment contract: the mission starts."""
    user = signed_in_user(request)
    mission = access.mission_get_for_user(user, mission_pk)
    if mission.consultant_id != user.pk:
        raise PermissionDenied
    form = MissionConsentForm(request.POST)
    if not form.is_valid():
        return _mission_page(request, mission, consent_form=form, status=400)
    try:
        services.mission_consent(consultant=user, mission=mission, request=request)
    except (ServiceError, ValidationError) as error:
        flash_error(request, error)
    else:
        messages.success(
            request,
            _(
                "You accepted the amendment to your employment contract: the mission has "
                "started, you are on the team."
            ),
        )
    return redirect("bench:mission", mission_pk=mission.pk)


def _pdf_response(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def mission_agreement_pdf(request: HttpRequest, mission_pk: int) -> HttpResponse:
    """The loan agreement (Code du travail L8241-1, L8241-2) exactly as last accepted: the stored
    PDF of its latest version, never rendered again. The parties and operator staff only."""
    mission = access.mission_documents_get_for_user(signed_in_user(request), mission_pk)
    document = documents.latest(mission, DocumentKind.AGREEMENT)
    if document is None:
        raise Http404
    return _pdf_response(documents.stored_bytes(document), documents.filename(document))


@login_required
@require_GET
def mission_amendment_pdf(request: HttpRequest, mission_pk: int) -> HttpResponse:
    """The amendment to the consultant's employment contract as accepted (stored); while it
    awaits the consultant, a draft marked as such so they read it before accepting."""
    user = signed_in_user(request)
    mission = access.mission_documents_get_for_user(user, mission_pk)
    document = documents.latest(mission, DocumentKind.AMENDMENT)
    if document is not None and document.version == mission.document_version:
        return _pdf_response(documents.stored_bytes(document), documents.filename(document))
    if MissionStatus(mission.status) in STEPS[MissionStep.CONSENT].sources:
        pdf = documents.render(mission, DocumentKind.AMENDMENT, draft=True)
        return _pdf_response(pdf, f"avenant-{mission.agreement_number}-draft.pdf")
    if document is not None:
        return _pdf_response(documents.stored_bytes(document), documents.filename(document))
    raise Http404


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


# --- Cost basis, absences, fiscal years ----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def consultant_cost(request: HttpRequest, organisation_pk: int, profile_pk: int) -> HttpResponse:
    """The firm admin records what a consultant costs a day (the fee never exceeds it)."""
    user = signed_in_user(request)
    firm = access.firm_get_for_admin(user, organisation_pk)
    profile = ConsultantProfile.objects.filter(firm=firm, pk=profile_pk).select_related("user")
    found = profile.first()
    if found is None:
        raise Http404
    initial = {
        "daily_gross_salary_cents": cents_to_units(found.daily_gross_salary_cents)
        if found.daily_gross_salary_cents is not None
        else None,
        "employer_charges_rate": found.employer_charges_rate,
        "daily_cost_cents": cents_to_units(found.daily_cost_cents),
        "daily_expenses_cents": cents_to_units(found.daily_expenses_cents),
        "alsace_moselle": found.alsace_moselle,
    }
    form = ConsultantCostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consultant_cost_set(
                admin=user,
                profile=found,
                daily_gross_salary_cents=data["daily_gross_salary_cents"],
                employer_charges_rate=data["employer_charges_rate"],
                daily_cost_cents=data["daily_cost_cents"] or 0,
                daily_expenses_cents=data["daily_expenses_cents"] or 0,
                alsace_moselle=data["alsace_moselle"],
                request=request,
            )
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Saved: missions created from now take this cost."))
            return redirect("bench:roster", organisation_pk=firm.pk)
    return render(
        request,
        "bench/consultant_cost.html",
        {"firm": firm, "profile": found, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def absences(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """The firm admin declares the days a consultant was not lent (leave, sickness)."""
    user = signed_in_user(request)
    firm = access.firm_get_for_admin(user, organisation_pk)
    consultants = User.objects.filter(
        memberships__organisation=firm, memberships__role=Role.CONSULTANT
    ).order_by("last_name", "first_name", "pk")
    form = AbsenceForm(
        request.POST if request.POST.get("action") != "delete" else None, consultants=consultants
    )
    if request.method == "POST" and request.POST.get("action") == "delete":
        absence = Absence.objects.filter(firm=firm, pk=_int(request.POST.get("absence"))).first()
        if absence is None:
            raise Http404
        services.absence_delete(admin=user, absence=absence, request=request)
        messages.success(request, _("Absence withdrawn."))
        return redirect("bench:absences", organisation_pk=firm.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.absence_declare(admin=user, firm=firm, request=request, **form.cleaned_data)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Absence declared: those days no longer count as lent."))
            return redirect("bench:absences", organisation_pk=firm.pk)
    return render(
        request,
        "bench/absences.html",
        {
            "firm": firm,
            "form": form,
            "absences": Absence.objects.filter(firm=firm).select_related("consultant")[:200],
        },
        status=400 if form.errors else 200,
    )


def _int(value: str | None) -> int:
    try:
        return max(0, min(int(value or 0), 2**63 - 1))
    except ValueError:
        return 0


@login_required
@require_http_methods(["GET", "POST"])
def fiscal_years(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """The firm admin sets the closing date of its fiscal year, and each year's turnover and
    other sponsorship gifts."""
    user = signed_in_user(request)
    firm = access.firm_get_for_admin(user, organisation_pk)
    closing = request.POST.get("action") == "closing"
    end_form = FiscalYearEndForm(
        request.POST if closing else None,
        initial={
            "fiscal_year_end_month": firm.fiscal_year_end_month,
            "fiscal_year_end_day": firm.fiscal_year_end_day,
        },
    )
    form = FiscalYearForm(
        request.POST if request.method == "POST" and not closing else None,
        initial={"year": selectors.current_fiscal_year(firm)},
    )
    if closing and end_form.is_valid():
        services.firm_fiscal_year_end_set(
            admin=user,
            firm=firm,
            month=end_form.cleaned_data["fiscal_year_end_month"],
            day=end_form.cleaned_data["fiscal_year_end_day"],
            request=request,
        )
        messages.success(request, _("Closing date saved."))
        return redirect("bench:fiscal_years", organisation_pk=firm.pk)
    if request.method == "POST" and not closing and form.is_valid():
        data = form.cleaned_data
        try:
            services.firm_fiscal_year_set(
                admin=user,
                firm=firm,
                year=data["year"],
                turnover_cents=data["turnover_cents"],
                other_gifts_cents=data["other_gifts_cents"] or 0,
                request=request,
            )
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Fiscal year saved."))
            return redirect("bench:fiscal_years", organisation_pk=firm.pk)
    return render(
        request,
        "bench/fiscal_years.html",
        {
            "firm": firm,
            "form": form,
            "end_form": end_form,
            "years": [
                (fiscal, *selectors.fiscal_year_bounds(firm, fiscal.year))
                for fiscal in firm.fiscal_years.all()[:30]
            ],
        },
        status=400 if form.errors or end_form.errors else 200,
    )
