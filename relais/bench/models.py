"""Firm terms (versioned), the roster, bench periods, missions with their loan agreements,
recalls, and the dated tax parameters behind the firm's return."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
REFUSAL_REASON_MAX = 1000


class LendingMode(models.TextChoices):
    FEE = "fee", _("Symbolic fee")
    SPONSORSHIP = "sponsorship", _("Skills sponsorship")


class FirmTerms(models.Model):
    """One version of a firm's lending terms; a mission takes the version valid when it starts."""

    firm = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="terms"
    )
    valid_from = models.DateField(_("valid from"))
    mode = models.CharField(_("mode"), max_length=20, choices=LendingMode.choices)
    fee_rate = models.DecimalField(
        _("fee rate (% of the daily rate)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(1),
        validators=PERCENT,
    )
    max_bench_days_per_year = models.PositiveSmallIntegerField(
        _("bench days lent per consultant and year, at most"), default=40
    )
    preferred_causes = models.ManyToManyField(
        "core.Cause", verbose_name=_("preferred causes"), blank=True
    )
    headcount = models.PositiveIntegerField(_("consultants (headcount)"))
    bench_rate = models.DecimalField(
        _("bench rate (% of the time)"), max_digits=5, decimal_places=2, validators=PERCENT
    )
    average_tjm_cents = models.PositiveBigIntegerField(_("average daily rate (TJM)"))
    average_daily_cost_cents = models.PositiveBigIntegerField(_("average loaded daily cost"))
    turnover_cents = models.PositiveBigIntegerField(_("yearly turnover excluding tax"))
    # Time entries on Sundays and public holidays only if the firm's terms allow them.
    work_on_rest_days = models.BooleanField(
        _("consultants may log time on Sundays and public holidays"), default=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("firm terms")
        verbose_name_plural = _("firm terms")
        constraints = [
            models.CheckConstraint(
                condition=Q(fee_rate__gte=0) & Q(fee_rate__lte=100), name="fee_rate_is_a_percentage"
            ),
            models.CheckConstraint(
                condition=Q(bench_rate__gte=0) & Q(bench_rate__lte=100),
                name="bench_rate_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.firm} — {self.valid_from}"


class ConsultantProfile(models.Model):
    """A consultant of a firm: what the firm records (pay data stays with the firm) and what the
    consultant tells about themselves."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultant_profile"
    )
    firm = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="consultants"
    )
    employee_id = models.CharField(_("employee id"), max_length=50, blank=True)
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    tjm_cents = models.PositiveBigIntegerField(_("daily rate (TJM)"), default=0)
    daily_cost_cents = models.PositiveBigIntegerField(_("loaded daily cost"), default=0)
    # The cost basis of a non-profit loan (L8241-1): gross daily salary and employer charges, or
    # the loaded daily cost above, plus the professional expenses reimbursed per day.
    daily_gross_salary_cents = models.PositiveBigIntegerField(
        _("gross daily salary"), null=True, blank=True
    )
    employer_charges_rate = models.DecimalField(
        _("employer social charges (% of gross salary)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    daily_expenses_cents = models.PositiveBigIntegerField(
        _("professional expenses reimbursed per day"), default=0
    )
    # Alsace-Moselle has two more public holidays (Good Friday, 26 December).
    alsace_moselle = models.BooleanField(_("works under Alsace-Moselle local law"), default=False)
    bio = models.TextField(_("short bio"), blank=True, max_length=1000)
    causes = models.ManyToManyField("core.Cause", verbose_name=_("causes I care about"), blank=True)
    languages = models.ManyToManyField(
        "core.Language", verbose_name=_("languages I work in"), blank=True
    )
    matching_opt_out = models.BooleanField(
        _("do not suggest me to projects"),
        default=False,
        help_text=_("Suggestions use your skills and causes; you can opt out at any time."),
    )

    class Meta:
        verbose_name = _("consultant profile")
        verbose_name_plural = _("consultant profiles")
        constraints = [
            models.UniqueConstraint(
                fields=["firm", "employee_id"],
                condition=~Q(employee_id=""),
                name="unique_employee_id_per_firm",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class SkillLevel(models.IntegerChoices):
    BEGINNER = 1, _("Beginner")
    CONFIRMED = 2, _("Confirmed")
    EXPERT = 3, _("Expert")


class ConsultantSkill(models.Model):
    profile = models.ForeignKey(ConsultantProfile, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey("core.Skill", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(
        _("level"), choices=SkillLevel.choices, default=SkillLevel.CONFIRMED
    )

    class Meta:
        ordering = ["-level", "skill__position"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "skill"], name="one_level_per_skill")
        ]

    def __str__(self) -> str:
        return f"{self.skill} ({self.get_level_display()})"


class BenchStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    OPEN = "open", _("On the bench")
    ENDED = "ended", _("Ended")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")


class BenchPeriod(models.Model):
    """A span during which a consultant is available; ends by recall or end date."""

    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bench_periods"
    )
    firm = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="bench_periods"
    )
    start = models.DateField(_("start"))
    expected_end = models.DateField(_("expected end"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=BenchStatus.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("bench period")
        verbose_name_plural = _("bench periods")
        indexes = [
            # A firm's bench periods, latest first, page by page.
            models.Index(fields=["firm", "-start", "-id"], name="bench_period_firm_recent"),
            models.Index(fields=["-start", "-id"], name="bench_period_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_end__isnull=True) | Q(expected_end__gte=models.F("start")),
                name="bench_expected_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="bench_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultant} {self.start}"


class MissionStatus(models.TextChoices):
    """The steps of a mission (`relais.bench.workflow`): it starts only with three acceptances,
    the firm's (drawing up the agreement), the beneficiary's and the consultant's."""

    AWAITING = "awaiting", _("Awaiting the loan agreement")
    DRAWN_UP = "drawn_up", _("Awaiting the beneficiary's acceptance")
    ACCEPTED = "accepted", _("Awaiting the consultant's agreement")
    ACTIVE = "active", _("Active")
    REFUSED = "refused", _("Refused by the beneficiary")
    ENDED = "ended", _("Ended")


class Mission(models.Model):
    """A consultant's engagement on one project during one bench period, with the terms taken
    from the firm's version valid when it was created."""

    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="missions"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="missions"
    )
    bench_period = models.ForeignKey(BenchPeriod, on_delete=models.PROTECT, related_name="missions")
    # The lending firm, the bench period's, kept on the mission so that "the missions of these
    # firms" is one indexed condition, not a join (set from the bench period on save).
    firm = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, related_name="missions_lent"
    )
    terms = models.ForeignKey(FirmTerms, on_delete=models.PROTECT, related_name="missions")
    mode = models.CharField(_("mode"), max_length=20, choices=LendingMode.choices)
    fee_rate = models.DecimalField(_("fee rate (%)"), max_digits=5, decimal_places=2)
    tjm_cents = models.PositiveBigIntegerField(_("daily rate (TJM)"))
    daily_cost_cents = models.PositiveBigIntegerField(_("loaded daily cost"))
    # The cost basis of the days lent, taken from the profile when the mission is created.
    daily_gross_salary_cents = models.PositiveBigIntegerField(
        _("gross daily salary"), null=True, blank=True
    )
    employer_charges_rate = models.DecimalField(
        _("employer social charges (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    daily_expenses_cents = models.PositiveBigIntegerField(
        _("professional expenses reimbursed per day"), default=0
    )
    start = models.DateField(_("start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MissionStatus.choices, default=MissionStatus.AWAITING
    )
    # The mentions of the agreement and of the amendment (L8241-2), set when it is drawn up.
    place_of_work = models.CharField(_("place of work"), max_length=250, blank=True)
    working_hours = models.CharField(_("working hours"), max_length=250, blank=True)
    post_characteristics = models.TextField(
        _("characteristics of the post"), max_length=2000, blank=True
    )
    trial_period = models.CharField(_("trial period"), max_length=250, blank=True)
    firm_representative = models.CharField(
        _("representative of the firm (name and title)"), max_length=200, blank=True
    )
    beneficiary_representative = models.CharField(
        _("representative of the beneficiary (name and title)"), max_length=200, blank=True
    )
    cse_informed_on = models.DateField(
        _("staff representatives (CSE) informed on"), null=True, blank=True
    )
    document_version = models.PositiveSmallIntegerField(_("document version"), default=0)
    agreement_number = models.CharField(_("agreement number"), max_length=30, blank=True)
    agreement_generated_at = models.DateTimeField(_("agreement drawn up"), null=True, blank=True)
    agreement_drawn_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agreement drawn up by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    beneficiary_accepted_at = models.DateTimeField(
        _("accepted by the beneficiary"), null=True, blank=True
    )
    beneficiary_accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted for the beneficiary by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    beneficiary_refused_at = models.DateTimeField(
        _("refused by the beneficiary"), null=True, blank=True
    )
    beneficiary_refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("refused for the beneficiary by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    refusal_reason = models.TextField(
        _("reason for the refusal"), blank=True, max_length=REFUSAL_REASON_MAX
    )
    consultant_agreed_at = models.DateTimeField(
        _("consultant's written agreement"), null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        constraints = [
            models.UniqueConstraint(
                fields=["consultant", "project", "bench_period"], name="one_mission_per_period"
            ),
            # Code du travail L8241-2: no loan without the three acceptances, each dated.
            models.CheckConstraint(
                condition=~Q(status="active")
                | (
                    Q(agreement_generated_at__isnull=False)
                    & Q(beneficiary_accepted_at__isnull=False)
                    & Q(consultant_agreed_at__isnull=False)
                ),
                name="mission_starts_with_three_acceptances",
            ),
            models.CheckConstraint(
                condition=~Q(status="refused") | Q(beneficiary_refused_at__isnull=False),
                name="mission_refusal_is_dated",
            ),
            # Never retroactive: a mission starts on or after the day of each acceptance
            # (dates in the project's time zone).
            models.CheckConstraint(
                condition=Q(start__isnull=True)
                | (
                    (
                        Q(agreement_generated_at__isnull=True)
                        | Q(start__gte=TruncDate("agreement_generated_at"))
                    )
                    & (
                        Q(beneficiary_accepted_at__isnull=True)
                        | Q(start__gte=TruncDate("beneficiary_accepted_at"))
                    )
                    & (
                        Q(consultant_agreed_at__isnull=True)
                        | Q(start__gte=TruncDate("consultant_agreed_at"))
                    )
                ),
                name="mission_starts_after_its_acceptances",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultant} → {self.project}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.firm_id is None and self.bench_period_id is not None:
            self.firm_id = (
                BenchPeriod.objects.filter(pk=self.bench_period_id)
                .values_list("firm_id", flat=True)
                .get()
            )
        super().save(*args, **kwargs)


class RecallChannel(models.TextChoices):
    WEB = "web", _("Relais")
    API = "api", _("API")


class Recall(models.Model):
    """The firm takes the consultant back. Never refused; recorded with what it released."""

    bench_period = models.OneToOneField(
        BenchPeriod, on_delete=models.CASCADE, related_name="recall"
    )
    effective_date = models.DateField(_("effective date"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    channel = models.CharField(max_length=10, choices=RecallChannel.choices)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    released_tasks = models.JSONField(default=list, blank=True)
    ended_missions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("recall")
        verbose_name_plural = _("recalls")

    def __str__(self) -> str:
        return f"{self.bench_period} ← {self.effective_date}"


class TaxYear(models.Model):
    """One fiscal year's parameters of skills sponsorship (art. 238 bis CGI): data, not code."""

    year = models.PositiveSmallIntegerField(unique=True)
    pass_cents = models.PositiveBigIntegerField(_("annual social security ceiling (PASS)"))
    salary_cap_pass_multiple = models.PositiveSmallIntegerField(default=3)
    reduction_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(60))
    reduction_rate_above_threshold = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal(40)
    )
    threshold_cents = models.PositiveBigIntegerField(default=2_000_000_00)
    floor_cents = models.PositiveBigIntegerField(default=20_000_00)
    turnover_rate = models.DecimalField(max_digits=5, decimal_places=3, default=Decimal("0.5"))
    carry_over_years = models.PositiveSmallIntegerField(default=5)
    employer_charges_rate = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(45),
        help_text=_("Employer social charges as a % of gross salary, to split a loaded cost."),
    )
    working_days = models.PositiveSmallIntegerField(
        default=218, help_text=_("Working days a year, to turn a yearly cap into a daily one.")
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("tax year")
        verbose_name_plural = _("tax years")

    def __str__(self) -> str:
        return str(self.year)


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", _("Loan agreement (convention de mise à disposition)")
    AMENDMENT = "amendment", _("Amendment to the employment contract (avenant)")


class AcceptanceParty(models.TextChoices):
    FIRM = "firm", _("Firm")
    BENEFICIARY = "beneficiary", _("Beneficiary")
    CONSULTANT = "consultant", _("Consultant")


class MissionDocument(models.Model):
    """The exact PDF a party accepted, stored unchanged with its SHA-256: later edits never
    change it; a material change makes a new version that needs new acceptances."""

    mission = models.ForeignKey(Mission, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    party = models.CharField(_("accepted by"), max_length=20, choices=AcceptanceParty.choices)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)
    file = models.FileField(_("PDF"), upload_to="mission-documents/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    language = models.CharField(_("language"), max_length=10, default="fr")

    class Meta:
        ordering = ["mission", "version", "kind", "accepted_at"]
        verbose_name = _("accepted document")
        verbose_name_plural = _("accepted documents")
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "kind", "version", "party"], name="one_acceptance_per_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mission} — {self.kind} v{self.version} ({self.party})"


class Absence(models.Model):
    """Days a consultant was not lent (leave, sickness), declared by the firm: they count
    neither in the days lent nor in the valuation."""

    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences"
    )
    firm = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="absences"
    )
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="absence_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultant} {self.start}–{self.end}"


class FirmFiscalYear(models.Model):
    """A firm's figures for one fiscal year (named by the year it closes): turnover and other
    sponsorship gifts, which share the cap of art. 238 bis with the time lent on Relais."""

    firm = models.ForeignKey(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="fiscal_years"
    )
    year = models.PositiveSmallIntegerField(_("fiscal year (year it closes)"))
    turnover_cents = models.PositiveBigIntegerField(_("turnover excluding tax"))
    other_gifts_cents = models.PositiveBigIntegerField(
        _("other sponsorship gifts of the year"), default=0
    )
    tax_due_cents = models.PositiveBigIntegerField(
        _("corporate tax due before the reduction"), null=True, blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["firm", "-year"]
        verbose_name = _("fiscal year")
        verbose_name_plural = _("fiscal years")
        constraints = [
            models.UniqueConstraint(fields=["firm", "year"], name="one_fiscal_year_per_firm")
        ]

    def __str__(self) -> str:
        return f"{self.firm} {self.year}"
