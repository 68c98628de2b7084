"""Circles of colleagues pooling subscriptions, and the double-entry ledger every euro goes through.

Amounts are integer cents. A ledger transaction is written once, balanced (its entries sum to
zero), and never updated or deleted: a correction is a new transaction. Balances are derived from
the entries (see `ledger.py`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CIRCLE_DESCRIPTION_MAX = 2000


class SubscriptionTier(models.Model):
    """A yearly subscription amount offered to circle members (operator data)."""

    name = models.CharField(_("name"), max_length=100)
    yearly_amount_cents = models.PositiveBigIntegerField(_("yearly amount"))
    active = models.BooleanField(_("offered to new members"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "yearly_amount_cents", "id"]
        verbose_name = _("subscription tier")
        verbose_name_plural = _("subscription tiers")
        constraints = [
            models.CheckConstraint(
                condition=Q(yearly_amount_cents__gt=0), name="tier_amount_is_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Circle(models.Model):
    """Colleagues pooling small subscriptions; of one firm, or across firms when `firm` is empty."""

    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True, max_length=CIRCLE_DESCRIPTION_MAX)
    firm = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("firm"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="circles",
        help_text=_("Leave empty for a circle open to consultants of every firm."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("circle")
        verbose_name_plural = _("circles")

    def __str__(self) -> str:
        return self.name


class CircleRole(models.TextChoices):
    ADMIN = "admin", _("Circle admin")
    MEMBER = "member", _("Member")


class BillingPeriod(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    YEARLY = "yearly", _("Yearly")


class MembershipStatus(models.TextChoices):
    # Joined, no valid mandate yet: not yet in good standing.
    PENDING = "pending", _("Waiting for a mandate")
    # In good standing: holds the right to a mission during their next bench period.
    ACTIVE = "active", _("In good standing")
    # A debit was returned: not in good standing until it is paid.
    PAST_DUE = "past_due", _("Past due")
    LEFT = "left", _("Left")


class CircleMembership(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_memberships"
    )
    role = models.CharField(
        _("role"), max_length=10, choices=CircleRole.choices, default=CircleRole.MEMBER
    )
    tier = models.ForeignKey(
        SubscriptionTier,
        verbose_name=_("subscription"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
    )
    billing = models.CharField(
        _("paid"), max_length=10, choices=BillingPeriod.choices, default=BillingPeriod.MONTHLY
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=MembershipStatus.choices,
        default=MembershipStatus.PENDING,
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    class Meta:
        ordering = ["circle", "joined_at", "id"]
        verbose_name = _("circle membership")
        verbose_name_plural = _("circle memberships")
        constraints = [
            models.UniqueConstraint(fields=["circle", "user"], name="one_membership_per_circle"),
        ]
        indexes = [models.Index(fields=["user", "status"], name="membership_user_status")]

    def __str__(self) -> str:
        return f"{self.user} — {self.circle}"

    @property
    def in_good_standing(self) -> bool:
        return self.status == MembershipStatus.ACTIVE


class AccountKind(models.TextChoices):
    MEMBER = "member", _("Member")  # what a member paid in (their subscriptions)
    POOL = "pool", _("Circle pool")  # the circle's pooled money
    FIRM_PAYABLE = "firm_payable", _("Owed to a firm")  # fees owed to a lending firm
    OPERATOR_REVENUE = "operator_revenue", _("Operator revenue")  # the operator's share
    PM_FUND = "pm_fund", _("Project-management fund")  # sponsorship mode: funds field leads
    BANK = "bank", _("Bank")  # money in (collections) and out (returns, payments)


class LedgerAccount(models.Model):
    """One account of the ledger; its owner depends on its kind (member, circle, firm, none)."""

    kind = models.CharField(_("kind"), max_length=20, choices=AccountKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.PROTECT, null=True, blank=True, related_name="ledger_accounts"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            # One account per kind and owner; the operator's accounts have no owner.
            models.UniqueConstraint(
                fields=["kind", "user", "circle"],
                condition=Q(kind="member"),
                name="one_member_account_per_circle",
            ),
            models.UniqueConstraint(
                fields=["kind", "circle"], condition=Q(kind="pool"), name="one_pool_per_circle"
            ),
            models.UniqueConstraint(
                fields=["kind", "organisation"],
                condition=Q(kind="firm_payable"),
                name="one_payable_per_firm",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind__in=["operator_revenue", "pm_fund", "bank"]),
                name="one_operator_account_per_kind",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="member", user__isnull=False, circle__isnull=False)
                    | Q(kind="pool", circle__isnull=False, user__isnull=True)
                    | Q(kind="firm_payable", organisation__isnull=False)
                    | Q(
                        kind__in=["operator_revenue", "pm_fund", "bank"],
                        user__isnull=True,
                        circle__isnull=True,
                        organisation__isnull=True,
                    )
                ),
                name="ledger_account_owner_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        owner = self.user or self.circle or self.organisation
        return f"{self.get_kind_display()} — {owner}" if owner else str(self.get_kind_display())


class TransactionKind(models.TextChoices):
    SUBSCRIPTION = "subscription", _("Subscription collected")
    RETURN = "return", _("Direct debit returned")
    FEE = "fee", _("Fee for a mission day")
    SPONSORSHIP = "sponsorship", _("Project-management funding")
    PAYMENT = "payment", _("Payment to a firm")
    CORRECTION = "correction", _("Correction")


class LedgerTransaction(models.Model):
    """One balanced movement. Written once by `ledger.post`; never updated or deleted."""

    kind = models.CharField(_("kind"), max_length=20, choices=TransactionKind.choices)
    description = models.CharField(_("description"), max_length=250)
    # What makes the movement unique (e.g. "fee:mission:12:2026-11-03"): posting twice is refused.
    reference = models.CharField(_("reference"), max_length=120, unique=True)
    booked_on = models.DateField(_("booked on"), default=timezone.localdate)
    # The mission day a fee or sponsorship movement pays for (empty for other kinds).
    mission = models.ForeignKey(
        "bench.Mission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_transactions",
    )
    day = models.DateField(_("day"), null=True, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-booked_on", "-id"]
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        indexes = [
            models.Index(fields=["kind", "booked_on"], name="ledger_tx_kind_booked"),
            models.Index(fields=["mission", "day"], name="ledger_tx_mission_day"),
        ]

    def __str__(self) -> str:
        return f"{self.booked_on} {self.description}"


class LedgerEntry(models.Model):
    """One side of a transaction: a signed amount on an account (debit > 0, credit < 0)."""

    transaction = models.ForeignKey(
        LedgerTransaction, on_delete=models.PROTECT, related_name="entries"
    )
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="entries")
    amount_cents = models.BigIntegerField(_("amount"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=~Q(amount_cents=0), name="ledger_entry_is_not_zero"),
        ]
        indexes = [models.Index(fields=["account", "transaction"], name="ledger_entry_account")]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount_cents}"
