"""Every state change of the work of a project, one function each.

Claims are the contended resource: a claim locks the task row, checks it is ready, and relies on
a partial unique index (one active claim per task) as the last word, so that of any number of
simultaneous claims exactly one wins. Whenever a task leaves a consultant before it is done, a
handover exists: written by them, or drafted here from their work log and comments.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from relais.accounts.models import Role, User
from relais.core.errors import Conflict
from relais.core.mail import notify_on_commit, supported_language
from relais.core.models import Skill
from relais.projects.models import Project, ProjectStatus
from relais.work import access, selectors
from relais.work.models import (
    MAX_TASK_HOURS,
    Claim,
    ClaimEnd,
    Comment,
    Handover,
    KnowledgePage,
    KnowledgeRevision,
    Label,
    OnboardingProgress,
    OnboardingStep,
    Task,
    TaskEvent,
    TaskEventKind,
    TaskStatus,
    TeamMember,
    TimeEntry,
)
from relais.work.selectors import WorkDay, draft_handover
from relais.work.tasks import claim_ended_notify
from relais.work.workflow import (
    DEPENDENCIES_FROZEN,
    EDITABLE,
    SATISFIES_DEPENDENCY,
    STEPS,
    Step,
    TaskActor,
    TaskStep,
)

if TYPE_CHECKING:
    from datetime import date


class WorkError(Conflict):
    """A step that cannot be taken now; the message is for the user."""


class TaskTaken(WorkError):
    """Someone else holds the task, or it is not ready to be claimed."""


WORKING_STATES = {ProjectStatus.ACCEPTED, ProjectStatus.ACTIVE}
# The longest working day the law allows (Code du travail L3121-18).
MAX_DAILY_HOURS = 10


def _require_lead(user: User, project: Project) -> None:
    if not access.is_lead(user, project):
        raise PermissionDenied


def _locked(task: Task) -> Task:
    """The task's row, locked: every step of a task takes this lock first, then its claims'."""
    return Task.objects.select_for_update().select_related("project").get(pk=task.pk)


def _require_step(
    task: Task, name: TaskStep, actor: User | None, *, refused: type[WorkError] | None = None
) -> tuple[Step, Claim | None]:
    """Checks a step of the workflow table on a locked task: the actor may take it (else
    PermissionDenied, or "you do not hold this task"), the project and the task are in a state
    it starts from (else the step's message). Returns the step and the actor's active claim."""
    step = STEPS[name]
    claim = None
    if (actor is None) != (step.actor == TaskActor.SYSTEM):
        raise PermissionDenied  # the system's steps are nobody's, and everyone else's somebody's
    if actor is not None and step.actor == TaskActor.LEAD:
        _require_lead(actor, task.project)
    elif actor is not None and step.actor == TaskActor.MEMBER:
        if not access.is_team_member(actor, task.project):
            raise PermissionDenied
    elif actor is not None and step.actor == TaskActor.CLAIMANT:
        claim = _active_claim(actor, task)
    if step.project_states is not None and task.project.status not in step.project_states:
        raise WorkError(str(step.project_refused))
    if TaskStatus(task.status) not in step.sources:
        raise (refused or WorkError)(str(step.refused))
    return step, claim


def _event(task: Task, kind: str, actor: User | None, comment: str = "") -> None:
    event = TaskEvent(task=task, kind=kind, actor=actor, comment=comment)
    _check_text(event, "comment")
    event.save()


def _check_text(instance: Any, *names: str) -> None:
    """Runs the validators (length, blank) of these fields only: no query for the others."""
    others = [f.name for f in instance._meta.fields if f.name not in names]
    instance.clean_fields(exclude=others)


# --- The team -----------------------------------------------------------------------------


def _require_mission_day(consultant: User, project: Project, day: date, field: str) -> WorkDay:
    """Refuses work on a day no active mission of the consultant on the project covers."""
    work_day = selectors.work_day(consultant, project, day)
    if not work_day.on_mission:
        raise ValidationError(
            {
                field: _(
                    "Work on a project happens only during an active mission on it (the loan "
                    "agreement accepted by the firm, the nonprofit and the consultant, and a "
                    "current bench period)."
                )
            }
        )
    return work_day


@transaction.atomic
def team_member_add(*, lead: User, project: Project, email: str) -> TeamMember:
    """Gives a consultant a place in the project's team, so that they may claim its tasks: only
    the start of an active mission does (never a lead alone: no work without a mission)."""
    _require_lead(lead, project)
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or not user.memberships.filter(role=Role.CONSULTANT).exists():
        raise ValidationError(
            {"email": _("No consultant has an account with this address on Relais.")}
        )
    _require_mission_day(user, project, timezone.localdate(), "email")
    if TeamMember.objects.filter(project=project, user=user, left_at__isnull=True).exists():
        raise ValidationError({"email": _("This consultant is already in the team.")})
    return TeamMember.objects.create(project=project, user=user, added_by=lead)


@transaction.atomic
def team_member_remove(*, lead: User, member: TeamMember) -> None:
    """Takes a consultant off the team; their claims return to the backlog with handovers."""
    _require_lead(lead, member.project)
    now = timezone.now()
    TeamMember.objects.filter(pk=member.pk, left_at__isnull=True).update(left_at=now)
    for claim in Claim.objects.filter(
        consultant=member.user, task__project=member.project, ended_at__isnull=True
    ).select_related("task"):
        claim_end_with_handover(claim=claim, reason=ClaimEnd.RELEASED, at=now)


def team_member_leave(*, project: Project, user: User, at: dt.datetime) -> bool:
    """Records that a consultant left the project's team (their mission ended), once; their
    claims are the caller's to end."""
    return (
        TeamMember.objects.filter(project=project, user=user, left_at__isnull=True).update(
            left_at=at
        )
        > 0
    )


# --- The backlog --------------------------------------------------------------------------


def check_estimate(hours: Decimal | None) -> None:
    """Refuses a task of more than 48 hours, with advice to split it."""
    if hours is not None and hours > MAX_TASK_HOURS:
        raise ValidationError(
            {
                "estimate_hours": _(
                    "A task takes less than 48 hours. This one is estimated at %(hours)s hours: "
                    "split it into smaller tasks, each of which can be finished alone."
                )
                % {"hours": hours}
            }
        )


def _check_no_cycle(task: Task, dependencies: list[Task]) -> None:
    """Refuses dependencies that would make the task depend on itself, naming the cycle."""
    for dependency in dependencies:
        if dependency.pk == task.pk:
            raise ValidationError({"dependencies": _("A task cannot depend on itself.")})
        if dependency.project_id != task.project_id:
            raise ValidationError(
                {"dependencies": _("A task can only depend on tasks of the same project.")}
            )
    edges: dict[int, list[int]] = {}
    through = Task.dependencies.through.objects.filter(from_task__project_id=task.project_id)
    for source, target in through.values_list("from_task_id", "to_task_id"):
        if source != task.pk:
            edges.setdefault(source, []).append(target)
    edges[task.pk] = [d.pk for d in dependencies]
    # Breadth-first from the task along "depends on": reaching the task again is a cycle.
    parents: dict[int, int] = {}
    queue = deque([task.pk])
    seen = {task.pk}
    while queue:
        current = queue.popleft()
        for following in edges.get(current, []):
            if following == task.pk:
                path = [current]
                while path[-1] != task.pk:
                    path.append(parents[path[-1]])
                titles = dict(Task.objects.filter(pk__in=path).values_list("pk", "title"))
                names = [titles[pk] for pk in reversed(path)] + [titles[task.pk]]
                raise ValidationError(
                    {
                        "dependencies": _("These dependencies make a cycle: %(cycle)s.")
                        % {"cycle": " → ".join(f"« {name} »" for name in names)}
                    }
                )
            if following not in seen:
                seen.add(following)
                parents[following] = current
                queue.append(following)


def _labels(project: Project, names: Iterable[str]) -> list[Label]:
    labels = []
    for name in {n.strip().lower() for n in names if n.strip()}:
        label, _created = Label.objects.get_or_create(project=project, name=name[:40])
        labels.append(label)
    return labels


def _readiness(task: Task) -> str:
    undone = task.dependencies.exclude(status__in=SATISFIES_DEPENDENCY).exists()
    return TaskStatus.BLOCKED if undone else TaskStatus.READY


def _follow_dependencies(task: Task, at: dt.datetime) -> Step | None:
    """Moves a locked, published task nobody holds between "ready" and "waiting for its
    dependencies" (the system's block and unblock steps); returns the step taken, if any."""
    readiness = _readiness(task)
    step = STEPS[TaskStep.BLOCK if readiness == TaskStatus.BLOCKED else TaskStep.UNBLOCK]
    if readiness == task.status or TaskStatus(task.status) not in step.sources:
        return None
    Task.objects.filter(pk=task.pk).update(status=readiness, updated_at=at)
    task.status = readiness
    return step


@transaction.atomic
def task_create(
    *,
    lead: User,
    project: Project,
    skills: Iterable[Skill] = (),
    dependencies: Iterable[Task] = (),
    pages: Iterable[KnowledgePage] = (),
    labels: Iterable[str] = (),
    **fields: Any,
) -> Task:
    """Writes a draft task in the backlog; refused above 48 hours or when it makes a cycle."""
    _require_lead(lead, project)
    if project.status not in WORKING_STATES | {ProjectStatus.PAUSED}:
        raise WorkError(_("Tasks are written once the project is accepted."))
    check_estimate(fields.get("estimate_hours"))
    # The project's row is locked so that two tasks written at once get distinct positions.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    position = (project.tasks.aggregate(top=Max("position"))["top"] or 0) + 1
    task = Task(project=project, created_by=lead, position=position, **fields)
    task.full_clean(exclude=["skills", "dependencies", "pages", "labels"])
    task.save()
    dependencies = list(dependencies)
    _check_no_cycle(task, dependencies)
    task.dependencies.set(dependencies)
    task.skills.set(skills)
    task.pages.set([p for p in pages if p.project_id == project.pk])
    task.labels.set(_labels(project, labels))
    _event(task, TaskEventKind.CREATED, lead)
    return task


@transaction.atomic
def task_update(
    *,
    lead: User,
    task: Task,
    skills: Iterable[Skill] | None = None,
    dependencies: Iterable[Task] | None = None,
    pages: Iterable[KnowledgePage] | None = None,
    labels: Iterable[str] | None = None,
    **fields: Any,
) -> Task:
    """Changes a task; its dependencies only while nobody works on it."""
    task = _locked(task)
    _require_lead(lead, task.project)
    if TaskStatus(task.status) not in EDITABLE:
        raise WorkError(_("A finished or cancelled task cannot be changed."))
    check_estimate(fields.get("estimate_hours"))
    for name, value in fields.items():
        setattr(task, name, value)
    task.updated_at = timezone.now()
    task.full_clean(exclude=["skills", "dependencies", "pages", "labels"])
    task.save()
    if dependencies is not None:
        dependencies = list(dependencies)
        if {d.pk for d in dependencies} != set(task.dependencies.values_list("pk", flat=True)):
            if TaskStatus(task.status) in DEPENDENCIES_FROZEN:
                raise WorkError(_("The dependencies of a task in progress cannot change."))
            _check_no_cycle(task, dependencies)
            task.dependencies.set(dependencies)
            _follow_dependencies(task, task.updated_at)
    if skills is not None:
        task.skills.set(skills)
    if pages is not None:
        task.pages.set([p for p in pages if p.project_id == task.project_id])
    if labels is not None:
        task.labels.set(_labels(task.project, labels))
    return task


@transaction.atomic
def task_publish(*, lead: User, task: Task) -> Task:
    """Opens a draft to claims: ready, or waiting until its dependencies are done."""
    task = _locked(task)
    step, _claim = _require_step(task, TaskStep.PUBLISH, lead)
    task.status = _readiness(task)
    task.updated_at = timezone.now()
    task.save(update_fields=["status", "updated_at"])
    _event(task, step.event or TaskEventKind.PUBLISHED, lead)
    return task


@transaction.atomic
def task_cancel(*, lead: User, task: Task) -> Task:
    """Cancels a task nobody holds."""
    task = _locked(task)
    step, _claim = _require_step(task, TaskStep.CANCEL, lead)
    task.status = TaskStatus.CANCELLED
    task.save(update_fields=["status"])
    _event(task, step.event or TaskEventKind.CANCELLED, lead)
    return task


@transaction.atomic
def task_move(*, lead: User, task: Task, direction: int) -> bool:
    """Moves a task one place up (-1) or down (+1) in its project's backlog; False when it is
    already first (or last), so that the lead is told nothing moved.

    Only the two tasks that trade places are locked and written: the neighbour is found by the
    backlog's index (project, position, priority, id), so a move costs the same in a backlog of
    ten tasks or ten thousand, and leads moving other tasks of the project are not held up. Two
    tasks sharing a position (rows from before positions were kept distinct) are first given
    distinct positions, the one time the whole backlog is renumbered."""
    _require_lead(lead, task.project)
    for _attempt in range(5):
        try:
            return _backlog_swap(task.pk, direction)
        except _BacklogMoved:
            continue
    raise Conflict(_("The backlog changed while this task was being moved: please try again."))


class _BacklogMoved(Exception):
    """A task or its neighbour moved between reading them and locking them."""


def _backlog_swap(task_pk: int, direction: int) -> bool:
    """One try at a move, in a savepoint: both rows are locked in id order (never a deadlock
    with a move of the neighbour) and checked again; if either moved meanwhile the savepoint is
    rolled back, releasing the locks, before the next try."""
    with transaction.atomic():
        task = Task.objects.get(pk=task_pk)
        other = selectors.backlog_neighbours(task, direction).first()
        if other is None:
            return False
        locked = Task.objects.select_for_update().filter(pk__in=[task.pk, other.pk]).order_by("id")
        rows = {row.pk: row for row in locked}
        task, now = rows[task.pk], rows[other.pk]
        if (now.position, now.priority) != (other.position, other.priority):
            raise _BacklogMoved
        if selectors.backlog_neighbours(task, direction).first() != other:
            raise _BacklogMoved
        if other.position == task.position:
            _backlog_renumber(task.project_id)
            task.refresh_from_db(fields=["position"])
            other.refresh_from_db(fields=["position"])
        Task.objects.filter(pk=task.pk).update(position=other.position)
        Task.objects.filter(pk=other.pk).update(position=task.position)
        return True


def _backlog_renumber(project_id: int) -> None:
    """Gives every task of a backlog a distinct position, in today's order (under lock)."""
    rows = list(Task.objects.filter(project_id=project_id).select_for_update().order_by("id"))
    rows.sort(key=lambda item: (item.position, item.priority, item.pk))
    for position, item in enumerate(rows, start=1):
        if item.position != position:
            Task.objects.filter(pk=item.pk).update(position=position)


# --- Claims -------------------------------------------------------------------------------


def task_claim(*, consultant: User, task: Task) -> Claim:
    """Gives a ready task to a consultant of the project's team: at most one active claim per
    task, and at most MAX_ACTIVE_CLAIMS per consultant."""
    try:
        with transaction.atomic():
            # Serialise the claims of one consultant (their limit) and of one task.
            User.objects.select_for_update().filter(pk=consultant.pk).first()
            locked = _locked(task)
            step, _claim = _require_step(locked, TaskStep.CLAIM, consultant, refused=TaskTaken)
            # Read under the consultant's lock, which a recall being applied takes too: a claim
            # either sees the recall's end of the mission, or is released by it.
            try:
                _require_mission_day(consultant, locked.project, timezone.localdate(), "task")
            except ValidationError as error:
                raise WorkError(error.messages[0]) from None
            held = Claim.objects.filter(consultant=consultant, ended_at__isnull=True).count()
            if held >= settings.MAX_ACTIVE_CLAIMS:
                raise WorkError(
                    _("You already hold %(count)s tasks: finish or release one first.")
                    % {"count": held}
                )
            claim = Claim.objects.create(task=locked, consultant=consultant)
            locked.status = TaskStatus.CLAIMED
            locked.updated_at = timezone.now()
            locked.save(update_fields=["status", "updated_at"])
            _event(locked, step.event or TaskEventKind.CLAIMED, consultant)
            return claim
    except IntegrityError:
        # The partial unique index had the last word: another claim won the race.
        raise TaskTaken(_("This task is already taken, or not ready to be claimed.")) from None


def _active_claim(consultant: User, task: Task) -> Claim:
    claim = (
        Claim.objects.select_for_update()
        .filter(task=task, consultant=consultant, ended_at__isnull=True)
        .first()
    )
    if claim is None:
        raise WorkError(_("You do not hold this task."))
    return claim


def _touch(claim: Claim) -> None:
    Claim.objects.filter(pk=claim.pk).update(last_activity_at=timezone.now())


@transaction.atomic
def time_log(
    *, consultant: User, task: Task, date: date, hours: Decimal, note: str = ""
) -> TimeEntry:
    """Records time spent on a task one holds, on a day of an active mission on its project:
    more than 0, at most MAX_DAILY_HOURS a day across all their tasks (Code du travail L3121-18),
    and not on a Sunday or a public holiday unless their firm's terms allow it."""
    # The consultant's row lock (the one task_claim takes) serialises their entries, so that two
    # simultaneous entries on two tasks cannot both pass the daily limit.
    User.objects.select_for_update().filter(pk=consultant.pk).first()
    claim = _active_claim(consultant, task)
    if date > timezone.localdate():
        raise ValidationError({"date": _("Time cannot be logged in the future.")})
    if date < timezone.localtime(claim.started_at).date():
        raise ValidationError({"date": _("This date is before you took the task.")})
    work_day = _require_mission_day(consultant, task.project, date, "date")
    if work_day.rest_day and not work_day.rest_day_allowed:
        raise ValidationError(
            {
                "date": _(
                    "This date is a Sunday or a public holiday: your firm's terms do not allow "
                    "work on rest days."
                )
            }
        )
    entry = TimeEntry(claim=claim, date=date, hours=hours, note=note.strip())
    entry.full_clean()
    logged = sum(
        TimeEntry.objects.filter(claim__consultant=consultant, date=date).values_list(
            "hours", flat=True
        ),
        Decimal(0),
    )
    if logged + hours > MAX_DAILY_HOURS:
        raise ValidationError(
            {
                "hours": _(
                    "At most %(max)s hours of work a day (Code du travail L3121-18): "
                    "%(logged)s are already logged on that date."
                )
                % {"max": MAX_DAILY_HOURS, "logged": logged}
            }
        )
    entry.save()
    _touch(claim)
    return entry


@transaction.atomic
def task_comment(*, author: User, task: Task, body: str) -> Comment:
    """Adds a comment; for the consultant holding the task it counts as activity."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write something.")})
    comment = Comment(task=task, author=author, body=body)
    _check_text(comment, "body")
    comment.save()
    claim = Claim.objects.filter(task=task, consultant=author, ended_at__isnull=True).first()
    if claim is not None:
        _touch(claim)
    return comment


def _end_claim(claim: Claim, reason: str, at: dt.datetime) -> bool:
    """Ends a claim once: of two concurrent enders, exactly one changes the row."""
    return (
        Claim.objects.filter(pk=claim.pk, ended_at__isnull=True).update(
            ended_at=at, end_reason=reason
        )
        == 1
    )


def _back_to_backlog(task: Task) -> None:
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.READY, updated_at=timezone.now())


@transaction.atomic
def task_release(
    *,
    consultant: User,
    task: Task,
    done: str,
    state: str,
    next_step: str,
    links: str = "",
) -> Handover:
    """Gives a task back to the backlog with the consultant's handover note."""
    task = _locked(task)
    step, claim = _require_step(task, TaskStep.RELEASE, consultant)
    assert claim is not None
    fields = {"done": done.strip(), "state": state.strip(), "next_step": next_step.strip()}
    missing = {name: _("Needed by the next person.") for name, value in fields.items() if not value}
    if missing:
        raise ValidationError(missing)
    handover = Handover(
        task=task,
        claim=claim,
        author=consultant,
        reason=ClaimEnd.RELEASED,
        links=links.strip(),
        **fields,
    )
    _check_text(handover, "done", "state", "next_step", "links")
    if not _end_claim(claim, ClaimEnd.RELEASED, timezone.now()):
        raise WorkError(_("You do not hold this task."))
    handover.save()
    _back_to_backlog(task)
    _event(task, step.event or TaskEventKind.RELEASED, consultant)
    return handover


def claim_end_with_handover(
    *, claim: Claim, reason: str, at: dt.datetime, notify: bool = True
) -> Handover | None:
    """Ends a claim without the consultant's note (lapse, recall, team change): the task returns
    to the backlog with a handover drafted from the work log. Safe to run twice; a claim on a
    task the step does not start from (a task in review does not lapse) is left alone."""
    names = {ClaimEnd.LAPSED: TaskStep.LAPSE, ClaimEnd.RECALLED: TaskStep.RECALL}
    step = STEPS[names.get(ClaimEnd(reason), TaskStep.LEAVE)]
    with transaction.atomic():
        task = _locked(claim.task)
        if TaskStatus(task.status) not in step.sources:
            return None
        if not _end_claim(claim, reason, at):
            return None
        # Drafted from the consultant's own notes, in their language (dates and hours too).
        with translation.override(supported_language(claim.consultant.language)):
            drafted = draft_handover(claim)
        handover = Handover.objects.create(
            task=claim.task,
            claim=claim,
            author=None,
            reason=reason,
            drafted_automatically=True,
            **drafted,
        )
        _back_to_backlog(task)
        _event(task, step.event or TaskEventKind.RELEASED, None)
        if notify:
            notify_on_commit(claim_ended_notify, claim_id=claim.pk)
        return handover


def claims_lapse(*, now: dt.datetime | None = None) -> list[Handover]:
    """Ends every claim idle for CLAIM_LAPSE_DAYS (tasks in review do not lapse: the wait is
    the reviewer's). Idempotent: a claim lapses once."""
    now = now or timezone.now()
    limit = now - dt.timedelta(days=settings.CLAIM_LAPSE_DAYS)
    idle = Claim.objects.filter(
        ended_at__isnull=True,
        last_activity_at__lt=limit,
        task__status__in=STEPS[TaskStep.LAPSE].sources,
    ).select_related("task", "consultant")
    handovers = []
    for claim in idle:
        handover = claim_end_with_handover(claim=claim, reason=ClaimEnd.LAPSED, at=now)
        if handover is not None:
            handovers.append(handover)
    return handovers


@transaction.atomic
def handover_amend(
    *, consultant: User, handover: Handover, done: str, state: str, next_step: str, links: str
) -> Handover:
    """Lets the consultant complete a handover that was drafted for them."""
    if handover.claim.consultant_id != consultant.pk:
        raise PermissionDenied
    fields = {"done": done.strip(), "state": state.strip(), "next_step": next_step.strip()}
    missing = {name: _("Needed by the next person.") for name, value in fields.items() if not value}
    if missing:
        raise ValidationError(missing)
    for name, value in fields.items():
        setattr(handover, name, value)
    handover.links = links.strip()
    _check_text(handover, "done", "state", "next_step", "links")
    handover.author = consultant
    handover.amended_at = timezone.now()
    handover.save()
    return handover


# --- Review -------------------------------------------------------------------------------


@transaction.atomic
def task_submit(*, consultant: User, task: Task, note: str = "") -> Task:
    """Hands the work to the field lead for review."""
    locked = _locked(task)
    step, claim = _require_step(locked, TaskStep.SUBMIT, consultant)
    assert claim is not None
    locked.status = TaskStatus.IN_REVIEW
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "updated_at"])
    _touch(claim)
    _event(locked, step.event or TaskEventKind.SUBMITTED, consultant, note.strip())
    return locked


