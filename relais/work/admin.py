from __future__ import annotations

from django.contrib import admin

from relais.work.models import Claim, Handover, KnowledgePage, OnboardingStep, Task, TeamMember


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "status", "estimate_hours", "priority", "position"]
    list_filter = ["status", "priority"]
    search_fields = ["title", "project__title"]
    # Claims, releases and reviews go through the services; the state is read-only here.
    readonly_fields = ["status"]
    raw_id_fields = ["project", "created_by"]


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = [
        "task",
        "consultant",
        "started_at",
        "last_activity_at",
        "ended_at",
        "end_reason",
    ]
    list_filter = ["end_reason"]
    readonly_fields = ["task", "consultant", "started_at", "ended_at", "end_reason"]


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    list_display = ["task", "author", "reason", "drafted_automatically", "created_at"]
    list_filter = ["reason", "drafted_automatically"]


admin.site.register(TeamMember)
admin.site.register(KnowledgePage)
admin.site.register(OnboardingStep)
