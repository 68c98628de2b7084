"""HTML views of campaigns: parse, check access, call a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relais.campaigns import access, selectors, services
from relais.campaigns.forms import (
    ApplyForm,
    BallotForm,
    CampaignForm,
    JurorForm,
    JuryGradesForm,
    JurySettingsForm,
    ReceiptForm,
    RuleForm,
)
from relais.campaigns.models import Campaign, CampaignProject, Grade, Juror, Phase
from relais.core.errors import ServiceError
from relais.core.forms import copy_errors, flash_error, signed_in_user

PAGE_SIZE = 25
RECEIPT_SESSION_KEY = "campaign_receipt"


@require_http_methods(["GET", "POST"])
def campaigns(request: HttpRequest) -> HttpResponse:
    """The campaigns; operator staff also see drafts and open new ones here."""
    manager = access.is_manager(request.user)
    form = CampaignForm(request.POST or None) if manager else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                campaign = services.campaign_create(by=signed_in_user(request), **form.cleaned_data)
            except ServiceError as error:
                copy_errors(form, error)
            else:
                messages.success(request, _("The campaign is created as a draft."))
                return redirect("campaigns:detail", campaign_pk=campaign.pk)
    page = Paginator(
        access.campaigns_for(request.user).order_by("-created_at", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "campaigns/campaigns.html", {"page": page, "form": form})


def _detail_context(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    user = request.user
    entries = selectors.entries(campaign)
    context: dict[str, Any] = {
        "campaign": campaign,
        "entries": entries,
        "manager": access.is_manager(user),
        "circles": campaign.circles.order_by("name"),
        "can_vote": access.can_vote(user, campaign),
        "is_juror": access.is_juror(user, campaign),
        "jury_published": access.jury_result_visible(campaign),
        "left_out": campaign.entries.filter(eligible=True, jury_cut=True).select_related("project"),
        "receipt": request.session.pop(RECEIPT_SESSION_KEY, None)
        if hasattr(request, "session")
        else None,
    }
    if user.is_authenticated:
        ballot = selectors.ballot_of(user, campaign)
        context["ballot"] = ballot
        if context["can_vote"]:
            context["ballot_form"] = BallotForm(
                entries=entries, initial={"entries": ballot.approvals if ballot else []}
            )
        if campaign.phase == Phase.PROPOSALS:
            mine = selectors.projects_to_apply_with(user, campaign)
            if mine.exists():
                context["apply_form"] = ApplyForm(projects=mine)
        if context["manager"] and not campaign.rule_frozen:
            context["rule_form"] = RuleForm(
                initial={"rule": campaign.rule, "budget_days": campaign.budget_days}
            )
        if context["manager"]:
            context["pending"] = campaign.entries.filter(eligible=False).select_related("project")
    return context


@require_GET
def campaign_detail(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access.campaign_get(request.user, campaign_pk)
    return render(request, "campaigns/campaign.html", _detail_context(request, campaign))


@login_required
@require_POST
def ballot(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """Cast or change my ballot (electors, while the vote is open)."""
    user = signed_in_user(request)
    campaign = access.campaign_get(user, campaign_pk)
    if not access.is_elector(user, campaign):
        raise PermissionDenied
    form = BallotForm(request.POST, entries=selectors.entries(campaign))
    if form.is_valid():
        try:
            _ballot, code = services.ballot_cast(
                by=user, campaign=campaign, entry_ids=[e.pk for e in form.cleaned_data["entries"]]
            )
        except ServiceError as error:
            flash_error(request, error)
        else:
            request.session[RECEIPT_SESSION_KEY] = code
            messages.success(request, _("Your ballot is recorded. Keep your receipt code."))
            return redirect("campaigns:detail", campaign_pk=campaign.pk)
    context = _detail_context(request, campaign)
    context["ballot_form"] = form
    return render(request, "campaigns/campaign.html", context, status=422 if form.errors else 409)


@login_required
@require_POST
def apply(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """A nonprofit applies with one of its accepted projects."""
    user = signed_in_user(request)
    campaign = access.campaign_get(user, campaign_pk)
    form = ApplyForm(request.POST, projects=selectors.projects_to_apply_with(user, campaign))
    if form.is_valid():
        try:
            services.project_apply(
                by=user,
                campaign=campaign,
                project=form.cleaned_data["project"],
                cost_days=form.cleaned_data["cost_days"],
            )
        except ServiceError as error:
            flash_error(request, error)
        else:
            messages.success(request, _("Your project has applied."))
    else:
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    return redirect("campaigns:detail", campaign_pk=campaign.pk)


@login_required
@require_POST
def advance(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """Staff move the campaign to its next phase."""
    user = signed_in_user(request)
    campaign = access.campaign_get(user, campaign_pk)
    if not access.is_manager(user):
        raise PermissionDenied
    try:
        campaign = services.campaign_advance(by=user, campaign=campaign)
    except ServiceError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("The campaign moved on to its next phase."))
        if campaign.phase == Phase.CLOSED:
            return redirect("campaigns:results", campaign_pk=campaign.pk)
    return redirect("campaigns:detail", campaign_pk=campaign.pk)


@login_required
@require_POST
def rule(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """Staff change the counting rule or the budget, before the vote opens."""
    user = signed_in_user(request)
    campaign = access.campaign_get(user, campaign_pk)
    if not access.is_manager(user):
        raise PermissionDenied
    form = RuleForm(request.POST)
    if form.is_valid():
        try:
            services.campaign_set_rule(by=user, campaign=campaign, **form.cleaned_data)
        except ServiceError as error:
            flash_error(request, error)
        else:
            messages.success(request, _("The counting rule is saved."))
    else:
        messages.error(request, _("Choose a rule and a budget of at least one bench day."))
    return redirect("campaigns:detail", campaign_pk=campaign.pk)


@login_required
@require_POST
def entry_eligible(request: HttpRequest, campaign_pk: int, entry_pk: int) -> HttpResponse:
    """Staff set an application aside (or back) during the review."""
    user = signed_in_user(request)
    campaign = access.campaign_get(user, campaign_pk)
    if not access.is_manager(user):
        raise PermissionDenied
    entry = CampaignProject.objects.filter(campaign=campaign, pk=entry_pk).first()
    if entry is None:
        raise Http404
    try:
        services.entry_set_eligible(
            by=user, entry=entry, eligible=request.POST.get("eligible") == "1"
        )
    except ServiceError as error:
        flash_error(request, error)
    return redirect("campaigns:detail", campaign_pk=campaign.pk)


def result_rows(campaign: Campaign) -> list[dict[str, Any]]:
    """One row per project: votes, cost, the rule's decision and why, the greedy decision."""
    result = campaign.result or {}
    reasons = result.get("reasons", {})
    votes = result.get("result", {}).get("votes", {})
    greedy = set(result.get("greedy", {}).get("selected", []))
    rows = []
    for entry in selectors.entries(campaign):
        key = str(entry.pk)
        reason = reasons.get(key, {})
        rows.append(
            {
                "entry": entry,
                "votes": votes.get(key, 0),
                "reason": reason,
                "greedy": key in greedy,
            }
        )
    rows.sort(
        key=lambda r: (
            r["reason"].get("outcome") != "selected",
            r["reason"].get("position") or 0,
            -int(r["votes"]),
        )
    )
    return rows


