"""HTML views of the work of a project: parse, check access, call a service, render."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relais.core.errors import ServiceError
from relais.core.forms import copy_errors, flash_error, signed_in_user
from relais.core.paging import page_of
from relais.work import access, selectors, services, workflow
from relais.work.forms import (
    BoardFilterForm,
    CommentForm,
    HandoverForm,
    InviteForm,
    OnboardingStepForm,
    PageForm,
    ReturnForm,
    SubmitForm,
    TaskForm,
    TimeEntryForm,
)
from relais.work.models import Claim, Task, TaskStatus, TeamMember

if TYPE_CHECKING:
    from relais.accounts.models import User
    from relais.projects.models import Project


def _roles(user: User, project: Project) -> dict[str, bool]:
    return {
        "is_lead": access.is_lead(user, project),
        "is_member": access.is_team_member(user, project),
    }


# --- Backlog ------------------------------------------------------------------------------


@login_required
@require_GET
def board(request: HttpRequest, project_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    project = access.project_get_for_user(user, project_pk)
    form = BoardFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {k: getattr(v, "slug", v) for k, v in form.cleaned_data.items()}
    roles = _roles(user, project)
    page, query = page_of(request, selectors.board(project, filters))
    context = {
        "project": project,
        "form": form,
        "tasks": page.object_list,
        "page": page,
        "query": query,
        "suggestions": selectors.next_tasks(user, project) if roles["is_member"] else [],
        **roles,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "work/board.html#tasks", context)
    return render(request, "work/board.html", context)


def _task_form_save(request: HttpRequest, form: TaskForm, save: Callable[..., Task]) -> Task | None:
    if request.method != "POST" or not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    labels = form.label_names()
    data.pop("labels_text", None)
    try:
        return save(
            skills=data.pop("skills"),
            dependencies=data.pop("dependencies"),
            pages=data.pop("pages"),
            labels=labels,
            **data,
        )
    except (ServiceError, ValidationError) as error:
        copy_errors(form, error)
    return None


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest, project_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    project = access.project_get_for_user(user, project_pk, lead=True)
    form = TaskForm(request.POST or None, project=project)

    def save(**fields: Any) -> Task:
        return services.task_create(lead=user, project=project, **fields)

    task = _task_form_save(request, form, save)
    if task is not None:
        messages.success(request, _("Task saved as a draft: publish it when it is ready."))
        return redirect("work:task_detail", task_pk=task.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "work/task_form.html",
        {"form": form, "project": project, "task": None},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, task_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    task = access.task_get_for_user(user, task_pk, lead=True)
    form = TaskForm(request.POST or None, instance=task, project=task.project)

    def save(**fields: Any) -> Task:
        return services.task_update(lead=user, task=task, **fields)

    if _task_form_save(request, form, save) is not None:
        messages.success(request, _("Changes saved."))
        return redirect("work:task_detail", task_pk=task.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "work/task_form.html",
        {"form": form, "project": task.project, "task": task},
        status=status,
    )


@login_required
@require_GET
def task_detail(request: HttpRequest, task_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    task = access.task_get_for_user(user, task_pk)
    return render(request, "work/task_detail.html", _task_context(user, task))


def _task_context(user: User, task: Task, **forms: Any) -> dict[str, Any]:
    data = selectors.task_page(task)
    active = data["active_claim"]
    actors = workflow.actors_for(user, task, active)
    can = workflow.can(task, actors)
    held = Claim.objects.filter(consultant=user, ended_at__isnull=True).count()
    return {
        "task": task,
        "project": task.project,
        **data,
        **_roles(user, task.project),
        "holds": workflow.TaskActor.CLAIMANT in actors,
        # The steps of the workflow table this person may take now: the buttons offered.
        "can": can,
        # At the claim limit, the page says so instead of offering a button that would fail.
        "held": held,
        "at_claim_limit": can["claim"] and held >= settings.MAX_ACTIVE_CLAIMS,
        "blocked": task.status == TaskStatus.BLOCKED,
        "nothing_to_do": not any(can.values()) and not access.is_lead(user, task.project),
        "time_form": forms.get("time_form") or TimeEntryForm(),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "return_form": forms.get("return_form") or ReturnForm(),
        "submit_form": SubmitForm(),
    }


def _task_step(
    request: HttpRequest,
    task_pk: int,
    step: Callable[[User, Task], object],
    done: str,
    *,
    lead: bool,
) -> HttpResponse:
    user = signed_in_user(request)
    task = access.task_get_for_user(user, task_pk, lead=lead)
    try:
        step(user, task)
    except (ServiceError, ValidationError) as error:
        flash_error(request, error)
        return render(request, "work/task_detail.html", _task_context(user, task), status=409)
    messages.success(request, done)
    return redirect("work:task_detail", task_pk=task.pk)


@login_required
@require_POST
def task_publish(request: HttpRequest, task_pk: int) -> HttpResponse:
    return _task_step(
        request,
        task_pk,
        lambda u, t: services.task_publish(lead=u, task=t),
        _("The task is published."),
        lead=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_cancel(request: HttpRequest, task_pk: int) -> HttpResponse:
    """GET: a page that asks to confirm (no JavaScript needed); POST: the cancellation."""
    if request.method == "GET":
        task = access.task_get_for_user(signed_in_user(request), task_pk, lead=True)
        return render(request, "work/task_cancel_confirm.html", {"task": task})
    return _task_step(
        request,
        task_pk,
        lambda u, t: services.task_cancel(lead=u, task=t),
        _("The task is cancelled."),
        lead=True,
    )


@login_required
@require_POST
def task_claim(request: HttpRequest, task_pk: int) -> HttpResponse:
    return _task_step(
        request,
        task_pk,
        lambda u, t: services.task_claim(consultant=u, task=t),
        _("The task is yours. Read the handovers and the brief first."),
        lead=False,
    )


@login_required
@require_POST
def task_submit(request: HttpRequest, task_pk: int) -> HttpResponse:
    note = request.POST.get("note", "")
    return _task_step(
        request,
        task_pk,
        lambda u, t: services.task_submit(consultant=u, task=t, note=note),
        _("Submitted for review."),
        lead=False,
    )


@login_required
@require_POST
def task_accept(request: HttpRequest, task_pk: int) -> HttpResponse:
    return _task_step(
        request,
        task_pk,
        lambda u, t: services.task_accept(lead=u, task=t),
        _("The task is done."),
        lead=True,
    )


@login_required
@require_POST
def task_return(request: HttpRequest, task_pk: int) -> HttpResponse:
    comment = request.POST.get("comment", "")
    return _task_step(
        request,
        task_pk,
        lambda u, t: services.task_return(lead=u, task=t, comment=comment),
        _("The task is returned with your comments."),
        lead=True,
    )


@login_required
@require_POST
def task_move(request: HttpRequest, task_pk: int, direction: str) -> HttpResponse:
    user = signed_in_user(request)
    task = access.task_get_for_user(user, task_pk, lead=True)
    if direction not in {"up", "down"}:
        raise Http404
    moved = services.task_move(lead=user, task=task, direction=-1 if direction == "up" else 1)
    if moved:
        messages.success(request, _("“%(title)s” moved.") % {"title": task.title})
    else:
        edge = (
            _("“%(title)s” is already at the top of the backlog.")
            if direction == "up"
            else _("“%(title)s” is already at the bottom of the backlog.")
        )
        messages.info(request, edge % {"title": task.title})
    return redirect("work:board", project_pk=task.project_id)


@login_required
@require_http_methods(["GET", "POST"])
def task_release(request: HttpRequest, task_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    task = access.task_get_for_user(user, task_pk)
    form = HandoverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.task_release(consultant=user, task=task, **form.cleaned_data)
        except (ServiceError, ValidationError) as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The task is back in the backlog with your handover."))
            return redirect("work:task_detail", task_pk=task.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "work/handover_form.html",
        {"form": form, "task": task, "handover": None},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def handover_edit(request: HttpRequest, handover_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    handover = access.handover_get_for_user(user, handover_pk)
    if handover.claim.consultant_id != user.pk:
        raise Http404
    initial = {f: getattr(handover, f) for f in ("done", "state", "next_step", "links")}
    form = HandoverForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.handover_amend(consultant=user, handover=handover, **form.cleaned_data)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Handover completed. Thank you for the next person."))
            return redirect("work:task_detail", task_pk=handover.task_id)
    return render(
        request,
        "work/handover_form.html",
        {"form": form, "task": handover.task, "handover": handover},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def time_log(request: HttpRequest, task_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    task = access.task_get_for_user(user, task_pk)
    form = TimeEntryForm(request.POST)
    if form.is_valid():
        try:
            services.time_log(consultant=user, task=task, **form.cleaned_data)
        except (ServiceError, ValidationError) as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Time logged."))
            return redirect("work:task_detail", task_pk=task.pk)
    return render(
        request, "work/task_detail.html", _task_context(user, task, time_form=form), status=400
    )


@login_required
@require_POST
def comment_add(request: HttpRequest, task_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    task = access.task_get_for_user(user, task_pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.task_comment(author=user, task=task, body=form.cleaned_data["body"])
        except ValidationError as error:
            copy_errors(form, error)
        else:
            return redirect("work:task_detail", task_pk=task.pk)
    return render(
        request, "work/task_detail.html", _task_context(user, task, comment_form=form), status=400
    )


# --- Team ---------------------------------------------------------------------------------


@login_required
@require_GET
def team(request: HttpRequest, project_pk: int) -> HttpResponse:
    """The team: only missions give a place in it; a lead invites a consultant, which becomes a
    mission request for their firm."""
    user = signed_in_user(request)
    project = access.project_get_for_user(user, project_pk)
    members = (
        TeamMember.objects.filter(project=project)
        .select_related("user")
        .order_by("left_at", "joined_at")
    )
    return render(
        request,
        "work/team.html",
        {"project": project, "form": InviteForm(), "members": members, **_roles(user, project)},
    )


@login_required
@require_POST
def team_remove(request: HttpRequest, project_pk: int, member_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    member = access.team_member_get_for_user(user, project_pk, member_pk)
    services.team_member_remove(lead=user, member=member)
    messages.success(request, _("%(name)s left the team.") % {"name": member.user.display_name})
    return redirect("work:team", project_pk=project_pk)


# --- Knowledge base -----------------------------------------------------------------------


@login_required
@require_GET
def pages(request: HttpRequest, project_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    project = access.project_get_for_user(user, project_pk)
    return render(
        request,
        "work/pages.html",
        {"project": project, "pages": project.knowledge_pages.all(), **_roles(user, project)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def page_edit(request: HttpRequest, project_pk: int, slug: str = "") -> HttpResponse:
    user = signed_in_user(request)
    project = access.project_get_for_user(user, project_pk)
    page = access.page_get_for_user(user, project_pk, slug) if slug else None
    initial = (
        {"title": page.title, "body": page.body, "is_start_here": page.is_start_here}
        if page
        else {}
    )
    form = PageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            page = services.page_save(author=user, project=project, page=page, **form.cleaned_data)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Page saved."))
            return redirect("work:page", project_pk=project.pk, slug=page.slug)
    return render(
        request,
        "work/page_form.html",
        {"project": project, "page": page, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def page_detail(request: HttpRequest, project_pk: int, slug: str) -> HttpResponse:
    user = signed_in_user(request)
    page = access.page_get_for_user(user, project_pk, slug)
    return render(
        request,
        "work/page_detail.html",
        {
            "project": page.project,
            "page": page,
            "tasks": page.tasks.all(),
            **_roles(user, page.project),
        },
    )


@login_required
@require_GET
def page_history(request: HttpRequest, project_pk: int, slug: str) -> HttpResponse:
    user = signed_in_user(request)
    page = access.page_get_for_user(user, project_pk, slug)
    revisions = page.revisions.select_related("author")
    return render(
        request,
        "work/page_history.html",
        {"project": page.project, "page": page, "revisions": revisions},
    )


@login_required
@require_GET
def page_revision(request: HttpRequest, project_pk: int, slug: str, number: int) -> HttpResponse:
    """One version of a page and what it changed from the one before."""
    user = signed_in_user(request)
    page = access.page_get_for_user(user, project_pk, slug)
    revision = page.revisions.select_related("author").filter(number=number).first()
    if revision is None:
        raise Http404
    previous = page.revisions.filter(number__lt=number).order_by("-number").first()
    before = previous.body.splitlines() if previous else []
    diff = list(difflib.unified_diff(before, revision.body.splitlines(), lineterm="", n=2))[2:]
    lines = [
        (
            "added" if line.startswith("+") else "removed" if line.startswith("-") else "context",
            line,
        )
        for line in diff
    ]
    return render(
        request,
        "work/page_revision.html",
        {
            "project": page.project,
            "page": page,
            "revision": revision,
            "previous": previous,
            "lines": lines,
        },
    )


# --- Onboarding and continuity ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def onboarding(request: HttpRequest, project_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    project = access.project_get_for_user(user, project_pk)
    form = OnboardingStepForm(request.POST or None, project=project)
    if request.method == "POST":
        if not access.is_lead(user, project):
            raise Http404
        if form.is_valid():
            try:
                services.onboarding_step_add(lead=user, project=project, **form.cleaned_data)
            except ValidationError as error:
                copy_errors(form, error)
            else:
                return redirect("work:onboarding", project_pk=project.pk)
    context = {
        "project": project,
        "form": form,
        **selectors.onboarding(project, user),
        **_roles(user, project),
    }
    return render(request, "work/onboarding.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def onboarding_toggle(request: HttpRequest, project_pk: int, step_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    step = access.onboarding_step_get_for_user(user, project_pk, step_pk)
    services.onboarding_step_toggle(user=user, step=step)
    if request.htmx:  # type: ignore[attr-defined]
        context = {
            "project": step.project,
            **selectors.onboarding(step.project, user),
            **_roles(user, step.project),
        }
        return render(request, "work/onboarding.html#checklist", context)
    return redirect("work:onboarding", project_pk=project_pk)


@login_required
@require_POST
def onboarding_delete(request: HttpRequest, project_pk: int, step_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    step = access.onboarding_step_get_for_user(user, project_pk, step_pk, lead=True)
    services.onboarding_step_delete(lead=user, step=step)
    return redirect("work:onboarding", project_pk=project_pk)


@login_required
@require_GET
def continuity(request: HttpRequest, project_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    project = access.project_get_for_user(user, project_pk, lead=True)
    return render(
        request,
        "work/continuity.html",
        {"project": project, "figures": selectors.continuity(project)},
    )
