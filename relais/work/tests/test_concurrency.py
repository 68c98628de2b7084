"""Concurrency guarantees, proven with real concurrent connections on PostgreSQL (each thread
has its own connection; SQLite's in-memory test database cannot be shared between threads)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection

from relais.accounts.models import Role
from relais.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from relais.bench.tests.helpers import mission_started
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.work import services
from relais.work.models import Claim, TaskStatus

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
    ),
]


def run_together(functions):
    """Starts every function at the same instant, each in its own thread and connection."""
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


def test_of_twenty_simultaneous_claims_exactly_one_wins():
    lead = UserFactory(email="lead@amis.example")
    nonprofit = OrganisationFactory(kind="nonprofit", siren="", rna="W751111111")
    MembershipFactory(user=lead, organisation=nonprofit, role=Role.FIELD_LEAD)
    project = ProjectFactory(nonprofit=nonprofit, field_lead=lead, status=ProjectStatus.ACTIVE)
    task = services.task_create(
        lead=lead,
        project=project,
        title="Une tâche",
        brief="b",
        acceptance_criteria="c",
        estimate_hours=Decimal(4),
    )
    services.task_publish(lead=lead, task=task)
    consultants = []
    for n in range(20):
        user = MembershipFactory(role=Role.CONSULTANT, user__email=f"c{n}@esn.example").user
        mission_started(user, project)
        consultants.append(user)

    results = run_together(
        [lambda user=user: services.task_claim(consultant=user, task=task) for user in consultants]
    )

    winners = [r for r in results if isinstance(r, Claim)]
    taken = [r for r in results if isinstance(r, services.TaskTaken)]
    assert len(winners) == 1
    assert len(taken) == 19
    assert "already taken" in str(taken[0]) or "déjà prise" in str(taken[0])
    assert Claim.objects.filter(task=task, ended_at__isnull=True).count() == 1
    task.refresh_from_db()
    assert task.status == TaskStatus.CLAIMED


def test_simultaneous_claims_by_one_consultant_respect_the_limit(settings):
    settings.MAX_ACTIVE_CLAIMS = 2
    lead = UserFactory(email="lead2@amis.example")
    nonprofit = OrganisationFactory(kind="nonprofit", siren="", rna="W752222222")
    MembershipFactory(user=lead, organisation=nonprofit, role=Role.FIELD_LEAD)
    project = ProjectFactory(nonprofit=nonprofit, field_lead=lead, status=ProjectStatus.ACTIVE)
    consultant = MembershipFactory(role=Role.CONSULTANT, user__email="solo@esn.example").user
    mission_started(consultant, project)
    tasks = []
    for n in range(6):
        task = services.task_create(
            lead=lead,
            project=project,
            title=f"T{n}",
            brief="b",
            acceptance_criteria="c",
            estimate_hours=Decimal(2),
        )
        tasks.append(services.task_publish(lead=lead, task=task))

    run_together([lambda t=t: services.task_claim(consultant=consultant, task=t) for t in tasks])

    assert Claim.objects.filter(consultant=consultant, ended_at__isnull=True).count() == 2


@pytest.mark.parametrize("round_", range(5))
def test_a_recall_applied_while_the_consultant_claims_another_task_leaves_no_active_claim(round_):
    """recall_apply takes the consultant's row lock that task_claim takes, and a claim checks the
    mission under that lock: whichever runs first, no claim survives the recall."""
    from relais.bench import services as bench_services
    from relais.bench.models import BenchPeriod, MissionStatus

    lead = UserFactory(email=f"lead-recall{round_}@amis.example")
    nonprofit = OrganisationFactory(kind="nonprofit", siren="", rna=f"W75333333{round_}")
    MembershipFactory(user=lead, organisation=nonprofit, role=Role.FIELD_LEAD)
    project = ProjectFactory(nonprofit=nonprofit, field_lead=lead, status=ProjectStatus.ACTIVE)
    consultant = MembershipFactory(
        role=Role.CONSULTANT, user__email=f"rappel{round_}@esn.example"
    ).user
    mission = mission_started(consultant, project)
    tasks = []
    for title in ("Tenue", "Convoitée"):
        task = services.task_create(
            lead=lead,
            project=project,
            title=title,
            brief="b",
            acceptance_criteria="c",
            estimate_hours=Decimal(2),
        )
        tasks.append(services.task_publish(lead=lead, task=task))
    held, wanted = tasks
    services.task_claim(consultant=consultant, task=held)
    period = BenchPeriod.objects.get(pk=mission.bench_period_id)
    admin = period.firm.memberships.get(role=Role.FIRM_ADMIN).user

    results = run_together(
        [
            lambda: bench_services.bench_period_recall(actor=admin, period=period),
            lambda: services.task_claim(consultant=consultant, task=wanted),
        ]
    )

    assert not any(
        isinstance(r, Exception) and not isinstance(r, services.WorkError) for r in results
    )
    assert not Claim.objects.filter(consultant=consultant, ended_at__isnull=True).exists()
    mission.refresh_from_db()
    assert mission.status == MissionStatus.ENDED
    for task in tasks:
        task.refresh_from_db()
        assert task.status == TaskStatus.READY
