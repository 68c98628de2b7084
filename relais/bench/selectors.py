"""Reads of the firm side: who is on the bench, and what the firm gets back this year."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from relais.accounts.models import Role
from relais.bench import returns
from relais.bench.models import (
    BenchPeriod,
    BenchStatus,
    ConsultantSkill,
    FirmTerms,
    LendingMode,
    Mission,
    MissionStatus,
)

if TYPE_CHECKING:
    from relais.accounts.models import Organisation, User


def terms_at(firm: Organisation, day: dt.date) -> FirmTerms | None:
    """The version of the terms valid on a day (the latest that started on or before it)."""
    return (
        FirmTerms.objects.filter(firm=firm, valid_from__lte=day)
        .order_by("-valid_from", "-id")
        .first()
    )


def declared_skill_ids(user: User) -> QuerySet[ConsultantSkill, int]:
    """The skills a consultant declared on their profile, none if they opted out of matching."""
    return ConsultantSkill.objects.filter(
        profile__user=user, profile__matching_opt_out=False
    ).values_list("skill_id", flat=True)


def on_bench_now(firm: Organisation) -> QuerySet[BenchPeriod]:
    today = timezone.localdate()
    return (
        BenchPeriod.objects.filter(firm=firm, status=BenchStatus.OPEN, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .select_related("consultant")
        .prefetch_related(
            Prefetch(
                "missions",
                queryset=Mission.objects.exclude(status=MissionStatus.ENDED).select_related(
                    "project"
                ),
            )
        )
    )


def mission_days(mission: Mission, start: dt.date, end: dt.date) -> int:
    """Working days of a mission within [start, end]; nothing counts after its end (recall)."""
    if mission.start is None:
        return 0
    first = max(mission.start, start)
    last = min(mission.end or end, end)
    return returns.working_days(first, last) if first <= last else 0


@dataclass
class FirmYear:
    year: int
    bench_days: int = 0
    value_at_tjm_cents: int = 0
    fee_cents: int = 0
    valuation_cents: int = 0
    reduction: returns.Reduction | None = None
    projects: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)


def firm_year(firm: Organisation, year: int | None = None) -> FirmYear:
    """Bench days lent this year up to today, their value at TJM, fee income, and the
    sponsorship valuation with its tax reduction (caps of the year's parameters)."""
    today = timezone.localdate()
    year = year or today.year
    start, end = dt.date(year, 1, 1), min(dt.date(year, 12, 31), today)
    parameters = returns.tax_year(year)
    figures = FirmYear(year)
    missions = (
        Mission.objects.filter(bench_period__firm=firm, start__isnull=False, start__lte=end)
        .filter(Q(end__isnull=True) | Q(end__gte=start))
        .select_related("project")
        .prefetch_related("project__causes")
    )
    projects: set[str] = set()
    causes: set[str] = set()
    for mission in missions:
        days = mission_days(mission, start, end)
        figures.bench_days += days
        figures.value_at_tjm_cents += days * mission.tjm_cents
        if mission.mode == LendingMode.FEE:
            figures.fee_cents += returns.fee_cents(days, mission.tjm_cents, mission.fee_rate)
        else:
            figures.valuation_cents += days * returns.capped_daily_cost(
                mission.daily_cost_cents, parameters
            )
        projects.add(mission.project.title)
        causes.update(str(c) for c in mission.project.causes.all())
    terms = terms_at(firm, today)
    if figures.valuation_cents and terms is not None:
        figures.reduction = returns.sponsorship_reduction(
            figures.valuation_cents, terms.turnover_cents, parameters
        )
    figures.projects, figures.causes = sorted(projects), sorted(causes)
    return figures


@dataclass
class MissionToDos:
    """What waits on a person in the mission workflow, for their dashboard."""

    to_draw_up: list[Mission] = field(default_factory=list)  # as firm admin
    to_accept: list[Mission] = field(default_factory=list)  # as nonprofit admin
    mine: list[Mission] = field(default_factory=list)  # as consultant, latest first
    new_on_team: list[Mission] = field(default_factory=list)  # as field lead, last 14 days


def mission_to_dos(user: User) -> MissionToDos:
    """Missions waiting on the user's step (firm: draw up; nonprofit: accept or refuse), the
    consultant's own missions, and those that started lately on projects the user leads."""
    related = ("consultant", "project__nonprofit", "bench_period__firm")
    missions = Mission.objects.select_related(*related).order_by("created_at", "id")
    firms = user.organisation_ids(Role.FIRM_ADMIN)
    nonprofits = user.organisation_ids(Role.NONPROFIT_ADMIN)
    since = timezone.localdate() - dt.timedelta(days=14)
    return MissionToDos(
        to_draw_up=list(
            missions.filter(status=MissionStatus.AWAITING, bench_period__firm_id__in=firms)[:50]
        )
        if firms
        else [],
        to_accept=list(
            missions.filter(status=MissionStatus.DRAWN_UP, project__nonprofit_id__in=nonprofits)[
                :50
            ]
        )
        if nonprofits
        else [],
        mine=list(missions.filter(consultant=user).order_by("-created_at", "-id")[:10]),
        new_on_team=list(
            missions.filter(
                status=MissionStatus.ACTIVE, project__field_lead=user, start__gte=since
            ).order_by("-start", "-id")[:20]
        ),
    )
