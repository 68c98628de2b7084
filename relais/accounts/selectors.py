"""Reads of accounts data that are more than one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.tokens import default_token_generator
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from relais.accounts.models import (
    API_TOKEN_DEFAULT_LIFETIME,
    ApiToken,
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    User,
)


@dataclass(frozen=True)
class OrganisationRoles:
    organisation: Organisation
    roles: list[str]


def memberships_by_organisation(user: User) -> list[OrganisationRoles]:
    """The user's organisations with their roles in each, in two queries at most."""
    grouped: dict[int, OrganisationRoles] = {}
    for membership in Membership.objects.filter(user=user).select_related("organisation"):
        entry = grouped.setdefault(
            membership.organisation_id, OrganisationRoles(membership.organisation, [])
        )
        entry.roles.append(membership.role)
    return list(grouped.values())


def organisation_members(organisation: Organisation) -> QuerySet[Membership]:
    return organisation.memberships.select_related("user").order_by("role", "user__email")


def organisation_pending_invitations(organisation: Organisation) -> QuerySet[Invitation]:
    return organisation.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    ).select_related("invited_by")


def audit_events(*, action: str = "", email: str = "") -> QuerySet[AuditEvent]:
    """The audit log, newest first, narrowed to one action and to an actor's (or tried) email."""
    events = AuditEvent.objects.select_related("organisation").order_by("-at", "-id")
    if action:
        events = events.filter(action=action)
    if email:
        events = events.filter(Q(actor_label__icontains=email) | Q(target__icontains=email))
    return events


def audit_actions() -> list[str]:
    """Every action the audit log holds, for the staff page's filter."""
    return list(AuditEvent.objects.order_by("action").values_list("action", flat=True).distinct())


def firms_awaiting_verification() -> QuerySet[Organisation]:
    """Firms operator staff have not verified yet, oldest first: their consultants cannot join
    any project meanwhile."""
    return Organisation.objects.filter(kind="firm", verified_at__isnull=True).order_by(
        "created_at", "id"
    )


def api_token_is_valid(token: ApiToken, *, now: datetime | None = None) -> bool:
    """A token works while it is neither revoked nor expired (a token without an expiry date,
    made before expiry existed, lasts the default lifetime from its creation)."""
    now = now or timezone.now()
    expires_at = token.expires_at or token.created_at + timedelta(days=API_TOKEN_DEFAULT_LIFETIME)
    return token.revoked_at is None and now < expires_at


def welcome_link_path(user: User) -> str:
    """The path of a one-time link that lets someone registered by their firm choose a password
    (the token dies with the first password set)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("accounts:welcome", kwargs={"uidb64": uid, "token": token})


def welcome_user(uidb64: str, token: str) -> User | None:
    """The user a welcome link designates, if the link is still valid."""
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def nonprofits_awaiting_sponsorship_check() -> QuerySet[Organisation]:
    """Nonprofits that sent their category and supporting document of art. 238 bis CGI and that
    operator staff have not verified yet, oldest first."""
    return (
        Organisation.objects.filter(kind="nonprofit", sponsorship_eligible_at__isnull=True)
        .exclude(sponsorship_category="")
        .exclude(sponsorship_evidence="")
        .order_by("created_at", "id")
    )
