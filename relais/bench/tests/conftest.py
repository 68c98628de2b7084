from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from relais.accounts import services as account_services
from relais.accounts.models import Role
from relais.accounts.tests.factories import MembershipFactory
from relais.bench import services
from relais.bench.models import LendingMode
from relais.bench.tests.loan import REPRESENTATIVE, mentions
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory


@pytest.fixture(autouse=True)
def _documents_in_a_temporary_folder(settings, tmp_path):
    """Accepted PDFs are written under a folder of the test's own, never the project's."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def terms(alice, acme):
    return services.firm_terms_set(
        admin=alice,
        firm=acme,
        valid_from=timezone.localdate() - dt.timedelta(days=400),
        mode=LendingMode.FEE,
        fee_rate=Decimal(1),
        max_bench_days_per_year=40,
        headcount=100,
        bench_rate=Decimal(5),
        average_tjm_cents=500_00,
        average_daily_cost_cents=400_00,
        turnover_cents=10_000_000_00,
    )


@pytest.fixture
def active_project(les_amis, fabien):
    return ProjectFactory(
        nonprofit=les_amis, field_lead=fabien, status=ProjectStatus.ACTIVE, title="Carte"
    )


@pytest.fixture
def dora(acme):
    """A consultant of Acme."""
    return MembershipFactory(
        organisation=acme,
        role=Role.CONSULTANT,
        user__email="dora@acme.example",
        user__first_name="Dora",
    ).user


@pytest.fixture
def verified(acme, operator_staff):
    """Acme, verified by operator staff: before that, its consultants cannot join anything."""
    return account_services.organisation_verify(staff=operator_staff, organisation=acme)


@pytest.fixture
def on_bench(alice, acme, dora, terms, verified):
    """Dora on the bench of verified Acme since a week."""
    return services.bench_period_open(
        admin=alice, firm=acme, consultant=dora, start=timezone.localdate() - dt.timedelta(days=7)
    )


@pytest.fixture
def on_mission(alice, nadia, dora, on_bench, active_project):
    """Dora on an active mission on Les Amis' project, with its three acceptances: Acme drew up
    the agreement, Nadia accepted it for Les Amis, Dora agreed to it."""
    period = on_bench
    mission = services.mission_create(consultant=dora, project=active_project)
    services.mission_agreement_draw_up(admin=alice, mission=mission, mentions=mentions())
    services.mission_beneficiary_accept(admin=nadia, mission=mission, representative=REPRESENTATIVE)
    services.mission_consent(consultant=dora, mission=mission)
    mission.refresh_from_db()
    return period, mission
