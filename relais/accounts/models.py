"""Users, organisations, memberships with roles, invitations and personal API tokens."""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum.fr import tva

from relais.accounts.validators import (
    clean_rna,
    clean_siren,
    clean_siret,
    clean_vat_number,
    validate_single_line,
)

if TYPE_CHECKING:
    from collections.abc import Iterable


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person; the email address is the identity (no username)."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)
    # The language of the site after sign-in and of every email the person receives.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email

    @cached_property
    def role_set(self) -> frozenset[tuple[int, str]]:
        """(organisation id, role) pairs, read once per request."""
        return frozenset(self.memberships.values_list("organisation_id", "role"))

    @property
    def is_operator_staff(self) -> bool:
        return any(role == Role.OPERATOR_STAFF for _org, role in self.role_set)

    def organisation_ids(self, *roles: str) -> list[int]:
        """The organisations the user belongs to, or holds one of these roles in."""
        return sorted({org for org, role in self.role_set if not roles or role in roles})

    def belongs_to(self, organisation_id: int) -> bool:
        return any(org == organisation_id for org, _role in self.role_set)

    def has_role(self, organisation_id: int, roles: Iterable[str]) -> bool:
        wanted = set(roles)
        return any(org == organisation_id and role in wanted for org, role in self.role_set)

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        # Operator staff run the platform: the Django admin is theirs in full.
        if self.is_active and self.is_staff and self.is_operator_staff:
            return True
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label: str) -> bool:
        if self.is_active and self.is_staff and self.is_operator_staff:
            return True
        return super().has_module_perms(app_label)


class OrganisationKind(models.TextChoices):
    FIRM = "firm", _("IT services firm (ESN)")
    NONPROFIT = "nonprofit", _("Nonprofit")
    OPERATOR = "operator", _("Operator")


