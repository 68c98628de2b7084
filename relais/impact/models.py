"""Impact figures, certificates and verifiable badges, challenges, the argument kit."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WORDS_MAX = 2000
STORY_MAX = 10_000


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SigningKey(models.Model):
    """One of the operator's Ed25519 keys. The private key is stored encrypted (Fernet) under a
    key derived from SECRET_KEY by HKDF: a database dump alone cannot sign. Rotating makes a new
    active key; retired keys stay published so that what they signed still verifies."""

    kid = models.CharField(max_length=64, unique=True)
    public_key = models.CharField(max_length=64)  # raw 32 bytes, base64url
    private_key_encrypted = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        constraints = [
            models.UniqueConstraint(
                fields=["retired_at"], condition=Q(retired_at__isnull=True), name="one_active_key"
            )
        ]

    def __str__(self) -> str:
        return self.kid


class Credential(models.Model):
    """An Open Badges 3.0 credential for a consultant's mission, stored as the compact JWS it
    was issued as (never signed again); revoked by setting its bit in the status list."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credentials"
    )
    mission = models.ForeignKey(
        "bench.Mission", on_delete=models.CASCADE, related_name="credentials"
    )
    key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="credentials")
    status_index = models.PositiveIntegerField(unique=True)
    mission_ended = models.BooleanField(default=False)
    jws = models.TextField()
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revocation_reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        indexes = [models.Index(fields=["consultant", "-issued_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["mission"],
                condition=Q(revoked_at__isnull=True),
                name="one_valid_credential_per_mission",
            )
        ]

    def __str__(self) -> str:
        return str(self.public_id)


class MissionWords(models.Model):
    """What the field lead says of a consultant's mission: quoted on the certificate, and, if
    they allow it, in the firm's CSR report and the argument kit."""

    mission = models.OneToOneField(
        "bench.Mission", on_delete=models.CASCADE, related_name="lead_words"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(
        _("your words on this mission"),
        max_length=WORDS_MAX,
        validators=[MaxLengthValidator(WORDS_MAX)],
    )
    quotable = models.BooleanField(
        _("the firm may quote them in its reports"),
        default=True,
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("field lead's words")
        verbose_name_plural = _("field leads' words")

    def __str__(self) -> str:
        return f"{self.mission}"


class Preference(models.Model):
    """A person's choices about animation: leaderboards (opt-in), the weekly digest (opt-out),
    and the secret of their calendar feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="impact_preference"
    )
    on_leaderboards = models.BooleanField(_("show me on the leaderboards"), default=False)
    weekly_digest = models.BooleanField(_("send me the weekly digest"), default=True)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_token)
    digest_sent_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("impact preference")
        verbose_name_plural = _("impact preferences")
        indexes = [models.Index(fields=["on_leaderboards"])]

    def __str__(self) -> str:
        return str(self.user)


class Metric(models.TextChoices):
    TASKS_DONE = "tasks_done", _("Tasks done")
    DAYS_GIVEN = "days_given", _("Days given")


class Contenders(models.TextChoices):
    FIRMS = "firms", _("Between firms")
    CIRCLES = "circles", _("Between circles")


class Challenge(models.Model):
    """A seasonal challenge set by the operator: firms or circles compared on one metric over a
    period."""

    title = models.CharField(_("title"), max_length=150)
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    contenders = models.CharField(_("between"), max_length=20, choices=Contenders.choices)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-start", "-id"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="challenge_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Story(models.Model):
    """An impact story written by a project's field lead (Markdown), shown in the public feed."""

    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=150)
    body = models.TextField(
        _("story"),
        help_text=_("Markdown. Name no one without their agreement."),
        max_length=STORY_MAX,
        validators=[MaxLengthValidator(STORY_MAX)],
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("impact story")
        verbose_name_plural = _("impact stories")
        indexes = [models.Index(fields=["-created_at"])]

    def __str__(self) -> str:
        return self.title


class Argument(models.Model):
    """A "convince my management" one-pager: the figures a consultant entered (or their
    registered firm's), readable by anyone holding its unguessable link."""

    token = models.CharField(max_length=64, unique=True, default=new_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    firm = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    firm_name = models.CharField(_("firm name"), max_length=150)
    figures = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("argument")
        verbose_name_plural = _("arguments")

    def __str__(self) -> str:
        return self.firm_name
