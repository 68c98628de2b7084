"""Every list that grows with the data is cut into pages of a bounded size, and each page costs
the same number of queries whatever the size of the data (measured at two sizes, the larger one
past a page). A list page that answers without pagination, or whose query count grows with the
rows, makes these tests fail."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import Invitation, Role
from relais.accounts.tests.factories import MembershipFactory
from relais.bench.models import BenchPeriod, BenchStatus, ConsultantProfile
from relais.core.paging import PER_PAGE
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.work.models import Task, TaskStatus, TeamMember

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, PER_PAGE + 10


def _consultants(firm, count: int, start: int = 0) -> list:
    return [
        MembershipFactory(
            organisation=firm, role=Role.CONSULTANT, user__email=f"c{start + n}@acme.example"
        ).user
        for n in range(count)
    ]


def grow_bench_periods(firm, count: int) -> None:
    today = timezone.localdate()
    for n, consultant in enumerate(_consultants(firm, count, BenchPeriod.objects.count())):
        ConsultantProfile.objects.create(user=consultant, firm=firm)
        BenchPeriod.objects.create(
            consultant=consultant,
            firm=firm,
            start=today - dt.timedelta(days=n % 20),
            status=BenchStatus.OPEN,
        )


def grow_roster(firm, count: int) -> None:
    for consultant in _consultants(firm, count, ConsultantProfile.objects.count() + 1000):
        ConsultantProfile.objects.create(user=consultant, firm=firm, tjm_cents=500_00)


def grow_members(firm, count: int) -> None:
    _consultants(firm, count, 2000 + firm.memberships.count())
    for n in range(count):
        Invitation.objects.create(
            organisation=firm,
            email=f"invite{n}-{Invitation.objects.count()}@x.example",
            role=Role.CONSULTANT,
        )


def grow_proposals(count: int) -> None:
    for _ in range(count):
        ProjectFactory(status=ProjectStatus.SUBMITTED)


def grow_projects(count: int) -> None:
    for _ in range(count):
        ProjectFactory(status=ProjectStatus.ACTIVE)


def grow_tasks(project, count: int) -> None:
    first = project.tasks.count()
    tasks = Task.objects.bulk_create(
        Task(
            project=project,
            title=f"Tâche {first + n}",
            brief="À faire.",
            acceptance_criteria="Fait.",
            estimate_hours=Decimal(2),
            status=TaskStatus.READY,
            position=first + n,
        )
        for n in range(count)
    )
    # Each task needs the one before it: the board shows what blocks what.
    for previous, task in itertools.pairwise(tasks):
        task.dependencies.add(previous)


def queries_and_rows(client, url: str, row: str) -> tuple[int, int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    page = response.content.decode()
    return len(queries), len(re.findall(row, page)), page


def assert_paginated_at_constant_cost(
    client, url: str, grow: Callable[[int], None], row: str
) -> None:
    grow(SMALL)
    small_queries, small_rows, _ = queries_and_rows(client, url, row)
    grow(LARGE - SMALL)
    large_queries, large_rows, page = queries_and_rows(client, url, row)
    assert large_queries == small_queries, (url, small_queries, large_queries)
    assert small_rows >= SMALL
    assert large_rows <= PER_PAGE + SMALL  # one page, never every row
    assert 'rel="next"' in page
    second_queries, second_rows, _ = queries_and_rows(client, url + "?page=2", row)
    assert second_rows >= LARGE - PER_PAGE - SMALL
    assert second_queries <= small_queries + 1  # the page links may read one more row


def test_a_firms_bench_periods(client, alice, acme):
    client.force_login(alice)
    url = reverse("bench:bench_periods", kwargs={"organisation_pk": acme.pk})
    assert_paginated_at_constant_cost(
        client, url, lambda n: grow_bench_periods(acme, n), r"<tr>\s*<td>"
    )


def test_the_bench_periods_page_asks_for_an_email_not_a_list_of_every_consultant(
    client, alice, acme
):
    grow_bench_periods(acme, 5)
    client.force_login(alice)
    page = client.get(reverse("bench:bench_periods", kwargs={"organisation_pk": acme.pk}))
    assert page.status_code == 200
    assert 'type="email"' in page.content.decode()
    assert 'name="consultant' not in page.content.decode().split('type="email"')[0][-300:]
    assert "<select" not in page.content.decode().split("</form>")[0]


def test_a_firms_dashboard_on_the_bench_now(client, alice, acme):
    client.force_login(alice)
    url = reverse("bench:firm_dashboard", kwargs={"organisation_pk": acme.pk})
    assert_paginated_at_constant_cost(
        client, url, lambda n: grow_bench_periods(acme, n), r"<tr>\s*<td>c\d+|<tr>\s*<td>"
    )


def test_a_firms_roster(client, alice, acme):
    client.force_login(alice)
    url = reverse("bench:roster", kwargs={"organisation_pk": acme.pk})
    assert_paginated_at_constant_cost(client, url, lambda n: grow_roster(acme, n), r"<tr><td>")


def test_an_organisations_members_and_invitations(client, alice, acme):
    client.force_login(alice)
    url = reverse("accounts:organisation_detail", kwargs={"organisation_pk": acme.pk})
    assert_paginated_at_constant_cost(client, url, lambda n: grow_members(acme, n), r"<tr><td>")


def test_the_review_queue(client, operator_staff, vocabularies):
    client.force_login(operator_staff)
    assert_paginated_at_constant_cost(
        client, reverse("projects:review_queue"), grow_proposals, r"<td><a href=\"/projects/"
    )


def test_a_projects_task_board(client, les_amis, fabien, vocabularies):
    project = ProjectFactory(nonprofit=les_amis, field_lead=fabien, status=ProjectStatus.ACTIVE)
    client.force_login(fabien)
    url = reverse("work:board", kwargs={"project_pk": project.pk})
    assert_paginated_at_constant_cost(
        client, url, lambda n: grow_tasks(project, n), r"<tr>\s*<td><a href=\"/tasks/"
    )


def test_the_projects_a_consultant_on_the_bench_may_join(client, alice, acme, dora, vocabularies):
    from relais.accounts.models import Organisation

    Organisation.objects.filter(pk=acme.pk).update(verified_at=timezone.now())
    BenchPeriod.objects.create(
        consultant=dora, firm=acme, start=timezone.localdate(), status=BenchStatus.OPEN
    )
    client.force_login(dora)
    assert_paginated_at_constant_cost(
        client, reverse("bench:my_bench"), grow_projects, r"<li><a href=\"/projects/"
    )


def test_a_team_members_board_with_the_next_tasks_for_them(
    client, les_amis, fabien, dora, vocabularies
):
    from relais.work.models import Claim

    project = ProjectFactory(nonprofit=les_amis, field_lead=fabien, status=ProjectStatus.ACTIVE)
    TeamMember.objects.create(project=project, user=dora, added_by=fabien)
    grow_tasks(project, 2)
    done = project.tasks.first()
    Claim.objects.create(task=done, consultant=dora, ended_at=timezone.now())
    client.force_login(dora)
    url = reverse("work:board", kwargs={"project_pk": project.pk})
    assert_paginated_at_constant_cost(
        client, url, lambda n: grow_tasks(project, n), r"<tr>\s*<td><a href=\"/tasks/"
    )
    # The next tasks for her: the one that follows the task she did comes first.
    page = client.get(url).content.decode()
    follower = done.dependents.get()
    assert page.index(follower.title) < page.index("Tâche 5")


@pytest.fixture
def dora(acme):
    return MembershipFactory(
        organisation=acme, role=Role.CONSULTANT, user__email="dora@acme.example"
    ).user


def test_team_members_are_not_needed_to_read_the_board(client, les_amis, fabien, vocabularies):
    # The board of a project with no team answers too (the lead's view).
    project = ProjectFactory(nonprofit=les_amis, field_lead=fabien, status=ProjectStatus.ACTIVE)
    assert not TeamMember.objects.filter(project=project).exists()
    client.force_login(fabien)
    assert client.get(reverse("work:board", kwargs={"project_pk": project.pk})).status_code == 200
