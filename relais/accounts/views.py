"""HTML views of accounts and organisations: parse, check access, call a service, render."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from relais.accounts import access, selectors, services
from relais.accounts.forms import (
    AcceptWithNewAccountForm,
    ApiTokenForm,
    InvitationForm,
    OrganisationForm,
    ProfileForm,
    SponsorshipEvidenceForm,
    SponsorshipVerifyForm,
)
from relais.accounts.models import Invitation, OrganisationKind, Role, User
from relais.core.errors import ServiceError
from relais.core.forms import copy_errors, error_messages, flash_error, signed_in_user
from relais.core.mail import absolute_url
from relais.core.paging import page_of

if TYPE_CHECKING:
    from relais.accounts.models import Organisation

_CREATABLE_KINDS = {OrganisationKind.FIRM.value, OrganisationKind.NONPROFIT.value}


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in _CREATABLE_KINDS:
        raise Http404
    org_kind = OrganisationKind(kind)
    form = OrganisationForm(request.POST or None, kind=org_kind)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(
                creator=signed_in_user(request),
                kind=org_kind,
                name=form.cleaned_data["name"],
                **form.service_fields(),
            )
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("“%(name)s” is registered.") % {"name": organisation.name})
            next_url = request.GET.get("next", "")
            if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
                return redirect(next_url)
            return redirect("accounts:organisation_detail", organisation_pk=organisation.pk)
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "kind": org_kind, "organisation": None},
    )


@login_required
def organisation_detail(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    organisation = access.organisation_get_for_user(user, organisation_pk)
    return render(
        request, "accounts/organisation_detail.html", _detail_context(request, user, organisation)
    )


def _detail_context(
    request: HttpRequest,
    user: User,
    organisation: Organisation,
    invitation_form: InvitationForm | None = None,
) -> dict[str, object]:
    can_manage = user.has_role(organisation.pk, [organisation.admin_role])
    members, query = page_of(request, selectors.organisation_members(organisation))
    invitations, invitations_query = page_of(
        request,
        selectors.organisation_pending_invitations(organisation)
        if can_manage
        else Invitation.objects.none(),
        name="invitations_page",
    )
    return {
        "organisation": organisation,
        "can_manage": can_manage,
        "members": members.object_list,
        "page": members,
        "query": query,
        "invitations": invitations.object_list,
        "invitations_page": invitations,
        "invitations_query": invitations_query,
        "invitation_form": invitation_form or InvitationForm(organisation=organisation),
        "causes": organisation.causes.all(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    organisation = access.organisation_get_for_user(
        signed_in_user(request), organisation_pk, manage=True
    )
    kind = OrganisationKind(organisation.kind)
    form = OrganisationForm(request.POST or None, instance=organisation, kind=kind)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                organisation=organisation, name=form.cleaned_data["name"], **form.service_fields()
            )
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:organisation_detail", organisation_pk=organisation.pk)
    return render(
        request,
        "accounts/organisation_form.html",
        {"form": form, "kind": kind, "organisation": organisation},
    )


@login_required
@require_POST
def invitation_create(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    organisation = access.organisation_get_for_user(user, organisation_pk, manage=True)
    form = InvitationForm(request.POST, organisation=organisation)
    if form.is_valid():
        accept_url = absolute_url(
            reverse("accounts:invitation_accept", kwargs={"token": "__token__"})
        )
        try:
            services.invitation_create(
                organisation=organisation,
                invited_by=user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                accept_url=accept_url,
            )
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]},
            )
            if not request.htmx:  # type: ignore[attr-defined]
                return redirect("accounts:organisation_detail", organisation_pk=organisation.pk)
            form = InvitationForm(organisation=organisation)
    context = _detail_context(request, user, organisation, invitation_form=form)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "accounts/organisation_detail.html#invitations", context)
    return render(request, "accounts/organisation_detail.html", context, status=400)


@login_required
@require_POST
def invitation_revoke(
    request: HttpRequest, organisation_pk: int, invitation_pk: int
) -> HttpResponse:
    user = signed_in_user(request)
    invitation = access.invitation_get_for_user(user, organisation_pk, invitation_pk)
    services.invitation_revoke(invitation=invitation, actor=user)
    messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    if request.htmx:  # type: ignore[attr-defined]
        context = _detail_context(request, user, invitation.organisation)
        return render(request, "accounts/organisation_detail.html#invitations", context)
    return redirect("accounts:organisation_detail", organisation_pk=organisation_pk)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation link opens: accept with the signed-in account, or create one."""
    try:
        invitation = services.invitation_from_token(token)
    except ServiceError as error:
        reason = " ".join(error_messages(error))
        return render(request, "accounts/invitation_invalid.html", {"reason": reason}, status=410)
    user = request.user if request.user.is_authenticated else None
    has_account = user is not None or User.objects.filter(email__iexact=invitation.email).exists()
    form = (
        None
        if has_account
        else AcceptWithNewAccountForm(request.POST or None, email=invitation.email)
    )
    error_message = ""
    if request.method == "POST":
        try:
            if user is not None:
                services.invitation_accept(invitation=invitation, user=user)
            elif form is None:
                raise services.InvitationError(
                    _("An account already exists for %(email)s: sign in to accept the invitation.")
                    % {"email": invitation.email}
                )
            elif form.is_valid():
                user = services.invitation_accept_with_new_account(
                    invitation=invitation,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                    language=request.LANGUAGE_CODE,
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        except ServiceError as error:
            error_message = " ".join(error_messages(error))
        if user is not None and not error_message:
            messages.success(
                request,
                _("Welcome to %(organisation)s.") % {"organisation": invitation.organisation.name},
            )
            return redirect(
                "accounts:organisation_detail", organisation_pk=invitation.organisation_id
            )
    status = 400 if request.method == "POST" else 200
    login_url = reverse("account_login") + "?next=" + request.path
    return render(
        request,
        "accounts/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "has_account": has_account,
            "error_message": error_message,
            "login_url": login_url,
            "role_label": Role(invitation.role).label,
        },
        status=status,
    )


