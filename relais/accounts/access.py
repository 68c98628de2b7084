"""The only way views and the API fetch accounts objects for a user.

An object the user may not see is reported as missing (404), never as forbidden, so that its
existence does not leak; an object they may see but not change gives 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from relais.accounts.models import ApiToken, Invitation, Organisation, User


def organisations_for_user(user: User) -> QuerySet[Organisation]:
    """Organisations the user belongs to, whatever the role."""
    return Organisation.objects.filter(memberships__user=user).distinct()


def organisation_get_for_user(user: User, pk: int, *, manage: bool = False) -> Organisation:
    """An organisation its members can read; with manage=True, one the user administers.

    Operator staff may read every organisation: reviewing them is their job.
    """
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None:
        raise Http404
    if not (user.belongs_to(organisation.pk) or user.is_operator_staff):
        raise Http404
    if manage and not user.has_role(organisation.pk, [organisation.admin_role]):
        raise PermissionDenied
    return organisation


def invitation_get_for_user(user: User, organisation_pk: int, pk: int) -> Invitation:
    """A pending invitation of an organisation the user administers."""
    organisation = organisation_get_for_user(user, organisation_pk, manage=True)
    invitation = organisation.invitations.filter(pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


def api_token_get_for_user(user: User, pk: int) -> ApiToken:
    """One of the user's own API tokens."""
    token = user.api_tokens.filter(pk=pk).first()
    if token is None:
        raise Http404
    return token