class GeneralInterest(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Don't know yet")


class LegalForm(models.TextChoices):
    ASSOCIATION = "association", _("Association (loi 1901)")
    FOUNDATION = "foundation", _("Foundation")
    ENDOWMENT_FUND = "endowment_fund", _("Endowment fund")
    COOPERATIVE = "cooperative", _("Cooperative (SCOP, SCIC)")
    COMPANY = "company", _("Social enterprise (ESUS company)")
    PUBLIC = "public", _("Public body")
    OTHER = "other", _("Other")


class SponsorshipCategory(models.TextChoices):
    """Who may receive skills sponsorship with a tax receipt (art. 238 bis 1 CGI)."""

    GENERAL_INTEREST = "general_interest", _("Body of general interest (238 bis 1 a)")
    PUBLIC_UTILITY = "public_utility", _("Foundation or association of public utility (1 b)")
    EDUCATION = "education", _("Higher education or art school, public or approved (1 c, d)")
    ENDOWMENT_FUND = "endowment_fund", _("Endowment fund (1 g)")
    PUBLIC_BODY = "public_body", _("Public body or establishment (1 e)")
    OTHER = "other", _("Other eligible body (with a tax ruling)")


class Organisation(models.Model):
    """A firm, a nonprofit or the operator; its data is private to its members."""

    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=13, blank=True)
    rna = models.CharField(_("RNA number"), max_length=10, blank=True)
    legal_form = models.CharField(
        _("legal form"), max_length=20, choices=LegalForm.choices, blank=True
    )
    general_interest = models.CharField(
        _("general-interest status"),
        max_length=10,
        choices=GeneralInterest.choices,
        default=GeneralInterest.UNKNOWN,
        help_text=_("Organisations of general interest can receive skills sponsorship."),
    )
    address_line = models.CharField(_("address"), max_length=250, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    causes = models.ManyToManyField("core.Cause", verbose_name=_("causes"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Skills sponsorship (art. 238 bis CGI): operator staff verify that a beneficiary is
    # eligible, from a supporting document; until then only the fee mode is offered.
    sponsorship_category = models.CharField(
        _("general-interest category (art. 238 bis CGI)"),
        max_length=40,
        choices=SponsorshipCategory.choices,
        blank=True,
    )
    sponsorship_evidence = models.FileField(
        _("supporting document (tax ruling or statutes)"),
        upload_to="sponsorship-evidence/",
        blank=True,
    )
    sponsorship_eligible_at = models.DateTimeField(
        _("sponsorship eligibility verified on"), null=True, blank=True
    )
    sponsorship_eligible_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Bodies giving free meals, care or housing to people in difficulty keep 60 % above 2 M€.
    helps_people_in_difficulty = models.BooleanField(
        _("helps people in difficulty (meals, care, housing)"), default=False
    )
    # A firm's fiscal year closes on this day every year (31 December by default).
    fiscal_year_end_month = models.PositiveSmallIntegerField(
        _("fiscal year closing month"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    fiscal_year_end_day = models.PositiveSmallIntegerField(
        _("fiscal year closing day"),
        default=31,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    # Operator staff check a firm before its consultants can join any project.
    verified_at = models.DateTimeField(_("verified by the operator on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(condition=~Q(kind="firm") | ~Q(siren=""), name="firm_has_siren"),
            models.CheckConstraint(
                condition=~Q(kind="nonprofit") | ~Q(siren="") | ~Q(rna=""),
                name="nonprofit_has_siren_or_rna",
            ),
            models.UniqueConstraint(
                fields=["kind", "siren"], condition=~Q(siren=""), name="unique_siren_per_kind"
            ),
            models.UniqueConstraint(fields=["rna"], condition=~Q(rna=""), name="unique_rna"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="operator"), name="single_operator"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def admin_role(self) -> str:
        return ADMIN_ROLE[OrganisationKind(self.kind)]

    def clean(self) -> None:
        """Normalises and checks identifiers; a firm needs a SIREN, a nonprofit a SIREN or RNA;
        names and addresses are single lines (they end up in email subjects and headers)."""
        errors: dict[str, list[ValidationError]] = {}
        for field in ("name", "address_line", "postcode", "city"):
            try:
                validate_single_line(getattr(self, field))
            except ValidationError as error:
                errors.setdefault(field, []).append(error)
        self.postcode = self.postcode.strip()
        if self.postcode and not re.fullmatch(r"\d{5}", self.postcode):
            errors.setdefault("postcode", []).append(
                ValidationError(
                    _("A French postcode has 5 digits, such as 75011."), code="postcode"
                )
            )
        checks = [
            ("siren", clean_siren),
            ("siret", clean_siret),
            ("vat_number", clean_vat_number),
            ("rna", clean_rna),
        ]
        for field, check in checks:
            value = getattr(self, field).strip()
            if value:
                try:
                    setattr(self, field, check(value))
                except ValidationError as error:
                    errors.setdefault(field, []).append(error)
        both_valid = not errors.keys() & {"siret", "siren"}
        if self.siret and self.siren and both_valid and not self.siret.startswith(self.siren):
            errors.setdefault("siret", []).append(
                ValidationError(_("The SIRET must start with the SIREN."), code="siret_siren")
            )
        vat_valid = not errors.keys() & {"vat_number", "siren"}
        if (
            self.vat_number
            and self.siren
            and vat_valid
            and tva.to_siren(self.vat_number) != self.siren
        ):
            errors.setdefault("vat_number", []).append(
                ValidationError(_("The VAT number does not match the SIREN."), code="vat_siren")
            )
        if self.kind == OrganisationKind.FIRM and not self.siren and "siren" not in errors:
            errors["siren"] = [
                ValidationError(_("A firm needs its SIREN number."), code="siren_required")
            ]
        if (
            self.kind == OrganisationKind.NONPROFIT
            and not (self.siren or self.rna)
            and not ({"siren", "rna"} & errors.keys())
        ):
            errors["rna"] = [
                ValidationError(_("Give the SIREN or the RNA number."), code="siren_or_rna")
            ]
        if errors:
            raise ValidationError(errors)


class Role(models.TextChoices):
    FIRM_ADMIN = "firm_admin", _("Firm admin")
    CONSULTANT = "consultant", _("Consultant")
    NONPROFIT_ADMIN = "nonprofit_admin", _("Nonprofit admin")
    FIELD_LEAD = "field_lead", _("Field lead")
    OPERATOR_STAFF = "operator_staff", _("Operator staff")


# Which roles exist in which kind of organisation, and which one administers it.
ROLES_BY_KIND: dict[OrganisationKind, tuple[Role, ...]] = {
    OrganisationKind.FIRM: (Role.FIRM_ADMIN, Role.CONSULTANT),
    OrganisationKind.NONPROFIT: (Role.NONPROFIT_ADMIN, Role.FIELD_LEAD),
    OrganisationKind.OPERATOR: (Role.OPERATOR_STAFF,),
}
ADMIN_ROLE: dict[OrganisationKind, Role] = {
    OrganisationKind.FIRM: Role.FIRM_ADMIN,
    OrganisationKind.NONPROFIT: Role.NONPROFIT_ADMIN,
    OrganisationKind.OPERATOR: Role.OPERATOR_STAFF,
}


class Membership(models.Model):
    """A user's role in an organisation; one user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["organisation__name", "role", "user__email"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="unique_membership_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.organisation}"


class Invitation(models.Model):
    """An invitation by email to join an organisation with a role; usable once, for 7 days."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    # What the inviter recorded for the person (a roster row), applied only once they accept.
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


# A token lives this many days; the settings page offers these lifetimes.
API_TOKEN_LIFETIMES = (30, 90, 365)
API_TOKEN_DEFAULT_LIFETIME = 90


class ApiToken(models.Model):
    """A personal API token; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Bulk changes are refused like single ones: the log is append-only."""

    def update(self, **kwargs: Any) -> int:
        raise ValueError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit events are append-only.")


class AuditEvent(models.Model):
    """One sensitive action as it happened; rows are only ever added (`relais.accounts.audit`)."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The actor's email at the time: the record stays readable if the account changes or goes.
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    target = models.CharField(_("target"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.actor_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: an event is written once and never changed.
        if self.pk is not None and not self._state.adding:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit events are append-only.")
