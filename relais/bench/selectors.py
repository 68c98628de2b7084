"""Reads of the firm side: who is on the bench, and what the firm gets back this year."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from relais.accounts.models import Role
from relais.bench import returns
from relais.bench.models import (
    Absence,
    BenchPeriod,
    BenchStatus,
    ConsultantProfile,
    ConsultantSkill,
    FirmFiscalYear,
    FirmTerms,
    LendingMode,
    Mission,
    MissionStatus,
    TaxYear,
)
from relais.core import versions
from relais.projects.models import ProjectEvent, ProjectStatus

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


def mission_cost_basis(mission: Mission) -> returns.CostBasis:
    """The cost basis the mission took from the consultant's profile when it was created."""
    return returns.CostBasis(
        gross_cents=mission.daily_gross_salary_cents,
        charges_rate=mission.employer_charges_rate,
        loaded_cents=mission.daily_cost_cents,
        expenses_cents=mission.daily_expenses_cents,
    )


@dataclass(frozen=True)
class FeeBasis:
    """How the amount invoiced for a mission is determined (L8241-1), for the agreement."""

    mode: str
    tjm_cents: int
    fee_rate: Decimal
    daily_fee_cents: int  # 0 in sponsorship mode: nothing is invoiced
    basis: returns.CostBasis
    daily_cost_cents: int
    formula: str  # the cost formula in words, with the figures, in the active language
    rule: str  # the non-profit rule, in words

    @property
    def within_cost(self) -> bool:
        return self.daily_fee_cents <= self.daily_cost_cents

    # The names the agreement template reads.
    @property
    def daily_gross_salary_cents(self) -> int | None:
        return self.basis.gross_cents if self.basis.from_salary else None

    @property
    def employer_charges_cents(self) -> int | None:
        if not self.basis.from_salary:
            return None
        return self.basis.salary_and_charges_cents - (self.basis.gross_cents or 0)

    @property
    def daily_expenses_cents(self) -> int:
        return self.basis.expenses_cents

    @property
    def fee_per_day_cents(self) -> int:
        return self.daily_fee_cents


def _euros(amount_cents: int) -> str:
    return f"{amount_cents / 100:.2f} €"


def mission_fee_basis(mission: Mission) -> FeeBasis:
    """The figures and the formula of the amount a mission's agreement states: the daily cost
    (gross salary × (1 + employer charges), or the loaded daily cost, plus the professional
    expenses reimbursed per day) and the daily fee (rate × TJM, fee mode only), never above it."""
    basis = mission_cost_basis(mission)
    fee_mode = mission.mode == LendingMode.FEE
    daily_fee = returns.daily_fee_cents(mission.tjm_cents, mission.fee_rate) if fee_mode else 0
    if basis.from_salary:
        formula = _(
            "daily cost = gross daily salary %(gross)s × (1 + employer social charges "
            "%(rate)s %%) + professional expenses reimbursed %(expenses)s = %(cost)s"
        ) % {
            "gross": _euros(basis.gross_cents or 0),
            "rate": basis.charges_rate,
            "expenses": _euros(basis.expenses_cents),
            "cost": _euros(basis.daily_cents),
        }
    else:
        formula = _(
            "daily cost = loaded daily cost (salary and social charges) %(loaded)s + "
            "professional expenses reimbursed %(expenses)s = %(cost)s"
        ) % {
            "loaded": _euros(basis.loaded_cents),
            "expenses": _euros(basis.expenses_cents),
            "cost": _euros(basis.daily_cents),
        }
    if fee_mode:
        rule = _(
            "The beneficiary pays %(rate)s %% of the daily rate of %(tjm)s, i.e. %(fee)s per "
            "working day lent: never more than the daily cost, as the loan is not for profit "
            "(Code du travail L8241-1)."
        ) % {
            "rate": mission.fee_rate,
            "tjm": _euros(mission.tjm_cents),
            "fee": _euros(daily_fee),
        }
    else:
        rule = _(
            "Skills sponsorship: nothing is invoiced to the beneficiary; the firm bears the "
            "daily cost (Code du travail L8241-1: the loan is not for profit)."
        )
    return FeeBasis(
        mode=mission.mode,
        tjm_cents=mission.tjm_cents,
        fee_rate=mission.fee_rate,
        daily_fee_cents=daily_fee,
        basis=basis,
        daily_cost_cents=basis.daily_cents,
        formula=formula,
        rule=rule,
    )


