"""Reads of the impact app: a consultant's contribution to a mission, the credential document,
the figures of the dashboards (aggregate queries, cached under a version key that every change
of the underlying data bumps), milestones, leaderboards and challenges."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from relais.bench import returns
from relais.bench.models import Absence, ConsultantProfile, Mission, MissionStatus
from relais.core import versions
from relais.core.mail import absolute_url
from relais.core.public_cache import changed
from relais.impact.models import Challenge, Contenders, Credential, Metric, MissionWords
from relais.work.models import (
    Claim,
    Handover,
    Task,
    TaskEvent,
    TaskEventKind,
    TaskStatus,
    TimeEntry,
)

if TYPE_CHECKING:
    from relais.accounts.models import Organisation, User

OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
STATUS_LIST_SIZE = 131_072  # bits: the minimum of a Bitstring Status List (16 KB), for privacy
VERSION_KEY = "impact:version"
# The version of the public impact page cached for anonymous visitors (core.public_cache).
PUBLIC_IMPACT = "impact"
CACHE_SECONDS = 3600
STARTED = (MissionStatus.ACTIVE, MissionStatus.ENDED)


# --- A consultant's contribution to a mission -------------------------------------------------


@dataclass
class Contribution:
    mission: Mission
    tasks: list[Task]
    hours: Decimal
    skills: list[str]
    words: MissionWords | None
    last_day: dt.date


def mission_contribution(mission: Mission) -> Contribution:
    """The tasks the consultant finished on the mission's project during the mission, the hours
    they logged, the skills those tasks called for, and the field lead's words."""
    last_day = mission.end or timezone.localdate()
    start = mission.start or last_day
    tasks = list(
        Task.objects.filter(
            project=mission.project,
            status=TaskStatus.DONE,
            events__kind=TaskEventKind.SUBMITTED,
            events__actor=mission.consultant,
        )
        .distinct()
        .prefetch_related("skills")
        .order_by("title", "id")
    )
    hours = TimeEntry.objects.filter(
        claim__consultant=mission.consultant,
        claim__task__project=mission.project,
        date__gte=start,
        date__lte=last_day,
    ).aggregate(total=Sum("hours"))["total"] or Decimal(0)
    skills = sorted({str(skill) for task in tasks for skill in task.skills.all()})
    words = MissionWords.objects.filter(mission=mission).first()
    return Contribution(mission, tasks, hours, skills, words, last_day)


# --- The credential document ------------------------------------------------------------------


def operator_name() -> str:
    from relais.accounts.models import Organisation, OrganisationKind

    operator = Organisation.objects.filter(kind=OrganisationKind.OPERATOR).order_by("pk").first()
    return operator.name if operator is not None else "Relais"


def issuer_url() -> str:
    return absolute_url(reverse("impact:issuer"))


def status_list_url() -> str:
    return absolute_url(reverse("impact:status_list"))


def credential_document(
    *, public_id: str, contribution: Contribution, status_index: int, issued_at: dt.datetime
) -> dict[str, Any]:
    """The Open Badges 3.0 credential (a W3C Verifiable Credential, data model 2.0) that says
    what a consultant did on a mission, ready to sign."""
    mission = contribution.mission
    project = mission.project
    achievement_url = absolute_url(reverse("projects:project_detail", args=[project.pk]))
    narrative = (
        f"{len(contribution.tasks)} task(s) of less than 48 hours finished and accepted by the "
        f"field lead of the project, {contribution.hours} hour(s) logged."
    )
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "name": mission.consultant.display_name,
        "activityStartDate": f"{mission.start or contribution.last_day}T00:00:00Z",
        "activityEndDate": f"{contribution.last_day}T00:00:00Z",
        "achievement": {
            "id": f"{achievement_url}#contributor",
            "type": ["Achievement"],
            "achievementType": "Achievement",
            "name": f"Contributor to {project.title}",
            "description": (
                f"Skills sponsorship on Relais: {project.title}, a project of "
                f"{project.nonprofit.name}."
            ),
            "criteria": {"narrative": narrative},
            "tag": contribution.skills,
        },
        "result": [
            {"type": ["Result"], "value": str(contribution.hours), "resultDescription": "hours"},
            {
                "type": ["Result"],
                "value": str(len(contribution.tasks)),
                "resultDescription": "tasks",
            },
        ],
    }
    if contribution.words is not None:
        subject["achievement"]["criteria"]["narrative"] += f" {contribution.words.text}"
    return {
        "@context": [VC2_CONTEXT, OB3_CONTEXT],
        "id": f"urn:uuid:{public_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"Contributor to {project.title}",
        "issuer": {"id": issuer_url(), "type": ["Profile"], "name": operator_name()},
        "validFrom": issued_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": f"{status_list_url()}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_list_url(),
        },
    }


