"""The pool pays its members' bench days: fee mode to the firm, sponsorship mode to the operator's
project-management fund; never below zero; a recall stops it; no circle, nothing accrues."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from relais.bench import returns
from relais.bench import services as bench_services
from relais.bench.models import Mission, MissionStatus
from relais.bench.selectors import mission_days
from relais.bench.services import BenchError
from relais.bench.tests.loan import REPRESENTATIVE, backdate, mentions
from relais.funding import ledger, services
from relais.funding.models import (
    AccountKind,
    CircleMembership,
    LedgerEntry,
    LedgerTransaction,
    PoolAlert,
    TransactionKind,
)
from relais.funding.selectors import funding_to_dos
from relais.funding.tests.conftest import balance, fund, operator_balance, sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(on_mission, circle, dora, tier):
    """Dora, a member in good standing of Bob's circle, on a fee-mode mission since her bench
    period began (a week ago), at 1 % of a 500 € TJM: 5 € a day."""
    _period, mission = on_mission
    services.circle_join_by_link(user=dora, token=circle.link.token)
    sign(dora, circle, tier)
    start = timezone.localdate() - dt.timedelta(days=7)
    # She joined the circle a month ago: the pool pays her days from then on.
    CircleMembership.objects.filter(user=dora).update(
        joined_at=timezone.now() - dt.timedelta(days=30)
    )
    backdate(mission.pk, start)
    mission.refresh_from_db()
    return mission


def payable(firm) -> int:
    return ledger.balance_cents(ledger.firm_payable_account(firm))


def test_each_mission_day_books_rate_times_tjm_from_the_pool_to_the_firm(started, circle, acme):
    fund(circle, 1000_00)
    today = timezone.localdate()
    outcome = services.fees_accrue(today=today)
    days = mission_days(started, started.start, today)
    assert days >= 4
    assert outcome == {"booked": days, "refused": 0}
    assert returns.daily_fee_cents(started.tjm_cents, started.fee_rate) == 5_00
    assert payable(acme) == days * 5_00
    assert balance(circle) == 1000_00 - days * 5_00
    booked_days = set(
        LedgerTransaction.objects.filter(kind=TransactionKind.FEE).values_list("day", flat=True)
    )
    assert all(returns.is_working_day(day) for day in booked_days)
    # Idempotent: the job runs every hour and books each day once.
    assert services.fees_accrue(today=today) == {"booked": 0, "refused": 0}
    assert ledger.check() == []


def test_a_recall_stops_accrual_from_its_date(started, circle, alice, acme):
    fund(circle, 1000_00)
    today = timezone.localdate()
    recall_day = started.start + dt.timedelta(days=2)
    bench_services.bench_period_recall(
        actor=alice, period=started.bench_period, effective_date=recall_day, notify=False
    )
    services.fees_accrue(today=today)
    days = set(
        LedgerTransaction.objects.filter(kind=TransactionKind.FEE).values_list("day", flat=True)
    )
    assert days
    assert max(days) <= recall_day
    assert payable(acme) == len(days) * 5_00


def test_days_before_the_consultant_joined_the_circle_are_not_charged_to_it(started, circle, dora):
    fund(circle, 1000_00)
    CircleMembership.objects.filter(user=dora).update(joined_at=timezone.now())
    services.fees_accrue(today=timezone.localdate())
    days = set(LedgerTransaction.objects.values_list("day", flat=True)) - {None}
    assert days <= {timezone.localdate()}


def test_a_consultant_in_no_circle_accrues_nothing(on_mission):
    services.fees_accrue(today=timezone.localdate())
    assert not LedgerTransaction.objects.exists()


def test_a_pool_that_cannot_pay_stops_and_its_admins_are_told_once(
    started, circle, bob, django_capture_on_commit_callbacks
):
    fund(circle, 10_00)  # two days
    with django_capture_on_commit_callbacks(execute=True):
        outcome = services.fees_accrue(today=timezone.localdate())
    assert outcome == {"booked": 2, "refused": 1}
    assert balance(circle) == 0
    assert PoolAlert.objects.filter(circle=circle).exists()
    assert [m.to for m in mail.outbox] == [[bob.email]]
    assert funding_to_dos(bob).pool_low == [circle]
    with django_capture_on_commit_callbacks(execute=True):
        services.fees_accrue(today=timezone.localdate())
    assert len(mail.outbox) == 1
    assert ledger.check() == []


def test_a_spend_larger_than_the_pool_is_refused_and_changes_nothing(circle, bob, acme):
    fund(circle, 3_00)
    before = LedgerEntry.objects.count()
    with pytest.raises(ledger.PoolTooLow):
        ledger.post(
            kind=TransactionKind.FEE,
            description="trop",
            reference="fee:too-much",
            lines=[(ledger.pool_account(circle), -3_01), (ledger.firm_payable_account(acme), 3_01)],
        )
    assert LedgerEntry.objects.count() == before
    assert balance(circle) == 3_00


def test_sponsorship_days_fund_the_project_management_fund_at_the_operators_rate(started, circle):
    Mission.objects.filter(pk=started.pk).update(mode="sponsorship", fee_rate=0)
    fund(circle, 1000_00)
    services.fees_accrue(today=timezone.localdate())
    days = LedgerTransaction.objects.filter(kind=TransactionKind.SPONSORSHIP).count()
    assert days >= 4
    assert not LedgerTransaction.objects.filter(kind=TransactionKind.FEE).exists()
    assert operator_balance(AccountKind.PM_FUND) == days * 5_00  # 1 % of 500 €


def test_the_next_mission_is_not_confirmed_when_the_pool_cannot_pay_a_day(
    circle, bob, emma, tier, alice, nadia, acme, terms, verified, active_project
):
    services.circle_join_by_link(user=emma, token=circle.link.token)
    sign(emma, circle, tier)
    bench_services.bench_period_open(
        admin=alice, firm=acme, consultant=emma, start=timezone.localdate()
    )
    mission = bench_services.mission_create(consultant=emma, project=active_project)
    bench_services.mission_agreement_draw_up(admin=alice, mission=mission, mentions=mentions())
    bench_services.mission_beneficiary_accept(
        admin=nadia, mission=mission, representative=REPRESENTATIVE
    )
    with pytest.raises(BenchError):
        bench_services.mission_consent(consultant=emma, mission=mission)
    mission.refresh_from_db()
    assert mission.status != MissionStatus.ACTIVE
    assert bob.email in [m.to[0] for m in mail.outbox]
    # Once the pool holds a day, the mission starts.
    fund(circle, 5_00)
    bench_services.mission_consent(consultant=emma, mission=mission)
    mission.refresh_from_db()
    assert mission.status == MissionStatus.ACTIVE


def test_ledger_check_exits_non_zero_on_an_unbalanced_transaction(circle, acme, capsys):
    fund(circle, 10_00)
    call_command("ledger_check")
    movement = LedgerTransaction.objects.create(kind="correction", description="x", reference="bad")
    LedgerEntry.objects.create(
        transaction=movement, account=ledger.pool_account(circle), amount_cents=-50_00
    )
    # From the command line a CommandError exits with status 1.
    with pytest.raises(CommandError):
        call_command("ledger_check")
    err = capsys.readouterr().err
    assert f"transaction {movement.pk} does not balance" in err
    assert "is negative" in err
