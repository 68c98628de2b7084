"""Tasks under 48 hours, claims (leases), work logs, handovers, the knowledge base and the
onboarding kit of a project: what keeps knowledge alive when people stay two or three weeks."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.core.validators import NOTE_MAX, PAGE_MAX, PROSE_MAX, plausible_date

# A task is a unit of work of less than 48 hours: longer ones are refused and must be split.
MAX_TASK_HOURS = Decimal(48)


class TeamMember(models.Model):
    """A consultant the field lead added to a project's team (the bench issue makes this a
    mission); joining is the start of the time-to-first-submission figure."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_teams"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "user"],
                condition=Q(left_at__isnull=True),
                name="one_active_membership_per_project",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.project}"


class Label(models.Model):
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(_("name"), max_length=40)

    class Meta:
        ordering = ["name"]
        verbose_name = _("label")
        verbose_name_plural = _("labels")
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="unique_label")]

    def __str__(self) -> str:
        return self.name


class KnowledgePage(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="knowledge_pages"
    )
    slug = models.SlugField(_("address"), max_length=80)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("content"),
        help_text=_("Markdown."),
        max_length=PAGE_MAX,
        validators=[MaxLengthValidator(PAGE_MAX)],
    )
    is_start_here = models.BooleanField(_("start-here page"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-is_start_here", "title"]
        verbose_name = _("knowledge-base page")
        verbose_name_plural = _("knowledge-base pages")
        constraints = [
            models.UniqueConstraint(fields=["project", "slug"], name="unique_page_slug"),
            models.UniqueConstraint(
                fields=["project"], condition=Q(is_start_here=True), name="one_start_here_page"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TaskStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    BLOCKED = "blocked", _("Waiting for its dependencies")
    READY = "ready", _("Ready")
    CLAIMED = "claimed", _("Claimed")
    IN_REVIEW = "in_review", _("In review")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Priority(models.IntegerChoices):
    HIGH = 1, _("High")
    NORMAL = 2, _("Normal")
    LOW = 3, _("Low")


class Task(models.Model):
    """A self-contained unit of work of less than 48 hours."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    brief = models.TextField(
        _("brief"),
        help_text=_("Markdown: the context and what to do."),
        max_length=PROSE_MAX,
        validators=[MaxLengthValidator(PROSE_MAX)],
    )
    acceptance_criteria = models.TextField(
        _("acceptance criteria"),
        help_text=_("One criterion per line; they form a checklist."),
        max_length=NOTE_MAX,
        validators=[MaxLengthValidator(NOTE_MAX)],
    )
    estimate_hours = models.DecimalField(
        _("estimate (hours)"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(MAX_TASK_HOURS)],
    )
    skills = models.ManyToManyField("core.Skill", verbose_name=_("skills"), blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    position = models.PositiveIntegerField(_("position in the backlog"), default=0)
    dependencies = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="dependents",
        blank=True,
        verbose_name=_("depends on"),
    )
    pages = models.ManyToManyField(
        KnowledgePage, related_name="tasks", blank=True, verbose_name=_("knowledge-base pages")
    )
    labels = models.ManyToManyField(
        Label, related_name="tasks", blank=True, verbose_name=_("labels")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=TaskStatus.choices, default=TaskStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "priority", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.CheckConstraint(
                condition=Q(estimate_hours__gt=0) & Q(estimate_hours__lte=MAX_TASK_HOURS),
                name="task_under_48_hours",
            )
        ]
        indexes = [
            models.Index(fields=["project", "status"]),
            # The board: a project's tasks in their order, read from the index page by page.
            models.Index(fields=["project", "position", "priority", "id"], name="task_board_order"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def criteria(self) -> list[str]:
        return [
            line.strip(" -*\t") for line in self.acceptance_criteria.splitlines() if line.strip()
        ]


class ClaimEnd(models.TextChoices):
    RELEASED = "released", _("Released")
    LAPSED = "lapsed", _("Lapsed")
    RECALLED = "recalled", _("Recalled by the firm")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Task cancelled")


class Claim(models.Model):
    """A consultant holding a task: a lease that lapses without activity."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="claims")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claims"
    )
    started_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=ClaimEnd.choices, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        constraints = [
            # At most one active claim per task, whatever the application does.
            models.UniqueConstraint(
                fields=["task"],
                condition=Q(ended_at__isnull=True),
                name="one_active_claim_per_task",
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultant} → {self.task}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class TimeEntry(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="time_entries")
    date = models.DateField(_("date"), validators=[plausible_date])
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.25")), MaxValueValidator(Decimal(24))],
    )
    note = models.TextField(
        _("what was done"),
        blank=True,
        max_length=NOTE_MAX,
        validators=[MaxLengthValidator(NOTE_MAX)],
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("time entry")
        verbose_name_plural = _("time entries")
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & Q(hours__lte=24), name="time_entry_within_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hours} h on {self.date}"


class Comment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    body = models.TextField(
        _("comment"), max_length=PROSE_MAX, validators=[MaxLengthValidator(PROSE_MAX)]
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:60]


class Handover(models.Model):
    """The note left when a task leaves a consultant before it is done."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="handovers")
    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="handover")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=ClaimEnd.choices)
    done = models.TextField(
        _("what was done"), max_length=PROSE_MAX, validators=[MaxLengthValidator(PROSE_MAX)]
    )
    state = models.TextField(
        _("where things stand"), max_length=PROSE_MAX, validators=[MaxLengthValidator(PROSE_MAX)]
    )
    next_step = models.TextField(
        _("next step"), max_length=PROSE_MAX, validators=[MaxLengthValidator(PROSE_MAX)]
    )
    links = models.TextField(
        _("links"), blank=True, max_length=NOTE_MAX, validators=[MaxLengthValidator(NOTE_MAX)]
    )
    drafted_automatically = models.BooleanField(_("drafted automatically"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    amended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")

    def __str__(self) -> str:
        return f"{self.task} ({self.created_at:%Y-%m-%d})"


class TaskEventKind(models.TextChoices):
    CREATED = "created", _("created")
    PUBLISHED = "published", _("published")
    UNBLOCKED = "unblocked", _("ready: its dependencies are done")
    CLAIMED = "claimed", _("claimed")
    RELEASED = "released", _("released")
    LAPSED = "lapsed", _("lapsed")
    RECALLED = "recalled", _("recalled")
    SUBMITTED = "submitted", _("submitted for review")
    RETURNED = "returned", _("returned with comments")
    ACCEPTED = "accepted", _("accepted")
    CANCELLED = "cancelled", _("cancelled")


class TaskEvent(models.Model):
    """The history of a task, for the people who come next and for the continuity figures."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=TaskEventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    comment = models.TextField(
        blank=True, max_length=PROSE_MAX, validators=[MaxLengthValidator(PROSE_MAX)]
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("task event")
        verbose_name_plural = _("task events")

    def __str__(self) -> str:
        return f"{self.task}: {self.kind}"


class KnowledgeRevision(models.Model):
    """One version of a page; the page keeps the latest, the revisions keep them all."""

    page = models.ForeignKey(KnowledgePage, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=PAGE_MAX, validators=[MaxLengthValidator(PAGE_MAX)])
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    summary = models.CharField(_("what changed"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("page revision")
        verbose_name_plural = _("page revisions")
        constraints = [
            models.UniqueConstraint(fields=["page", "number"], name="unique_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.page} v{self.number}"


class OnboardingStepKind(models.TextChoices):
    READ = "read", _("Read")
    ACCESS = "access", _("Get access")
    RUN = "run", _("Run")


class OnboardingStep(models.Model):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="onboarding_steps"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=OnboardingStepKind.choices)
    title = models.CharField(_("step"), max_length=200)
    details = models.TextField(
        _("details"), blank=True, max_length=NOTE_MAX, validators=[MaxLengthValidator(NOTE_MAX)]
    )
    page = models.ForeignKey(
        KnowledgePage, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("page")
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("onboarding step")
        verbose_name_plural = _("onboarding steps")

    def __str__(self) -> str:
        return self.title


class OnboardingProgress(models.Model):
    step = models.ForeignKey(OnboardingStep, on_delete=models.CASCADE, related_name="progress")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    done_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("onboarding progress")
        verbose_name_plural = _("onboarding progress")
        constraints = [models.UniqueConstraint(fields=["step", "user"], name="step_done_once")]

    def __str__(self) -> str:
        return f"{self.user}: {self.step}"
