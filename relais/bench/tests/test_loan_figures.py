"""The true figures of a loan, each against a value computed by hand (the arithmetic is in the
comments): working days from the mission's start to the earliest of its end, planned end and
project completion; a day counted once across concurrent missions; absences excluded;
Alsace-Moselle's holidays; the 3 × PASS cap over the same day count; the fiscal year's own
turnover; other gifts sharing the cap; carry-over used oldest first and lapsing after 5 years;
the non-profit rule (L8241-1); and a clear error when a year's parameters are missing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from relais.accounts.models import Organisation
from relais.bench import returns, selectors, services
from relais.bench.models import (
    Absence,
    BenchPeriod,
    BenchStatus,
    ConsultantProfile,
    FirmFiscalYear,
    LendingMode,
    Mission,
    MissionStatus,
    TaxYear,
)
from relais.projects.models import Project, ProjectStatus
from relais.projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

# PASS of each year (data, as the operator records it).
PASS = {
    2019: 40_524_00,
    2020: 41_136_00,
    2021: 41_136_00,
    2022: 41_136_00,
    2023: 43_992_00,
    2024: 46_368_00,
    2025: 47_100_00,
    2026: 48_060_00,
}


@pytest.fixture(autouse=True)
def tax_years(db):
    for year, pass_cents in PASS.items():
        TaxYear.objects.update_or_create(year=year, defaults={"pass_cents": pass_cents})


@pytest.fixture
def eligible(les_amis):
    """Les Amis, verified eligible to skills sponsorship."""
    Organisation.objects.filter(pk=les_amis.pk).update(sponsorship_eligible_at=timezone.now())
    les_amis.refresh_from_db()
    return les_amis


@pytest.fixture
def period(alice, acme, dora, terms):
    return BenchPeriod.objects.create(
        consultant=dora, firm=acme, start=dt.date(2019, 1, 1), status=BenchStatus.OPEN
    )


def lend(
    period,
    start,
    *,
    end=None,
    planned_end=None,
    project=None,
    mode=LendingMode.FEE,
    gross=None,
    rate=None,
    loaded=400_00,
    nonprofit=None,
):
    """An active mission (its three acceptances the day before it starts) of the period's
    consultant: TJM 500 €, fee 1 % (5 € a day) in fee mode."""
    project = project or ProjectFactory(
        status=ProjectStatus.ACTIVE, **({"nonprofit": nonprofit} if nonprofit else {})
    )
    accepted = timezone.make_aware(dt.datetime.combine(start, dt.time(9))) - dt.timedelta(days=1)
    return Mission.objects.create(
        consultant=period.consultant,
        project=project,
        bench_period=period,
        terms=period.firm.terms.first(),
        mode=mode,
        fee_rate=Decimal(1) if mode == LendingMode.FEE else Decimal(0),
        tjm_cents=500_00,
        daily_cost_cents=loaded,
        daily_gross_salary_cents=gross,
        employer_charges_rate=rate,
        start=start,
        end=end,
        planned_end=planned_end,
        status=MissionStatus.ACTIVE if end is None else MissionStatus.ENDED,
        agreement_generated_at=accepted,
        beneficiary_accepted_at=accepted,
        consultant_agreed_at=accepted,
    )


# --- Days -------------------------------------------------------------------------------


def test_a_day_two_concurrent_missions_cover_counts_once(acme, period):
    # Mission A: Mon 3 to Fri 14 March 2025, 10 working days (no holiday in March 2025).
    # Mission B: Mon 10 to Fri 21 March, 10 days; 10–14 March (5 days) overlap.
    # Days lent: 3 to 21 March = 15, not 20; fee 15 × 500 € × 1 % = 75 €.
    lend(period, dt.date(2025, 3, 3), end=dt.date(2025, 3, 14))
    lend(period, dt.date(2025, 3, 10), end=dt.date(2025, 3, 21))
    figures = selectors.firm_year(acme, 2025)
    assert figures.bench_days == 15
    assert figures.fee_cents == 75_00


def test_a_mission_stops_counting_at_its_planned_end(acme, period):
    # Mon 2 to Fri 13 June 2025: 10 weekdays, minus Whit Monday 9 June = 9 days (not the 147
    # working days to the end of the year the mission would count without its planned end).
    lend(period, dt.date(2025, 6, 2), planned_end=dt.date(2025, 6, 13))
    assert selectors.firm_year(acme, 2025).bench_days == 9


def test_a_mission_stops_counting_when_its_project_is_completed(acme, period):
    # Mon 1 to Fri 12 September 2025, the day the project was completed: 10 working days.
    mission = lend(period, dt.date(2025, 9, 1))
    Project.objects.filter(pk=mission.project_id).update(
        status=ProjectStatus.COMPLETED,
        updated_at=timezone.make_aware(dt.datetime(2025, 9, 12, 15)),
    )
    assert selectors.firm_year(acme, 2025).bench_days == 10


def test_absences_the_firm_declares_are_not_counted(acme, alice, dora, period):
    # 3 to 14 March 2025: 10 days; absent Wed 5 to Fri 7 March (3 days): 7 days.
    lend(period, dt.date(2025, 3, 3), end=dt.date(2025, 3, 14))
    services.absence_declare(
        admin=alice, firm=acme, consultant=dora, start=dt.date(2025, 3, 5), end=dt.date(2025, 3, 7)
    )
    assert selectors.firm_year(acme, 2025).bench_days == 7


def test_alsace_moselle_has_good_friday_and_boxing_day_off(acme, dora, period):
    # Mon 14 to Fri 25 April 2025: 10 weekdays minus Easter Monday 21 April = 9 days;
    # in Alsace-Moselle Good Friday 18 April is off too: 8 days.
    lend(period, dt.date(2025, 4, 14), end=dt.date(2025, 4, 25))
    assert selectors.firm_year(acme, 2025).bench_days == 9
    ConsultantProfile.objects.update_or_create(
        user=dora, defaults={"firm": acme, "alsace_moselle": True}
    )
    assert selectors.firm_year(acme, 2025).bench_days == 8
    assert returns.working_days(dt.date(2025, 12, 26), dt.date(2025, 12, 26)) == 1
    assert (
        returns.working_days(dt.date(2025, 12, 26), dt.date(2025, 12, 26), alsace_moselle=True) == 0
    )


# --- The cap, the fiscal year and the carry-over --------------------------------------------


def test_a_full_year_counts_the_salary_at_three_pass_at_most(acme, period, eligible):
    # Lent every working day of 2025: 251 days (261 weekdays, 10 holidays on weekdays).
    # Gross 800 € a day; cap 3 × 47 100 € / 251 = 562.95 € a day; the year counts 251 × that
    # = 141 300 € of salary, with 45 % charges: 204 885 € — exactly 3 × PASS × 1.45.
    lend(
        period,
        dt.date(2025, 1, 1),
        end=dt.date(2025, 12, 31),
        mode=LendingMode.SPONSORSHIP,
        gross=800_00,
        rate=Decimal(45),
        nonprofit=eligible,
    )
    FirmFiscalYear.objects.create(firm=acme, year=2025, turnover_cents=100_000_000_00)
    figures = selectors.firm_year(acme, 2025)
    assert figures.bench_days == 251 == figures.days_in_year
    assert figures.valuation_cents == 204_885_00
    # Turnover 100 M€: cap 0.5 % = 500 000 €; all counted; 60 % = 122 931 €.
    assert figures.reduction.limit_cents == 500_000_00
    assert figures.reduction.reduction_cents == 122_931_00
    assert figures.pass_cents == 47_100_00
    assert figures.salary_cap_cents == 141_300_00


def test_past_years_use_their_own_fiscal_years_turnover(acme, alice, period, eligible):
    # 2025: 6 January to 28 May = 103 weekdays minus Easter Monday 21 April, 1 May and 8 May
    # = 100 working days, at 200 € gross + 50 % charges = 300 € a day: 30 000 €.
    lend(
        period,
        dt.date(2025, 1, 6),
        end=dt.date(2025, 5, 28),
        mode=LendingMode.SPONSORSHIP,
        gross=200_00,
        rate=Decimal(50),
        nonprofit=eligible,
    )
    FirmFiscalYear.objects.create(firm=acme, year=2025, turnover_cents=2_000_000_00)
    # The turnover grew since: 10 M€ in 2026 and in today's terms (acme's terms: 10 M€).
    FirmFiscalYear.objects.create(firm=acme, year=2026, turnover_cents=10_000_000_00)
    figures = selectors.firm_year(acme, 2025)
    assert figures.valuation_cents == 30_000_00
    # 2025's cap: max(20 000 €, 0.5 % × 2 M€ = 10 000 €) = 20 000 €; 60 % = 12 000 €;
    # 10 000 € carried over — not the 50 000 € cap of 10 M€.
    assert figures.reduction.limit_cents == 20_000_00
    assert figures.reduction.reduction_cents == 12_000_00
    assert figures.reduction.carried_over_cents == 10_000_00
    assert figures.turnover_cents == 2_000_000_00
    assert figures.turnover_entered


def test_other_gifts_share_the_cap(acme, period, eligible):
    # 20 days at 300 € = 6 000 € on Relais (3 to 28 March 2025: 20 working days),
    # + 16 000 € of other gifts = 22 000 €; cap 20 000 € (turnover 2 M€): 20 000 € counted,
    # reduction 60 % = 12 000 €, 2 000 € carried over.
    lend(
        period,
        dt.date(2025, 3, 3),
        end=dt.date(2025, 3, 28),
        mode=LendingMode.SPONSORSHIP,
        gross=200_00,
        rate=Decimal(50),
        nonprofit=eligible,
    )
    FirmFiscalYear.objects.create(
        firm=acme, year=2025, turnover_cents=2_000_000_00, other_gifts_cents=16_000_00
    )
    figures = selectors.firm_year(acme, 2025)
    assert figures.valuation_cents == 6_000_00
    assert figures.gifts.gifts_cents == 22_000_00
    assert figures.reduction.counted_cents == 20_000_00
    assert figures.reduction.reduction_cents == 12_000_00
    assert figures.reduction.carried_over_cents == 2_000_00


def test_an_excess_is_used_two_years_later(acme):
    # 2023: 30 000 € of gifts, cap 20 000 € (turnover 1 M€): 10 000 € carried over.
    # 2024: 20 000 € of gifts fill the cap: the excess waits.
    # 2025: 5 000 € of gifts leave 15 000 € of room: the 10 000 € of 2023 are used;
    # reduction 60 % × 15 000 € = 9 000 €.
    for year, gifts in [(2023, 30_000_00), (2024, 20_000_00), (2025, 5_000_00)]:
        FirmFiscalYear.objects.create(
            firm=acme, year=year, turnover_cents=1_000_000_00, other_gifts_cents=gifts
        )
    figures = selectors.firm_year(acme, 2025)
    assert figures.gifts.carry_used_from == {2023: 10_000_00}
    assert figures.reduction.counted_cents == 15_000_00
    assert figures.reduction.reduction_cents == 9_000_00
    by_year = {g.year: g for g in figures.history}
    assert by_year[2023].excess_cents == 10_000_00
    assert by_year[2024].carry_used_cents == 0


def test_an_excess_lapses_after_five_years(acme):
    # 2019: 30 000 € of gifts, cap 20 000 €: 10 000 € carried over to 2020–2024, each of which
    # fills its cap with its own gifts; at the end of 2024 the excess lapses; 2025's room is
    # left unused: 0 € of reduction.
    FirmFiscalYear.objects.create(
        firm=acme, year=2019, turnover_cents=1_000_000_00, other_gifts_cents=30_000_00
    )
    for year in range(2020, 2025):
        FirmFiscalYear.objects.create(
            firm=acme, year=year, turnover_cents=1_000_000_00, other_gifts_cents=20_000_00
        )
    FirmFiscalYear.objects.create(firm=acme, year=2025, turnover_cents=1_000_000_00)
    figures = selectors.firm_year(acme, 2025)
    by_year = {g.year: g for g in figures.history}
    assert by_year[2024].expired_cents == 10_000_00
    assert figures.gifts.carry_used_cents == 0
    assert figures.reduction is None


def test_the_fiscal_year_follows_the_firms_closing_date(acme, period):
    # Acme closes on 30 June: fiscal year 2025 runs 1 July 2024 to 30 June 2025. A mission of
    # Mon 23 June to Fri 4 July 2025 (10 working days) counts 6 days in it (23–30 June).
    Organisation.objects.filter(pk=acme.pk).update(fiscal_year_end_month=6, fiscal_year_end_day=30)
    acme.refresh_from_db()
    lend(period, dt.date(2025, 6, 23), end=dt.date(2025, 7, 4))
    figures = selectors.firm_year(acme, 2025)
    assert (figures.start, figures.end) == (dt.date(2024, 7, 1), dt.date(2025, 6, 30))
    assert figures.bench_days == 6


def test_gifts_to_bodies_helping_people_in_difficulty_keep_60_percent_above_2_million():
    year = TaxYear.objects.get(year=2025)
    # 3 M€ counted, 1.5 M€ of them to such bodies: those 1.5 M€ at 60 % (900 000 €), the
    # other 1.5 M€ below the 2 M€ threshold at 60 % (900 000 €): 1.8 M€.
    assert returns._reduction_of(3_000_000_00, 1_500_000_00, year) == 1_800_000_00
    # None to them: 60 % × 2 M€ + 40 % × 1 M€ = 1.6 M€.
    assert returns._reduction_of(3_000_000_00, 0, year) == 1_600_000_00


def test_sponsorship_for_a_beneficiary_not_verified_counts_no_reduction(acme, period, les_amis):
    lend(
        period,
        dt.date(2025, 3, 3),
        end=dt.date(2025, 3, 14),
        mode=LendingMode.SPONSORSHIP,
        nonprofit=les_amis,
    )
    figures = selectors.firm_year(acme, 2025)
    assert figures.bench_days == 10
    assert figures.not_eligible_days == 10
    assert figures.valuation_cents == 0
    assert figures.reduction is None


def test_a_missing_tax_year_is_a_clear_error_not_another_years_figures(acme, period):
    lend(period, dt.date(2025, 3, 3), end=dt.date(2025, 3, 14))
    TaxYear.objects.filter(year=2025).delete()
    with pytest.raises(returns.TaxYearMissing, match="2025"):
        selectors.firm_year(acme, 2025)


# --- Missions end by themselves --------------------------------------------------------------


def test_the_periodic_job_ends_a_mission_past_its_planned_end_and_tells_them(
    acme, alice, dora, period, django_capture_on_commit_callbacks
):
    from relais.site.periodic import PERIODIC_JOBS

    today = timezone.localdate()
    mission = lend(period, today - dt.timedelta(days=20), planned_end=today - dt.timedelta(days=2))
    running = lend(period, today - dt.timedelta(days=20), planned_end=today + dt.timedelta(days=5))
    mail.outbox.clear()  # what the bench period and the missions' steps told them
    with django_capture_on_commit_callbacks(execute=True):
        assert PERIODIC_JOBS["missions_end_due"]() == 1
    mission.refresh_from_db()
    running.refresh_from_db()
    assert mission.status == MissionStatus.ENDED
    assert mission.end == today - dt.timedelta(days=2)
    assert running.status == MissionStatus.ACTIVE
    ended = [m.to[0] for m in mail.outbox if "est terminée" in m.subject]
    assert sorted(ended) == sorted([alice.email, dora.email])
    assert services.missions_end_due() == 0  # a second run changes nothing


def test_the_periodic_job_ends_a_mission_whose_project_is_completed(acme, period):
    today = timezone.localdate()
    mission = lend(period, today - dt.timedelta(days=30))
    Project.objects.filter(pk=mission.project_id).update(
        status=ProjectStatus.COMPLETED, updated_at=timezone.now() - dt.timedelta(days=3)
    )
    assert services.missions_end_due() == 1
    mission.refresh_from_db()
    assert mission.status == MissionStatus.ENDED
    assert mission.end == timezone.localdate(timezone.now() - dt.timedelta(days=3))


# --- Non-profit loan (L8241-1) ---------------------------------------------------------------


def test_terms_with_a_fee_above_the_daily_cost_are_refused_naming_the_rule(alice, acme):
    # 100 % of a 700 € TJM = 700 € a day against a 400 € cost: a profit.
    with pytest.raises(ValidationError, match="L8241-1") as refusal:
        services.firm_terms_set(
            admin=alice,
            firm=acme,
            mode=LendingMode.FEE,
            fee_rate=Decimal(100),
            headcount=10,
            bench_rate=Decimal(5),
            average_tjm_cents=700_00,
            average_daily_cost_cents=400_00,
            turnover_cents=1_000_000_00,
        )
    assert "fee_rate" in refusal.value.message_dict
    assert not acme.terms.exists()


def test_a_mission_whose_fee_exceeds_the_consultants_cost_is_refused(
    alice, acme, dora, on_bench, active_project
):
    # Dora: 200 € gross + 50 % charges + 20 € expenses = 320 € a day; TJM 700 €.
    # Terms at 50 % of the TJM: 350 € a day > 320 €: refused. At 40 %: 280 € ≤ 320 €: taken.
    ConsultantProfile.objects.filter(user=dora).update(
        tjm_cents=700_00,
        daily_gross_salary_cents=200_00,
        employer_charges_rate=Decimal(50),
        daily_expenses_cents=20_00,
    )
    base = {
        "admin": alice,
        "firm": acme,
        "mode": LendingMode.FEE,
        "headcount": 10,
        "bench_rate": Decimal(5),
        "average_tjm_cents": 500_00,
        "average_daily_cost_cents": 400_00,
        "turnover_cents": 1_000_000_00,
    }
    services.firm_terms_set(fee_rate=Decimal(50), **base)
    with pytest.raises(services.BenchError, match="L8241-1"):
        services.mission_create(consultant=dora, project=active_project)
    assert not Mission.objects.exists()
    services.firm_terms_set(fee_rate=Decimal(40), **base)
    mission = services.mission_create(consultant=dora, project=active_project)
    # The mission keeps the cost basis of the day it was created.
    assert (mission.daily_gross_salary_cents, mission.employer_charges_rate) == (
        200_00,
        Decimal(50),
    )
    assert mission.daily_expenses_cents == 20_00
    basis = selectors.mission_fee_basis(mission)
    assert basis.daily_cost_cents == 320_00
    assert basis.daily_fee_cents == 280_00
    assert "320.00 €" in basis.formula
    assert "L8241-1" in basis.rule


# --- The firm's pages ----------------------------------------------------------------------


def test_the_dashboard_shows_each_assumption_beside_its_figure(client, alice, acme, period):
    from django.urls import reverse

    this_year = timezone.localdate().year
    FirmFiscalYear.objects.create(firm=acme, year=this_year, turnover_cents=3_456_789_00)
    TaxYear.objects.filter(year=this_year).update(pass_cents=12_345_00)
    client.force_login(alice)
    page = client.get(reverse("bench:firm_dashboard", kwargs={"organisation_pk": acme.pk}))
    assert page.status_code == 200
    text = "".join(page.content.decode().replace("\u202f", "").replace("\xa0", "").split())
    # The PASS of the year, 3 × PASS, the working days of the fiscal year, its turnover.
    assert "12345,00" in text or "12345.00" in text
    assert "37035,00" in text or "37035.00" in text
    assert f"{returns.year_working_days(this_year)}jourstravaillés" in text
    assert "3456789,00" in text or "3456789.00" in text


def test_the_dashboard_says_when_a_years_parameters_are_missing(client, alice, acme, period):
    from django.urls import reverse

    TaxYear.objects.filter(year=timezone.localdate().year).delete()
    client.force_login(alice)
    page = client.get(reverse("bench:firm_dashboard", kwargs={"organisation_pk": acme.pk}))
    assert page.status_code == 200
    assert "ne sont pas encore enregistrés" in page.content.decode()


def test_the_firm_admin_records_a_consultants_cost_and_missions_take_it(client, alice, acme, dora):
    from django.urls import reverse

    profile = services.profile_for(dora, acme)
    client.force_login(alice)
    url = reverse(
        "bench:consultant_cost", kwargs={"organisation_pk": acme.pk, "profile_pk": profile.pk}
    )
    response = client.post(
        url,
        {
            "daily_gross_salary_cents": "250",
            "employer_charges_rate": "42",
            "daily_expenses_cents": "15,50",
            "alsace_moselle": "on",
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.daily_gross_salary_cents == 250_00
    assert profile.employer_charges_rate == Decimal(42)
    assert profile.daily_expenses_cents == 15_50
    assert profile.alsace_moselle
    # A salary without its charges rate is refused, saying why, and changes nothing.
    refused = client.post(url, {"daily_gross_salary_cents": "300"})
    assert refused.status_code == 400
    assert "Indiquez ensemble le salaire brut journalier" in refused.content.decode()
    profile.refresh_from_db()
    assert profile.daily_gross_salary_cents == 250_00


def test_only_the_firms_admin_sees_a_consultants_cost(client, bob, charlie, acme, dora):
    from django.urls import reverse

    profile = services.profile_for(dora, acme)
    url = reverse(
        "bench:consultant_cost", kwargs={"organisation_pk": acme.pk, "profile_pk": profile.pk}
    )
    for person, status in [(bob, 403), (charlie, 404)]:
        client.force_login(person)
        assert client.get(url).status_code == status


def test_the_firm_admin_declares_and_withdraws_an_absence(client, alice, acme, dora):
    from django.urls import reverse

    client.force_login(alice)
    url = reverse("bench:absences", kwargs={"organisation_pk": acme.pk})
    response = client.post(
        url, {"consultant": dora.pk, "start": "2025-03-05", "end": "2025-03-07", "reason": "Congés"}
    )
    assert response.status_code == 302
    absence = Absence.objects.get()
    assert (absence.start, absence.end, absence.declared_by) == (
        dt.date(2025, 3, 5),
        dt.date(2025, 3, 7),
        alice,
    )
    backwards = client.post(
        url, {"consultant": dora.pk, "start": "2025-03-07", "end": "2025-03-05"}
    )
    assert backwards.status_code == 400
    assert Absence.objects.count() == 1
    client.post(url, {"action": "delete", "absence": absence.pk})
    assert not Absence.objects.exists()


def test_the_firm_admin_enters_a_fiscal_years_turnover_and_closing_date(client, alice, acme):
    from django.urls import reverse

    client.force_login(alice)
    url = reverse("bench:fiscal_years", kwargs={"organisation_pk": acme.pk})
    response = client.post(
        url, {"year": "2025", "turnover_cents": "2 000 000", "other_gifts_cents": "5000"}
    )
    assert response.status_code == 302
    fiscal = FirmFiscalYear.objects.get(firm=acme, year=2025)
    assert (fiscal.turnover_cents, fiscal.other_gifts_cents) == (2_000_000_00, 5_000_00)
    client.post(
        url, {"action": "closing", "fiscal_year_end_month": "3", "fiscal_year_end_day": "31"}
    )
    acme.refresh_from_db()
    assert (acme.fiscal_year_end_month, acme.fiscal_year_end_day) == (3, 31)
    far = client.post(url, {"year": "2090", "turnover_cents": "1"})
    assert far.status_code == 400
    assert not FirmFiscalYear.objects.filter(year=2090).exists()


def test_a_roster_gives_the_cost_basis_and_a_roster_without_it_keeps_it(alice, acme, dora):
    from relais.bench import roster

    profile = services.profile_for(dora, acme)
    header = "email,first_name,last_name,tjm,gross_daily_salary,charges_rate,daily_expenses\n"
    row = f"{dora.email},Dora,D,600,250,45,10\n"
    check = roster.check(io_bytes(header + row), "roster.csv")
    assert check.errors == []
    services.roster_apply(admin=alice, firm=acme, rows=check.rows)
    profile.refresh_from_db()
    assert (profile.daily_gross_salary_cents, profile.employer_charges_rate) == (
        250_00,
        Decimal(45),
    )
    assert profile.daily_expenses_cents == 10_00
    # A later roster without those columns leaves them as they are.
    check = roster.check(
        io_bytes(f"email,first_name,last_name,tjm\n{dora.email},Dora,D,650\n"), "r.csv"
    )
    services.roster_apply(admin=alice, firm=acme, rows=check.rows)
    profile.refresh_from_db()
    assert profile.tjm_cents == 650_00
    assert profile.daily_gross_salary_cents == 250_00
    # A salary without its charges rate is a row error.
    bad = roster.check(
        io_bytes(f"email,first_name,last_name,gross_daily_salary\n{dora.email},Dora,D,250\n"),
        "b.csv",
    )
    assert bad.errors


def io_bytes(text: str):
    import io

    return io.BytesIO(text.encode())


def test_the_estimate_for_a_year_without_parameters_says_so(client):
    from django.urls import reverse

    next_year = timezone.localdate().year + 1
    TaxYear.objects.filter(year=next_year).delete()
    query = {
        "mode": "fee",
        "headcount": "10",
        "bench_rate": "5",
        "tjm_cents": "500",
        "daily_cost_cents": "400",
        "turnover_cents": "1000000",
        "fee_rate": "1",
        "year": str(next_year),
    }
    page = client.get(reverse("bench:estimate"), query)
    assert page.status_code == 200
    assert "ne sont pas encore enregistrés" in page.content.decode()
