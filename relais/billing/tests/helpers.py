"""Fee movements and sponsorship years for billing tests, made through the ledger and the bench
services (the funding helper's periodic job is not needed: a fee is one ledger movement)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from relais.accounts.models import Organisation, OrganisationKind
from relais.accounts.tests.factories import OrganisationFactory
from relais.bench.models import LendingMode, Mission, MissionStatus, TaxYear
from relais.bench.tests.helpers import mission_started
from relais.funding import ledger
from relais.funding.models import Circle, TransactionKind
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory

if TYPE_CHECKING:
    from relais.accounts.models import User


def operator() -> Organisation:
    found = Organisation.objects.filter(kind=OrganisationKind.OPERATOR).first()
    if found is not None:
        Organisation.objects.filter(pk=found.pk).update(
            address_line="1 rue de la Paix", postcode="75002", city="Paris"
        )
        found.refresh_from_db()
        return found
    return OrganisationFactory(
        kind=OrganisationKind.OPERATOR,
        name="Relais SAS",
        siren="732829320",
        address_line="1 rue de la Paix",
        postcode="75002",
        city="Paris",
    )


def last_month() -> dt.date:
    return (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def working_days_of(month: dt.date, count: int) -> list[dt.date]:
    days, day = [], month
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def fee_mission(consultant: User) -> Mission:
    project = ProjectFactory(status=ProjectStatus.ACTIVE)
    return mission_started(consultant, project)


def book_fees(mission: Mission, days: list[dt.date], fee_cents: int) -> list[int]:
    """A circle's pool credited by a subscription, then one fee movement per mission day:
    pool −fee, firm's payable +fee."""
    firm = mission.bench_period.firm
    circle = Circle.objects.create(name=f"Cercle {mission.pk}-{days[0]}")
    member = mission.consultant
    pool = ledger.pool_account(circle)
    ledger.post(
        kind=TransactionKind.SUBSCRIPTION,
        description="Cotisation",
        reference=f"test:subscription:{circle.pk}",
        lines=[
            (ledger.member_account(circle, member), -fee_cents * len(days)),
            (pool, fee_cents * len(days)),
        ],
    )
    payable = ledger.firm_payable_account(firm)
    return [
        ledger.post(
            kind=TransactionKind.FEE,
            description=f"Frais du {day}",
            reference=f"fee:mission:{mission.pk}:{day}",
            lines=[(pool, -fee_cents), (payable, fee_cents)],
            mission=mission,
            day=day,
            booked_on=day,
        ).pk
        for day in days
    ]


def sponsorship_year(mission: Mission, year: int, *, start: dt.date, end: dt.date) -> Mission:
    """Turns a started mission into a sponsorship mission that ran from start to end of a past
    year, the beneficiary verified eligible, the year's tax parameters recorded."""
    TaxYear.objects.get_or_create(year=year, defaults={"pass_cents": 48_060_00})
    accepted = timezone.make_aware(dt.datetime.combine(start, dt.time(9)))
    Mission.objects.filter(pk=mission.pk).update(
        mode=LendingMode.SPONSORSHIP,
        fee_rate=Decimal(0),
        start=start,
        planned_end=end,
        end=end,
        status=MissionStatus.ENDED,
        agreement_generated_at=accepted,
        beneficiary_accepted_at=accepted,
        consultant_agreed_at=accepted,
    )
    Organisation.objects.filter(pk=mission.project.nonprofit_id).update(
        sponsorship_eligible_at=timezone.now(), sponsorship_category="general_interest"
    )
    mission.refresh_from_db()
    return mission
