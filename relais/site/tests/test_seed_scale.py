"""`manage.py seed_scale`: the load-test data set, at a tiny scale, on PostgreSQL (it writes with
COPY); its rows obey the product's rules and the main pages answer on it."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Q

from relais.accounts.models import Membership, Organisation, Role
from relais.bench.models import BenchPeriod, ConsultantProfile, Mission, Recall
from relais.projects.models import Project
from relais.work.models import Claim, Handover, Task, TaskEvent, TeamMember, TimeEntry

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="seed_scale writes with PostgreSQL's COPY"
)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal is SQLite's")
def test_refuses_sqlite_with_a_clear_message() -> None:
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("seed_scale", scale=0.0005)
    assert not Task.objects.exists()


@pytest.mark.django_db
@on_postgresql
def test_tiny_scale_counts_rules_and_pages(client) -> None:
    call_command("seed_scale", scale=0.001)
    # 100 consultants in 2 firms (Zipf: the first is the larger), 10 projects, 1,000 tasks.
    assert ConsultantProfile.objects.count() == 100
    sizes = list(ConsultantProfile.objects.values("firm").annotate(n=Count("id")).order_by("firm"))
    assert len(sizes) == 2
    assert sizes[0]["n"] > sizes[1]["n"]
    assert Project.objects.count() == 10
    assert Task.objects.count() == 1_000
    assert Organisation.objects.filter(kind="nonprofit").count() == 2
    # Proportions of the full set: ~1.3 time entries and ~3.7 events per task.
    assert 1.1 <= TimeEntry.objects.count() / 1_000 <= 1.5
    assert 3.3 <= TaskEvent.objects.count() / 1_000 <= 4.1
    assert Handover.objects.exists()
    assert Recall.objects.exists()
    # Rules: an active mission has its three acceptances; one active claim per task, held by a
    # current team member with a mission on the project; a handover for every claim that ended
    # before its task was done.
    active = Mission.objects.filter(status="active")
    assert active.exists()
    assert not active.filter(
        Q(agreement_generated_at=None)
        | Q(beneficiary_accepted_at=None)
        | Q(consultant_agreed_at=None)
    ).exists()
    for claim in Claim.objects.select_related("task")[:200]:
        assert TeamMember.objects.filter(project=claim.task.project_id, user=claim.consultant_id)
        assert Mission.objects.filter(project=claim.task.project_id, consultant=claim.consultant_id)
    open_claims = Claim.objects.filter(ended_at=None).values("task").annotate(n=Count("id"))
    assert all(row["n"] == 1 for row in open_claims)
    early = Claim.objects.filter(end_reason__in=["released", "lapsed", "recalled"])
    assert early.count() == Handover.objects.count()
    assert all(
        BenchPeriod.objects.get(pk=r.bench_period_id).end == r.effective_date
        for r in Recall.objects.all()
    )
    assert not Task.objects.filter(estimate_hours__gt=48).exists()
    # A second run would double everything: refused.
    with pytest.raises(CommandError):
        call_command("seed_scale", scale=0.001)

    # The main pages answer on it.
    big = Task.objects.values("project").annotate(n=Count("id")).order_by("-n").first()
    assert big is not None
    project = Project.objects.get(pk=big["project"])
    firm = sizes[0]["firm"]
    admin = Membership.objects.get(organisation=firm, role=Role.FIRM_ADMIN).user
    team_member = TeamMember.objects.filter(project=project).first()
    assert team_member is not None
    member = team_member.user
    assert client.get("/projects/").status_code == 200
    assert client.get("/projects/?q=logement").status_code == 200
    assert client.get("/api/v1/projects").status_code == 200
    client.force_login(project.field_lead)
    assert client.get(f"/projects/{project.pk}/tasks/").status_code == 200
    assert client.get(f"/api/v1/projects/{project.pk}/tasks").status_code == 200
    client.force_login(member)
    assert client.get(f"/projects/{project.pk}/tasks/").status_code == 200
    client.force_login(admin)
    assert client.get(f"/firms/{firm}/").status_code == 200
    assert client.get(f"/firms/{firm}/bench/").status_code == 200
    assert client.get("/api/v1/missions").status_code == 200
