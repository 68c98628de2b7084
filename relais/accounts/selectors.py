"""Reads of accounts data that are more than one query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from relais.accounts.models import AuditEvent, Invitation, Membership, Organisation, User


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
