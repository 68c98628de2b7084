from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from relais.core.admin import ReadOnlyAdmin, ServiceAdmin, admin_user
from relais.projects import services
from relais.projects.models import Diagnosis, Project, ProjectEvent, ProjectImage

_RELATIONS = ("causes", "skills", "languages")


class ProjectEventInline(admin.TabularInline):
    model = ProjectEvent
    extra = 0
    readonly_fields = ["from_status", "to_status", "actor", "comment", "checklist", "created_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Project)
class ProjectAdmin(ServiceAdmin):
    """Proposals are made on Relais; a change here goes through project_update (refused while
    staff review the project or once it is closed), and the workflow through its own steps."""

    list_display = ["title", "nonprofit", "status", "effort_days", "field_lead", "created_at"]
    list_filter = ["status", "causes"]
    search_fields = ["title", "summary", "nonprofit__name"]
    raw_id_fields = ["field_lead"]
    readonly_fields = [
        "nonprofit",
        "status",
        "diagnosis",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [ProjectEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Project, form: ModelForm, change: bool) -> None:
        data = form.cleaned_data
        fields = {name: data[name] for name in form.changed_data if name not in _RELATIONS}
        relations = {name: data[name] for name in _RELATIONS if name in data}
        services.project_update(user=admin_user(request), project=obj, **fields, **relations)

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        # project_update has set the causes, skills and languages; the events are read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(ProjectImage)
class ProjectImageAdmin(ServiceAdmin):
    """Images are added on Relais (their content is checked there); here they are removed."""

    list_display = ["project", "alt_text", "created_at"]
    readonly_fields = ["project", "image", "alt_text", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: ProjectImage) -> None:
        services.project_image_delete(user=admin_user(request), image=obj)


@admin.register(Diagnosis)
class DiagnosisAdmin(ReadOnlyAdmin):
    """A nonprofit's answers to the self-diagnosis, as given."""

    list_display = ["public_id", "organisation", "verdict", "score", "created_at"]
    list_filter = ["verdict"]
