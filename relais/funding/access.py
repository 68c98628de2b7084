"""The only way views and the API fetch circles and collection runs for a person.

A circle is private to its members (and operator staff): an outsider gets 404. Its members see
the members, the pool balance, what the pool paid for (days and totals by project, never a
person's daily rate) and how many days it can still fund; its admins also see each member's
standing, the invitations and the join link. Collection runs are operator staff's only."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from relais.accounts.models import Role
from relais.funding.models import (
    Circle,
    CircleInvitation,
    CircleMembership,
    CircleRole,
    CollectionRun,
    MembershipStatus,
)

if TYPE_CHECKING:
    from relais.accounts.models import User


def is_consultant(user: User) -> bool:
    return bool(user.organisation_ids(Role.CONSULTANT))


def circles_for(user: User) -> QuerySet[Circle]:
    """The circles the person belongs to (all of them for operator staff)."""
    if user.is_operator_staff:
        return Circle.objects.all()
    return Circle.objects.filter(
        pk__in=CircleMembership.objects.filter(user=user)
        .exclude(status=MembershipStatus.LEFT)
        .values("circle")
    )


def membership_of(user: User, circle: Circle) -> CircleMembership | None:
    return (
        CircleMembership.objects.filter(user=user, circle=circle)
        .exclude(status=MembershipStatus.LEFT)
        .select_related("tier")
        .first()
    )


def is_circle_admin(user: User, circle: Circle) -> bool:
    membership = membership_of(user, circle)
    return membership is not None and membership.role == CircleRole.ADMIN


def circle_get_for_user(user: User, pk: int, *, admin: bool = False) -> Circle:
    """A circle the person belongs to (404 otherwise); with admin=True, its admins only (403
    for its other members)."""
    circle = circles_for(user).select_related("firm").filter(pk=pk).first()
    if circle is None:
        raise Http404
    if admin and not is_circle_admin(user, circle):
        raise PermissionDenied
    return circle


def circle_invitation_get_for_user(user: User, pk: int) -> CircleInvitation:
    """An invitation sent to the person's own address (404 for anybody else)."""
    invitation = (
        CircleInvitation.objects.select_related("circle__firm", "invited_by")
        .filter(pk=pk, email__iexact=user.email)
        .first()
    )
    if invitation is None:
        raise Http404
    return invitation


def require_staff(user: User) -> None:
    if not user.is_operator_staff:
        raise PermissionDenied


def collection_runs_for(user: User) -> QuerySet[CollectionRun]:
    require_staff(user)
    return CollectionRun.objects.all()


def collection_run_get_for_user(user: User, pk: int) -> CollectionRun:
    require_staff(user)
    run = CollectionRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404
    return run
