"""Numbers without gaps or duplicates, proven with real concurrent connections on PostgreSQL
(each thread has its own connection; SQLite's in-memory test database cannot be shared)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from relais.accounts.tests.factories import OrganisationFactory
from relais.billing.models import NumberSequence, Series
from relais.billing.services import next_number

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]

N = 20


class RolledBack(Exception):
    pass


def run_together(functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_simultaneous_issues_take_numbers_one_to_twenty():
    issuer = OrganisationFactory(name="Relais", kind="operator")

    def issue():
        with transaction.atomic():
            return next_number(issuer, Series.INVOICE, 2026)

    numbers = run_together([issue] * N)
    assert sorted(numbers) == list(range(1, N + 1))
    assert NumberSequence.objects.get(issuer=issuer).last == N


def test_a_rolled_back_issue_leaves_no_gap():
    issuer = OrganisationFactory(name="Relais", kind="operator")

    def issue(fail):
        def work():
            try:
                with transaction.atomic():
                    number = next_number(issuer, Series.CREDIT_NOTE, 2026)
                    if fail:
                        raise RolledBack(number)
                    return number
            except RolledBack:
                return None

        return work

    numbers = run_together([issue(fail=n % 3 == 0) for n in range(N)])
    kept = sorted(n for n in numbers if n is not None)
    assert kept == list(range(1, len(kept) + 1))
    assert NumberSequence.objects.get(issuer=issuer).last == len(kept)


def test_five_firms_invoiced_at_the_same_instant_get_invoices_one_to_five():
    from django.utils import timezone

    from relais.accounts.tests.factories import MembershipFactory
    from relais.billing import services
    from relais.billing.tests.conftest import self_billing
    from relais.billing.tests.helpers import (
        book_fees,
        fee_mission,
        last_month,
        operator,
        working_days_of,
    )

    operator()
    month = last_month()
    firms = []
    for n in range(5):
        admin = MembershipFactory(role="firm_admin").user
        firm = admin.memberships.get().organisation
        consultant = MembershipFactory(role="consultant", organisation=firm).user
        self_billing(admin, firm)
        book_fees(fee_mission(consultant), working_days_of(month, 1 + n), 100)
        firms.append(firm)

    def issue(firm):
        return lambda: services.invoice_prepare(firm=firm, month=month).number

    numbers = run_together([issue(firm) for firm in firms])
    year = timezone.localdate().year
    assert sorted(numbers) == [f"FA-{year}-{n:05d}" for n in range(1, 6)], numbers