@transaction.atomic
def task_return(*, lead: User, task: Task, comment: str) -> Task:
    """Sends the work back to the consultant with what to change."""
    locked = _locked(task)
    step, _claim = _require_step(locked, TaskStep.RETURN, lead)
    if step.needs_comment and not comment.strip():
        raise ValidationError({"comment": _("Say what to change.")})
    locked.status = TaskStatus.CLAIMED
    locked.save(update_fields=["status"])
    Claim.objects.filter(task=locked, ended_at__isnull=True).update(last_activity_at=timezone.now())
    _event(locked, step.event or TaskEventKind.RETURNED, lead, comment.strip())
    return locked


@transaction.atomic
def task_accept(*, lead: User, task: Task) -> Task:
    """Accepts the work: the task is done, and the tasks waiting only for it become ready."""
    locked = _locked(task)
    step, _claim = _require_step(locked, TaskStep.ACCEPT, lead)
    now = timezone.now()
    for claim in Claim.objects.filter(task=locked, ended_at__isnull=True):
        _end_claim(claim, ClaimEnd.DONE, now)
    locked.status = TaskStatus.DONE
    locked.updated_at = now
    locked.save(update_fields=["status", "updated_at"])
    _event(locked, step.event or TaskEventKind.ACCEPTED, lead)
    waiting = STEPS[TaskStep.UNBLOCK].sources
    for dependent in locked.dependents.select_for_update().filter(status__in=waiting):
        unblocked = _follow_dependencies(dependent, now)
        if unblocked is not None and unblocked.event:
            _event(dependent, unblocked.event, None)
    return locked


