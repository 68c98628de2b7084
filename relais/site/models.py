"""What the background machinery keeps in the database: which workers are alive, and the lock
that keeps the periodic schedule armed once."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """A running worker writes its beat every few seconds: a job whose worker has not beaten for
    RELAIS_JOB_TIMEOUT_SECONDS belongs to a dead worker and is re-queued."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    pid = models.PositiveIntegerField()
    hostname = models.CharField(max_length=255)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"


class PeriodicSchedule(models.Model):
    """One row per schedule, locked while the schedule is armed: two workers finishing a run at
    the same instant cannot both enqueue the next one."""

    name = models.CharField(max_length=64, primary_key=True)
    armed_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.name
