"""Reads of the work of a project that are more than one query."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan
from django.db.models.functions import Coalesce
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from relais.core.validators import PROSE_MAX
from relais.work.models import (
    Claim,
    ClaimEnd,
    Comment,
    Handover,
    OnboardingProgress,
    OnboardingStep,
    Task,
    TaskEvent,
    TaskEventKind,
    TaskStatus,
    TeamMember,
)

if TYPE_CHECKING:
    from datetime import date

    from relais.accounts.models import User
    from relais.projects.models import Project


def board(project: Project, filters: dict[str, Any]) -> QuerySet[Task]:
    """The backlog in its order with what each task needs and what it blocks, in a fixed number
    of queries per page (the prefetches read only the rows of the page)."""
    tasks = project.tasks.order_by("position", "priority", "id")
    if filters.get("status"):
        tasks = tasks.filter(status=filters["status"])
    else:
        tasks = tasks.exclude(status=TaskStatus.CANCELLED)
    # A skill or a label is matched with a subquery, not a join: no duplicate rows to remove.
    if filters.get("skill"):
        tasks = tasks.filter(
            pk__in=Task.skills.through.objects.filter(skill__slug=filters["skill"]).values(
                "task_id"
            )
        )
    if filters.get("label"):
        tasks = tasks.filter(
            pk__in=Task.labels.through.objects.filter(
                label__name=filters["label"].strip().lower()
            ).values("task_id")
        )
    if filters.get("priority"):
        tasks = tasks.filter(priority=filters["priority"])
    return tasks.prefetch_related(
        "skills",
        "labels",
        Prefetch("dependencies", queryset=Task.objects.only("id", "title", "status")),
        Prefetch("dependents", queryset=Task.objects.only("id", "title", "status")),
        Prefetch(
            "claims",
            queryset=Claim.objects.filter(ended_at__isnull=True).select_related("consultant"),
            to_attr="active_claims",
        ),
    )


def task_page(task: Task) -> dict[str, Any]:
    """What a task's page shows: its handovers first, newest on top."""
    return {
        "handovers": task.handovers.select_related("author", "claim__consultant"),
        "claims": task.claims.select_related("consultant").prefetch_related("time_entries"),
        "comments": task.comments.select_related("author"),
        "events": task.events.select_related("actor"),
        "dependencies": task.dependencies.all(),
        "dependents": task.dependents.all(),
        "pages": task.pages.all(),
        "active_claim": task.claims.filter(ended_at__isnull=True)
        .select_related("consultant")
        .first(),
    }


# The ids of the skills a consultant declared, by the app that records them: apps above work
# register theirs when they load (bench: the consultant's profile), so that work never imports them.
DECLARED_SKILLS: dict[str, Callable[[User], Iterable[int]]] = {}


@dataclass(frozen=True)
class WorkDay:
    """What the app that lends consultants says of one day of a consultant on a project."""

    on_mission: bool  # an active mission covers the day: three acceptances, bench period current
    rest_day: bool = False  # a Sunday or a public holiday where the consultant works
    rest_day_allowed: bool = False  # their firm's terms allow work on rest days


# Whether a consultant may work on a project on a day, by the app that lends them: bench registers
# its rule when it loads (an active mission covers the day), so that work never imports it.
MISSION_DAYS: dict[str, Callable[[User, Project, date], WorkDay]] = {}


def work_day(user: User, project: Project, day: date) -> WorkDay:
    """What the registered rule says of that day; with no rule registered, no day is a mission
    day: work never happens without a mission."""
    for rule in MISSION_DAYS.values():
        return rule(user, project, day)
    return WorkDay(on_mission=False)


@dataclass(frozen=True)
class Suggestion:
    task: Task
    overlap: int
    follows: bool


def next_tasks(user: User, project: Project, *, limit: int = 5) -> list[Suggestion]:
    """Ready tasks for a consultant: whether the task follows one they did, skills shared with
    their profile and the tasks they worked on, then priority and backlog order. Filtered,
    scored, ordered and cut in the database (two subqueries per task of the project's ready
    ones, read from the board's index): the cost does not grow with the backlog's size."""
    worked = Claim.objects.filter(consultant=user, task__project=project).values("task_id")
    # The skills they declared on their profile count too (unless they opted out of matching).
    declared: set[int] = set()
    for skills in DECLARED_SKILLS.values():
        declared |= set(skills(user))
    skill_links = Task.skills.through.objects
    their_skills = Q(skill_id__in=skill_links.filter(task_id__in=worked).values("skill_id")) | Q(
        skill_id__in=declared
    )
    overlap = Subquery(
        skill_links.filter(their_skills, task_id=OuterRef("pk"))
        .order_by()
        .values("task_id")
        .annotate(shared=Count("skill_id"))
        .values("shared")[:1]  # type: ignore[misc]
    )
    follows = Exists(
        Task.dependencies.through.objects.filter(from_task_id=OuterRef("pk"), to_task_id__in=worked)
    )
    ready = (
        project.tasks.filter(status=TaskStatus.READY)
        .annotate(overlap=Coalesce(overlap, 0), follows=follows)
        .order_by("-follows", "-overlap", "priority", "position", "id")
        .prefetch_related("skills")[:limit]
    )
    return [Suggestion(task, task.overlap, task.follows) for task in ready]


