"""API endpoints of the work: tasks of the projects the user can see, claims, time, handovers,
review. They call the same services as the web views."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.pagination import paginate

from relais.accounts.models import User
from relais.core.models import Skill
from relais.core.rest import Id, Pagination, errors
from relais.core.validators import NOTE_MAX, PROSE_MAX, ApiDate
from relais.work import access, services
from relais.work.models import Task, TimeEntry

router = Router(tags=["work"])


class TaskOut(Schema):
    id: int
    project_id: int
    title: str
    brief: str
    acceptance_criteria: list[str] = Field(alias="criteria")
    estimate_hours: Decimal
    priority: int
    status: str
    skills: list[str]
    dependencies: list[int]

    @staticmethod
    def resolve_skills(obj: Task) -> list[str]:
        return [s.slug for s in obj.skills.all()]

    @staticmethod
    def resolve_dependencies(obj: Task) -> list[int]:
        return [d.pk for d in obj.dependencies.all()]


class HandoverOut(Schema):
    author: str | None
    reason: str
    done: str
    state: str
    next_step: str
    links: str
    drafted_automatically: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: Any) -> str | None:
        return obj.author.display_name if obj.author else None


class TaskDetailOut(TaskOut):
    handovers: list[HandoverOut]

    @staticmethod
    def resolve_handovers(obj: Task) -> list[Any]:
        return list(obj.handovers.select_related("author"))


class TaskIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    brief: str = Field(min_length=1, max_length=PROSE_MAX)
    acceptance_criteria: str = Field(min_length=1, max_length=NOTE_MAX)
    estimate_hours: Decimal = Field(gt=0, max_digits=4, decimal_places=1)
    priority: int = Field(2, ge=1, le=3)
    skills: list[Annotated[str, Field(max_length=100)]] = Field([], max_length=100)
    dependencies: list[Id] = Field([], max_length=100)


class TaskPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    brief: str | None = Field(None, min_length=1, max_length=PROSE_MAX)
    acceptance_criteria: str | None = Field(None, min_length=1, max_length=NOTE_MAX)
    estimate_hours: Decimal | None = Field(None, gt=0, max_digits=4, decimal_places=1)
    priority: int | None = Field(None, ge=1, le=3)
    skills: list[Annotated[str, Field(max_length=100)]] | None = Field(None, max_length=100)
    dependencies: list[Id] | None = Field(None, max_length=100)


class HandoverIn(Schema):
    done: str = Field(max_length=PROSE_MAX)
    state: str = Field(max_length=PROSE_MAX)
    next_step: str = Field(max_length=PROSE_MAX)
    links: str = Field("", max_length=NOTE_MAX)


class TimeIn(Schema):
    date: ApiDate
    hours: Decimal = Field(gt=0, le=24, max_digits=4, decimal_places=2)
    note: str = Field("", max_length=NOTE_MAX)


class TimeOut(Schema):
    id: int
    date: dt.date
    hours: Decimal
    note: str


class CommentIn(Schema):
    comment: str = Field("", max_length=PROSE_MAX)


def _relations(project_id: int, payload: TaskIn | TaskPatch) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    if data.get("skills") is not None:
        skills = list(Skill.objects.filter(slug__in=data["skills"]))
        if len(skills) != len(set(data["skills"])):
            raise ValidationError([{"loc": ["skills"], "msg": _("Unknown skill.")}])
        data["skills"] = skills
    if data.get("dependencies") is not None:
        deps = list(Task.objects.filter(project_id=project_id, pk__in=data["dependencies"]))
        if len(deps) != len(set(data["dependencies"])):
            raise ValidationError(
                [{"loc": ["dependencies"], "msg": _("No such task in this project.")}]
            )
        data["dependencies"] = deps
    return data


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


@router.get("/projects/{project_id}/tasks", response=list[TaskOut], summary="A project's backlog")
@paginate(Pagination, page_size=50)
def task_list(
    request: HttpRequest, project_id: Id, status: Annotated[str, Field(max_length=20)] | None = None
) -> Any:
    project = access.project_get_for_user(_me(request), project_id)
    tasks = project.tasks.prefetch_related("skills", "dependencies")
    return tasks.filter(status=status) if status else tasks


@router.post(
    "/projects/{project_id}/tasks",
    response={201: TaskDetailOut, **errors(403, 409)},
    summary="Write a task",
)
def task_create(request: HttpRequest, project_id: Id, payload: TaskIn) -> Status:
    user = _me(request)
    project = access.project_get_for_user(user, project_id, lead=True)
    task = services.task_create(lead=user, project=project, **_relations(project_id, payload))
    return Status(201, task)


@router.get("/tasks/{task_id}", response=TaskDetailOut, summary="One task, with its handovers")
def task_detail(request: HttpRequest, task_id: Id) -> Task:
    return access.task_get_for_user(_me(request), task_id)


@router.patch(
    "/tasks/{task_id}", response={200: TaskDetailOut, **errors(403, 409)}, summary="Change a task"
)
def task_update(request: HttpRequest, task_id: Id, payload: TaskPatch) -> Task:
    user = _me(request)
    task = access.task_get_for_user(user, task_id, lead=True)
    return services.task_update(lead=user, task=task, **_relations(task.project_id, payload))


@router.post(
    "/tasks/{task_id}/publish",
    response={200: TaskDetailOut, **errors(403, 409)},
    summary="Open a draft to claims",
)
def task_publish(request: HttpRequest, task_id: Id) -> Task:
    user = _me(request)
    task = access.task_get_for_user(user, task_id, lead=True)
    return services.task_publish(lead=user, task=task)


@router.post(
    "/tasks/{task_id}/claim",
    response={200: TaskDetailOut, **errors(403, 409)},
    summary="Take a ready task",
)
def task_claim(request: HttpRequest, task_id: Id) -> Task:
    user = _me(request)
    task = access.task_get_for_user(user, task_id)
    services.task_claim(consultant=user, task=task)
    task.refresh_from_db()
    return task


@router.post(
    "/tasks/{task_id}/release",
    response={200: TaskDetailOut, **errors(403, 409)},
    summary="Give a task back, with a handover",
)
def task_release(request: HttpRequest, task_id: Id, payload: HandoverIn) -> Task:
    user = _me(request)
    task = access.task_get_for_user(user, task_id)
    services.task_release(consultant=user, task=task, **payload.dict())
    task.refresh_from_db()
    return task


@router.post(
    "/tasks/{task_id}/time",
    response={201: TimeOut, **errors(403, 409)},
    summary="Log time on a task you hold",
)
def time_log(request: HttpRequest, task_id: Id, payload: TimeIn) -> Status:
    user = _me(request)
    task = access.task_get_for_user(user, task_id)
    entry: TimeEntry = services.time_log(consultant=user, task=task, **payload.dict())
    return Status(201, entry)


@router.post(
    "/tasks/{task_id}/submit",
    response={200: TaskDetailOut, **errors(403, 409)},
    summary="Submit your work for review",
)
def task_submit(request: HttpRequest, task_id: Id, payload: CommentIn) -> Task:
    user = _me(request)
    task = access.task_get_for_user(user, task_id)
    return services.task_submit(consultant=user, task=task, note=payload.comment)


@router.post(
    "/tasks/{task_id}/accept",
    response={200: TaskDetailOut, **errors(403, 409)},
    summary="Accept the work (field lead)",
)
def task_accept(request: HttpRequest, task_id: Id) -> Task:
    user = _me(request)
    task = access.task_get_for_user(user, task_id, lead=True)
    return services.task_accept(lead=user, task=task)


@router.post(
    "/tasks/{task_id}/return",
    response={200: TaskDetailOut, **errors(403, 409)},
    summary="Return the work with comments",
)
def task_return(request: HttpRequest, task_id: Id, payload: CommentIn) -> Task:
    user = _me(request)
    task = access.task_get_for_user(user, task_id, lead=True)
    return services.task_return(lead=user, task=task, comment=payload.comment)
