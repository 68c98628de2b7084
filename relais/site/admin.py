from __future__ import annotations

from django.contrib import admin

from relais.core.admin import ReadOnlyAdmin
from relais.site.models import PeriodicSchedule, WorkerHeartbeat


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    """Which workers are alive: written by the workers themselves."""

    list_display = ["worker_id", "hostname", "pid", "started_at", "seen_at"]


@admin.register(PeriodicSchedule)
class PeriodicScheduleAdmin(ReadOnlyAdmin):
    """The lock that keeps each periodic schedule armed once: written by the runner."""

    list_display = ["name", "armed_at"]
