from __future__ import annotations

from django.contrib import admin

from relais.projects.models import Diagnosis, Project, ProjectEvent, ProjectImage


class ProjectEventInline(admin.TabularInline):
    model = ProjectEvent
    extra = 0
    readonly_fields = ["from_status", "to_status", "actor", "comment", "checklist", "created_at"]
    can_delete = False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "nonprofit", "status", "effort_days", "field_lead", "created_at"]
    list_filter = ["status", "causes"]
    search_fields = ["title", "summary", "nonprofit__name"]
    raw_id_fields = ["nonprofit", "field_lead", "created_by", "diagnosis"]
    # The workflow is changed through its service (recorded, notified), never by editing here.
    readonly_fields = ["status"]
    inlines = [ProjectEventInline]


admin.site.register(ProjectImage)


@admin.register(Diagnosis)
class DiagnosisAdmin(admin.ModelAdmin):
    list_display = ["public_id", "organisation", "verdict", "score", "created_at"]
    list_filter = ["verdict"]
