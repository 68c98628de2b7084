from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.admin import REFUSALS, ReadOnlyAdmin, ServiceAdmin, admin_user, refuse
from relais.work import services
from relais.work.models import Claim, Handover, KnowledgePage, OnboardingStep, Task, TeamMember

_TASK_RELATIONS = ("skills", "dependencies", "pages", "labels")


@admin.register(Task)
class TaskAdmin(ServiceAdmin):
    """Tasks are written on Relais; a change here goes through task_update (48-hour rule,
    dependencies without a cycle, none while someone works on the task). Claims, releases and
    reviews go through their own steps: the state is read-only here."""

    list_display = ["title", "project", "status", "estimate_hours", "priority", "position"]
    list_filter = ["status", "priority"]
    search_fields = ["title", "project__title"]
    readonly_fields = ["project", "status", "position", "created_by", "created_at", "updated_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Task, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        fields = {name: data[name] for name in form.changed_data if name not in _TASK_RELATIONS}
        relations: dict[str, Any] = {name: data[name] for name in _TASK_RELATIONS if name in data}
        if "labels" in relations:
            relations["labels"] = [label.name for label in relations["labels"]]
        services.task_update(lead=admin_user(request), task=obj, **fields, **relations)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        """task_update has set the relations, dependencies after their cycle check."""


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdmin):
    """Who held which task when, and how it ended: written by the workflow only."""

    list_display = [
        "task",
        "consultant",
        "started_at",
        "last_activity_at",
        "ended_at",
        "end_reason",
    ]
    list_filter = ["end_reason"]


@admin.register(Handover)
class HandoverAdmin(ReadOnlyAdmin):
    """The note left for the next person, as its author wrote it."""

    list_display = ["task", "author", "reason", "drafted_automatically", "created_at"]
    list_filter = ["reason", "drafted_automatically"]


@admin.register(TeamMember)
class TeamMemberAdmin(ServiceAdmin):
    """Joining happens only when a mission starts (no work without a mission): nothing is added
    here; leaving goes through team_member_remove, which hands their tasks back with handovers.
    The row stays, as history."""

    list_display = ["user", "project", "joined_at", "left_at"]
    list_filter = ["left_at"]
    raw_id_fields = ["project", "user"]
    actions = ["take_off_the_team"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fixed = ["added_by", "joined_at", "left_at"]
        return [*fixed, "project", "user"] if obj is not None else fixed

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Take the selected people off their team"))
    def take_off_the_team(self, request: HttpRequest, queryset: QuerySet[TeamMember]) -> None:
        for member in queryset.filter(left_at__isnull=True):
            try:
                services.team_member_remove(lead=admin_user(request), member=member)
            except REFUSALS as error:
                refuse(request, error)


@admin.register(KnowledgePage)
class KnowledgePageAdmin(ServiceAdmin):
    """Every save goes through page_save, which records a revision."""

    list_display = ["title", "project", "is_start_here", "updated_at"]
    search_fields = ["title", "project__title"]
    raw_id_fields = ["project"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fixed = ["slug", "created_at", "updated_at"]
        return [*fixed, "project"] if obj is not None else fixed

    def save_model(
        self, request: HttpRequest, obj: KnowledgePage, form: ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        page = services.page_save(
            author=admin_user(request),
            project=obj.project,
            title=data["title"],
            body=data["body"],
            summary=_("Edited in the admin."),
            # The page as stored: the form has already written the new values on obj.
            page=KnowledgePage.objects.get(pk=obj.pk) if change else None,
            is_start_here=data["is_start_here"],
        )
        obj.pk, obj.slug, obj.created_at = page.pk, page.slug, page.created_at


@admin.register(OnboardingStep)
class OnboardingStepAdmin(ServiceAdmin):
    """Steps are added and removed through the kit's services; a step is not edited in place."""

    list_display = ["title", "project", "position", "kind"]
    raw_id_fields = ["project", "page"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None:
            return ["project", "position", "kind", "title", "details", "page"]
        return ["position"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: OnboardingStep, form: ModelForm, change: bool
    ) -> None:
        data = form.cleaned_data
        step = services.onboarding_step_add(
            lead=admin_user(request),
            project=data["project"],
            kind=data["kind"],
            title=data["title"],
            details=data.get("details", ""),
            page=data.get("page"),
        )
        obj.pk, obj.position = step.pk, step.position

    def delete_model(self, request: HttpRequest, obj: OnboardingStep) -> None:
        services.onboarding_step_delete(lead=admin_user(request), step=obj)
