"""Scores of consultant-task pairs, matching rounds and their suggestions.

The weights of the score are data (dated versions that operator staff write); a round assigns at
most one suggested task per available consultant and one consultant per task, maximising the total
score exactly, and keeps the figures of the certificate that no pruned pair could improve it."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WEIGHT_MAX = [MaxValueValidator(1000)]


class Weights(models.Model):
    """One version of the weights of the score; the newest one is in force."""

    skill_level = models.PositiveSmallIntegerField(
        _("points per level of each needed skill held"), default=10, validators=WEIGHT_MAX
    )
    skill_missing = models.PositiveSmallIntegerField(
        _("points taken off per needed skill not held"), default=12, validators=WEIGHT_MAX
    )
    cause = models.PositiveSmallIntegerField(
        _("a cause the consultant cares about"), default=8, validators=WEIGHT_MAX
    )
    team = models.PositiveSmallIntegerField(
        _("already onboarded on the project"), default=15, validators=WEIGHT_MAX
    )
    follows = models.PositiveSmallIntegerField(
        _("follows a task they did or handed over"), default=12, validators=WEIGHT_MAX
    )
    knows_lead = models.PositiveSmallIntegerField(
        _("knows the field lead"), default=4, validators=WEIGHT_MAX
    )
    priority = models.PositiveSmallIntegerField(
        _("per step of priority (low 0, normal 1, high 2)"), default=5, validators=WEIGHT_MAX
    )
    age_per_week = models.PositiveSmallIntegerField(
        _("per week the task has waited"), default=1, validators=WEIGHT_MAX
    )
    age_cap_weeks = models.PositiveSmallIntegerField(
        _("weeks of waiting counted, at most"), default=8, validators=WEIGHT_MAX
    )
    language = models.PositiveSmallIntegerField(
        _("works in a language of the project"), default=4, validators=WEIGHT_MAX
    )
    mission = models.PositiveSmallIntegerField(
        _("a mission could start (firm's mode, beneficiary's eligibility)"),
        default=6,
        validators=WEIGHT_MAX,
    )
    candidates_per_skill = models.PositiveSmallIntegerField(
        _("tasks first taken from the index per skill of a consultant"),
        default=20,
        validators=[MaxValueValidator(10000)],
        help_text=_("Only speed depends on it: the certificate adds pairs back when needed."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("in force since"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]
        verbose_name = _("matching weights")
        verbose_name_plural = _("matching weights")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M}"


WEIGHT_FIELDS = (
    "skill_level",
    "skill_missing",
    "cause",
    "team",
    "follows",
    "knows_lead",
    "priority",
    "age_per_week",
    "age_cap_weeks",
    "language",
    "mission",
    "candidates_per_skill",
)


class RoundStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to run")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Round(models.Model):
    """One matching round: what started it, its figures and its certificate."""

    status = models.CharField(
        _("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.PENDING
    )
    reason = models.CharField(_("started by"), max_length=40, blank=True)
    events = models.PositiveIntegerField(_("events gathered"), default=1)
    weights = models.ForeignKey(Weights, on_delete=models.PROTECT, null=True, related_name="+")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    consultants = models.PositiveIntegerField(_("available consultants"), default=0)
    tasks = models.PositiveIntegerField(_("ready tasks"), default=0)
    candidate_pairs = models.PositiveBigIntegerField(_("pairs scored"), default=0)
    pruned_pairs = models.PositiveBigIntegerField(_("pairs pruned"), default=0)
    suggestions = models.PositiveIntegerField(_("suggestions"), default=0)
    objective = models.BigIntegerField(_("total score"), default=0)
    # The certificate: dual potentials y (consultants) and z (tasks) with y + z >= score on every
    # scored pair, sum(y) + sum(z) == objective, and y + z >= an upper bound of every pruned pair.
    dual_objective = models.BigIntegerField(_("dual total"), default=0)
    min_pruned_slack = models.BigIntegerField(
        _("smallest margin of a pruned pair"), null=True, blank=True
    )
    iterations = models.PositiveSmallIntegerField(_("solves"), default=0)
    pairs_added_back = models.PositiveBigIntegerField(_("pairs added back"), default=0)
    certified = models.BooleanField(_("certified optimal"), default=False)
    figures = models.JSONField(_("figures"), default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("matching round")
        verbose_name_plural = _("matching rounds")
        constraints = [
            # Debounce: a burst of events gathers into the one round waiting to run.
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="pending"), name="one_pending_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.requested_at:%Y-%m-%d %H:%M} ({self.status})"


class SuggestionStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")
    DECLINED = "declined", _("Declined")
    SUPERSEDED = "superseded", _("Replaced by a later round")


class Flag(models.IntegerChoices):
    """Bits of `Suggestion.flags`: the continuity reasons, for the plain-words explanation."""

    TEAM = 1, _("already onboarded on the project")
    FOLLOWS = 2, _("follows a task they did")
    HANDED_OVER = 4, _("a task they handed over")
    KNOWS_LEAD = 8, _("knows the field lead")
    CAUSE = 16, _("a cause they care about")
    LANGUAGE = 32, _("a language they work in")
    MISSION = 64, _("a mission could start")


class Suggestion(models.Model):
    """A task suggested to a consultant by a round, with the parts of its score."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey("work.Task", on_delete=models.CASCADE, related_name="+")
    score = models.IntegerField(_("score"))
    skills = models.IntegerField(_("skills"))
    causes = models.IntegerField(_("causes"))
    continuity = models.IntegerField(_("continuity"))
    priority = models.IntegerField(_("priority"))
    age = models.IntegerField(_("waiting time"))
    language = models.IntegerField(_("language"))
    mission = models.IntegerField(_("mission"))
    flags = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.OFFERED,
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        indexes = [
            models.Index(fields=["consultant", "status"], name="suggestion_mine"),
            models.Index(fields=["status", "task"], name="suggestion_by_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["consultant"],
                condition=Q(status="offered"),
                name="one_offered_suggestion_per_consultant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultant_id} → {self.task_id} ({self.score})"

    def has(self, flag: int) -> bool:
        return bool(self.flags & flag)