def _clip(text: str, limit: int = PROSE_MAX) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def draft_handover(claim: Claim) -> dict[str, str]:
    """A handover written from the work log and the comments, for a claim that ended without
    one (lapse, recall)."""
    entries = list(claim.time_entries.order_by("date", "id"))
    comments = list(
        Comment.objects.filter(
            task=claim.task, author=claim.consultant, created_at__gte=claim.started_at
        ).order_by("created_at")
    )
    total = sum((e.hours for e in entries), Decimal(0))
    # Dates and hours in the language the job runs in (the consultant's): "27/11/2026 (2,5 h)".
    done_lines = [
        _("- %(date)s (%(hours)s h): %(note)s")
        % {
            "date": date_format(e.date, "SHORT_DATE_FORMAT"),
            "hours": number_format(e.hours.normalize()),
            "note": e.note or "—",
        }
        for e in entries
    ]
    done = (
        _("%(hours)s hours logged:") % {"hours": number_format(total.normalize())}
        + "\n"
        + "\n".join(done_lines)
        if entries
        else _("No time was logged on this task.")
    )
    state = (
        _("Last comment: %(comment)s") % {"comment": comments[-1].body}
        if comments
        else _("No comment was left.")
    )
    # A long work log is cut rather than lost: the handover must be written whatever happens.
    return {
        "done": _clip(done),
        "state": _clip(state),
        "next_step": _(
            "Read the brief and the acceptance criteria again, check the work above, then go on."
        ),
    }


@dataclass(frozen=True)
class Continuity:
    median_days_to_first_submission: float | None
    finished_by_another_share: float | None
    handovers_written: int
    handovers_drafted: int
    claims_ended: int
    claims_lapsed: int


def continuity(project: Project) -> Continuity:
    """The figures that say whether knowledge survives people coming and going."""
    joined = {
        (m.user_id): m.joined_at
        for m in TeamMember.objects.filter(project=project).order_by("-joined_at")
    }
    first_submission: dict[int, Any] = {}
    for actor, at in (
        TaskEvent.objects.filter(
            task__project=project, kind=TaskEventKind.SUBMITTED, actor__isnull=False
        )
        .order_by("created_at")
        .values_list("actor_id", "created_at")
    ):
        first_submission.setdefault(actor, at)
    delays = [
        (at - joined[user]).total_seconds() / 86400
        for user, at in first_submission.items()
        if user in joined and at >= joined[user]
    ]
    done = Task.objects.filter(project=project, status=TaskStatus.DONE).prefetch_related(
        Prefetch("claims", queryset=Claim.objects.order_by("started_at", "id"))
    )
    with_claims = [t for t in done if t.claims.all()]
    by_another = [
        t
        for t in with_claims
        if t.claims.all()[0].consultant_id != list(t.claims.all())[-1].consultant_id
    ]
    handovers = Handover.objects.filter(task__project=project).aggregate(
        drafted=Count("id", filter=Q(drafted_automatically=True) & Q(amended_at__isnull=True)),
        total=Count("id"),
    )
    claims = Claim.objects.filter(task__project=project, ended_at__isnull=False).aggregate(
        ended=Count("id"), lapsed=Count("id", filter=Q(end_reason=ClaimEnd.LAPSED))
    )
    return Continuity(
        median_days_to_first_submission=round(statistics.median(delays), 1) if delays else None,
        finished_by_another_share=(
            round(100 * len(by_another) / len(with_claims)) if with_claims else None
        ),
        handovers_written=handovers["total"] - handovers["drafted"],
        handovers_drafted=handovers["drafted"],
        claims_ended=claims["ended"],
        claims_lapsed=claims["lapsed"],
    )


@dataclass(frozen=True)
class OnboardingRow:
    member: TeamMember
    done: set[int]


def onboarding(project: Project, user: User) -> dict[str, Any]:
    """The kit, what the user ticked, and (for leads) where each team member stands."""
    steps = list(OnboardingStep.objects.filter(project=project).select_related("page"))
    ticks = list(
        OnboardingProgress.objects.filter(step__project=project).values_list("user_id", "step_id")
    )
    mine = {step for who, step in ticks if who == user.pk}
    rows = [
        OnboardingRow(member, {step for who, step in ticks if who == member.user_id})
        for member in TeamMember.objects.filter(
            project=project, left_at__isnull=True
        ).select_related("user")
    ]
    return {"steps": steps, "mine": mine, "rows": rows}


def backlog_neighbours(task: Task, direction: int) -> QuerySet[Task]:
    """The tasks before (direction < 0, nearest first) or after a task in its backlog's order.
    The row comparison `(position, priority, id) < (…)` bounds the backlog's index (project,
    position, priority, id) on PostgreSQL: the nearest is one index probe, whatever the size."""
    order = Tuple(F("position"), F("priority"), F("id"))
    key = (task.position, task.priority, task.pk)
    backlog = Task.objects.filter(project_id=task.project_id)
    if direction < 0:
        before = backlog.filter(TupleLessThan(order, key))
        return before.order_by("-position", "-priority", "-id")
    after = backlog.filter(TupleGreaterThan(order, key))
    return after.order_by("position", "priority", "id")