def profile_cost_basis(profile: ConsultantProfile, terms: FirmTerms) -> returns.CostBasis:
    """A consultant's cost basis as the firm recorded it; the terms' average loaded cost when
    the firm recorded none."""
    loaded = profile.daily_cost_cents or terms.average_daily_cost_cents
    return returns.CostBasis(
        gross_cents=profile.daily_gross_salary_cents,
        charges_rate=profile.employer_charges_rate,
        loaded_cents=loaded,
        expenses_cents=profile.daily_expenses_cents,
    )


# --- The days lent ------------------------------------------------------------------------


# A project whose missions are over: completed, or archived after it was.
PROJECT_DONE = (ProjectStatus.COMPLETED, ProjectStatus.ARCHIVED)


def project_completed_at() -> Subquery:
    """When a mission's project was last marked completed (its workflow's event), to annotate
    missions with as `project_completed_at`."""
    return Subquery(
        ProjectEvent.objects.filter(
            project=OuterRef("project_id"), to_status=ProjectStatus.COMPLETED
        )
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )


def _project_completed_on(mission: Mission) -> dt.date | None:
    """The day the mission's project was completed, if it is completed or archived since: the
    day of its completion event (annotated, or read once); without one (a status set directly),
    the day the project last changed."""
    project = mission.project
    if project.status not in PROJECT_DONE:
        return None
    if hasattr(mission, "project_completed_at"):
        at = mission.project_completed_at
    else:
        at = (
            ProjectEvent.objects.filter(project=project, to_status=ProjectStatus.COMPLETED)
            .order_by("-created_at", "-id")
            .values_list("created_at", flat=True)
            .first()
        )
    return timezone.localdate(at or project.updated_at)


def mission_last_day(mission: Mission) -> dt.date | None:
    """The earliest of the mission's end (recall included), planned end and the day its project
    was completed (archived since or not); None while it runs on."""
    candidates = [d for d in (mission.end, mission.planned_end) if d is not None]
    # A mission over has its end already (the project's completion ends it): only a running
    # one reads the completion day, so the figures read it only in the hour before the
    # periodic job ends such a mission.
    if mission.status == MissionStatus.ACTIVE:
        completed = _project_completed_on(mission)
        if completed is not None:
            candidates.append(completed)
    return min(candidates) if candidates else None


def absence_dates(consultant_id: int, start: dt.date, end: dt.date) -> set[dt.date]:
    """The days the firm declared the consultant absent within [start, end]."""
    dates: set[dt.date] = set()
    for absence in Absence.objects.filter(
        consultant_id=consultant_id, start__lte=end, end__gte=start
    ):
        day = max(absence.start, start)
        while day <= min(absence.end, end):
            dates.add(day)
            day += dt.timedelta(days=1)
    return dates


def mission_dates(
    mission: Mission, start: dt.date, end: dt.date, *, alsace_moselle: bool = False
) -> set[dt.date]:
    """The working days of a mission within [start, end]: from its start to the earliest of its
    end, recall, planned end and project completion (absences not removed)."""
    if mission.start is None or mission.status not in (MissionStatus.ACTIVE, MissionStatus.ENDED):
        return set()
    first = max(mission.start, start)
    last_day = mission_last_day(mission)
    last = min(last_day, end) if last_day is not None else end
    if first > last:
        return set()
    return returns.working_dates(first, last, alsace_moselle=alsace_moselle)


def _alsace_moselle(consultant_id: int) -> bool:
    return ConsultantProfile.objects.filter(user_id=consultant_id, alsace_moselle=True).exists()


def mission_days(mission: Mission, start: dt.date, end: dt.date) -> int:
    """Working days of a mission within [start, end], without the consultant's absences."""
    dates = mission_dates(
        mission, start, end, alsace_moselle=_alsace_moselle(mission.consultant_id)
    )
    if dates:
        dates -= absence_dates(mission.consultant_id, min(dates), max(dates))
    return len(dates)


def absences_by_consultant(
    consultant_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, set[dt.date]]:
    """The days each consultant was declared absent within [start, end], in one query."""
    found: dict[int, set[dt.date]] = {}
    for absence in Absence.objects.filter(
        consultant_id__in=list(consultant_ids), start__lte=end, end__gte=start
    ).only("consultant_id", "start", "end"):
        dates = found.setdefault(absence.consultant_id, set())
        day = max(absence.start, start)
        while day <= min(absence.end, end):
            dates.add(day)
            day += dt.timedelta(days=1)
    return found