def jury_rows(campaign: Campaign) -> list[dict[str, Any]]:
    """The jury's ranking as published: per project its rank, majority grade and how many jurors
    gave each grade (best first)."""
    published = campaign.jury_result or {}
    by_pk = {e.pk: e for e in campaign.entries.select_related("project")}
    rows = []
    for row in published.get("ranking", []):
        grade = row.get("majority_grade")
        rows.append(
            {
                **row,
                "project": by_pk[row["entry"]].project if row["entry"] in by_pk else None,
                "majority_label": Grade(grade).label if grade is not None else "",
                "counts": list(zip(Grade.labels, row["distribution"], strict=True)),
            }
        )
    return rows


@require_GET
def results(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """The vote's results once counted, and the jury's ranking once the jury round closed."""
    campaign = access.campaign_get(request.user, campaign_pk)
    jury = access.jury_result_visible(campaign)
    if campaign.phase != Phase.CLOSED and not jury:
        raise Http404
    context: dict[str, Any] = {
        "campaign": campaign,
        "jury_rows": jury_rows(campaign) if jury else [],
        "jury": campaign.jury_result if jury else None,
        "grade_labels": Grade.labels,
    }
    if campaign.phase == Phase.CLOSED:
        names = {str(e.pk): e.project.title for e in campaign.entries.select_related("project")}
        rounds = (campaign.result or {}).get("result", {}).get("rounds", [])
        for r in rounds:
            r["name"] = names.get(r["project"], r["project"])
        context.update(rows=result_rows(campaign), rounds=rounds, result=campaign.result)
    return render(request, "campaigns/results.html", context)


@require_GET
def ballots_file(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """The anonymised ballots as counted, in the Pabulib format."""
    campaign = access.campaign_get(request.user, campaign_pk)
    if campaign.phase != Phase.CLOSED:
        raise Http404
    response = HttpResponse(campaign.ballots_pb, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="relais-campaign-{campaign.pk}.pb"'
    return response


@require_http_methods(["GET", "POST"])
def receipts(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """The hashes of the counted ballots, and a check of a receipt code."""
    campaign = access.campaign_get(request.user, campaign_pk)
    if campaign.phase not in (Phase.VOTE, Phase.CLOSED):
        raise Http404
    form = ReceiptForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        found = (
            services.receipt_check(campaign=campaign, code=form.cleaned_data["code"]) is not None
        )
    page = Paginator(selectors.counted_receipts(campaign).only("receipt_hash"), 100).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "campaigns/receipts.html",
        {"campaign": campaign, "form": form, "found": found, "page": page},
    )


# --- The jury round -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def jury(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """A juror grades each shortlisted project (jurors only)."""
    user = signed_in_user(request)
    campaign = access.jury_campaign_get(user, campaign_pk)
    juror = Juror.objects.get(campaign=campaign, user=user)
    shortlist = list(selectors.shortlist(campaign))
    open_round = campaign.phase == Phase.JURY
    status = 200
    if request.method == "POST":
        form = JuryGradesForm(request.POST, entries=shortlist)
        if form.is_valid():
            try:
                services.jury_grade_set(by=user, campaign=campaign, grades=form.grades())
            except ServiceError as error:
                copy_errors(form, error)
                status = error.status
            else:
                messages.success(request, _("Your grades are saved."))
                return redirect("campaigns:jury", campaign_pk=campaign.pk)
        else:
            status = 422
    else:
        mine = selectors.grades_of(juror)
        form = JuryGradesForm(
            entries=shortlist,
            initial={f"grade_{pk}": grade for pk, grade in mine.items()},
        )
    mine = selectors.grades_of(juror)
    return render(
        request,
        "campaigns/jury.html",
        {
            "campaign": campaign,
            "form": form if open_round else None,
            "rows": [
                {"entry": e, "grade": Grade(mine[e.pk]).label if e.pk in mine else None}
                for e in shortlist
            ],
            "graded": len(mine),
            "published": access.jury_result_visible(campaign),
        },
        status=status,
    )


def _jury_members_page(
    request: HttpRequest,
    campaign: Campaign,
    form: JurorForm | None = None,
    settings_form: JurySettingsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    editable = campaign.phase in (Phase.DRAFT, Phase.PROPOSALS, Phase.REVIEW)
    return render(
        request,
        "campaigns/jury_members.html",
        {
            "campaign": campaign,
            "jurors": selectors.jurors(campaign),
            "shortlist_count": selectors.shortlist(campaign).count(),
            "form": (form or JurorForm()) if campaign.has_jury and not campaign.jury_over else None,
            "settings_form": (
                settings_form
                or JurySettingsForm(
                    initial={
                        "jury_from": campaign.jury_from,
                        "shortlist_size": campaign.shortlist_size,
                    }
                )
            )
            if editable
            else None,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def jury_members(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """Staff designate the jurors by their email address, until the jury round ends."""
    user = signed_in_user(request)
    campaign = access.jury_manage_get(user, campaign_pk)
    if request.method == "GET":
        return _jury_members_page(request, campaign)
    form = JurorForm(request.POST)
    if form.is_valid():
        try:
            juror = services.jury_member_add(
                by=user, campaign=campaign, email=form.cleaned_data["email"]
            )
        except ServiceError as error:
            copy_errors(form, error)
            return _jury_members_page(request, campaign, form=form, status=error.status)
        messages.success(
            request,
            _("%(email)s is on the jury.") % {"email": juror.user.email},
        )
        return redirect("campaigns:jury_members", campaign_pk=campaign.pk)
    return _jury_members_page(request, campaign, form=form, status=422)


@login_required
@require_POST
def jury_settings(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """Staff give the campaign a jury round, or change or remove it, until it opens."""
    user = signed_in_user(request)
    campaign = access.jury_manage_get(user, campaign_pk)
    form = JurySettingsForm(request.POST)
    if form.is_valid():
        try:
            services.campaign_set_jury(by=user, campaign=campaign, **form.cleaned_data)
        except ServiceError as error:
            copy_errors(form, error)
            return _jury_members_page(request, campaign, settings_form=form, status=error.status)
        messages.success(request, _("The jury round is saved."))
        return redirect("campaigns:jury_members", campaign_pk=campaign.pk)
    return _jury_members_page(request, campaign, settings_form=form, status=422)


@login_required
@require_POST
def jury_member_remove(request: HttpRequest, campaign_pk: int, juror_pk: int) -> HttpResponse:
    """Staff take a juror off the jury (with their grades), until the jury round ends."""
    user = signed_in_user(request)
    campaign = access.jury_manage_get(user, campaign_pk)
    juror = Juror.objects.filter(campaign=campaign, pk=juror_pk).select_related("campaign").first()
    if juror is None:
        raise Http404
    try:
        services.jury_member_remove(by=user, juror=juror)
    except ServiceError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("The juror is off the jury."))
    return redirect("campaigns:jury_members", campaign_pk=campaign.pk)
