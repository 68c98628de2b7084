"""Demo billing: last month's fee-mode accrual of a consultant of the first firm, with the
invoice Relais self-billed on the firm's behalf; and a sponsorship year (last year) of a
consultant of the sponsoring firm with the demo nonprofit, with the tax receipt its admin issued.
Built through the services, as of the days things happened; run after `seed_funding` (whose
circle pays the fees). A database that already has invoices or receipts is left as it is."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from relais.accounts.demo import DEMO_ACCOUNTS
from relais.accounts.models import Organisation, Role, User
from relais.bench import services as bench_services
from relais.bench.demo import _as_of
from relais.bench.models import BenchPeriod, LendingMode, Mission, TaxYear
from relais.bench.returns import is_working_day
from relais.bench.selectors import terms_at
from relais.billing import selectors, services
from relais.billing.models import Invoice, TaxReceipt
from relais.funding import services as funding_services
from relais.funding.models import CircleMembership, MembershipStatus
from relais.projects.models import Project, ProjectStatus


def _first_working_day(day: dt.date) -> dt.date:
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def _lend(
    *, admin: User, consultant: User, project: Project, start: dt.date, end: dt.date
) -> Mission:
    """The consultant lent from start to end: a bench period, the mission's three acceptances
    on the first day, as they happened."""
    beneficiary = User.objects.filter(
        memberships__organisation=project.nonprofit_id, memberships__role=Role.NONPROFIT_ADMIN
    ).order_by("pk")[0]
    firm = admin.memberships.filter(role=Role.FIRM_ADMIN).first().organisation  # type: ignore[union-attr]
    with _as_of(start):
        bench_services.bench_period_open(
            admin=admin, firm=firm, consultant=consultant, start=start, expected_end=end
        )
        mission = bench_services.mission_create(consultant=consultant, project=project)
        bench_services.mission_agreement_draw_up(
            admin=admin,
            mission=mission,
            mentions=bench_services.MissionMentions(
                place_of_work=f"{project.nonprofit.name}, {project.nonprofit.city}",
                working_hours="Du lundi au vendredi, 9 h – 17 h 30",
                post_characteristics="Consultant·e, travail sur ordinateur",
                trial_period="",
                firm_representative=f"{admin.display_name}, responsable du staffing",
                planned_end=end,
                cse_informed_on=start - dt.timedelta(days=3),
            ),
        )
        bench_services.mission_beneficiary_accept(
            admin=beneficiary, mission=mission, representative=f"{beneficiary.display_name}"
        )
        bench_services.mission_consent(consultant=consultant, mission=mission)
    mission.refresh_from_db()
    return mission


def seed_billing() -> None:
    if Invoice.objects.exists() or TaxReceipt.objects.exists():
        return
    today = timezone.localdate()
    firms = list(Organisation.objects.filter(kind="firm").order_by("pk"))
    projects = list(Project.objects.filter(status=ProjectStatus.ACTIVE).select_related("nonprofit"))
    if not firms or not projects:
        return
    _fee_month(firms, projects, today)
    _sponsorship_year(firms, projects, today)


def _fee_month(firms: list[Organisation], projects: list[Project], today: dt.date) -> None:
    """A consultant of the first firm, in good standing in its circle, lent the whole of last
    month; the circle's pool paid each day (funding's accrual); Relais self-bills the month."""
    firm = next((f for f in firms if (t := terms_at(f, today)) and t.mode == LendingMode.FEE), None)
    if firm is None:
        return
    admin = User.objects.get(email=DEMO_ACCOUNTS[Role.FIRM_ADMIN])
    month = selectors.previous_month(today)
    start = _first_working_day(month)
    end = selectors.next_month(month) - dt.timedelta(days=1)
    # Someone whose bench periods leave last month free (the demo consultant's are their own).
    busy = (
        BenchPeriod.objects.filter(firm=firm, start__lte=end)
        .filter(Q(end__isnull=True, start__gte=start) | Q(end__gte=start))
        .values_list("consultant_id", flat=True)
    )
    member = (
        CircleMembership.objects.filter(
            circle__firm=firm,
            status=MembershipStatus.ACTIVE,
            user__memberships__organisation=firm,
            user__memberships__role=Role.CONSULTANT,
        )
        .exclude(user_id__in=busy)
        .exclude(user__email=DEMO_ACCOUNTS[Role.CONSULTANT])
        .select_related("user")
        .order_by("user__email")
        .first()
    )
    if member is None:
        return
    with _as_of(month - dt.timedelta(days=5)):
        services.billing_settings_set(
            admin=admin,
            firm=firm,
            mode="self_billed",
            accept_self_billing=True,
            vat_rate=Decimal(20),
            vat_exemption="",
            payment_days=30,
            late_penalty_rate=Decimal("12.00"),
        )
    _lend(admin=admin, consultant=member.user, project=projects[0], start=start, end=end)
    funding_services.fees_accrue(today=today, notify=False)
    services.invoice_prepare(firm=firm, month=month)


def _sponsorship_year(firms: list[Organisation], projects: list[Project], today: dt.date) -> None:
    """A consultant of the sponsoring firm gave the demo nonprofit the last weeks of last year;
    its admin issued the tax receipt of that year in January."""
    year = today.year - 1
    if not TaxYear.objects.filter(year=year).exists():
        return
    firm = next(
        (f for f in firms if (t := terms_at(f, today)) and t.mode == LendingMode.SPONSORSHIP),
        None,
    )
    signer = User.objects.get(email=DEMO_ACCOUNTS[Role.NONPROFIT_ADMIN])
    nonprofit = signer.memberships.get(role=Role.NONPROFIT_ADMIN).organisation
    project = next((p for p in projects if p.nonprofit_id == nonprofit.pk), None)
    if firm is None or project is None or nonprofit.sponsorship_eligible_at is None:
        return
    admin = User.objects.filter(
        memberships__organisation=firm, memberships__role=Role.FIRM_ADMIN
    ).order_by("pk")[0]
    consultant = (
        User.objects.filter(memberships__organisation=firm, memberships__role=Role.CONSULTANT)
        .exclude(bench_periods__start__year=year)
        # Someone in no circle: sponsorship mode books nothing from a pool before it started.
        .exclude(circle_memberships__isnull=False)
        .order_by("email")
        .first()
    )
    if consultant is None:
        return
    current = terms_at(firm, today)
    assert current is not None
    # A bench period starts at most a year before the firm registered on Relais.
    registered = timezone.localdate(firm.created_at)
    earliest = registered.replace(year=registered.year - 1) + dt.timedelta(days=1)
    start = _first_working_day(max(dt.date(year, 12, 1), earliest))
    end = min(start + dt.timedelta(days=18), dt.date(year, 12, 31))
    if start > end:
        return
    # The terms of that December: the same as today's, valid from then.
    with _as_of(start - dt.timedelta(days=10)):
        bench_services.firm_terms_set(
            admin=admin,
            firm=firm,
            valid_from=start - dt.timedelta(days=10),
            mode=current.mode,
            fee_rate=current.fee_rate,
            max_bench_days_per_year=current.max_bench_days_per_year,
            headcount=current.headcount,
            bench_rate=current.bench_rate,
            average_tjm_cents=current.average_tjm_cents,
            average_daily_cost_cents=current.average_daily_cost_cents,
            turnover_cents=current.turnover_cents,
        )
    _lend(admin=admin, consultant=consultant, project=project, start=start, end=end)
    with _as_of(end + dt.timedelta(days=1)):
        bench_services.missions_end_due(today=end + dt.timedelta(days=1))
    with _as_of(dt.date(year + 1, 1, 5)):
        for receipt in services.receipts_prepare(year=year, beneficiary=nonprofit):
            if receipt.firm_id == firm.pk:
                services.receipt_issue(
                    receipt=receipt, admin=signer, signatory=f"{signer.display_name}, présidence"
                )
