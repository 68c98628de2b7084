"""The limits of a loan, read from the missions: which days a consultant may work on a project (an
active mission covers them), how many days a firm lends a consultant in each of its fiscal years,
and what a recall will do before it is confirmed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relais.bench import returns
from relais.bench.models import BenchPeriod, BenchStatus, ConsultantProfile, Mission, MissionStatus
from relais.bench.selectors import terms_at
from relais.work.models import Claim
from relais.work.selectors import WorkDay

if TYPE_CHECKING:
    from relais.accounts.models import Organisation, User
    from relais.projects.models import Project
    from relais.work.models import Task

# The missions whose days count as lent: started, running or over.
STARTED = (MissionStatus.ACTIVE, MissionStatus.ENDED)
# The missions a recall ends: every one not over yet.
NOT_OVER = (
    MissionStatus.AWAITING,
    MissionStatus.DRAWN_UP,
    MissionStatus.ACCEPTED,
    MissionStatus.ACTIVE,
)


def _covering(day: dt.date) -> Q:
    """An active mission whose own dates and bench period's dates cover the day."""
    return (
        Q(status=MissionStatus.ACTIVE, start__lte=day)
        & (Q(end__isnull=True) | Q(end__gte=day))
        & (Q(planned_end__isnull=True) | Q(planned_end__gte=day))
        & Q(bench_period__status=BenchStatus.OPEN, bench_period__start__lte=day)
        & (Q(bench_period__end__isnull=True) | Q(bench_period__end__gte=day))
    )


def _alsace_moselle(consultant: User) -> bool:
    return bool(
        ConsultantProfile.objects.filter(user=consultant, alsace_moselle=True).values("pk")[:1]
    )


def mission_work_day(consultant: User, project: Project, day: dt.date) -> WorkDay:
    """What a day is for a consultant on a project: covered by an active mission (the three
    acceptances, the bench period current), a rest day (Sunday or public holiday where they
    work), and whether their firm's terms of that day allow work on rest days."""
    mission = (
        Mission.objects.filter(_covering(day), consultant=consultant, project=project)
        .select_related("bench_period__firm")
        .first()
    )
    if mission is None:
        return WorkDay(on_mission=False)
    alsace_moselle = _alsace_moselle(consultant)
    rest_day = day.weekday() == 6 or day in returns.public_holidays(day.year, alsace_moselle)
    terms = terms_at(mission.bench_period.firm, day) if rest_day else None
    return WorkDay(
        on_mission=True,
        rest_day=rest_day,
        rest_day_allowed=bool(terms is not None and terms.work_on_rest_days),
    )


# --- Days lent per fiscal year ------------------------------------------------------------