def status_list() -> dict[str, Any]:
    """The revocation list as a Bitstring Status List credential document: bit n set when the
    credential of index n is revoked (GZIP, then base64url with the multibase prefix "u")."""
    bits = bytearray(STATUS_LIST_SIZE // 8)
    for index in Credential.objects.filter(revoked_at__isnull=False).values_list(
        "status_index", flat=True
    ):
        if index < STATUS_LIST_SIZE:
            bits[index // 8] |= 0x80 >> (index % 8)
    encoded = base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).rstrip(b"=")
    return {
        "@context": [VC2_CONTEXT],
        "id": status_list_url(),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_url(),
        "credentialSubject": {
            "id": f"{status_list_url()}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": "u" + encoded.decode("ascii"),
        },
    }


# --- Dashboard figures ------------------------------------------------------------------------


def cache_version() -> int:
    return versions.version(VERSION_KEY)


def bump_version(**_kwargs: Any) -> None:
    """Every cached figure is stale (and the public page showing them): called when a mission,
    task, time entry, story or challenge changes."""
    versions.bump(VERSION_KEY)
    changed(PUBLIC_IMPACT)


def _months(today: dt.date, count: int = 12) -> list[dt.date]:
    first = today.replace(day=1)
    months = []
    for _ in range(count):
        months.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return list(reversed(months))


@dataclass
class Figures:
    projects: int = 0
    nonprofits: int = 0
    consultants: int = 0
    days_given: int = 0
    tasks_done: int = 0
    hours: Decimal = Decimal(0)
    causes: list[tuple[str, int]] = field(default_factory=list)
    days_by_month: list[tuple[dt.date, int]] = field(default_factory=list)
    tasks_by_month: list[tuple[dt.date, int]] = field(default_factory=list)
    project_titles: list[str] = field(default_factory=list)


def mission_dates(missions: list[Mission], until: dt.date) -> dict[int, set[dt.date]]:
    """The working days each started mission covered up to `until`, each day counted once per
    consultant, their absences left out: three queries whatever the number of missions."""
    consultants = {m.consultant_id for m in missions}
    alsace = set(
        ConsultantProfile.objects.filter(user_id__in=consultants, alsace_moselle=True).values_list(
            "user_id", flat=True
        )
    )
    absent: dict[int, set[dt.date]] = defaultdict(set)
    for consultant_id, start, end in Absence.objects.filter(
        consultant_id__in=consultants,
        end__gte=min((m.start or until for m in missions), default=until),
    ).values_list("consultant_id", "start", "end"):
        day = start
        while day <= min(end, until):
            absent[consultant_id].add(day)
            day += dt.timedelta(days=1)
    taken: dict[int, set[dt.date]] = defaultdict(set)
    dates: dict[int, set[dt.date]] = {}
    for mission in sorted(missions, key=lambda m: (m.start or until, m.pk)):
        if mission.start is None or mission.start > until:
            dates[mission.pk] = set()
            continue
        last = min(mission.end or until, until)
        days = returns.working_dates(
            mission.start, last, alsace_moselle=mission.consultant_id in alsace
        )
        days -= absent[mission.consultant_id] | taken[mission.consultant_id]
        taken[mission.consultant_id] |= days
        dates[mission.pk] = days
    return dates


def _figures(missions_q: Q, tasks: QuerySet[Task], hours_q: Q) -> Figures:
    today = timezone.localdate()
    missions = list(
        Mission.objects.filter(missions_q, status__in=STARTED, start__isnull=False)
        .select_related("project")
        .only(
            "pk",
            "consultant_id",
            "start",
            "end",
            "project__id",
            "project__title",
            "project__nonprofit_id",
        )
    )
    dates = mission_dates(missions, today)
    months = _months(today)
    by_month: Counter[dt.date] = Counter()
    for days in dates.values():
        for day in days:
            by_month[day.replace(day=1)] += 1
    project_ids = {m.project_id for m in missions}
    from relais.core.models import Cause

    causes = (
        Cause.objects.filter(project__pk__in=project_ids)
        .annotate(n=Count("project", distinct=True))
        .order_by("-n", "position")
    )
    done = tasks.filter(status=TaskStatus.DONE)
    tasks_by_month = dict(
        TaskEvent.objects.filter(
            kind=TaskEventKind.ACCEPTED, task__in=done, created_at__date__gte=months[0]
        )
        .annotate(month=TruncMonth("created_at"))
        .values_list("month")
        .annotate(n=Count("task", distinct=True))
        .values_list("month", "n")
    )
    tasks_by_month = {
        (m.date() if isinstance(m, dt.datetime) else m): n for m, n in tasks_by_month.items()
    }
    return Figures(
        projects=len(project_ids),
        nonprofits=len({m.project.nonprofit_id for m in missions}),
        consultants=len({m.consultant_id for m in missions}),
        days_given=sum(len(d) for d in dates.values()),
        tasks_done=done.count(),
        hours=TimeEntry.objects.filter(hours_q).aggregate(t=Sum("hours"))["t"] or Decimal(0),
        causes=[(str(c), c.n) for c in causes],
        days_by_month=[(m, by_month.get(m, 0)) for m in months],
        tasks_by_month=[(m, tasks_by_month.get(m, 0)) for m in months],
        project_titles=sorted({m.project.title for m in missions}),
    )


def _cached(key: str, compute: Any) -> Any:
    from django.utils.translation import get_language

    full = f"impact:{cache_version()}:{get_language()}:{key}"
    found = cache.get(full)
    if found is None:
        found = compute()
        cache.set(full, found, CACHE_SECONDS)
    return found


def public_figures() -> Figures:
    return _cached("public", lambda: _figures(Q(), Task.objects.all(), Q()))


def firm_figures(firm: Organisation) -> Figures:
    def compute() -> Figures:
        consultants = ConsultantProfile.objects.filter(firm=firm).values("user_id")
        return _figures(
            Q(bench_period__firm=firm),
            Task.objects.filter(claims__consultant__in=consultants).distinct(),
            Q(claim__consultant__in=consultants),
        )

    return _cached(f"firm:{firm.pk}", compute)


def people_figures(key: str, user_ids: list[int]) -> Figures:
    return _cached(
        key,
        lambda: _figures(
            Q(consultant_id__in=user_ids),
            Task.objects.filter(claims__consultant_id__in=user_ids).distinct(),
            Q(claim__consultant_id__in=user_ids),
        ),
    )


def nonprofit_figures(nonprofit: Organisation) -> Figures:
    return _cached(
        f"nonprofit:{nonprofit.pk}",
        lambda: _figures(
            Q(project__nonprofit=nonprofit),
            Task.objects.filter(project__nonprofit=nonprofit),
            Q(claim__task__project__nonprofit=nonprofit),
        ),
    )


def circle_member_ids(circle_id: int) -> list[int]:
    try:
        from relais.funding.models import CircleMembership, MembershipStatus
    except ImportError:  # pragma: no cover - circles not there yet
        return []
    return list(
        CircleMembership.objects.filter(
            circle_id=circle_id, status=MembershipStatus.ACTIVE, left_at__isnull=True
        ).values_list("user_id", flat=True)
    )


@dataclass
class FirmRow:
    firm_id: int
    name: str
    days: int
    missions: int


def operator_rows() -> list[FirmRow]:
    """Days lent and missions per firm, for the operator's overview."""

    def compute() -> list[FirmRow]:
        today = timezone.localdate()
        missions = list(
            Mission.objects.filter(status__in=STARTED, start__isnull=False).select_related(
                "bench_period__firm"
            )
        )
        dates = mission_dates(missions, today)
        rows: dict[int, FirmRow] = {}
        for mission in missions:
            firm = mission.bench_period.firm
            row = rows.setdefault(firm.pk, FirmRow(firm.pk, firm.name, 0, 0))
            row.days += len(dates[mission.pk])
            row.missions += 1
        return sorted(rows.values(), key=lambda r: (-r.days, r.name))

    return _cached("operator-rows", compute)


# --- Milestones, leaderboards, challenges -----------------------------------------------------


@dataclass(frozen=True)
class Milestone:
    code: str
    reached: bool


def milestones(user: User) -> list[Milestone]:
    """The milestone badges, each computed from the person's work."""
    submitted = TaskEvent.objects.filter(kind=TaskEventKind.SUBMITTED, actor=user)
    accepted_tasks = Task.objects.filter(status=TaskStatus.DONE, events__in=submitted).distinct()
    counts = {
        "done": accepted_tasks.count(),
        "handovers": Handover.objects.filter(author=user, drafted_automatically=False).count(),
        "first_time": accepted_tasks.exclude(events__kind=TaskEventKind.RETURNED).count(),
        "projects": Claim.objects.filter(consultant=user)
        .values("task__project")
        .distinct()
        .count(),
    }
    return [
        Milestone("first_task", counts["done"] >= 1),
        Milestone("first_time_right", counts["first_time"] >= 1),
        Milestone("five_handovers", counts["handovers"] >= 5),
        Milestone("ten_tasks", counts["done"] >= 10),
        Milestone("three_projects", counts["projects"] >= 3),
    ]


@dataclass
class Standing:
    name: str
    value: int


def leaderboard(limit: int = 20) -> list[Standing]:
    """Tasks done per person, among those who opted in (and only them)."""
    rows = (
        TaskEvent.objects.filter(
            kind=TaskEventKind.SUBMITTED,
            actor__impact_preference__on_leaderboards=True,
            task__status=TaskStatus.DONE,
        )
        .values("actor_id", "actor__first_name", "actor__last_name")
        .annotate(n=Count("task", distinct=True))
        .order_by("-n", "actor__first_name")[:limit]
    )
    return [
        Standing(f"{r['actor__first_name']} {r['actor__last_name']}".strip(), r["n"]) for r in rows
    ]


def challenge_standings(challenge: Challenge) -> list[Standing]:
    """The contenders of a challenge ranked on its metric over its period (up to today)."""
    today = timezone.localdate()
    until = min(challenge.end, today)
    groups: dict[str, set[int]] = {}
    if challenge.contenders == Contenders.FIRMS:
        for name, user_id in ConsultantProfile.objects.filter(
            firm__verified_at__isnull=False
        ).values_list("firm__name", "user_id"):
            groups.setdefault(name, set()).add(user_id)
    else:
        try:
            from relais.funding.models import CircleMembership, MembershipStatus
        except ImportError:  # pragma: no cover
            return []
        for name, user_id in CircleMembership.objects.filter(
            status=MembershipStatus.ACTIVE, left_at__isnull=True
        ).values_list("circle__name", "user_id"):
            groups.setdefault(name, set()).add(user_id)
    member_of: dict[int, list[str]] = defaultdict(list)
    for name, ids in groups.items():
        for user_id in ids:
            member_of[user_id].append(name)
    score: Counter[str] = Counter(dict.fromkeys(groups, 0))
    if challenge.metric == Metric.TASKS_DONE:
        for actor_id, _task in (
            TaskEvent.objects.filter(
                kind=TaskEventKind.ACCEPTED,
                created_at__date__gte=challenge.start,
                created_at__date__lte=until,
            )
            .values_list("task__claims__consultant_id", "task_id")
            .distinct()
        ):
            for name in member_of.get(actor_id, []):
                score[name] += 1
    else:
        missions = list(
            Mission.objects.filter(
                consultant_id__in=member_of,
                status__in=STARTED,
                start__isnull=False,
                start__lte=until,
            ).filter(Q(end__isnull=True) | Q(end__gte=challenge.start))
        )
        dates = mission_dates(missions, until)
        for mission in missions:
            days = dates[mission.pk]
            counted = len([d for d in days if d >= challenge.start])
            for name in member_of.get(mission.consultant_id, []):
                score[name] += counted
    return [
        Standing(name, value) for name, value in sorted(score.items(), key=lambda i: (-i[1], i[0]))
    ]


def credentials_of_mission(mission: Mission) -> QuerySet[Credential]:
    return Credential.objects.filter(mission=mission).order_by("-issued_at")


# --- The CSR report and the argument kit ------------------------------------------------------


@dataclass
class Indicator:
    reference: str
    label: str
    value: str


@dataclass
class ProjectServed:
    title: str
    nonprofit: str
    causes: list[str]
    continuity: Any


@dataclass
class CsrReport:
    figures: Figures
    year: Any  # bench.selectors.FirmYear, or None without tax parameters
    year_error: str
    projects: list[ProjectServed]
    words: list[MissionWords]
    indicators: list[Indicator]


def quotable_words(*, firm: Organisation | None = None, limit: int = 10) -> list[MissionWords]:
    words = MissionWords.objects.filter(quotable=True).select_related("mission__project", "author")
    if firm is not None:
        words = words.filter(mission__bench_period__firm=firm)
    return list(words.order_by("-updated_at")[:limit])


def csr_report(firm: Organisation) -> CsrReport:
    """What a firm tells its clients about its skills sponsorship: days lent, their value at
    cost, projects and causes served, whether the work survives people leaving (continuity), the
    field leads' words; indicators named after the ESRS social standards where they fit."""
    from django.utils.formats import number_format
    from django.utils.translation import gettext as _

    from relais.bench import selectors as bench_selectors
    from relais.core.templatetags.relais_money import euros
    from relais.projects.models import Project
    from relais.work.selectors import continuity

    figures = firm_figures(firm)
    year, error = None, ""
    try:
        year = bench_selectors.firm_year_cached(firm)
    except returns.TaxYearMissing as missing:
        error = str(missing)
    projects = [
        ProjectServed(p.title, p.nonprofit.name, [str(c) for c in p.causes.all()], continuity(p))
        for p in Project.objects.filter(
            missions__bench_period__firm=firm,
            missions__status__in=STARTED,
            missions__start__isnull=False,
        )
        .distinct()
        .select_related("nonprofit")
        .prefetch_related("causes")
        .order_by("title")[:20]
    ]
    indicators = [
        Indicator(
            "ESRS S1-6",
            _("Employees who took part in skills sponsorship"),
            number_format(figures.consultants),
        ),
        Indicator(
            "ESRS S1-13",
            _("Hours of skills put to use for nonprofits"),
            number_format(figures.hours),
        ),
        Indicator(
            "ESRS S3-4", _("Working days lent to nonprofits"), number_format(figures.days_given)
        ),
        Indicator(
            "ESRS S3-4",
            _("Nonprofits and projects supported"),
            f"{number_format(figures.nonprofits)} / {number_format(figures.projects)}",
        ),
        Indicator(
            "ESRS S3-4",
            _("Tasks delivered and accepted by the nonprofits"),
            number_format(figures.tasks_done),
        ),
    ]
    if year is not None:
        indicators.append(
            Indicator(
                _("Entity-specific"),
                _("Value of the days lent, at cost (this fiscal year)"),
                euros(year.valuation_cents + year.fee_cents),
            )
        )
    return CsrReport(figures, year, error, projects, quotable_words(firm=firm), indicators)


@dataclass
class ArgumentContent:
    firm_name: str
    estimate: Any  # bench.returns.Estimate, or None
    error: str
    colleagues: Figures | None
    everyone: Figures
    words: list[MissionWords]
    figures: dict[str, Any]


def argument_content(argument: Any) -> ArgumentContent:
    """The one-pager: the firm's return estimate (the public estimate's computation), what
    colleagues (the registered firm's consultants) already did, and field leads' words."""
    data = dict(argument.figures)
    estimate, error = None, ""
    try:
        year = returns.tax_year(int(data["year"]))
        estimate = returns.estimate(
            year=year,
            mode=data["mode"],
            headcount=int(data["headcount"]),
            bench_rate=Decimal(str(data["bench_rate"])),
            tjm_cents=int(data["tjm_cents"]),
            daily_cost_cents=int(data["daily_cost_cents"]),
            turnover_cents=int(data["turnover_cents"]),
            fee_rate=Decimal(str(data["fee_rate"])),
        )
    except returns.TaxYearMissing as missing:
        error = str(missing)
    firm = argument.firm
    return ArgumentContent(
        firm_name=argument.firm_name,
        estimate=estimate,
        error=error,
        colleagues=firm_figures(firm) if firm is not None else None,
        everyone=public_figures(),
        words=quotable_words(firm=firm, limit=3) or quotable_words(limit=3),
        figures=data,
    )
