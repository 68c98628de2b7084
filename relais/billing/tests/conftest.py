from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from relais.bench.models import Mission
from relais.billing import services
from relais.billing.tests.helpers import (
    book_fees,
    fee_mission,
    last_month,
    operator,
    sponsorship_year,
    working_days_of,
)
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory


@pytest.fixture
def relais_org(operator_staff):
    """The operator (the buyer of every fee invoice), with its address; Olga is its staff."""
    return operator()


@pytest.fixture
def month():
    return last_month()


@pytest.fixture
def fees(alice, bob, acme, relais_org, month):
    """Bob (Acme) lent three days last month in fee mode at 5.50 € a day."""
    mission = fee_mission(bob)
    return mission, book_fees(mission, working_days_of(month, 3), 550)


def self_billing(alice, acme, **overrides):
    values = {
        "mode": "self_billed",
        "accept_self_billing": True,
        "vat_rate": Decimal(20),
        "vat_exemption": "",
        "payment_days": 30,
        "late_penalty_rate": Decimal("12.00"),
    }
    values.update(overrides)
    return services.billing_settings_set(admin=alice, firm=acme, **values)


@pytest.fixture
def self_billed(alice, acme):
    return self_billing(alice, acme)


@pytest.fixture
def sponsorship(alice, bob, acme, les_amis, nadia):
    """Bob gave Les Amis five working days last year (Monday 3 to Friday 7 March), at a gross
    salary of 300 € a day with 45 % employer charges."""
    year = dt.date.today().year - 1
    project = ProjectFactory(nonprofit=les_amis, status=ProjectStatus.ACTIVE)
    from relais.bench.tests.helpers import mission_started

    mission = mission_started(bob, project)
    start = dt.date(year, 3, 3)
    while start.weekday() != 0:
        start += dt.timedelta(days=1)
    Mission.objects.filter(pk=mission.pk).update(
        daily_gross_salary_cents=300_00, employer_charges_rate=Decimal(45), daily_expenses_cents=0
    )
    return sponsorship_year(mission, year, start=start, end=start + dt.timedelta(days=4))