def _span(mission: Mission, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """The days a started mission lends: from its start to the earliest of its end, its planned
    end and, for a mission still running with no planned end, today."""
    if mission.start is None:
        return None
    ends = [d for d in (mission.end, mission.planned_end) if d is not None]
    if not ends and mission.status == MissionStatus.ACTIVE:
        ends = [max(today, mission.start)]
    if not ends:
        return None
    return mission.start, min(ends)


def days_lent(
    consultant: User,
    firm: Organisation,
    *,
    extra: list[tuple[dt.date, dt.date]] | None = None,
    exclude: Mission | None = None,
    today: dt.date | None = None,
) -> dict[int, int]:
    """Working days the firm lends the consultant in each of its fiscal years (named by the year
    they close), a day counted once across concurrent missions, with the spans in `extra` (a
    mission to come or an extension) added and the mission `exclude` left out."""
    today = today or timezone.localdate()
    alsace_moselle = _alsace_moselle(consultant)
    missions = Mission.objects.filter(consultant=consultant, firm=firm, status__in=STARTED)
    if exclude is not None:
        missions = missions.exclude(pk=exclude.pk)
    spans = [s for s in (_span(m, today) for m in missions) if s is not None] + (extra or [])
    dates: set[dt.date] = set()
    for start, end in spans:
        dates |= returns.working_dates(start, end, alsace_moselle=alsace_moselle)
    month, day = firm.fiscal_year_end_month, firm.fiscal_year_end_day
    by_year: dict[int, int] = {}
    for date in dates:
        year = returns.fiscal_year_of(date, month=month, day_of_month=day)
        by_year[year] = by_year.get(year, 0) + 1
    return by_year


def check_days_lent(
    *,
    consultant: User,
    firm: Organisation,
    start: dt.date,
    end: dt.date | None,
    exclude: Mission | None = None,
    field: str = "planned_end",
) -> None:
    """Refuses a mission, an extension or a bench period that would make the firm lend the
    consultant more days in one of its fiscal years than its terms allow (`max_bench_days_per_
    year`, the terms valid on the first day counted of that year). With no end, the fiscal year
    of the start must have a day left. Only the fiscal years from the start to the end are
    checked: a past year over the limit never blocks a loan that does not touch it."""
    extra = [(start, end)] if end is not None else []
    lent = days_lent(consultant, firm, extra=extra, exclude=exclude)
    month, day = firm.fiscal_year_end_month, firm.fiscal_year_end_day
    first_year = returns.fiscal_year_of(start, month=month, day_of_month=day)
    last_year = (
        returns.fiscal_year_of(end, month=month, day_of_month=day)
        if end is not None
        else first_year
    )
    for year in range(first_year, last_year + 1):
        first, last = returns.fiscal_year_bounds(year, month=month, day=day)
        terms = terms_at(firm, max(first, start)) or terms_at(firm, start)
        if terms is None:
            continue
        limit = terms.max_bench_days_per_year
        count = lent.get(year, 0)
        if count > limit or (end is None and count >= limit):
            before = days_lent(consultant, firm, exclude=exclude).get(year, 0)
            raise ValidationError(
                {
                    field: _(
                        "%(firm)s lends a consultant at most %(limit)s working days per fiscal "
                        "year: this would make %(count)s days for %(name)s in the fiscal year "
                        "from %(first)s to %(last)s."
                    )
                    % {
                        "firm": firm.name,
                        "limit": limit,
                        "count": count if end is not None else count + 1,
                        "name": consultant.display_name,
                        "first": date_format(first, "SHORT_DATE_FORMAT"),
                        "last": date_format(last, "SHORT_DATE_FORMAT"),
                    }
                    + " "
                    + _("Days already lent in that fiscal year: %(lent)s.") % {"lent": before}
                }
            )


# --- What a recall will do ----------------------------------------------------------------


@dataclass(frozen=True)
class RecallPreview:
    period: BenchPeriod
    effective_date: dt.date  # the date the recall takes effect (never before the period's start)
    applied_now: bool  # whether it is applied at once (its date has come)
    replaces: dt.date | None  # the later date of a pending recall it brings forward
    unchanged: dt.date | None  # the earlier date of a pending recall that stays as it is
    missions: list[Mission]
    tasks: list[Task]
    told: list[User]


def recall_preview(period: BenchPeriod, effective_date: dt.date | None) -> RecallPreview:
    """What confirming a recall of this period on this date will do: the missions that end, the
    tasks that go back to the backlog (the consultant's claims, if it is applied at once), and
    who is told."""
    today = timezone.localdate()
    date = max(effective_date or today, period.start)
    pending = getattr(period, "recall", None)  # none yet: the reverse accessor raises
    replaces = unchanged = None
    if pending is not None and pending.applied_at is None:
        if date < pending.effective_date:
            replaces = pending.effective_date
        else:
            unchanged, date = pending.effective_date, pending.effective_date
    missions = list(
        Mission.objects.filter(bench_period=period, status__in=NOT_OVER).select_related(
            "project__field_lead"
        )
    )
    applied_now = date <= today
    claims = (
        Claim.objects.filter(consultant=period.consultant, ended_at__isnull=True)
        .select_related("task__project")
        .order_by("task__project__title", "task__title")
    )
    tasks = [c.task for c in claims]
    leads = {m.project.field_lead for m in missions if m.project.field_lead is not None}
    leads |= {t.project.field_lead for t in tasks if t.project.field_lead is not None}
    told = [period.consultant, *sorted(leads, key=lambda u: u.pk)]
    return RecallPreview(period, date, applied_now, replaces, unchanged, missions, tasks, told)
