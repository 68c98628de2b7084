"""Reads of circles, memberships and pools."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.bench import returns
from relais.bench.models import ConsultantProfile, FirmTerms, LendingMode
from relais.core.errors import Conflict
from relais.funding.models import (
    AccountKind,
    BillingPeriod,
    Circle,
    CircleInvitation,
    CircleMembership,
    CircleRole,
    FundingRates,
    LedgerEntry,
    LedgerTransaction,
    MembershipStatus,
    TransactionKind,
)
from relais.work.models import Claim, ClaimEnd

if TYPE_CHECKING:
    from relais.accounts.models import User
    from relais.bench.models import Mission


def members_in_good_standing(circles: Iterable[Circle] | QuerySet[Circle]) -> QuerySet[User]:
    """The people in good standing in any of these circles (each once): the electorate of a
    campaign, and those who hold the right to a mission during their next bench period."""
    return (
        get_user_model()
        .objects.filter(
            circle_memberships__circle__in=circles,
            circle_memberships__status=MembershipStatus.ACTIVE,
        )
        .distinct()
        .order_by("pk")
    )


# --- Rates, circles and pools -------------------------------------------------------------


def rates_at(day: dt.date) -> FundingRates:
    """The operator's rates valid on a day (the latest row on or before it)."""
    rates = FundingRates.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    if rates is None:
        raise Conflict(
            _("The operator's funding rates are not recorded for %(day)s.")
            % {"day": day.isoformat()}
        )
    return rates


