"""Money under concurrent requests, with real concurrent connections on PostgreSQL: 50 spends at
once never take a pool below zero; one month asked twice at once makes one collection run."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from relais.core.errors import Conflict
from relais.funding import ledger, services
from relais.funding.models import CollectionRun, Debit, LedgerTransaction, TransactionKind
from relais.funding.tests.conftest import balance, fund, sign
from relais.work.tests.test_concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]


def test_fifty_simultaneous_spends_never_take_the_pool_below_zero(circle, acme):
    fund(circle, 100_00)
    pool = ledger.pool_account(circle)
    payable = ledger.firm_payable_account(acme)

    def spend(n: int):
        return ledger.post(
            kind=TransactionKind.FEE,
            description=f"jour {n}",
            reference=f"fee:concurrent:{n}",
            lines=[(pool, -7_00), (payable, 7_00)],
        )

    results = run_together([lambda n=n: spend(n) for n in range(50)])
    booked = [r for r in results if isinstance(r, LedgerTransaction)]
    refused = [r for r in results if isinstance(r, ledger.PoolTooLow)]
    assert len(booked) + len(refused) == 50, [r for r in results if isinstance(r, Exception)]
    # 100 € pays 14 spends of 7 €, never a 15th.
    assert len(booked) == 14
    assert balance(circle) == 100_00 - 14 * 7_00 >= 0
    assert ledger.balance_cents(payable) == 14 * 7_00
    assert ledger.check() == []


def test_one_month_asked_twice_at_once_makes_one_run(circle, bob, tier, operator_staff):
    sign(bob, circle, tier)

    def ask():
        return services.collection_run_create(
            staff=operator_staff, period=timezone.localdate(), notify=False
        )

    results = run_together([ask, ask, ask])
    made = [r for r in results if isinstance(r, CollectionRun)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(made) == 1, results
    assert len(refused) == 2, results
    assert CollectionRun.objects.count() == 1
    assert Debit.objects.count() == 1