def language_set(request: HttpRequest) -> HttpResponse:
    """Django's language switcher, which also keeps the choice of a signed-in person (their pages
    and emails follow it)."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
    ):
        services.user_language_set(user=signed_in_user(request), language=language)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def user_settings(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ProfileForm(request.POST or None, initial=_profile_initial(user))
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(
                user=user,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                language=form.cleaned_data["language"] or None,
            )
        except ValidationError as error:
            copy_errors(form, error)
        else:
            # The page after the redirect is in the new language (the middleware reads it).
            translation.activate(user.language)
            messages.success(request, _("Changes saved."))
            return redirect("accounts:settings")
    return render(request, "accounts/settings.html", _settings_context(user, profile_form=form))


def _profile_initial(user: User) -> dict[str, str]:
    return {"first_name": user.first_name, "last_name": user.last_name, "language": user.language}


def _settings_context(
    user: User,
    *,
    profile_form: ProfileForm | None = None,
    token_form: ApiTokenForm | None = None,
    new_token: str = "",
) -> dict[str, object]:
    return {
        "profile_form": profile_form or ProfileForm(initial=_profile_initial(user)),
        "token_form": token_form or ApiTokenForm(),
        "tokens": [
            token
            for token in user.api_tokens.filter(revoked_at__isnull=True)
            if selectors.api_token_is_valid(token)
        ],
        "new_token": new_token,
    }


@login_required
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ApiTokenForm(request.POST)
    new_token = ""
    status = 200
    if form.is_valid():
        created = services.api_token_create(
            user=user,
            name=form.cleaned_data["name"],
            lifetime_days=form.cleaned_data["lifetime_days"],
            request=request,
        )
        new_token = created.raw
        form = ApiTokenForm()
    else:
        status = 400
    context = _settings_context(user, token_form=form, new_token=new_token)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "accounts/settings.html#tokens", context, status=status)
    # The raw token is shown once, on this response: never stored, never in a redirect URL.
    return render(request, "accounts/settings.html", context, status=status)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    token = access.api_token_get_for_user(user, token_pk)
    services.api_token_revoke(token=token, request=request)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "accounts/settings.html#tokens", _settings_context(user))
    return redirect("accounts:settings")


@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """A consultant registered by their firm chooses a password (one-time link)."""
    user = selectors.welcome_user(uidb64, token)
    if user is None:
        return render(
            request,
            "accounts/invitation_invalid.html",
            {"reason": _("This link has expired or was already used: ask for a password reset.")},
            status=410,
        )
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_set_first_password(
            user=user, password=form.cleaned_data["new_password1"], language=request.LANGUAGE_CODE
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome to Relais."))
        return redirect("site:dashboard")
    return render(
        request,
        "accounts/welcome.html",
        {"form": form, "account": user},
        status=400 if form.errors else 200,
    )


AUDIT_PAGE_SIZE = 50


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log for operator staff, newest first; nobody else learns the page exists."""
    if not signed_in_user(request).is_operator_staff:
        raise Http404
    action = request.GET.get("action", "").strip()[:60]
    email = request.GET.get("email", "").strip()[:254]
    events = selectors.audit_events(action=action, email=email)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "action": action,
        "email": email,
        "actions": selectors.audit_actions(),
        "query": query.urlencode(),
    }
    return render(request, "accounts/audit_log.html", context)


