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
from relais.campaigns.forms import ApplyForm, BallotForm, CampaignForm, ReceiptForm, RuleForm
from relais.campaigns.models import Campaign, CampaignProject, Phase
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
    for entry in campaign.entries.filter(eligible=True).select_related("project").order_by("pk"):
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


@require_GET
def results(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = access.campaign_get(request.user, campaign_pk)
    if campaign.phase != Phase.CLOSED:
        raise Http404
    names = {str(e.pk): e.project.title for e in campaign.entries.select_related("project")}
    rounds = (campaign.result or {}).get("result", {}).get("rounds", [])
    for r in rounds:
        r["name"] = names.get(r["project"], r["project"])
    return render(
        request,
        "campaigns/results.html",
        {
            "campaign": campaign,
            "rows": result_rows(campaign),
            "rounds": rounds,
            "result": campaign.result,
        },
    )


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