def share_cents(amount_cents: int, rate: Decimal) -> int:
    """rate % of an amount, in cents rounded half up."""
    return int((Decimal(amount_cents) * rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def monthly_cents(yearly_cents: int) -> int:
    """A twelfth of a yearly amount, in cents rounded half up."""
    return int((Decimal(yearly_cents) / 12).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def debit_amount_cents(membership: CircleMembership) -> int:
    assert membership.tier is not None
    yearly = membership.tier.yearly_amount_cents
    return yearly if membership.billing == BillingPeriod.YEARLY else monthly_cents(yearly)


def funding_memberships(user_ids: Iterable[int]) -> dict[int, CircleMembership]:
    """Each consultant's funding membership: the earliest joined of their circles where they are
    in good standing. A consultant without one has no circle paying for their days (their
    missions proceed as without Relais's circles, nothing accrues)."""
    found: dict[int, CircleMembership] = {}
    memberships = (
        CircleMembership.objects.filter(user_id__in=list(user_ids), status=MembershipStatus.ACTIVE)
        .select_related("circle")
        .order_by("joined_at", "pk")
    )
    for membership in memberships:
        found.setdefault(membership.user_id, membership)
    return found


def funding_circles(user_ids: Iterable[int]) -> dict[int, Circle]:
    """Each consultant's funding circle (see `funding_memberships`)."""
    return {user: m.circle for user, m in funding_memberships(user_ids).items()}


def pool_balance_cents(circle: Circle) -> int:
    total = LedgerEntry.objects.filter(
        account__kind=AccountKind.POOL, account__circle=circle
    ).aggregate(total=Sum("amount_cents"))["total"]
    return int(total or 0)


def mission_daily_cents(mission: Mission, day: dt.date) -> tuple[str, int]:
    """What one day of a mission costs its circle's pool: in fee mode rate × TJM (to the firm),
    in sponsorship mode the operator's sponsorship rate × TJM (to the project-management fund)."""
    if mission.mode == LendingMode.FEE:
        return TransactionKind.FEE, returns.daily_fee_cents(mission.tjm_cents, mission.fee_rate)
    rate = rates_at(day).sponsorship_rate
    return TransactionKind.SPONSORSHIP, returns.daily_fee_cents(mission.tjm_cents, rate)


def members_daily_cents(circle: Circle, today: dt.date | None = None) -> list[int]:
    """What a bench day of each member in good standing would cost the pool, from their firm's
    terms of today and their daily rate (figures that never leave this function: pay data)."""
    today = today or timezone.localdate()
    members = CircleMembership.objects.filter(circle=circle, status=MembershipStatus.ACTIVE)
    profiles = list(
        ConsultantProfile.objects.filter(user__in=members.values("user")).select_related("firm")
    )
    firms = {p.firm_id for p in profiles}
    terms: dict[int, FirmTerms] = {}
    for row in FirmTerms.objects.filter(firm_id__in=firms, valid_from__lte=today).order_by(
        "valid_from", "pk"
    ):
        terms[row.firm_id] = row
    sponsorship_rate: Decimal | None = None
    amounts: list[int] = []
    seen: set[int] = set()
    for profile in profiles:
        firm_terms = terms.get(profile.firm_id)
        if firm_terms is None or profile.user_id in seen:
            continue
        seen.add(profile.user_id)
        tjm = profile.tjm_cents or firm_terms.average_tjm_cents
        if firm_terms.mode == LendingMode.FEE:
            amounts.append(returns.daily_fee_cents(tjm, firm_terms.fee_rate))
        else:
            if sponsorship_rate is None:
                found = FundingRates.objects.filter(valid_from__lte=today).first()
                sponsorship_rate = found.sponsorship_rate if found else Decimal(0)
            amounts.append(returns.daily_fee_cents(tjm, sponsorship_rate))
    return [a for a in amounts if a > 0]


def days_fundable(circle: Circle, balance_cents: int) -> int | None:
    """How many bench days the pool can still fund at its members' average daily cost (None
    when no member's day costs anything yet)."""
    amounts = members_daily_cents(circle)
    if not amounts:
        return None
    average = sum(amounts) / len(amounts)
    return int(balance_cents // average) if average > 0 else None


def pool_spending(circle: Circle) -> QuerySet[Any]:
    """What the pool paid for, by month, kind and project: days and totals (never a person's
    daily rate). Newest first; paginate it."""
    return (
        LedgerEntry.objects.filter(
            account__kind=AccountKind.POOL,
            account__circle=circle,
            transaction__kind__in=[TransactionKind.FEE, TransactionKind.SPONSORSHIP],
        )
        .annotate(month=TruncMonth("transaction__booked_on"))
        .values("month", "transaction__kind", "transaction__mission__project__title")
        .annotate(days=Count("pk"), total=Sum("amount_cents"))
        .order_by("-month", "transaction__kind", "transaction__mission__project__title")
    )


def pool_income(circle: Circle) -> QuerySet[Any]:
    """Money in and back out of the pool by month: subscriptions collected and returned."""
    return (
        LedgerEntry.objects.filter(
            account__kind=AccountKind.POOL,
            account__circle=circle,
            transaction__kind__in=[TransactionKind.SUBSCRIPTION, TransactionKind.RETURN],
        )
        .annotate(month=TruncMonth("transaction__booked_on"))
        .values("month", "transaction__kind")
        .annotate(count=Count("pk"), total=Sum("amount_cents"))
        .order_by("-month", "transaction__kind")
    )


@dataclass
class MyContribution:
    paid_cents: int
    days_funded: int
    projects: list[str]
    tasks_done: int


def my_contribution(membership: CircleMembership) -> MyContribution:
    """What my subscription did: what I paid in, and since I joined, the bench days the pool
    funded, on which projects, and the tasks circle members finished."""
    paid = LedgerEntry.objects.filter(
        account__kind=AccountKind.MEMBER,
        account__circle_id=membership.circle_id,
        account__user_id=membership.user_id,
    ).aggregate(total=Sum("amount_cents"))["total"]
    since = timezone.localdate(membership.joined_at)
    funded = LedgerTransaction.objects.filter(
        kind__in=[TransactionKind.FEE, TransactionKind.SPONSORSHIP],
        booked_on__gte=since,
        entries__account__kind=AccountKind.POOL,
        entries__account__circle_id=membership.circle_id,
    )
    projects = sorted(
        {
            title
            for title in funded.values_list("mission__project__title", flat=True).distinct()[:50]
            if title
        }
    )
    members = CircleMembership.objects.filter(circle_id=membership.circle_id).exclude(
        status=MembershipStatus.LEFT
    )
    tasks_done = (
        Claim.objects.filter(
            consultant__in=members.values("user"),
            end_reason=ClaimEnd.DONE,
            ended_at__gte=membership.joined_at,
        )
        .values("task")
        .distinct()
        .count()
    )
    return MyContribution(-int(paid or 0), funded.count(), projects, tasks_done)


# --- The dashboard's to-dos -----------------------------------------------------------------


@dataclass
class FundingToDos:
    invitations: list[CircleInvitation]
    to_sign: list[CircleMembership]
    past_due: list[CircleMembership]
    pool_low: list[Circle]

    def __bool__(self) -> bool:
        return bool(self.invitations or self.to_sign or self.past_due or self.pool_low)


def funding_to_dos(user: User) -> FundingToDos:
    """Whose turn it is, for this person, in four queries: circle invitations to accept, a
    mandate to sign, a returned debit to settle, and (circle admins) a pool too low to pay."""
    invitations = list(
        CircleInvitation.objects.filter(
            email__iexact=user.email, accepted_at__isnull=True, declined_at__isnull=True
        )
        .select_related("circle")
        .order_by("created_at")[:20]
    )
    memberships = list(
        CircleMembership.objects.filter(
            user=user, status__in=[MembershipStatus.PENDING, MembershipStatus.PAST_DUE]
        )
        .select_related("circle")
        .order_by("joined_at")[:20]
    )
    pool_low = list(
        Circle.objects.filter(
            pool_alert__isnull=False,
            pk__in=CircleMembership.objects.filter(user=user, role=CircleRole.ADMIN)
            .exclude(status=MembershipStatus.LEFT)
            .values("circle"),
        )
        .select_related("pool_alert")
        .order_by("name")[:20]
    )
    return FundingToDos(
        invitations,
        [m for m in memberships if m.status == MembershipStatus.PENDING],
        [m for m in memberships if m.status == MembershipStatus.PAST_DUE],
        pool_low,
    )