FIRMS_PAGE_SIZE = 25


@login_required
@require_GET
def firms_to_verify(request: HttpRequest) -> HttpResponse:
    """Operator staff's to-do: the firms awaiting verification; nobody else learns it exists."""
    if not signed_in_user(request).is_operator_staff:
        raise Http404
    page = Paginator(selectors.firms_awaiting_verification(), FIRMS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "accounts/firms_to_verify.html", {"page": page})


@login_required
@require_POST
def organisation_verify(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    if not user.is_operator_staff:
        raise Http404
    organisation = access.organisation_get_for_user(user, organisation_pk)
    try:
        services.organisation_verify(staff=user, organisation=organisation, request=request)
    except (ServiceError, ValidationError) as error:
        flash_error(request, error)
    else:
        messages.success(
            request,
            _("%(name)s is verified: its consultants can now ask to join projects.")
            % {"name": organisation.name},
        )
    return redirect("accounts:firms_to_verify")


@login_required
@require_http_methods(["GET", "POST"])
def sponsorship_evidence(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """A nonprofit's admins send its category of art. 238 bis CGI and a supporting document."""
    user = signed_in_user(request)
    organisation = access.organisation_get_for_user(user, organisation_pk, manage=True)
    if organisation.kind != OrganisationKind.NONPROFIT:
        raise Http404
    form = SponsorshipEvidenceForm(
        request.POST or None,
        request.FILES or None,
        initial={"sponsorship_category": organisation.sponsorship_category},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_sponsorship_evidence_set(
                admin=user,
                organisation=organisation,
                category=form.cleaned_data["sponsorship_category"],
                evidence=form.cleaned_data["sponsorship_evidence"],
                request=request,
            )
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(
                request,
                _("Document sent: the Relais team will read it and tell you by email."),
            )
            return redirect("accounts:organisation_detail", organisation_pk=organisation.pk)
    return render(
        request,
        "accounts/sponsorship_evidence.html",
        {"organisation": organisation, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def sponsorship_evidence_file(request: HttpRequest, organisation_pk: int) -> FileResponse:
    """The supporting document, to operator staff and the nonprofit's admins only."""
    user = signed_in_user(request)
    organisation = access.organisation_get_for_user(user, organisation_pk)
    allowed = user.is_operator_staff or user.has_role(organisation.pk, [Role.NONPROFIT_ADMIN])
    if not allowed or not organisation.sponsorship_evidence:
        raise Http404
    name = organisation.sponsorship_evidence.name
    return FileResponse(
        organisation.sponsorship_evidence.open("rb"),
        as_attachment=True,
        filename=f"{organisation.pk}-evidence.{name.rsplit('.', 1)[-1]}",
    )


@login_required
@require_GET
def sponsorship_to_verify(request: HttpRequest) -> HttpResponse:
    """Operator staff's to-do: the nonprofits whose sponsorship eligibility awaits checking."""
    if not signed_in_user(request).is_operator_staff:
        raise Http404
    page = Paginator(selectors.nonprofits_awaiting_sponsorship_check(), FIRMS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "accounts/sponsorship_to_verify.html",
        {"page": page, "form": SponsorshipVerifyForm()},
    )


@login_required
@require_POST
def organisation_sponsorship_verify(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    if not user.is_operator_staff:
        raise Http404
    organisation = access.organisation_get_for_user(user, organisation_pk)
    form = SponsorshipVerifyForm(request.POST)
    form.is_valid()  # a checkbox: always valid
    try:
        services.organisation_sponsorship_verify(
            staff=user,
            organisation=organisation,
            helps_people_in_difficulty=form.cleaned_data.get("helps_people_in_difficulty", False),
            request=request,
        )
    except (ServiceError, ValidationError) as error:
        flash_error(request, error)
    else:
        messages.success(
            request,
            _("%(name)s may receive skills sponsorship: its admins are told.")
            % {"name": organisation.name},
        )
    return redirect("accounts:sponsorship_to_verify")
