"""Reads of accounts data that are more than one query."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from relais.accounts.models import Invitation, Membership, Organisation, User


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
