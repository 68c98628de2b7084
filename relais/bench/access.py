"""The only way views and the API fetch firm-side objects for a user.

A consultant's bench status is never shown outside their firm, the operator and the projects
they work on: firm admins see their firm's; the consultant sees their own; a project's field
lead and nonprofit admins see the missions on that project; operator staff see all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from relais.accounts.access import organisation_get_for_user
from relais.accounts.models import Organisation, OrganisationKind, Role
from relais.bench.models import BenchPeriod, Mission
from relais.projects.models import Project

if TYPE_CHECKING:
    from relais.accounts.models import User


def firm_get_for_admin(user: User, pk: int, *, read: bool = False) -> Organisation:
    """A firm the user administers (its members who are not admins get 403); with read=True,
    operator staff may look too."""
    firm = organisation_get_for_user(user, pk)
    if firm.kind != OrganisationKind.FIRM:
        raise Http404
    if not (user.has_role(firm.pk, [Role.FIRM_ADMIN]) or (read and user.is_operator_staff)):
        raise PermissionDenied
    return firm


def bench_periods_for(user: User) -> QuerySet[BenchPeriod]:
    """Bench periods the user may see: their firms' (as admin), their own, all for staff."""
    if user.is_operator_staff:
        return BenchPeriod.objects.all()
    firms = user.organisation_ids(Role.FIRM_ADMIN)
    return BenchPeriod.objects.filter(Q(firm_id__in=firms) | Q(consultant=user))


def bench_period_get_for_user(user: User, pk: int, *, admin: bool = False) -> BenchPeriod:
    period = bench_periods_for(user).select_related("firm", "consultant").filter(pk=pk).first()
    if period is None:
        raise Http404
    if admin and not user.has_role(period.firm_id, [Role.FIRM_ADMIN]):
        raise PermissionDenied
    return period


def missions_for(user: User) -> QuerySet[Mission]:
    """Missions the user may see: their firms', their own, their projects', all for staff."""
    if user.is_operator_staff:
        return Mission.objects.all()
    firms = user.organisation_ids(Role.FIRM_ADMIN)
    nonprofits = user.organisation_ids(Role.NONPROFIT_ADMIN)
    # Each condition reads one index of the missions (firm, consultant, project): no join, no
    # scan. The projects are those of the person's nonprofits and those they lead (a few).
    projects = list(
        Project.objects.filter(Q(field_lead=user) | Q(nonprofit_id__in=nonprofits)).values_list(
            "pk", flat=True
        )
    )
    return Mission.objects.filter(
        Q(firm_id__in=firms) | Q(consultant=user) | Q(project_id__in=projects)
    )


def mission_get_for_user(user: User, pk: int) -> Mission:
    mission = (
        missions_for(user)
        .select_related(
            "consultant", "project__nonprofit", "project__field_lead", "bench_period__firm", "terms"
        )
        .filter(pk=pk)
        .first()
    )
    if mission is None:
        raise Http404
    return mission


def mission_documents_get_for_user(user: User, pk: int) -> Mission:
    """A mission whose accepted documents the user may read: the three parties (the firm's
    admins, the beneficiary's admins, the consultant) and operator staff; 404 to anyone else."""
    mission = mission_get_for_user(user, pk)
    if not (
        user.is_operator_staff
        or mission.consultant_id == user.pk
        or user.has_role(mission.bench_period.firm_id, [Role.FIRM_ADMIN])
        or user.has_role(mission.project.nonprofit_id, [Role.NONPROFIT_ADMIN])
    ):
        raise Http404
    return mission