# --- Knowledge base and onboarding --------------------------------------------------------


@transaction.atomic
def page_save(
    *,
    author: User,
    project: Project,
    title: str,
    body: str,
    summary: str = "",
    page: KnowledgePage | None = None,
    is_start_here: bool = False,
) -> KnowledgePage:
    """Creates or changes a knowledge-base page, keeping every version."""
    if not (access.is_lead(author, project) or access.is_team_member(author, project)):
        raise PermissionDenied
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError({"title" if not title else "body": _("This field is required.")})
    # The project's row lock serialises the page writes of one project: two pages created at
    # once with the same title get two addresses, and one start-here page stays one.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    if page is None:
        base = slugify(title)[:70] or "page"
        slug, n = base, 1
        while KnowledgePage.objects.filter(project=project, slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        page = KnowledgePage(project=project, slug=slug)
    elif page.title == title and page.body == body and page.is_start_here == is_start_here:
        return page
    if is_start_here:
        KnowledgePage.objects.filter(project=project, is_start_here=True).exclude(
            pk=page.pk
        ).update(is_start_here=False)
    page.title, page.body, page.is_start_here = title, body, is_start_here
    page.updated_at = timezone.now()
    _check_text(page, "title", "body")
    revision = KnowledgeRevision(title=title, body=body, author=author, summary=summary.strip())
    _check_text(revision, "summary")
    try:
        with transaction.atomic():
            page.save()
    except IntegrityError:
        # The unique indexes have the last word, should a write slip past the lock.
        raise ValidationError(
            {"title": _("Another page was saved at the same moment: try again.")}
        ) from None
    number = (page.revisions.aggregate(top=Max("number"))["top"] or 0) + 1
    revision.page, revision.number = page, number
    revision.save()
    return page


@transaction.atomic
def onboarding_step_add(
    *,
    lead: User,
    project: Project,
    kind: str,
    title: str,
    details: str = "",
    page: KnowledgePage | None = None,
) -> OnboardingStep:
    """Adds a step at the end of the project's onboarding kit."""
    _require_lead(lead, project)
    position = (project.onboarding_steps.aggregate(top=Max("position"))["top"] or 0) + 1
    step = OnboardingStep(
        project=project, position=position, kind=kind, title=title.strip(), details=details.strip()
    )
    if page is not None and page.project_id == project.pk:
        step.page = page
    step.full_clean()
    step.save()
    return step


def onboarding_step_delete(*, lead: User, step: OnboardingStep) -> None:
    """Removes a step of the kit, and everyone's tick on it."""
    _require_lead(lead, step.project)
    step.delete()


def onboarding_step_toggle(*, user: User, step: OnboardingStep) -> bool:
    """Ticks (or unticks) a step of the kit for oneself; returns whether it is now done."""
    deleted, _rows = OnboardingProgress.objects.filter(step=step, user=user).delete()
    if deleted:
        return False
    OnboardingProgress.objects.get_or_create(step=step, user=user)
    return True
