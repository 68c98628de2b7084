from __future__ import annotations

import datetime as dt

import pytest

from relais.accounts.models import Role
from relais.accounts.tests.factories import MembershipFactory
from relais.bench.tests.conftest import (  # noqa: F401  (fixtures shared with bench's tests)
    _documents_in_a_temporary_folder,
    active_project,
    dora,
    on_bench,
    on_mission,
    terms,
    verified,
)
from relais.funding import ledger, services
from relais.funding.models import AccountKind, SubscriptionTier, TransactionKind

IBAN = "FR7630006000011234567890189"
BIC = "AGRIFRPP"
IBAN_2 = "DE89370400440532013000"
BIC_2 = "COBADEFFXXX"


def funding_data() -> None:
    """The tiers and rates, as the data migration writes them (a transactional test's flush
    erases them)."""
    import importlib

    from django.apps import apps

    importlib.import_module("relais.funding.migrations.0003_tiers_and_rates").add(apps, None)


@pytest.fixture
def tier() -> SubscriptionTier:
    funding_data()
    return SubscriptionTier.objects.get(yearly_amount_cents=120_00)


@pytest.fixture
def emma(acme):
    """Another consultant of Acme."""
    return MembershipFactory(
        organisation=acme,
        role=Role.CONSULTANT,
        user__email="emma@acme.example",
        user__first_name="Emma",
        user__language="en",
    ).user


@pytest.fixture
def circle(bob, acme):
    """Bob's circle of Acme's consultants; Bob is its admin."""
    return services.circle_create(creator=bob, name="Cercle Acme", description="d", firm=acme)


def sign(user, circle, tier, *, billing="monthly", iban=IBAN, bic=BIC, rum=""):
    return services.mandate_sign(
        user=user,
        circle=circle,
        tier=tier,
        billing=billing,
        iban=iban,
        bic=bic,
        holder_name=user.display_name,
        rum=rum,
    )


def fund(circle, cents: int, reference: str = "test:fund"):
    """Puts money in a circle's pool (a subscription collected from its first member)."""
    member = circle.memberships.first().user
    return ledger.post(
        kind=TransactionKind.SUBSCRIPTION,
        description="test",
        reference=reference,
        lines=[
            (ledger.member_account(circle, member), -cents),
            (ledger.pool_account(circle), cents),
        ],
    )


def balance(circle) -> int:
    return ledger.balance_cents(ledger.pool_account(circle))


def operator_balance(kind: str = AccountKind.OPERATOR_REVENUE) -> int:
    return ledger.balance_cents(ledger.operator_account(kind))


def last_month(today: dt.date) -> dt.date:
    return (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
