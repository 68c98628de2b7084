from __future__ import annotations

from django.contrib import admin

from relais.core.admin import ReadOnlyAdmin
from relais.site.models import LegalPage, PeriodicSchedule, WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    """Which workers are alive: written by the workers themselves."""

    list_display = ["worker_id", "hostname", "pid", "started_at", "seen_at"]


@admin.register(PeriodicSchedule)
class PeriodicScheduleAdmin(ReadOnlyAdmin):
    """The lock that keeps each periodic schedule armed once: written by the runner."""

    list_display = ["name", "armed_at"]


@admin.register(LegalPage)
class LegalPageAdmin(ReadOnlyAdmin):
    """The legal pages: written by operator staff from their page (audited), read here."""

    list_display = ["kind", "language", "updated_at", "updated_by"]
