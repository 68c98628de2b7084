"""Self-diagnoses, project proposals, their review history and pictures."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.core.validators import PROSE_MAX


class Diagnosis(models.Model):
    """One run of the self-diagnosis questionnaire; attached to a nonprofit once known."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="diagnoses",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answers = models.JSONField(_("answers"))
    verdict = models.CharField(_("verdict"), max_length=30)
    score = models.PositiveSmallIntegerField(_("readiness score"))
    created_at = models.DateTimeField(_("taken at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("self-diagnosis")
        verbose_name_plural = _("self-diagnoses")

    def __str__(self) -> str:
        return f"{self.verdict} ({self.created_at:%Y-%m-%d})"


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    ACCEPTED = "accepted", _("Accepted")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ARCHIVED = "archived", _("Archived")


# Only these are ever shown to the public; drafts and refused proposals stay private.
PUBLIC_STATUSES = (
    ProjectStatus.ACCEPTED,
    ProjectStatus.ACTIVE,
    ProjectStatus.PAUSED,
    ProjectStatus.COMPLETED,
)


class Licence(models.TextChoices):
    AGPL = "AGPL-3.0-or-later", "GNU AGPL v3+"
    GPL = "GPL-3.0-or-later", "GNU GPL v3+"
    LGPL = "LGPL-3.0-or-later", "GNU LGPL v3+"
    MPL = "MPL-2.0", "Mozilla Public License 2.0"
    APACHE = "Apache-2.0", "Apache 2.0"
    MIT = "MIT", "MIT"
    CC_BY_SA = "CC-BY-SA-4.0", "Creative Commons BY-SA 4.0"
    CC_BY = "CC-BY-4.0", "Creative Commons BY 4.0"
    UNDECIDED = "undecided", _("Not decided yet")


class Project(models.Model):
    """A nonprofit's technology project of at least a person-year, cut into short tasks."""

    nonprofit = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("nonprofit"),
    )
    title = models.CharField(_("title"), max_length=150)
    summary = models.TextField(
        _("summary"),
        max_length=600,
        validators=[MaxLengthValidator(600)],
        help_text=_("Two or three sentences for the public page."),
    )
    problem = models.TextField(
        _("the problem and who suffers it"),
        max_length=PROSE_MAX,
        validators=[MaxLengthValidator(PROSE_MAX)],
    )
    beneficiaries = models.TextField(
        _("beneficiaries"), max_length=PROSE_MAX, validators=[MaxLengthValidator(PROSE_MAX)]
    )
    deliverables = models.TextField(
        _("deliverables"), max_length=PROSE_MAX, validators=[MaxLengthValidator(PROSE_MAX)]
    )
    effort_days = models.PositiveIntegerField(
        _("estimated effort (person-days)"),
        validators=[MinValueValidator(1)],
        help_text=_("One person-year is about 220 person-days."),
    )
    causes = models.ManyToManyField("core.Cause", verbose_name=_("causes"))
    skills = models.ManyToManyField("core.Skill", verbose_name=_("skills needed"), blank=True)
    languages = models.ManyToManyField("core.Language", verbose_name=_("working languages"))
    field_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("field lead"),
    )
    licence = models.CharField(
        _("licence of the results"),
        max_length=30,
        choices=Licence.choices,
        default=Licence.UNDECIDED,
    )
    repository_url = models.URLField(_("repository"), blank=True)
    documents_url = models.URLField(_("documents"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT
    )
    diagnosis = models.ForeignKey(
        Diagnosis, on_delete=models.SET_NULL, null=True, blank=True, related_name="projects"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(condition=Q(effort_days__gt=0), name="project_effort_positive"),
        ]
        indexes = [
            models.Index(fields=["status", "-created_at"]),
            # The public list, newest first: read in index order, never sorted after a join.
            models.Index(fields=["-created_at", "-id"], name="project_newest_first"),
            # The review queue: submitted proposals, oldest first.
            models.Index(fields=["status", "updated_at", "id"], name="project_review_queue"),
        ]
        # On PostgreSQL, migration 0003 adds a GIN index on the French full-text vector that
        # selectors.search matches with @@ (see selectors.SEARCH_VECTOR_SQL).

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES


def _image_path(instance: ProjectImage, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "img"
    return f"projects/{instance.project_id}/{uuid.uuid4().hex}.{extension}"


class ProjectImage(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(_("image"), upload_to=_image_path)
    alt_text = models.CharField(
        _("description"),
        max_length=200,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("project image")
        verbose_name_plural = _("project images")

    def __str__(self) -> str:
        return self.alt_text


class ProjectEvent(models.Model):
    """One transition of a project's workflow: who, when, from what to what, and why."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=ProjectStatus.choices)
    to_status = models.CharField(max_length=20, choices=ProjectStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    comment = models.TextField(
        _("comment"), blank=True, max_length=PROSE_MAX, validators=[MaxLengthValidator(PROSE_MAX)]
    )
    checklist = models.JSONField(_("review checklist"), default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("project event")
        verbose_name_plural = _("project events")

    def __str__(self) -> str:
        return f"{self.project}: {self.from_status} → {self.to_status}"