def consultant_days(
    missions: Iterable[Mission],
    start: dt.date,
    end: dt.date,
    *,
    alsace_moselle: bool = False,
    absences: set[dt.date] | None = None,
) -> dict[int, set[dt.date]]:
    """The days of each mission of ONE consultant within [start, end], each day counted once:
    a day two missions cover goes to the one that started first; absences are removed (read
    here unless the caller passes them, read for many consultants at once)."""
    taken: set[dt.date] = set()
    by_mission: dict[int, set[dt.date]] = {}
    ordered = sorted(missions, key=lambda m: (m.start or dt.date.max, m.pk))
    absent: set[dt.date] | None = absences
    for mission in ordered:
        dates = mission_dates(mission, start, end, alsace_moselle=alsace_moselle)
        if dates and absent is None:
            absent = absence_dates(mission.consultant_id, start, end)
        dates -= taken | (absent or set())
        taken |= dates
        by_mission[mission.pk] = dates
    return by_mission


@dataclass
class FirmYear:
    """A firm's figures for one fiscal year (named by the year it closes), up to today, with
    every assumption they rest on."""

    year: int
    start: dt.date | None = None
    end: dt.date | None = None
    counted_until: dt.date | None = None
    bench_days: int = 0
    value_at_tjm_cents: int = 0
    fee_cents: int = 0
    valuation_cents: int = 0
    not_eligible_days: int = 0  # sponsorship days for beneficiaries not verified eligible
    reduction: returns.Reduction | None = None
    gifts: returns.YearGifts | None = None
    history: list[returns.YearGifts] = field(default_factory=list)
    pass_cents: int = 0
    salary_cap_cents: int = 0  # 3 × PASS a year
    daily_cap_cents: int = 0
    days_in_year: int = 0
    charges_rates: list[Decimal] = field(default_factory=list)
    turnover_cents: int = 0
    turnover_entered: bool = False
    other_gifts_cents: int = 0
    error: str = ""
    projects: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)


def fiscal_year_bounds(firm: Organisation, year: int) -> tuple[dt.date, dt.date]:
    return returns.fiscal_year_bounds(
        year, month=firm.fiscal_year_end_month, day=firm.fiscal_year_end_day
    )


def current_fiscal_year(firm: Organisation, today: dt.date | None = None) -> int:
    return returns.fiscal_year_of(
        today or timezone.localdate(),
        month=firm.fiscal_year_end_month,
        day_of_month=firm.fiscal_year_end_day,
    )


def _days_of_year(
    firm: Organisation, year: int, today: dt.date, figures: FirmYear, parameters: TaxYear
) -> int:
    """Counts the days lent in a fiscal year into `figures`; returns the valuation (cents) of the
    sponsorship days for eligible beneficiaries, and sets the difficulty share."""
    start, end = fiscal_year_bounds(firm, year)
    last = min(end, today)
    figures.start, figures.end, figures.counted_until = start, end, last
    figures.days_in_year = returns.working_days(start, end)
    figures.pass_cents = parameters.pass_cents
    figures.salary_cap_cents = parameters.pass_cents * parameters.salary_cap_pass_multiple
    figures.daily_cap_cents = returns.daily_salary_cap_cents(parameters, figures.days_in_year)
    if start > last:
        return 0
    missions = list(
        Mission.objects.filter(
            firm=firm,
            start__isnull=False,
            start__lte=last,
            status__in=[MissionStatus.ACTIVE, MissionStatus.ENDED],
        )
        .filter(Q(end__isnull=True) | Q(end__gte=start))
        .select_related("project__nonprofit")
        .prefetch_related("project__causes")
        .order_by("consultant_id", "start", "id")
    )
    by_consultant: dict[int, list[Mission]] = {}
    for mission in missions:
        by_consultant.setdefault(mission.consultant_id, []).append(mission)
    alsace = set(
        ConsultantProfile.objects.filter(
            user_id__in=by_consultant, alsace_moselle=True
        ).values_list("user_id", flat=True)
    )
    projects: set[str] = set()
    causes: set[str] = set()
    rates: set[Decimal] = set()
    difficulty = 0
    absent = absences_by_consultant(by_consultant, start, last)
    for consultant_id, theirs in by_consultant.items():
        am = consultant_id in alsace
        days_in_year = returns.working_days(start, end, alsace_moselle=am)
        their_days = consultant_days(
            theirs, start, last, alsace_moselle=am, absences=absent.get(consultant_id, set())
        )
        for mission in theirs:
            days = len(their_days[mission.pk])
            if not days:
                continue
            figures.bench_days += days
            figures.value_at_tjm_cents += days * mission.tjm_cents
            projects.add(mission.project.title)
            causes.update(str(c) for c in mission.project.causes.all())
            if mission.mode == LendingMode.FEE:
                figures.fee_cents += returns.fee_cents(days, mission.tjm_cents, mission.fee_rate)
                continue
            nonprofit = mission.project.nonprofit
            if nonprofit.sponsorship_eligible_at is None:
                figures.not_eligible_days += days
                continue
            basis = mission_cost_basis(mission)
            salary_rate = basis.charges_rate if basis.from_salary else None
            rates.add(salary_rate if salary_rate is not None else parameters.employer_charges_rate)
            value = returns.capped_cost_of_days(basis, days, parameters, days_in_year=days_in_year)
            figures.valuation_cents += value
            if nonprofit.helps_people_in_difficulty:
                difficulty += value
    figures.projects, figures.causes = sorted(projects), sorted(causes)
    figures.charges_rates = sorted(rates)
    return difficulty


