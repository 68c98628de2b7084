"""The task workflow as an explicit table: which step exists, from which states, who takes it,
and whether it needs a comment. Services enforce this table (row locked, state among the
step's sources, actor allowed); views only offer the steps it allows to the person looking."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from relais.projects.models import ProjectStatus
from relais.work import access
from relais.work.models import TaskEventKind
from relais.work.models import TaskStatus as S

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise as Promise

    from relais.accounts.models import User
    from relais.work.models import Claim, Task


class TaskActor(StrEnum):
    LEAD = "lead"  # the field lead, an admin of the nonprofit, operator staff
    MEMBER = "member"  # a consultant of the project's current team
    CLAIMANT = "claimant"  # the consultant who holds the task
    SYSTEM = "system"  # Relais itself: lapses, recalls, team changes, dependencies done


class TaskStep(StrEnum):
    PUBLISH = "publish"
    CANCEL = "cancel"
    CLAIM = "claim"
    RELEASE = "release"
    SUBMIT = "submit"
    RETURN = "return"
    ACCEPT = "accept"
    BLOCK = "block"
    UNBLOCK = "unblock"
    LAPSE = "lapse"
    RECALL = "recall"
    LEAVE = "leave"


@dataclass(frozen=True)
class Step:
    name: TaskStep
    sources: frozenset[S]
    targets: frozenset[S]  # publishing leads to "ready" or to "waiting for its dependencies"
    actor: TaskActor
    label: Promise
    refused: Promise  # why the step cannot be taken from another state
    event: TaskEventKind | None
    needs_comment: bool = False
    project_states: frozenset[ProjectStatus] | None = None  # None: whatever the project's state
    project_refused: Promise | None = None  # why the step cannot be taken in another one


def _step(
    name: TaskStep,
    sources: set[S],
    targets: set[S],
    actor: TaskActor,
    label: Promise,
    refused: Promise,
    event: TaskEventKind | None,
    *,
    needs_comment: bool = False,
    project_states: set[ProjectStatus] | None = None,
    project_refused: Promise | None = None,
) -> Step:
    return Step(
        name,
        frozenset(sources),
        frozenset(targets),
        actor,
        label,
        refused,
        event,
        needs_comment,
        frozenset(project_states) if project_states is not None else None,
        project_refused,
    )


LEAD, MEMBER, CLAIMANT, SYSTEM = (
    TaskActor.LEAD,
    TaskActor.MEMBER,
    TaskActor.CLAIMANT,
    TaskActor.SYSTEM,
)
_NOT_IN_PROGRESS = _("This task is not in progress.")
_TAKEN = _("This task is already taken, or not ready to be claimed.")

STEPS: dict[TaskStep, Step] = {
    step.name: step
    for step in (
        _step(
            TaskStep.PUBLISH,
            {S.DRAFT},
            {S.READY, S.BLOCKED},
            LEAD,
            _("Publish"),
            _("Only a draft can be published."),
            TaskEventKind.PUBLISHED,
        ),
        _step(
            TaskStep.CANCEL,
            {S.DRAFT, S.READY, S.BLOCKED},
            {S.CANCELLED},
            LEAD,
            _("Cancel the task"),
            _("A task someone works on cannot be cancelled: release it first."),
            TaskEventKind.CANCELLED,
        ),
        _step(
            TaskStep.CLAIM,
            {S.READY},
            {S.CLAIMED},
            MEMBER,
            _("Take this task"),
            _TAKEN,
            TaskEventKind.CLAIMED,
            project_states={ProjectStatus.ACTIVE},
            project_refused=_("Tasks are claimed while the project is active."),
        ),
        # In review, the wait is the reviewer's: the consultant waits for the verdict.
        _step(
            TaskStep.RELEASE,
            {S.CLAIMED},
            {S.READY},
            CLAIMANT,
            _("Release with a handover"),
            _NOT_IN_PROGRESS,
            TaskEventKind.RELEASED,
        ),
        _step(
            TaskStep.SUBMIT,
            {S.CLAIMED},
            {S.IN_REVIEW},
            CLAIMANT,
            _("Submit for review"),
            _NOT_IN_PROGRESS,
            TaskEventKind.SUBMITTED,
        ),
        _step(
            TaskStep.RETURN,
            {S.IN_REVIEW},
            {S.CLAIMED},
            LEAD,
            _("Return with comments"),
            _("Only a task in review can be returned."),
            TaskEventKind.RETURNED,
            needs_comment=True,
        ),
        _step(
            TaskStep.ACCEPT,
            {S.IN_REVIEW},
            {S.DONE},
            LEAD,
            _("Accept the work"),
            _("Only a task in review can be accepted."),
            TaskEventKind.ACCEPTED,
        ),
        # A change of dependencies, or the last of them done, moves a published task nobody
        # holds between "ready" and "waiting for its dependencies".
        _step(
            TaskStep.BLOCK,
            {S.READY},
            {S.BLOCKED},
            SYSTEM,
            _("Waiting for its dependencies"),
            _NOT_IN_PROGRESS,
            None,
        ),
        _step(
            TaskStep.UNBLOCK,
            {S.BLOCKED},
            {S.READY},
            SYSTEM,
            _("ready: its dependencies are done"),
            _NOT_IN_PROGRESS,
            TaskEventKind.UNBLOCKED,
        ),
        # A claim ended without the consultant's note: the task returns to the backlog with a
        # handover drafted from the work log. A task in review does not lapse.
        _step(
            TaskStep.LAPSE,
            {S.CLAIMED},
            {S.READY},
            SYSTEM,
            _("Lapsed"),
            _NOT_IN_PROGRESS,
            TaskEventKind.LAPSED,
        ),
        _step(
            TaskStep.RECALL,
            {S.CLAIMED, S.IN_REVIEW},
            {S.READY},
            SYSTEM,
            _("Recalled by the firm"),
            _NOT_IN_PROGRESS,
            TaskEventKind.RECALLED,
        ),
        _step(
            TaskStep.LEAVE,
            {S.CLAIMED, S.IN_REVIEW},
            {S.READY},
            SYSTEM,
            _("Released"),
            _NOT_IN_PROGRESS,
            TaskEventKind.RELEASED,
        ),
    )
}

# What a lead may still change, and when the dependencies may change (not while someone works).
EDITABLE: frozenset[S] = frozenset(set(S) - {S.DONE, S.CANCELLED})
DEPENDENCIES_FROZEN: frozenset[S] = frozenset({S.CLAIMED, S.IN_REVIEW})
# The state of a dependency that lets the tasks waiting for it start.
SATISFIES_DEPENDENCY: frozenset[S] = frozenset({S.DONE})


def satisfies_dependency(status: str) -> bool:
    """Whether a task in this state no longer holds back the tasks that depend on it."""
    return S(status) in SATISFIES_DEPENDENCY


def actors_for(user: User, task: Task, active_claim: Claim | None) -> set[TaskActor]:
    """The roles a person has on a task (the system is nobody)."""
    actors = set()
    if access.is_lead(user, task.project):
        actors.add(LEAD)
    if access.is_team_member(user, task.project):
        actors.add(MEMBER)
    if active_claim is not None and active_claim.consultant_id == user.pk:
        actors.add(CLAIMANT)
    return actors


def allows(step: Step, task: Task) -> bool:
    """Whether the task and its project are in a state from which the step may be taken."""
    if step.project_states is not None and task.project.status not in step.project_states:
        return False
    return S(task.status) in step.sources


def steps_for(task: Task, actors: set[TaskActor]) -> list[Step]:
    """The steps these roles may take on the task now."""
    return [s for s in STEPS.values() if s.actor in actors and allows(s, task)]


def can(task: Task, actors: set[TaskActor]) -> dict[str, bool]:
    """Each step's name → whether these roles may take it now: what the task's page offers."""
    allowed = {s.name for s in steps_for(task, actors)}
    return {str(name): name in allowed for name in TaskStep}
