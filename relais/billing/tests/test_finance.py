"""The operator's finance view: figures read from the ledger and the costs staff enter."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.billing import selectors, services
from relais.billing.models import OperatorCost
from relais.core.errors import Invalid, NotAllowed
from relais.funding import ledger
from relais.funding.models import (
    AccountKind,
    Circle,
    CircleMembership,
    MembershipStatus,
    SubscriptionTier,
    TransactionKind,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def movements(bob):
    """In March: 100 € collected, 10 € to the operator; 30 € to the project-management fund;
    one fee of 5.50 € spent from the pool. Bob is in good standing at 120 € a year."""
    year = timezone.localdate().year
    march = dt.date(year, 3, 10)
    circle = Circle.objects.create(name="Cercle")
    pool = ledger.pool_account(circle)
    member = ledger.member_account(circle, bob)
    revenue = ledger.operator_account(AccountKind.OPERATOR_REVENUE)
    pm = ledger.operator_account(AccountKind.PM_FUND)
    ledger.post(
        kind=TransactionKind.SUBSCRIPTION,
        description="c",
        reference="t:1",
        booked_on=march,
        lines=[(member, -100_00), (pool, 90_00), (revenue, 10_00)],
    )
    ledger.post(
        kind=TransactionKind.SPONSORSHIP,
        description="pm",
        reference="t:2",
        booked_on=march,
        lines=[(pool, -30_00), (pm, 30_00)],
    )
    from relais.accounts.tests.factories import OrganisationFactory

    firm = OrganisationFactory()
    ledger.post(
        kind=TransactionKind.FEE,
        description="fee",
        reference="t:3",
        booked_on=march,
        lines=[(pool, -5_50), (ledger.firm_payable_account(firm), 5_50)],
    )
    tier = SubscriptionTier.objects.create(name="120", yearly_amount_cents=120_00)
    CircleMembership.objects.create(
        circle=circle, user=bob, tier=tier, status=MembershipStatus.ACTIVE
    )
    return march


def test_the_finance_view_adds_up_the_ledger_and_the_costs(movements, operator_staff):
    march = movements.replace(day=1)
    services.operator_cost_add(
        staff=operator_staff,
        month=march,
        category="field_leads",
        amount_cents=25_00,
        label="Référente terrain",
    )
    figures = selectors.finance(march.year)
    row = figures.months[2]
    assert (row.revenue_cents, row.pm_fund_cents, row.costs_cents) == (10_00, 30_00, 25_00)
    assert row.margin_cents == 15_00
    assert row.spent_cents == 35_50  # the fee and the project-management funding
    assert figures.committed_cents == 120_00
    assert figures.members == 1
    assert all(m.margin_cents == 0 for m in figures.months if m.month != march)


def test_a_cost_is_entered_only_by_staff_for_a_month_that_began(operator_staff, alice):
    with pytest.raises(NotAllowed):
        services.operator_cost_add(
            staff=alice, month=dt.date(2026, 1, 1), category="platform", amount_cents=1, label="x"
        )
    future = (timezone.localdate().replace(day=28) + dt.timedelta(days=10)).replace(day=1)
    with pytest.raises(Invalid) as refused:
        services.operator_cost_add(
            staff=operator_staff,
            month=future,
            category="platform",
            amount_cents=100,
            label="Hébergement",
        )
    assert "month" in refused.value.fields
    assert not OperatorCost.objects.exists()


def test_the_finance_page_refuses_a_cost_that_is_not_a_number(client, operator_staff):
    client.force_login(operator_staff)
    month = timezone.localdate().strftime("%Y-%m")
    refused = client.post(
        "/finance/costs/",
        {"month": month, "category": "platform", "amount": "douze", "label": "Hébergement"},
    )
    assert refused.status_code == 400
    assert not OperatorCost.objects.exists()
    saved = client.post(
        "/finance/costs/",
        {"month": month, "category": "platform", "amount": "12,50", "label": "Hébergement"},
    )
    assert saved.status_code == 302
    assert OperatorCost.objects.get().amount_cents == 12_50
    page = client.get("/finance/")
    assert page.status_code == 200
    assert 'data-costs="1250"' in page.content.decode()


def test_staff_cannot_invoice_a_month_not_over_from_the_page(client, operator_staff):
    client.force_login(operator_staff)
    response = client.post("/finance/invoices/", {"month": timezone.localdate().strftime("%Y-%m")})
    assert response.status_code == 400
    assert str(_("Choose a month that is over.")) in response.content.decode()


def test_only_staff_see_the_finance_view(client, alice, nadia):
    for person in (alice, nadia):
        client.force_login(person)
        assert client.get("/finance/").status_code == 404
