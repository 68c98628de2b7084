"""Simultaneous roster imports, with real concurrent connections on PostgreSQL: each succeeds or
gets a clear message, never a 500, never two accounts for one address."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count

from relais.accounts.models import Membership, OrganisationKind, Role, User
from relais.accounts.tests.factories import MembershipFactory, OrganisationFactory
from relais.bench import services
from relais.bench.models import ConsultantProfile
from relais.bench.roster import RosterRow
from relais.work.tests.test_concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]


def rows(count: int = 30) -> list[RosterRow]:
    return [
        RosterRow(
            line=n + 2,
            email=f"c{n}@commun.example",
            first_name=f"P{n}",
            last_name=f"N{n}",
            tjm_cents=500_00,
            employee_id=f"E{n}",
        )
        for n in range(count)
    ]


def firm_with_admin(name: str):
    firm = OrganisationFactory(name=name, kind=OrganisationKind.FIRM)
    admin = MembershipFactory(
        organisation=firm, role=Role.FIRM_ADMIN, user__email=f"admin@{name}.example"
    ).user
    return firm, admin


def test_two_simultaneous_imports_of_one_roster_by_one_firm_both_succeed_once():
    firm, admin = firm_with_admin("acme")
    results = run_together(
        [lambda: services.roster_apply(admin=admin, firm=firm, rows=rows()) for _ in range(2)]
    )
    assert all(isinstance(result, dict) for result in results), results
    # Serialised on the firm: one created the consultants, the other found them unchanged.
    assert sorted(result["created"] for result in results) == [0, 30]
    assert sorted(result["unchanged"] for result in results) == [0, 30]
    assert User.objects.filter(email__endswith="@commun.example").count() == 30
    assert ConsultantProfile.objects.filter(firm=firm).count() == 30


def test_two_firms_importing_the_same_new_addresses_at_once_never_make_a_500_or_twins():
    firms = [firm_with_admin("alpha"), firm_with_admin("beta")]
    results = run_together(
        [
            lambda firm=firm, admin=admin: services.roster_apply(
                admin=admin, firm=firm, rows=rows()
            )
            for firm, admin in firms
        ]
    )
    for result in results:
        assert isinstance(result, dict | ValidationError), result
    assert any(isinstance(result, dict) for result in results)
    duplicates = (
        User.objects.filter(email__endswith="@commun.example")
        .values("email")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
    assert User.objects.filter(email__endswith="@commun.example").count() == 30
    # Whoever came second either got a clear message or invited the accounts the first created:
    # no account was linked to two firms.
    linked = Membership.objects.filter(user__email__endswith="@commun.example")
    assert linked.values("user").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    refused = [r for r in results if isinstance(r, ValidationError)]
    for error in refused:
        assert "nothing was imported" in error.messages[0] or "rien" in error.messages[0]
