"""HTML views of circles, mandates and collections: parse, check access, call a service, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relais.accounts.audit import audit
from relais.core.errors import ServiceError
from relais.core.forms import copy_errors, flash_error, signed_in_user
from relais.core.mail import absolute_url
from relais.funding import access, ledger, payments, selectors, services
from relais.funding.forms import (
    CircleForm,
    CollectionRunForm,
    InviteForm,
    MandateForm,
    ReturnsForm,
)
from relais.funding.models import (
    CircleInvitation,
    CircleLink,
    CircleMembership,
    CircleRole,
    MembershipStatus,
    RunStatus,
)

PAGE_SIZE = 25


@login_required
@require_http_methods(["GET", "POST"])
def circles(request: HttpRequest) -> HttpResponse:
    """My circles, and a form to create one (consultants)."""
    user = signed_in_user(request)
    form = CircleForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            circle = services.circle_create(
                creator=user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                firm=form.cleaned_data["firm"],
            )
        except ServiceError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Your circle is created: invite your colleagues."))
            return redirect("funding:circle", circle_pk=circle.pk)
    mine = (
        CircleMembership.objects.filter(user=user)
        .exclude(status=MembershipStatus.LEFT)
        .select_related("circle__firm", "tier")
        .order_by("circle__name")
    )
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/circles.html",
        {"page": page, "form": form, "can_create": access.is_consultant(user)},
        status=422 if form.errors else 200,
    )


@login_required
@require_GET
def circle_detail(request: HttpRequest, circle_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    circle = access.circle_get_for_user(user, circle_pk)
    membership = access.membership_of(user, circle)
    is_admin = membership is not None and membership.role == CircleRole.ADMIN
    balance = selectors.pool_balance_cents(circle)
    members = Paginator(
        CircleMembership.objects.filter(circle=circle)
        .exclude(status=MembershipStatus.LEFT)
        .select_related("user")
        .order_by("joined_at", "pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("members"))
    spending = Paginator(selectors.pool_spending(circle), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context: dict[str, object] = {
        "circle": circle,
        "membership": membership,
        "is_admin": is_admin,
        "balance": balance,
        "days_fundable": selectors.days_fundable(circle, balance),
        "members": members,
        "spending": spending,
        "mandate": services.valid_mandate(membership) if membership else None,
        "contribution": selectors.my_contribution(membership) if membership else None,
        "invite_form": InviteForm(),
        "alert": getattr(circle, "pool_alert", None),
        "waiting_for_mandate": membership is not None
        and membership.status == MembershipStatus.PENDING,
        "past_due": membership is not None and membership.status == MembershipStatus.PAST_DUE,
    }
    if is_admin or user.is_operator_staff:
        context["income"] = list(selectors.pool_income(circle)[:24])
        context["invitations"] = list(
            CircleInvitation.objects.filter(
                circle=circle, accepted_at__isnull=True, declined_at__isnull=True
            ).order_by("-created_at")[:50]
        )
    if is_admin:
        link = CircleLink.objects.filter(circle=circle).first()
        if link is not None:
            context["join_url"] = absolute_url(
                reverse("funding:join", kwargs={"token": link.token})
            )
    return render(request, "funding/circle.html", context)


@login_required
@require_POST
def circle_invite(request: HttpRequest, circle_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    circle = access.circle_get_for_user(user, circle_pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    else:
        try:
            services.circle_invite(inviter=user, circle=circle, email=form.cleaned_data["email"])
        except ServiceError as error:
            flash_error(request, error)
        else:
            messages.success(request, _("Invitation sent."))
    return redirect("funding:circle", circle_pk=circle.pk)


@login_required
@require_POST
def circle_link_renew(request: HttpRequest, circle_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    circle = access.circle_get_for_user(user, circle_pk, admin=True)
    services.circle_link_renew(admin=user, circle=circle)
    messages.success(request, _("A new join link replaces the old one."))
    return redirect("funding:circle", circle_pk=circle.pk)


@login_required
@require_POST
def membership_make_admin(request: HttpRequest, circle_pk: int, membership_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    circle = access.circle_get_for_user(user, circle_pk, admin=True)
    membership = CircleMembership.objects.filter(circle=circle, pk=membership_pk).first()
    if membership is None:
        raise Http404
    try:
        services.membership_make_admin(admin=user, membership=membership)
    except ServiceError as error:
        flash_error(request, error)
    return redirect("funding:circle", circle_pk=circle.pk)


@login_required
@require_POST
def circle_leave(request: HttpRequest, circle_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    circle = access.circle_get_for_user(user, circle_pk)
    try:
        services.membership_leave(user=user, circle=circle)
    except ServiceError as error:
        flash_error(request, error)
        return redirect("funding:circle", circle_pk=circle.pk)
    messages.success(request, _("You left the circle; no further debit will be made."))
    return redirect("funding:circles")


@login_required
@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest, circle_pk: int) -> HttpResponse:
    """The member's subscription and SEPA mandate: the mandate's text, creditor and reference
    shown before anything is debited."""
    user = signed_in_user(request)
    circle = access.circle_get_for_user(user, circle_pk)
    membership = access.membership_of(user, circle)
    if membership is None:
        raise PermissionDenied
    mandate = services.valid_mandate(membership)
    initial: dict[str, object] = {"holder_name": user.display_name, "billing": membership.billing}
    if membership.tier_id:
        initial["tier"] = membership.tier_id
    form = MandateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mandate = services.mandate_sign(
                user=user,
                circle=circle,
                tier=data["tier"],
                billing=data["billing"],
                iban=data["iban"],
                bic=data["bic"],
                holder_name=data["holder_name"],
                rum=data["rum"],
            )
        except ServiceError as error:
            copy_errors(form, error)
        else:
            messages.success(
                request,
                _("Your mandate %(rum)s is signed: you are a member in good standing.")
                % {"rum": mandate.rum},
            )
            return redirect("funding:subscribe", circle_pk=circle.pk)
    try:
        creditor = payments.creditor()
    except ServiceError:
        creditor = None
    debits = membership.debits.select_related("run").order_by("-run__period")[:12]
    return render(
        request,
        "funding/subscribe.html",
        {
            "circle": circle,
            "membership": membership,
            "mandate": mandate,
            "form": form,
            "creditor": creditor,
            "debits": debits,
            "prenotification_days": settings.SEPA_PRENOTIFICATION_DAYS,
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, circle_invitation_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    found = access.circle_invitation_get_for_user(user, circle_invitation_pk)
    if request.method == "POST":
        try:
            if request.POST.get("answer") == "decline":
                services.circle_invitation_decline(user=user, invitation=found)
                messages.success(request, _("Invitation declined."))
                return redirect("site:dashboard")
            services.circle_invitation_accept(user=user, invitation=found)
        except ServiceError as error:
            flash_error(request, error)
            return redirect("funding:invitation", circle_invitation_pk=found.pk)
        messages.success(request, _("Welcome to the circle: choose your subscription."))
        return redirect("funding:subscribe", circle_pk=found.circle_id)
    return render(request, "funding/invitation.html", {"invitation": found})


@login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    user = signed_in_user(request)
    circle = services.circle_by_token(token)
    if circle is None:
        return render(request, "funding/join_invalid.html", status=404)
    if request.method == "POST":
        try:
            services.circle_join_by_link(user=user, token=token)
        except ServiceError as error:
            flash_error(request, error)
            return redirect("funding:join", token=token)
        messages.success(request, _("Welcome to the circle: choose your subscription."))
        return redirect("funding:subscribe", circle_pk=circle.pk)
    member = access.membership_of(user, circle) is not None
    return render(request, "funding/join.html", {"circle": circle, "member": member})


# --- Operator staff: collections ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def collections(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    runs = access.collection_runs_for(user).order_by("-period")
    form = CollectionRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = services.collection_run_create(
                staff=user,
                period=form.cleaned_data["period"],
                version=form.cleaned_data["version"],
            )
        except ServiceError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The collection file is ready: download it for your bank."))
            return redirect("funding:collection", run_pk=run.pk)
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/collections.html",
        {"page": page, "form": form, "returns_form": ReturnsForm(), "problems": ledger.check()},
        status=422 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def collection_detail(request: HttpRequest, run_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    run = access.collection_run_get_for_user(user, run_pk)
    if request.method == "POST":
        try:
            services.collection_run_mark_collected(staff=user, run=run)
        except ServiceError as error:
            flash_error(request, error)
        else:
            messages.success(request, _("The subscriptions of this run are booked."))
        return redirect("funding:collection", run_pk=run.pk)
    debits = Paginator(
        run.debits.select_related("membership__user", "membership__circle", "mandate").order_by(
            "pk"
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/collection.html",
        {"run": run, "debits": debits, "can_mark_collected": run.status == RunStatus.EXPORTED},
    )


@login_required
@require_GET
def collection_file(request: HttpRequest, run_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    run = access.collection_run_get_for_user(user, run_pk)
    # The file holds every debtor's name and IBAN: who took it is on record.
    audit("funding.collection_exported", actor=user, target=run, request=request, run=run.pk)
    response = HttpResponse(run.document.encode(), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="relais-{run}-{run.version}.xml"'
    return response


@login_required
@require_POST
def returns_import(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    access.require_staff(user)
    form = ReturnsForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
        return redirect("funding:collections")
    try:
        returned = services.returns_import(staff=user, data=form.cleaned_data["file"].read())
    except ServiceError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("%(count)s returned debits booked.") % {"count": len(returned)})
    return redirect("funding:collections")
