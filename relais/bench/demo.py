"""Demo firm side: each firm's terms and roster figures, consultants on the bench with running
missions (each with its three acceptances: the loan agreement drawn up by the firm, accepted by
the nonprofit and agreed by the consultant), and one past recall with its drafted handovers.
Built through the services; a firm that already has terms is left as it is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from relais.accounts.models import Organisation, Role, User
from relais.bench import services
from relais.bench.models import ConsultantProfile, LendingMode, Mission
from relais.projects.models import Project, ProjectStatus
from relais.work import services as work_services
from relais.work.models import Task, TaskStatus, TeamMember

FIRM_TERMS = [
    (LendingMode.FEE, Decimal(1), 120, Decimal(6), 550_00, 420_00, 18_000_000_00),
    (LendingMode.SPONSORSHIP, Decimal(0), 90, Decimal(8), 600_00, 480_00, 12_000_000_00),
    (LendingMode.FEE, Decimal("1.5"), 80, Decimal(5), 500_00, 390_00, 9_000_000_00),
]


def seed_bench() -> None:
    today = timezone.localdate()
    start = today - dt.timedelta(days=21)
    active = list(Project.objects.filter(status=ProjectStatus.ACTIVE).order_by("pk"))
    firms = list(Organisation.objects.filter(kind="firm").order_by("pk"))
    for index, firm in enumerate(firms):
        if firm.terms.exists():
            continue
        admin = User.objects.get(memberships__organisation=firm, memberships__role=Role.FIRM_ADMIN)
        mode, rate, headcount, bench_rate, tjm, cost, turnover = FIRM_TERMS[index % len(FIRM_TERMS)]
        services.firm_terms_set(
            admin=admin,
            firm=firm,
            valid_from=dt.date(today.year, 1, 1),
            mode=mode,
            fee_rate=rate,
            headcount=headcount,
            bench_rate=bench_rate,
            average_tjm_cents=tjm,
            average_daily_cost_cents=cost,
            turnover_cents=turnover,
        )
        consultants = list(
            User.objects.filter(
                memberships__organisation=firm, memberships__role=Role.CONSULTANT
            ).order_by("email")
        )
        for n, consultant in enumerate(consultants):
            profile = services.profile_for(consultant, firm)
            profile.job_title = ["Développeuse", "Architecte", "Cheffe de projet", "Data engineer"][
                n % 4
            ]
            profile.employee_id = f"E{index + 1}{n + 1:03d}"
            profile.tjm_cents = tjm + 25_00 * (n % 5)
            profile.daily_cost_cents = cost + 20_00 * (n % 5)
            profile.save()
        # Those already in a project's team, and two more, are on the bench with a mission.
        on_team = [c for c in consultants if TeamMember.objects.filter(user=c).exists()]
        others = [c for c in consultants if c not in on_team][:2]
        for n, consultant in enumerate(on_team + others):
            project = next(
                (
                    t.project
                    for t in TeamMember.objects.filter(user=consultant).select_related("project")
                ),
                active[(index + n) % len(active)] if active else None,
            )
            if project is None:
                continue
            services.bench_period_open(admin=admin, firm=firm, consultant=consultant, start=start)
            # The three acceptances: the firm, the nonprofit that owns the project, the consultant.
            mission = services.mission_create(consultant=consultant, project=project)
            services.mission_agreement_draw_up(admin=admin, mission=mission)
            beneficiary = User.objects.get(
                memberships__organisation=project.nonprofit_id,
                memberships__role=Role.NONPROFIT_ADMIN,
            )
            services.mission_beneficiary_accept(admin=beneficiary, mission=mission)
            services.mission_consent(consultant=consultant, mission=mission)
            Mission.objects.filter(pk=mission.pk).update(start=start)
        _past_recall(admin, firm, on_team + others, today)


def _past_recall(admin: User, firm: Organisation, consultants: list[User], today: dt.date) -> None:
    """The last consultant on a mission takes a task, works on it, and is recalled yesterday."""
    for consultant in reversed(consultants):
        mission = (
            Mission.objects.filter(consultant=consultant, status="active")
            .select_related("project", "bench_period")
            .first()
        )
        if mission is None:
            continue
        task = (
            Task.objects.filter(project=mission.project, status=TaskStatus.READY)
            .order_by("position")
            .first()
        )
        if task is None or not ConsultantProfile.objects.filter(user=consultant).exists():
            continue
        work_services.task_claim(consultant=consultant, task=task)
        work_services.time_log(
            consultant=consultant,
            task=task,
            date=today,
            hours=Decimal(4),
            note="Analyse faite, premières modifications sur une branche",
        )
        services.bench_period_recall(
            actor=admin, period=mission.bench_period, effective_date=today - dt.timedelta(days=1)
        )
        return
