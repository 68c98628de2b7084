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


# --- Invitations and the join link ----------------------------------------------------------


class CircleInvitation(models.Model):
    """An invitation to join a circle, sent by a member to an address; the invited person joins
    only by accepting it themselves (signed in with that address)."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("circle invitation")
        verbose_name_plural = _("circle invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["circle", "email"],
                condition=Q(accepted_at__isnull=True, declined_at__isnull=True),
                name="one_pending_circle_invitation",
            ),
        ]
        indexes = [models.Index(fields=["email", "accepted_at"], name="circle_invitation_email")]

    def __str__(self) -> str:
        return f"{self.email} → {self.circle}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.declined_at is None


class CircleLink(models.Model):
    """The circle's shareable join link (a secret token); an admin can replace it."""

    circle = models.OneToOneField(Circle, on_delete=models.CASCADE, related_name="link")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("join link")
        verbose_name_plural = _("join links")

    def __str__(self) -> str:
        return str(self.circle)


# --- SEPA direct debit --------------------------------------------------------------------


class SequenceType(models.TextChoices):
    FIRST = "FRST", _("First debit")
    RECURRENT = "RCUR", _("Recurrent debit")


class SepaMandate(models.Model):
    """A member's SEPA direct-debit mandate (recurrent) for their subscription to one circle.
    Its reference (RUM) is unique and never contains the IBAN; a new mandate revokes the old."""

    membership = models.ForeignKey(
        CircleMembership, on_delete=models.PROTECT, related_name="mandates"
    )
    rum = models.CharField(_("mandate reference (RUM)"), max_length=35, unique=True)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11)
    holder_name = models.CharField(_("account holder"), max_length=70)
    creditor_id = models.CharField(_("creditor identifier (ICS)"), max_length=35)
    signed_on = models.DateField(_("signed on"))
    # FRST until a first debit of this mandate is collected, RCUR afterwards.
    first_collected_at = models.DateTimeField(_("first debit collected"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("SEPA mandate")
        verbose_name_plural = _("SEPA mandates")
        constraints = [
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(revoked_at__isnull=True),
                name="one_valid_mandate_per_membership",
            ),
        ]

    def __str__(self) -> str:
        return self.rum

    @property
    def sequence(self) -> str:
        return SequenceType.FIRST if self.first_collected_at is None else SequenceType.RECURRENT

    @property
    def masked_iban(self) -> str:
        return f"{self.iban[:4]} •••• {self.iban[-4:]}"


class FundingRates(models.Model):
    """The operator's rates, dated (operator data): its share of each subscription collected, and
    in sponsorship mode the share of a mission day's TJM the pool gives the project-management
    fund. The row valid on a day is the latest whose `valid_from` is on or before it."""

    valid_from = models.DateField(_("valid from"), unique=True)
    operator_share = models.DecimalField(
        _("operator's share of subscriptions (%)"), max_digits=5, decimal_places=2
    )
    sponsorship_rate = models.DecimalField(
        _("project-management funding per sponsored day (% of the TJM)"),
        max_digits=5,
        decimal_places=2,
    )

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("funding rates")
        verbose_name_plural = _("funding rates")
        constraints = [
            models.CheckConstraint(
                condition=Q(operator_share__gte=0, operator_share__lte=100),
                name="operator_share_is_a_percentage",
            ),
            models.CheckConstraint(
                condition=Q(sponsorship_rate__gte=0, sponsorship_rate__lte=100),
                name="sponsorship_rate_is_a_percentage",
            ),
        ]

    def __str__(self) -> str:
        return str(self.valid_from)


class PainVersion(models.TextChoices):
    V08 = "pain.008.001.08", "pain.008.001.08"
    V02 = "pain.008.001.02", "pain.008.001.02"


class RunStatus(models.TextChoices):
    EXPORTED = "exported", _("Exported, awaiting collection")
    COLLECTED = "collected", _("Collected")


class CollectionRun(models.Model):
    """One collection of the subscriptions due in a month (one run per month), exported as a
    pain.008 file validated against its XSD and stored unchanged."""

    period = models.DateField(_("month"), unique=True)  # the first day of the month
    collection_date = models.DateField(_("collection date"))
    version = models.CharField(
        _("format"), max_length=20, choices=PainVersion.choices, default=PainVersion.V08
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.EXPORTED
    )
    message_id = models.CharField(_("message id"), max_length=35, unique=True)
    document = models.TextField(_("pain.008 file"), blank=True)
    total_cents = models.PositiveBigIntegerField(_("total"), default=0)
    count = models.PositiveIntegerField(_("debits"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    collected_at = models.DateTimeField(_("collected"), null=True, blank=True)

    class Meta:
        ordering = ["-period", "-id"]
        verbose_name = _("collection run")
        verbose_name_plural = _("collection runs")

    def __str__(self) -> str:
        return self.period.strftime("%Y-%m")


class DebitStatus(models.TextChoices):
    PENDING = "pending", _("Sent to the bank")
    COLLECTED = "collected", _("Collected")
    RETURNED = "returned", _("Returned")


class Debit(models.Model):
    """One member's subscription debited in a collection run."""

    run = models.ForeignKey(CollectionRun, on_delete=models.PROTECT, related_name="debits")
    membership = models.ForeignKey(
        CircleMembership, on_delete=models.PROTECT, related_name="debits"
    )
    mandate = models.ForeignKey(SepaMandate, on_delete=models.PROTECT, related_name="debits")
    amount_cents = models.PositiveBigIntegerField(_("amount"))
    sequence = models.CharField(_("sequence"), max_length=4, choices=SequenceType.choices)
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=35, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DebitStatus.choices, default=DebitStatus.PENDING
    )
    return_reason = models.CharField(_("return reason"), max_length=4, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)

    class Meta:
        ordering = ["run", "id"]
        verbose_name = _("direct debit")
        verbose_name_plural = _("direct debits")
        constraints = [
            models.UniqueConstraint(fields=["run", "membership"], name="one_debit_per_run"),
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="debit_is_positive"),
        ]
        indexes = [models.Index(fields=["membership", "status"], name="debit_membership_status")]

    def __str__(self) -> str:
        return self.end_to_end_id


class PoolAlert(models.Model):
    """The circle's pool could not pay a day (or a mission's start): its admins were told once;
    cleared when money comes in."""

    circle = models.OneToOneField(Circle, on_delete=models.CASCADE, related_name="pool_alert")
    raised_at = models.DateTimeField(default=timezone.now)
    needed_cents = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("pool alert")
        verbose_name_plural = _("pool alerts")

    def __str__(self) -> str:
        return str(self.circle)
