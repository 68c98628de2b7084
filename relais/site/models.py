"""What the background machinery keeps in the database (which workers are alive, the lock that
keeps the periodic schedule armed once) and the legal pages operator staff write."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
    # The id the task backend gave the run last enqueued: whichever backend holds the queue (the
    # database or Redis), asking it about this id tells whether that run is still waiting.
    job_id = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return self.name


class LegalPageKind(models.TextChoices):
    PRIVACY = "privacy", _("Privacy notice")
    LEGAL = "legal", _("Legal notice")


class LegalPage(models.Model):
    """The privacy notice and the legal notice, written by operator staff, one per language."""

    kind = models.CharField(_("page"), max_length=20, choices=LegalPageKind.choices)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    body = models.TextField(_("text (Markdown)"), max_length=50_000)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["kind", "language"]
        verbose_name = _("legal page")
        verbose_name_plural = _("legal pages")
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="one_legal_page_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language})"
