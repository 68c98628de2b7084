"""Twenty simultaneous ballots by one elector leave one ballot (PostgreSQL: real concurrent
connections)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from relais.campaigns import services
from relais.campaigns.models import Ballot

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]


def test_twenty_simultaneous_ballots_by_one_member_leave_one(voting, members):
    campaign, entries = voting
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def vote(i: int) -> None:
        try:
            barrier.wait()
            services.ballot_cast(by=members[0], campaign=campaign, entry_ids=[entries[i % 3].pk])
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=vote, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Ballot.objects.filter(campaign=campaign, voter=members[0]).count() == 1
