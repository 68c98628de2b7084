"""A consultant put on a project the only way there is: a real mission with its three acceptances
(no work without a mission). For the tests of every app that need a team member."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from relais.accounts.models import Membership, Organisation, OrganisationKind, Role
from relais.accounts.tests.factories import MembershipFactory
from relais.bench import services
from relais.bench.models import BenchPeriod, BenchStatus, LendingMode, Mission
from relais.bench.selectors import terms_at
from relais.bench.tests.loan import REPRESENTATIVE, mentions

if TYPE_CHECKING:
    from relais.accounts.models import User
    from relais.projects.models import Project


def _admin_of(organisation: Organisation, role: Role, email: str) -> User:
    found = Membership.objects.filter(organisation=organisation, role=role).first()
    if found is not None:
        return found.user
    return MembershipFactory(organisation=organisation, role=role, user__email=email).user


def mission_started(
    consultant: User,
    project: Project,
    *,
    bench_since: dt.date | None = None,
    work_on_rest_days: bool = True,
    planned_end: dt.date | None = None,
) -> Mission:
    """The consultant's firm (verified, with terms) puts them on the bench, they ask to join the
    project, the firm draws up the agreement, the nonprofit accepts it, the consultant agrees:
    the mission starts today and gives them their place in the team. Rest days are allowed by
    default, so that tests logging time today pass on a Sunday too."""
    today = timezone.localdate()
    firm = Organisation.objects.get(
        memberships__user=consultant,
        memberships__role=Role.CONSULTANT,
        kind=OrganisationKind.FIRM,
    )
    if firm.verified_at is None:
        Organisation.objects.filter(pk=firm.pk).update(verified_at=timezone.now())
        firm.refresh_from_db()
    if firm.created_at.date() > today - dt.timedelta(days=30):
        Organisation.objects.filter(pk=firm.pk).update(
            created_at=timezone.now() - dt.timedelta(days=400)
        )
        firm.refresh_from_db()
    admin = _admin_of(firm, Role.FIRM_ADMIN, f"admin-{firm.pk}@firm.example")
    if terms_at(firm, today) is None:
        services.firm_terms_set(
            admin=admin,
            firm=firm,
            valid_from=today - dt.timedelta(days=400),
            mode=LendingMode.FEE,
            fee_rate=Decimal(1),
            max_bench_days_per_year=200,
            headcount=50,
            bench_rate=Decimal(5),
            average_tjm_cents=500_00,
            average_daily_cost_cents=400_00,
            turnover_cents=5_000_000_00,
            work_on_rest_days=work_on_rest_days,
        )
    on_bench = BenchPeriod.objects.filter(
        consultant=consultant, status=BenchStatus.OPEN, start__lte=today, end__isnull=True
    ).exists()
    if not on_bench:
        services.bench_period_open(
            admin=admin,
            firm=firm,
            consultant=consultant,
            start=bench_since or today - dt.timedelta(days=7),
        )
    beneficiary = _admin_of(
        project.nonprofit, Role.NONPROFIT_ADMIN, f"admin-{project.nonprofit_id}@asso.example"
    )
    mission = services.mission_create(consultant=consultant, project=project)
    planned_end = planned_end or today + dt.timedelta(days=90)
    services.mission_agreement_draw_up(
        admin=admin, mission=mission, mentions=mentions(planned_end=planned_end)
    )
    services.mission_beneficiary_accept(
        admin=beneficiary, mission=mission, representative=REPRESENTATIVE
    )
    services.mission_consent(consultant=consultant, mission=mission)
    mission.refresh_from_db()
    return mission
