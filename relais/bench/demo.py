"""Demo firm side: each firm's terms and roster figures, consultants on the bench with running
missions (each with its three acceptances: the loan agreement drawn up by the firm, accepted by
the nonprofit and agreed by the consultant), and one past recall with its drafted handovers.
Built through the services; a firm that already has terms is left as it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from unittest.mock import patch

from django.utils import timezone

from relais.accounts.models import Organisation, Role, User
from relais.bench import returns, services
from relais.bench.models import ConsultantProfile, LendingMode, Mission
from relais.projects.models import Project, ProjectStatus
from relais.work import services as work_services
from relais.work.demo import claim_started_on, demo_teams
from relais.work.models import Task, TaskStatus

FIRM_TERMS = [
    (LendingMode.FEE, Decimal(1), 120, Decimal(6), 550_00, 420_00, 18_000_000_00),
    (LendingMode.SPONSORSHIP, Decimal(0), 90, Decimal(8), 600_00, 480_00, 12_000_000_00),
    (LendingMode.FEE, Decimal("1.5"), 80, Decimal(5), 500_00, 390_00, 9_000_000_00),
]
DAYS_PER_YEAR = 120  # working days a firm lends a consultant per fiscal year, at most


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
            # The demo's loans run four months (and a consultant may have had last month's
            # loan too): up to 120 working days a fiscal year, not the default 40.
            max_bench_days_per_year=DAYS_PER_YEAR,
            headcount=headcount,
            bench_rate=bench_rate,
            average_tjm_cents=tjm,
            average_daily_cost_cents=cost,
            turnover_cents=turnover,
        )
        # The turnover of this fiscal year and the last, and other gifts sharing the cap.
        for back in (1, 0):
            services.firm_fiscal_year_set(
                admin=admin,
                firm=firm,
                year=today.year - back,
                turnover_cents=turnover - back * 1_000_000_00,
                other_gifts_cents=10_000_00 * (index + back),
            )
        consultants = list(
            User.objects.filter(
                memberships__organisation=firm, memberships__role=Role.CONSULTANT
            ).order_by("email")
        )
        for n, consultant in enumerate(consultants):
            profile = services.profile_for(consultant, firm)
            # Titles that fit anyone, whatever the demo name's gender.
            titles = ["Développeur·euse", "Architecte", "Chef·fe de projet", "Data engineer"]
            profile.job_title = titles[n % 4]
            profile.employee_id = f"E{index + 1}{n + 1:03d}"
            profile.tjm_cents = tjm + 25_00 * (n % 5)
            profile.daily_cost_cents = cost + 20_00 * (n % 5)
            # The cost basis of the loan (L8241-1): gross salary, 45 % employer charges and
            # 12 € of expenses a day; every demo fee stays far below it.
            profile.daily_gross_salary_cents = round(profile.daily_cost_cents * 100 / 145)
            profile.employer_charges_rate = Decimal(45)
            profile.daily_expenses_cents = 12_00
            profile.save()
        # The demo teams (a mission is the only way into a team), and two more, are on the
        # bench with a mission.
        teams = {c.pk: project for project, team in demo_teams() for c in team}
        on_team = [c for c in consultants if c.pk in teams]
        others = [c for c in consultants if c not in on_team][:2]
        for n, consultant in enumerate(on_team + others):
            project = teams.get(consultant.pk) or (
                active[(index + n) % len(active)] if active else None
            )
            if project is None:
                continue
            services.bench_period_open(admin=admin, firm=firm, consultant=consultant, start=start)
            # The three acceptances: the firm, the nonprofit that owns the project, the consultant,
            # all on the period's first day, so the mission starts then and never before them.
            beneficiary = User.objects.get(
                memberships__organisation=project.nonprofit_id,
                memberships__role=Role.NONPROFIT_ADMIN,
            )
            with _as_of(start):
                mission = services.mission_create(consultant=consultant, project=project)
                services.mission_agreement_draw_up(
                    admin=admin,
                    mission=mission,
                    mentions=services.MissionMentions(
                        place_of_work=f"{project.nonprofit.name}, {project.nonprofit.city}",
                        working_hours="Du lundi au vendredi, 9 h – 17 h 30",
                        post_characteristics="Consultant·e, travail sur ordinateur",
                        trial_period="",
                        firm_representative=f"{admin.display_name}, responsable du staffing",
                        planned_end=start + dt.timedelta(days=120),
                        cse_informed_on=start - dt.timedelta(days=3),
                    ),
                )
                services.mission_beneficiary_accept(
                    admin=beneficiary,
                    mission=mission,
                    representative=f"{beneficiary.display_name}, présidence",
                )
                services.mission_consent(consultant=consultant, mission=mission)
        _past_recall(admin, firm, on_team + others, today)


@contextmanager
def _as_of(day: dt.date) -> Iterator[None]:
    """Relais's clock set to 9:00 on `day`: the demo's missions were accepted when they began."""
    real_now = timezone.now
    shift = timezone.make_aware(dt.datetime.combine(day, dt.time(9))) - real_now()
    with patch("django.utils.timezone.now", lambda: real_now() + shift):
        yield


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
        # The last ready task: the first ones are the demo team's history (work's demo).
        task = (
            Task.objects.filter(project=mission.project, status=TaskStatus.READY)
            .order_by("-position")
            .first()
        )
        if task is None or not ConsultantProfile.objects.filter(user=consultant).exists():
            continue
        claim = work_services.task_claim(consultant=consultant, task=task)
        # A working day before the recall (no time on rest days unless the firm allows it).
        worked = today - dt.timedelta(days=2)
        while not returns.is_working_day(worked):
            worked -= dt.timedelta(days=1)
        claim_started_on(claim, worked)
        work_services.time_log(
            consultant=consultant,
            task=task,
            date=worked,
            hours=Decimal(4),
            note="Analyse faite, premières modifications sur une branche",
        )
        # Past history: recorded as it happened, without emailing anyone at the first start.
        services.bench_period_recall(
            actor=admin,
            period=mission.bench_period,
            effective_date=today - dt.timedelta(days=1),
            notify=False,
        )
        return
