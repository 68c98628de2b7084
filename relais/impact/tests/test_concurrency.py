"""Credentials issued at the same instant, with real concurrent connections on PostgreSQL: each
mission keeps exactly one valid credential, and no two credentials share a status-list bit."""

from __future__ import annotations

import pytest
from django.db import connection

from relais.accounts.models import Role
from relais.accounts.tests.factories import MembershipFactory
from relais.bench.tests.helpers import mission_started
from relais.impact import services
from relais.impact.models import Credential
from relais.work.tests.test_concurrency import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]


def test_simultaneous_issues_keep_one_valid_credential_per_mission(acme, bob, project):
    dora = MembershipFactory(
        organisation=acme, role=Role.CONSULTANT, user__email="dora@acme.example"
    ).user
    missions = [mission_started(bob, project), mission_started(dora, project)]
    results = run_together(
        [
            (lambda m=m: services.credential_issue(consultant=m.consultant, mission=m))
            for m in missions
            for _ in range(4)
        ]
    )
    assert [r for r in results if not isinstance(r, Credential)] == []
    for mission in missions:
        assert Credential.objects.filter(mission=mission, revoked_at__isnull=True).count() == 1
    indexes = list(Credential.objects.values_list("status_index", flat=True))
    assert len(indexes) == len(set(indexes)) == 8
