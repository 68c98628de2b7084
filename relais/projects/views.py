"""HTML views of self-diagnosis and projects: parse, check access, call a service, render."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relais.accounts.models import Organisation, OrganisationKind, Role
from relais.core.errors import ServiceError
from relais.core.forms import copy_errors, flash_error, signed_in_user
from relais.core.paging import page_of
from relais.core.public_cache import public_page
from relais.core.validators import image_content_type
from relais.projects import access, diagnosis, selectors, services
from relais.projects.forms import (
    DiagnosisForm,
    ProjectFilterForm,
    ProjectForm,
    ProjectImageForm,
    ReviewForm,
    TransitionForm,
)
from relais.projects.models import Project, ProjectStatus
from relais.projects.selectors import PUBLIC_PROJECTS, public_project
from relais.projects.workflow import (
    EDITABLE,
    REVIEW_CHECKLIST,
    Actor,
    transition_for,
    transitions_from,
)

if TYPE_CHECKING:
    from relais.accounts.models import User

PAGE_SIZE = 12


def _administered_nonprofits(user: User) -> list[Organisation]:
    ids = user.organisation_ids(Role.NONPROFIT_ADMIN)
    return list(Organisation.objects.filter(pk__in=ids, kind=OrganisationKind.NONPROFIT))


@require_http_methods(["GET", "POST"])
def diagnosis_form(request: HttpRequest) -> HttpResponse:
    """The public self-diagnosis; signed-in nonprofit admins get it saved to their nonprofit."""
    form = DiagnosisForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = signed_in_user(request) if request.user.is_authenticated else None
        nonprofits = _administered_nonprofits(user) if user else []
        recorded = services.diagnosis_record(
            answers=form.cleaned_data,
            user=user,
            organisation=nonprofits[0] if len(nonprofits) == 1 else None,
        )
        return redirect("projects:diagnosis_result", public_id=recorded.public_id)
    return render(request, "projects/diagnosis_form.html", {"form": form})


@require_GET
def diagnosis_result(request: HttpRequest, public_id: str) -> HttpResponse:
    recorded = access.diagnosis_get_for_user(request.user, public_id)
    result = diagnosis.evaluate(recorded.answers)
    return render(
        request, "projects/diagnosis_result.html", {"diagnosis": recorded, "result": result}
    )


@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    """The public list of projects with search, filters and pagination (cached for anonymous
    visitors until a project changes)."""

    def context() -> dict[str, Any]:
        form = ProjectFilterForm(request.GET or None)
        queryset = access.public_projects()
        filters: dict[str, Any] = {}
        if form.is_valid():
            filters = {k: getattr(v, "slug", v) for k, v in form.cleaned_data.items()}
        queryset = selectors.with_listing_relations(selectors.filter_projects(queryset, filters))
        page, query = page_of(request, queryset, per_page=PAGE_SIZE)
        return {"form": form, "page": page, "query": query}

    template = "projects/project_list.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#results"
    return public_page(request, template, context, versions=[PUBLIC_PROJECTS])


@require_GET
def project_detail(request: HttpRequest, project_pk: int) -> HttpResponse:
    project = access.project_get_public(project_pk)

    def context() -> dict[str, Any]:
        return {
            "project": project,
            "images": project.images.all(),
            "milestones": project.events.filter(
                to_status__in=[
                    ProjectStatus.ACCEPTED,
                    ProjectStatus.ACTIVE,
                    ProjectStatus.COMPLETED,
                ]
            ).order_by("created_at"),
            "progress": project.tasks.exclude(status="cancelled").aggregate(
                total=Count("id"), done=Count("id", filter=Q(status="done"))
            ),
            "can_work": access.can_open_workspace(request.user, project),
        }

    return public_page(
        request,
        "projects/project_detail.html",
        context,
        versions=[PUBLIC_PROJECTS, public_project(project.pk)],
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    nonprofits = _administered_nonprofits(user)
    if not nonprofits:
        return render(request, "projects/project_needs_nonprofit.html", status=403)
    started_from = None
    if request.GET.get("diagnosis"):
        started_from = access.diagnosis_get_for_user(user, request.GET["diagnosis"])
    initial: dict[str, Any] = {}
    if started_from is not None:
        initial["effort_days"] = started_from.answers.get("effort_days")
    form = ProjectForm(request.POST or None, initial=initial, nonprofits=nonprofits, user=user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            project = services.project_create(
                user=user,
                nonprofit=data.pop("nonprofit"),
                causes=data.pop("causes"),
                skills=data.pop("skills"),
                languages=data.pop("languages"),
                diagnosis_=started_from,
                **data,
            )
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Your proposal is saved as a draft."))
            return redirect("projects:workspace", project_pk=project.pk)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "project": None, "diagnosis": started_from},
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, project_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    project = access.project_get_for_user(user, project_pk, manage=True)
    if project.status not in EDITABLE:
        messages.error(
            request,
            _("A project cannot be changed while it is “%(status)s”.")
            % {"status": project.get_status_display()},
        )
        return redirect("projects:workspace", project_pk=project.pk)
    form = ProjectForm(request.POST or None, instance=project, nonprofits=[], user=user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.project_update(
                user=user,
                project=project,
                causes=data.pop("causes"),
                skills=data.pop("skills"),
                languages=data.pop("languages"),
                **data,
            )
        except (ServiceError, ValidationError) as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("projects:workspace", project_pk=project.pk)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "project": project, "diagnosis": None},
    )


def _workspace_context(user: User, project: Project, **extra: Any) -> dict[str, Any]:
    actors = access.actors_for(user, project)
    available = [t for t in transitions_from(project.status) if t.actors & actors]
    return {
        "project": project,
        "actors": actors,
        "transitions": available,
        # From the workflow table, so that the template compares no status: the step that
        # answers a review, the steps shown as secondary, and whether staff may review now.
        "answering": transition_for(ProjectStatus.CHANGES_REQUESTED, ProjectStatus.SUBMITTED),
        "secondary": [t for t in available if t.target == ProjectStatus.WITHDRAWN],
        "can_review": Actor.STAFF in actors
        and any(t.target == ProjectStatus.ACCEPTED for t in available),
        "events": project.events.select_related("actor"),
        "images": project.images.all(),
        "can_edit": bool(actors & {"owner", "staff"}) and project.status in EDITABLE,
        "image_form": extra.pop("image_form", None) or ProjectImageForm(),
        "checklist_labels": dict(REVIEW_CHECKLIST),
        # Staff's own notes: the nonprofit reads the comment, not which boxes were left empty.
        "show_checklist": Actor.STAFF in actors,
        "change_request": project.events.filter(to_status=ProjectStatus.CHANGES_REQUESTED)
        .order_by("-created_at", "-id")
        .first()
        if project.status == ProjectStatus.CHANGES_REQUESTED
        else None,
        "task_count": project.tasks.exclude(status="cancelled").count(),
        "start_page": project.knowledge_pages.filter(is_start_here=True).first(),
        "is_lead": access.is_lead(user, project),
        **extra,
    }


@login_required
@require_GET
def workspace(request: HttpRequest, project_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    project = access.project_get_for_user(user, project_pk)
    return render(request, "projects/workspace.html", _workspace_context(user, project))


@login_required
@require_POST
def project_transition(request: HttpRequest, project_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    project = access.project_get_for_user(user, project_pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This step does not exist."))
        return redirect("projects:workspace", project_pk=project.pk)
    try:
        services.project_transition(
            project=project,
            actor=user,
            target=form.cleaned_data["target"],
            comment=form.cleaned_data["comment"],
        )
    except (ServiceError, ValidationError) as error:
        flash_error(request, error)
        context = _workspace_context(user, project)
        return render(request, "projects/workspace.html", context, status=409)
    messages.success(
        request, _("The project is now “%(status)s”.") % {"status": project.get_status_display()}
    )
    return redirect("projects:workspace", project_pk=project.pk)


def _staff_only(user: User) -> None:
    if not user.is_operator_staff:
        raise PermissionDenied


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    _staff_only(signed_in_user(request))
    page, query = page_of(request, selectors.review_queue())
    return render(request, "projects/review_queue.html", {"page": page, "query": query})


@login_required
@require_http_methods(["GET", "POST"])
def project_review(request: HttpRequest, project_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    _staff_only(user)
    project = access.project_get_for_user(user, project_pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_transition(
                project=project,
                actor=user,
                target=form.cleaned_data["decision"],
                comment=form.cleaned_data["comment"],
                checklist=form.checklist(),
            )
        except (ServiceError, ValidationError) as error:
            copy_errors(form, error)
        else:
            messages.success(
                request,
                _("The project is now “%(status)s”.") % {"status": project.get_status_display()},
            )
            return redirect("projects:review_queue")
    context = {
        "project": project,
        "form": form,
        "diagnosis": project.diagnosis,
        "result": diagnosis.evaluate(project.diagnosis.answers) if project.diagnosis else None,
        "events": project.events.select_related("actor"),
    }
    return render(
        request, "projects/project_review.html", context, status=400 if form.errors else 200
    )


@login_required
@require_POST
def project_image_add(request: HttpRequest, project_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    project = access.project_get_for_user(user, project_pk, manage=True)
    form = ProjectImageForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.project_image_add(
                user=user,
                project=project,
                image=form.cleaned_data["image"],
                alt_text=form.cleaned_data["alt_text"],
            )
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Image added."))
            return redirect("projects:workspace", project_pk=project.pk)
    context = _workspace_context(user, project, image_form=form)
    return render(request, "projects/workspace.html", context, status=400)


@login_required
@require_POST
def project_image_delete(request: HttpRequest, project_pk: int, image_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    access.project_get_for_user(user, project_pk, manage=True)
    image = access.project_image_get_for_user(user, project_pk, image_pk)
    services.project_image_delete(user=user, image=image)
    messages.success(request, _("Image removed."))
    return redirect("projects:workspace", project_pk=project_pk)


@require_GET
def project_image(request: HttpRequest, project_pk: int, image_pk: int) -> FileResponse:
    """Serves a project's picture to whoever may read the project."""
    image = access.project_image_get_for_user(request.user, project_pk, image_pk)
    try:
        file = image.image.open("rb")
    except (FileNotFoundError, ValueError):
        # The row is there but the file is gone from storage: nothing to show.
        raise Http404 from None
    # Served as what its bytes are, never as what its name says.
    content_type = image_content_type(file)
    if content_type is None:
        file.close()
        raise Http404
    response = FileResponse(file, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
