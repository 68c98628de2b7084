"""Audit of issue 10: proofs the loan's own tests left out, each against a figure computed by
hand (the arithmetic is in the comments), and the gaps it found, fixed since.

Proven here: a recall stops the count on its date; a day two sponsorship missions cover is
valued once; the 60 % kept above 2 M€ for a beneficiary helping people in difficulty, from the
beneficiary's flag to the reduction; the agreement and the amendment never date the loan from
the bench period; a consultant joining through the web with a fee above cost is refused, naming
L8241-1."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import Organisation
from relais.bench import documents, selectors, services
from relais.bench.models import (
    BenchPeriod,
    BenchStatus,
    ConsultantProfile,
    FirmFiscalYear,
    FirmTerms,
    LendingMode,
    Mission,
    MissionStatus,
    TaxYear,
)
from relais.bench.tests.loan import mentions
from relais.bench.tests.pdftext import pdf_text
from relais.projects.models import Project, ProjectStatus
from relais.projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

PASS = {2019: 40_524_00, 2023: 43_992_00, 2024: 46_368_00, 2025: 47_100_00, 2026: 48_060_00}


@pytest.fixture(autouse=True)
def tax_years(db):
    for year in range(2019, 2028):
        TaxYear.objects.update_or_create(
            year=year, defaults={"pass_cents": PASS.get(year, 48_060_00)}
        )


@pytest.fixture
def eligible(les_amis):
    Organisation.objects.filter(pk=les_amis.pk).update(sponsorship_eligible_at=timezone.now())
    les_amis.refresh_from_db()
    return les_amis


@pytest.fixture
def period(alice, acme, dora, terms):
    return BenchPeriod.objects.create(
        consultant=dora, firm=acme, start=dt.date(2019, 1, 1), status=BenchStatus.OPEN
    )


def lend(period, start, *, end=None, mode=LendingMode.FEE, nonprofit=None):
    """An active mission (accepted the day before it starts): TJM 500 €, 1 % fee in fee mode;
    in sponsorship mode 200 € gross a day + 50 % charges = 300 € a day."""
    project = ProjectFactory(
        status=ProjectStatus.ACTIVE, **({"nonprofit": nonprofit} if nonprofit else {})
    )
    accepted = timezone.make_aware(dt.datetime.combine(start, dt.time(9))) - dt.timedelta(days=1)
    sponsorship = mode == LendingMode.SPONSORSHIP
    return Mission.objects.create(
        consultant=period.consultant,
        project=project,
        bench_period=period,
        terms=period.firm.terms.first(),
        mode=mode,
        fee_rate=Decimal(0) if sponsorship else Decimal(1),
        tjm_cents=500_00,
        daily_cost_cents=400_00,
        daily_gross_salary_cents=200_00 if sponsorship else None,
        employer_charges_rate=Decimal(50) if sponsorship else None,
        start=start,
        end=end,
        status=MissionStatus.ACTIVE if end is None else MissionStatus.ENDED,
        agreement_generated_at=accepted,
        beneficiary_accepted_at=accepted,
        consultant_agreed_at=accepted,
    )


# --- Valuation -----------------------------------------------------------------------------


def test_a_recall_stops_the_count_on_its_date(acme, alice, period):
    # Mission from Mon 3 March 2025, running; the firm recalls the consultant on Fri 7 March:
    # 3–7 March = 5 working days, fee 5 × 500 € × 1 % = 25 € (not the rest of the year).
    mission = lend(period, dt.date(2025, 3, 3))
    services.bench_period_recall(actor=alice, period=period, effective_date=dt.date(2025, 3, 7))
    mission.refresh_from_db()
    assert (mission.status, mission.end) == (MissionStatus.ENDED, dt.date(2025, 3, 7))
    figures = selectors.firm_year(acme, 2025)
    assert figures.bench_days == 5
    assert figures.fee_cents == 25_00


def test_a_day_two_sponsorship_missions_cover_is_valued_once(acme, period, eligible):
    # A: Mon 3 to Fri 14 March 2025 (10 days); B: Mon 10 to Fri 21 March (10 days); overlap
    # 10–14 March. 15 days × 300 € = 4 500 €, not 20 × 300 € = 6 000 €.
    # Turnover 2 M€: cap 20 000 €; reduction 60 % × 4 500 € = 2 700 €.
    FirmFiscalYear.objects.create(firm=acme, year=2025, turnover_cents=2_000_000_00)
    for start, end in [
        (dt.date(2025, 3, 3), dt.date(2025, 3, 14)),
        (dt.date(2025, 3, 10), dt.date(2025, 3, 21)),
    ]:
        lend(period, start, end=end, mode=LendingMode.SPONSORSHIP, nonprofit=eligible)
    figures = selectors.firm_year(acme, 2025)
    assert figures.bench_days == 15
    assert figures.valuation_cents == 4_500_00
    assert figures.reduction.reduction_cents == 2_700_00


@pytest.mark.parametrize(
    ("helps", "reduction"),
    [
        # 60 % × (6 000 € + 2 000 000 €) + 40 % × 500 000 € = 1 203 600 € + 200 000 €.
        (True, 1_403_600_00),
        # 60 % × 2 000 000 € + 40 % × 506 000 € = 1 200 000 € + 202 400 €.
        (False, 1_402_400_00),
    ],
)
def test_time_given_to_a_body_helping_people_in_difficulty_keeps_60_percent_above_2_million(
    acme, period, eligible, helps, reduction
):
    # 3 to 28 March 2025: 20 working days × 300 € = 6 000 € on Relais, + 2 500 000 € of other
    # gifts = 2 506 000 €, all counted (turnover 1 G€: cap 0.5 % = 5 M€).
    Organisation.objects.filter(pk=eligible.pk).update(helps_people_in_difficulty=helps)
    lend(
        period,
        dt.date(2025, 3, 3),
        end=dt.date(2025, 3, 28),
        mode=LendingMode.SPONSORSHIP,
        nonprofit=eligible,
    )
    FirmFiscalYear.objects.create(
        firm=acme,
        year=2025,
        turnover_cents=1_000_000_000_00,
        other_gifts_cents=2_500_000_00,
    )
    figures = selectors.firm_year(acme, 2025)
    assert figures.valuation_cents == 6_000_00
    assert figures.reduction.counted_cents == 2_506_000_00
    assert figures.reduction.reduction_cents == reduction


# --- The documents never date the loan from the bench period -------------------------------


def test_the_documents_date_the_loan_from_its_last_acceptance_not_the_bench_period(
    on_mission, dora
):
    period, mission = on_mission  # on the bench for a week, the mission started today
    assert period.start < mission.start == timezone.localdate()
    agreement = pdf_text(
        documents.stored_bytes(documents.latest(mission, documents.DocumentKind.AGREEMENT))
    )
    amendment = pdf_text(
        documents.stored_bytes(documents.latest(mission, documents.DocumentKind.AMENDMENT))
    )
    for text in (agreement, amendment):
        assert f"{period.start:%d/%m/%Y}" not in text
        assert f"{period.start:%Y-%m-%d}" not in text
    # The agreement states the rule (it was accepted before the start was known) ...
    assert "le jour de la dernière des trois acceptances" in agreement
    assert "on the day of the last of the three acceptances (the employee's)" in agreement
    # ... the amendment, accepted last, the day itself.
    assert f"Début : le {mission.start:%d/%m/%Y}" in amendment
    assert f"Start: on {mission.start:%Y-%m-%d}" in amendment


# --- A fee above cost, refused on the web too ----------------------------------------------


def test_joining_through_the_web_with_a_fee_above_cost_is_refused_naming_the_rule(
    client, on_bench, dora, active_project, acme
):
    # Dora costs 200 € gross + 50 % + 20 € expenses = 320 € a day; 100 % of a 700 € TJM is
    # 700 € a day: a profit.
    ConsultantProfile.objects.filter(user=dora).update(
        tjm_cents=700_00,
        daily_gross_salary_cents=200_00,
        employer_charges_rate=Decimal(50),
        daily_expenses_cents=20_00,
    )
    FirmTerms.objects.filter(firm=acme).update(fee_rate=Decimal(100))
    client.force_login(dora)
    response = client.post(
        reverse("bench:join", kwargs={"project_pk": active_project.pk}), follow=True
    )
    assert "L8241-1" in response.content.decode()
    assert not Mission.objects.filter(consultant=dora).exists()


# --- Gaps found by the audit, fixed since ---------------------------------------------------


def test_drawing_up_a_loan_longer_than_the_yearly_days_allow_is_refused(
    on_bench, alice, dora, acme, active_project
):
    FirmTerms.objects.filter(firm=acme).update(max_bench_days_per_year=10)
    mission = services.mission_create(consultant=dora, project=active_project)
    planned_end = timezone.localdate() + dt.timedelta(days=90)  # ~60 working days > 10
    with pytest.raises(Exception, match="10"):
        services.mission_agreement_draw_up(
            admin=alice, mission=mission, mentions=mentions(planned_end=planned_end)
        )


def test_a_mission_of_a_completed_then_archived_project_still_ends(acme, period):
    today = timezone.localdate()
    mission = lend(period, today - dt.timedelta(days=30))
    Project.objects.filter(pk=mission.project_id).update(
        status=ProjectStatus.ARCHIVED, updated_at=timezone.now() - dt.timedelta(days=3)
    )
    assert services.missions_end_due() == 1
    mission.refresh_from_db()
    assert mission.status == MissionStatus.ENDED