def firm_year(firm: Organisation, year: int | None = None) -> FirmYear:
    """The days lent in a fiscal year up to today (working days, each counted once, absences
    excluded), their value at TJM, fee income, and the sponsorship valuation with its tax
    reduction: the cap shared with the firm's other gifts, earlier excesses carried over (5
    years, oldest first). A year without tax parameters raises `returns.TaxYearMissing`."""
    today = timezone.localdate()
    year = year or current_fiscal_year(firm, today)
    figures = FirmYear(year)
    recorded = {f.year: f for f in FirmFiscalYear.objects.filter(firm=firm, year__lte=year)}
    first_mission = (
        Mission.objects.filter(firm=firm, start__isnull=False)
        .order_by("start")
        .values_list("start", flat=True)
        .first()
    )
    first_years = [year]
    if first_mission is not None:
        first_years.append(current_fiscal_year(firm, first_mission))
    first_years.extend(y for y, f in recorded.items() if f.other_gifts_cents)
    history: list[returns.YearGifts] = []
    parameters: dict[int, TaxYear] = {}
    for each in range(max(min(first_years), year - 10), year + 1):
        parameters[each] = returns.tax_year(each)
        counted = figures if each == year else FirmYear(each)
        difficulty = _days_of_year(firm, each, today, counted, parameters[each])
        entered = recorded.get(each)
        if entered is not None:
            turnover, counted.turnover_entered = entered.turnover_cents, True
            counted.other_gifts_cents = entered.other_gifts_cents
        else:
            terms = terms_at(firm, counted.end or today)
            turnover = terms.turnover_cents if terms is not None else 0
        counted.turnover_cents = turnover
        history.append(
            returns.YearGifts(
                year=each,
                relais_cents=counted.valuation_cents,
                difficulty_cents=difficulty,
                other_gifts_cents=counted.other_gifts_cents,
                turnover_cents=turnover,
            )
        )
    figures.history = returns.carry_forward(history, parameters)
    figures.gifts = figures.history[-1]
    gifts = figures.gifts
    if gifts.gifts_cents or gifts.carry_used_cents:
        figures.reduction = returns.Reduction(
            donations_cents=gifts.gifts_cents,
            limit_cents=gifts.limit_cents,
            counted_cents=gifts.counted_cents + gifts.carry_used_cents,
            carried_over_cents=gifts.excess_cents,
            reduction_cents=gifts.reduction_cents,
        )
    return figures


# A firm's year figures loop over every day of its missions (seconds for a firm of thousands of
# consultants): they are cached per firm, fiscal year, language and day, under two versions
# bumped on change — the firm's own (its missions, absences, terms, fiscal years, consultants'
# profiles) and a global one (tax parameters, organisations, projects, which many firms share).
# The cache is the configured one: Redis when several processes serve (RELAIS_CACHE_URL); the
# lifetime bounds how long a change made by another process under a per-process cache (a recall
# applied by the worker) can go unseen.
FIGURES_SECONDS = 15 * 60
FIGURES_VERSION = "bench:figures:version"


def firm_figures_changed(firm_id: int | None = None) -> None:
    """Every cached year figure of the firm (of every firm when None) is stale."""
    versions.bump(FIGURES_VERSION if firm_id is None else f"{FIGURES_VERSION}:{firm_id}")


def firm_year_cached(firm: Organisation, year: int | None = None) -> FirmYear:
    """`firm_year`, computed at most once per FIGURES_SECONDS per firm, year, language and day,
    and again as soon as something it counts changes. A missing tax year is never cached: it
    raises as `firm_year` does."""
    today = timezone.localdate()
    year = year or current_fiscal_year(firm, today)
    key = ":".join(
        [
            "bench:firm-year",
            str(versions.version(FIGURES_VERSION)),
            str(versions.version(f"{FIGURES_VERSION}:{firm.pk}")),
            str(firm.pk),
            str(year),
            today.isoformat(),
            get_language() or "",
        ]
    )
    figures = cache.get(key)
    if not isinstance(figures, FirmYear):
        figures = firm_year(firm, year)
        cache.set(key, figures, FIGURES_SECONDS)
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
        to_draw_up=list(missions.filter(status=MissionStatus.AWAITING, firm_id__in=firms)[:50])
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
