"""Calls for projects, approval ballots and their tally.

A campaign goes through phases (draft → proposals → review → vote → closed). Nonprofits apply with
an accepted project and its cost in bench days; the electorate (members in good standing of the
participating circles) is fixed when the vote opens, and so are the counting rule and the seed of
the lot. Optionally a jury round comes before the vote: jurors designated by operator staff grade
each shortlisted project once (a database constraint) on a scale of six grades, and Majority
Judgment ranks them. Each elector has at most one ballot (a database constraint), changeable until
the vote closes; the tally (relais/campaigns/tally.py) is stored with its audit trail and the
anonymised ballots as a Pabulib file anyone can re-count.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Phase(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSALS = "proposals", _("Call for projects")
    REVIEW = "review", _("Review")
    JURY = "jury", _("Jury round")
    VOTE = "vote", _("Vote")
    CLOSED = "closed", _("Results")


# Projects the operator accepted and that are not finished may apply to a call for projects.
ELIGIBLE_PROJECT_STATUSES = ("accepted", "active")

# A campaign without a jury skips Phase.JURY (see Campaign.phases).
PHASE_ORDER = [Phase.DRAFT, Phase.PROPOSALS, Phase.REVIEW, Phase.JURY, Phase.VOTE, Phase.CLOSED]


class Grade(models.IntegerChoices):
    """The jury's scale, from the best (0) to the worst, as relais/campaigns/tally.py counts it."""

    EXCELLENT = 0, pgettext_lazy("jury grade", "Excellent")
    VERY_GOOD = 1, pgettext_lazy("jury grade", "Very good")
    GOOD = 2, pgettext_lazy("jury grade", "Good")
    FAIRLY_GOOD = 3, pgettext_lazy("jury grade", "Fairly good")
    PASSABLE = 4, pgettext_lazy("jury grade", "Passable")
    REJECT = 5, pgettext_lazy("jury grade", "To reject")


class Rule(models.TextChoices):
    MES = "mes", _("Method of Equal Shares (completed)")
    MES_PLAIN = "mes-plain", _("Method of Equal Shares (without completion)")
    GREEDY = "greedy", _("Standard method (most approvals first)")


class Campaign(models.Model):
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    phase = models.CharField(_("phase"), max_length=12, choices=Phase.choices, default=Phase.DRAFT)
    proposals_from = models.DateField(_("call for projects opens on"))
    review_from = models.DateField(_("review starts on"))
    # A jury round (between the review and the vote) when set; None: no jury.
    jury_from = models.DateField(_("jury round opens on"), null=True, blank=True)
    shortlist_size = models.PositiveIntegerField(
        _("projects the jury sends to the vote"),
        null=True,
        blank=True,
        help_text=_("Only the best N projects by the jury go to the vote; empty: all of them."),
    )
    vote_from = models.DateField(_("vote opens on"))
    results_from = models.DateField(
        _("results on"), help_text=_("The vote closes at the start of this day and is counted.")
    )
    budget_days = models.PositiveIntegerField(_("budget (bench days)"))
    rule = models.CharField(
        _("counting rule"), max_length=12, choices=Rule.choices, default=Rule.MES
    )
    seed = models.CharField(
        _("seed of the lot"),
        max_length=64,
        help_text=_("Published at creation: it breaks the last ties, and anyone can check it."),
    )
    circles = models.ManyToManyField(
        "funding.Circle", verbose_name=_("participating circles"), related_name="campaigns"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    vote_opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    electorate_size = models.PositiveIntegerField(default=0)
    # The tally: {"rule", "result", "greedy", "reasons"} (exact numbers as "a/b" strings).
    result = models.JSONField(null=True, blank=True)
    ballots_pb = models.TextField(blank=True)  # the anonymised ballots, as counted (Pabulib)
    # The jury's ranking, published when the jury round closes (see services._close_jury).
    jury_result = models.JSONField(null=True, blank=True)
    jury_closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["phase", "results_from"], name="campaign_phase_due")]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.title

    @property
    def rule_frozen(self) -> bool:
        return self.phase in (Phase.VOTE, Phase.CLOSED)

    @property
    def has_jury(self) -> bool:
        return self.jury_from is not None

    @property
    def phases(self) -> list[Phase]:
        """This campaign's phases in their order (the jury round only when it has a jury)."""
        return [p for p in PHASE_ORDER if p != Phase.JURY or self.has_jury]

    @property
    def jury_over(self) -> bool:
        """The jury round has ended (or can no longer happen): the vote is open or counted."""
        return self.phase in (Phase.VOTE, Phase.CLOSED)


class CampaignProject(models.Model):
    """An accepted project that applied to the campaign, with its cost in bench days."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="entries")
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="+")
    cost_days = models.PositiveIntegerField(_("cost (bench days)"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    applied_at = models.DateTimeField(default=timezone.now)
    eligible = models.BooleanField(_("eligible"), default=True)
    # Ranked by the jury below the shortlist size: out of the vote (see services._close_jury).
    jury_cut = models.BooleanField(_("left out by the jury"), default=False)
    selected = models.BooleanField(_("selected"), default=False)

    class Meta:
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "project"], name="campaign_project_once"),
        ]
        verbose_name = _("project in a campaign")
        verbose_name_plural = _("projects in a campaign")

    def __str__(self) -> str:
        return f"{self.campaign} — {self.project}"


class Elector(models.Model):
    """The electorate, fixed when the vote opens."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="electors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="elector_once")]
        indexes = [models.Index(fields=["user", "campaign"], name="elector_user")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.user_id}"


class Ballot(models.Model):
    """One approval ballot per elector and campaign; cast again, it replaces the previous one."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="ballots")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    approvals = models.JSONField(default=list)  # CampaignProject ids, sorted
    receipt_hash = models.CharField(max_length=64)  # SHA-256 of the receipt code shown once
    cast_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["campaign", "voter"], name="ballot_once")]
        indexes = [models.Index(fields=["campaign", "receipt_hash"], name="ballot_receipt")]

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.receipt_hash[:12]}"


class Juror(models.Model):
    """A member of a campaign's jury, designated by operator staff."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="jurors")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["campaign", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "user"], name="juror_once")]
        indexes = [models.Index(fields=["user", "campaign"], name="juror_user")]
        verbose_name = _("juror")
        verbose_name_plural = _("jurors")

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.user_id}"


class JuryGrade(models.Model):
    """One juror's grade of one shortlisted project; graded again, it is replaced."""

    juror = models.ForeignKey(Juror, on_delete=models.CASCADE, related_name="grades")
    entry = models.ForeignKey(CampaignProject, on_delete=models.CASCADE, related_name="jury_grades")
    grade = models.PositiveSmallIntegerField(_("grade"), choices=Grade.choices)
    graded_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["juror", "entry"], name="jury_grade_once"),
            models.CheckConstraint(
                condition=models.Q(grade__lte=Grade.REJECT), name="jury_grade_on_the_scale"
            ),
        ]
        verbose_name = _("jury grade")
        verbose_name_plural = _("jury grades")

    def __str__(self) -> str:
        return f"{self.juror_id}:{self.entry_id}={self.grade}"
