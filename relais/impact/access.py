"""The only way views and the API fetch impact objects for a person.

A credential is the consultant's: they and operator staff list and manage it; anyone holding its
id may verify it (its public page shows what the credential itself says). A firm's dashboard and
CSR report are for its admins (and staff, reading); a circle's for its members; a nonprofit's
for its admins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from relais.accounts.access import organisation_get_for_user
from relais.accounts.models import Organisation, OrganisationKind, Role
from relais.impact.models import Credential

if TYPE_CHECKING:
    from uuid import UUID

    from relais.accounts.models import User


def credentials_for(user: User) -> QuerySet[Credential]:
    """The credentials a person may list: their own; all for operator staff."""
    if user.is_operator_staff:
        return Credential.objects.all()
    return Credential.objects.filter(consultant=user)


def credential_get_for_user(user: User, public_id: UUID | str) -> Credential:
    credential = (
        credentials_for(user)
        .select_related("consultant", "mission__project")
        .filter(public_id=public_id)
        .first()
    )
    if credential is None:
        raise Http404
    return credential


def credential_get_public(public_id: UUID | str) -> Credential:
    """A credential by its (unguessable) id, for its public verification page."""
    credential = (
        Credential.objects.select_related("consultant", "mission__project__nonprofit", "key")
        .filter(public_id=public_id)
        .first()
    )
    if credential is None:
        raise Http404
    return credential


def firm_get_for_reports(user: User, pk: int) -> Organisation:
    """A firm whose dashboard and CSR report the person may read: its admins, operator staff."""
    firm = organisation_get_for_user(user, pk)
    if firm.kind != OrganisationKind.FIRM:
        raise Http404
    if not (user.has_role(firm.pk, [Role.FIRM_ADMIN]) or user.is_operator_staff):
        raise PermissionDenied
    return firm


def nonprofit_get_for_reports(user: User, pk: int) -> Organisation:
    nonprofit = organisation_get_for_user(user, pk)
    if nonprofit.kind != OrganisationKind.NONPROFIT:
        raise Http404
    if not (user.has_role(nonprofit.pk, [Role.NONPROFIT_ADMIN]) or user.is_operator_staff):
        raise PermissionDenied
    return nonprofit


def circle_get_for_member(user: User, pk: int) -> object:
    """A circle whose dashboard the person may read: its active members and operator staff."""
    try:
        from relais.funding.models import Circle, CircleMembership, MembershipStatus
    except ImportError:  # pragma: no cover - circles not there yet
        raise Http404 from None
    circle = Circle.objects.filter(pk=pk).first()
    if circle is None:
        raise Http404
    member = CircleMembership.objects.filter(
        circle=circle, user=user, status=MembershipStatus.ACTIVE, left_at__isnull=True
    ).exists()
    if not (member or user.is_operator_staff):
        raise Http404
    return circle
