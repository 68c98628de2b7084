"""Demo circles: one circle of the first firm's consultants and one across firms, their members'
subscriptions and SEPA mandates, last month's collection with one debit returned by the bank, and
the fee-mode accrual of the first firm's running missions paid by the circle's pool. Built
through the services, as of the days things happened; quiet (no mass emails). Run after
`seed_bench`; a database that already has circles is left as it is."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from schwifty import IBAN

from relais.accounts.demo import DEMO_ACCOUNTS
from relais.accounts.models import Organisation, Role, User
from relais.bench.demo import _as_of
from relais.bench.models import MissionStatus
from relais.funding import services
from relais.funding.models import (
    BillingPeriod,
    Circle,
    Debit,
    SubscriptionTier,
)

BIC = "AGRIFRPP"


def _iban(n: int) -> str:
    return str(IBAN.generate("FR", bank_code="3000600001", account_code=f"{n:011d}").compact)


def _consultants(firm: Organisation) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation=firm, memberships__role=Role.CONSULTANT
        ).order_by("email")
    )


def seed_funding() -> None:
    if Circle.objects.exists():
        return
    today = timezone.localdate()
    began = today - dt.timedelta(days=75)
    firms = list(Organisation.objects.filter(kind="firm").order_by("pk"))
    if len(firms) < 2:
        return
    staff = User.objects.get(email=DEMO_ACCOUNTS[Role.OPERATOR_STAFF])
    tiers = list(SubscriptionTier.objects.filter(active=True).order_by("yearly_amount_cents"))
    first = _consultants(firms[0])
    on_mission = list(
        User.objects.filter(
            missions__status=MissionStatus.ACTIVE, missions__bench_period__firm=firms[0]
        )
        .distinct()
        .order_by("email")
    )
    demo_consultant = User.objects.get(email=DEMO_ACCOUNTS[Role.CONSULTANT])
    # The first firm's circle: the demo consultant, those on a mission, and a few colleagues.
    members_a = [demo_consultant, *[u for u in on_mission if u != demo_consultant]]
    members_a += [u for u in first if u not in members_a][: max(0, 8 - len(members_a))]
    # Across firms: two consultants of each other firm.
    members_b = [u for firm in firms[1:] for u in _consultants(firm)[:2]]
    number = 0
    with _as_of(began):
        circle_a = services.circle_create(
            creator=members_a[0],
            name=f"Cercle solidaire {firms[0].name}",
            description="Nos cotisations financent les jours d'intercontrat de chacun·e.",
            firm=firms[0],
        )
        circle_b = services.circle_create(
            creator=members_b[0],
            name="Inter-ESN Climat",
            description="Des consultant·es de plusieurs ESN au service du climat.",
        )
        for circle, members in ((circle_a, members_a), (circle_b, members_b)):
            for index, user in enumerate(members):
                if index:
                    services.circle_join_by_link(user=user, token=circle.link.token)
                number += 1
                services.mandate_sign(
                    user=user,
                    circle=circle,
                    tier=tiers[index % len(tiers)],
                    billing=BillingPeriod.YEARLY if index % 4 else BillingPeriod.MONTHLY,
                    iban=_iban(number),
                    bic=BIC,
                    holder_name=user.display_name,
                )
        if len(members_a) > 1:
            services.membership_make_admin(
                admin=members_a[0],
                membership=circle_a.memberships.get(user=members_a[1]),
            )
    # A colleague who joined and has not signed their mandate yet (their dashboard asks them).
    late = [u for u in first if u not in members_a][:1]
    for user in late:
        services.circle_join_by_link(user=user, token=circle_a.link.token)
    # Last month's collection, collected, then one debit returned by the bank.
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    with _as_of(month):
        run = services.collection_run_create(staff=staff, period=month, notify=False, today=month)
    with _as_of(run.collection_date):
        services.collection_run_mark_collected(staff=staff, run=run)
    returned = (
        Debit.objects.filter(run=run, membership__circle=circle_a)
        .exclude(membership__user__in=on_mission)
        .exclude(membership__user=demo_consultant)
        .select_related("mandate")
        .order_by("pk")
        .first()
    )
    if returned is not None:
        amount = f"{returned.amount_cents / 100:.2f}"
        csv = (
            "rum,end_to_end_id,amount,reason_code\n"
            f"{returned.mandate.rum},{returned.end_to_end_id},{amount},AM04\n"
        )
        with _as_of(run.collection_date + dt.timedelta(days=3)):
            services.returns_import(staff=staff, data=csv.encode(), notify=False)
    # The pool pays the days the fee-mode missions have lent so far.
    services.fees_accrue(today=today, notify=False)
