"""The lists that grow with the data are read from an index (PostgreSQL's plans, checked with
EXPLAIN): the public project list newest first, the project search (`@@` on a GIN index), a
project's task board in its order and a firm's bench periods latest first. Sequential scans are
switched off so that the plan shows which index can serve the query, whatever the table's size
in the test database; for ordered lists sorting is switched off too, so that the plan shows an
index that gives the rows in their order (a plan that must still sort says "Sort")."""

from __future__ import annotations

import pytest
from django.db import connection

from relais.bench.models import BenchPeriod
from relais.projects.models import Project
from relais.projects.selectors import search
from relais.work.models import Task

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="query plans are PostgreSQL's (EXPLAIN)"
    ),
]


def plan(queryset, *, ordered: bool = False) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_sort") if ordered else ("enable_seqscan",):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_project_search_is_answered_by_the_full_text_index():
    explained = plan(search(Project.objects.all(), "jardins partagés").only("id"))
    assert "project_search" in explained
    assert "@@" in explained


def test_the_project_list_is_read_newest_first_from_its_index():
    explained = plan(Project.objects.order_by("-created_at", "-id").only("id")[:20], ordered=True)
    assert "project_newest_first" in explained
    assert "Sort " not in explained


def test_a_projects_board_is_read_in_order_from_its_index():
    explained = plan(
        Task.objects.filter(project_id=1).order_by("position", "priority", "id").only("id")[:50],
        ordered=True,
    )
    assert "task_board_order" in explained
    assert "Sort " not in explained


def test_a_firms_bench_periods_are_read_latest_first_from_their_index():
    explained = plan(
        BenchPeriod.objects.filter(firm_id=1).order_by("-start", "-id").only("id")[:50],
        ordered=True,
    )
    assert "bench_period_firm_recent" in explained
    assert "Sort " not in explained


def test_the_missions_a_person_may_see_are_found_through_indexes_not_a_scan(alice, nadia):
    from relais.bench.access import missions_for

    for person in (alice, nadia):
        explained = plan(missions_for(person).only("id"))
        assert "Seq Scan on bench_mission" not in explained
        assert "bench_mission_firm_id" in explained or "bench_mission_consultant_id" in explained
