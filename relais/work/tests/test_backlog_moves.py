"""Moving a task in the backlog: it trades places with its neighbour only, so a move locks and
writes two rows, never the whole backlog; two tasks sharing a position are still moved correctly.
The PostgreSQL tests use real concurrent connections and EXPLAIN."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from relais.accounts.models import Role
from relais.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.work import services
from relais.work.models import Task
from relais.work.selectors import backlog_neighbours

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (row locks, EXPLAIN)"
)


def order(project) -> list[str]:
    return list(Task.objects.filter(project=project).values_list("title", flat=True))


def backlog(count: int):
    lead = UserFactory(email="lead@amis.example")
    nonprofit = OrganisationFactory(kind="nonprofit", siren="", rna="W751111112")
    MembershipFactory(user=lead, organisation=nonprofit, role=Role.FIELD_LEAD)
    project = ProjectFactory(nonprofit=nonprofit, field_lead=lead, status=ProjectStatus.ACTIVE)
    tasks = [
        services.task_create(
            lead=lead,
            project=project,
            title=f"T{n}",
            brief="b",
            acceptance_criteria="c",
            estimate_hours=Decimal(2),
        )
        for n in range(count)
    ]
    return lead, project, tasks


@pytest.mark.django_db
def test_a_task_moves_one_place_each_way_and_not_past_either_end():
    lead, project, (t0, t1, t2) = backlog(3)
    assert services.task_move(lead=lead, task=t2, direction=-1) is True
    assert order(project) == ["T0", "T2", "T1"]
    assert services.task_move(lead=lead, task=t0, direction=+1) is True
    assert order(project) == ["T2", "T0", "T1"]
    assert services.task_move(lead=lead, task=t2, direction=-1) is False
    assert services.task_move(lead=lead, task=t1, direction=+1) is False
    assert order(project) == ["T2", "T0", "T1"]
    positions = list(Task.objects.filter(project=project).values_list("position", flat=True))
    assert len(set(positions)) == 3


@pytest.mark.django_db
def test_tasks_sharing_a_position_still_trade_places():
    lead, project, (_t0, _t1, t2) = backlog(3)
    # Rows from before positions were kept distinct: all three at one position.
    Task.objects.filter(project=project).update(position=7)
    assert order(project) == ["T0", "T1", "T2"]
    assert services.task_move(lead=lead, task=t2, direction=-1) is True
    assert order(project) == ["T0", "T2", "T1"]
    positions = list(Task.objects.filter(project=project).values_list("position", flat=True))
    assert len(set(positions)) == 3, "the backlog was given distinct positions"


@on_postgresql
@pytest.mark.django_db
def test_the_neighbour_is_one_probe_of_the_board_index():
    _lead, _project, (_t0, t1, _t2) = backlog(3)
    for direction in (-1, +1):
        sql, params = backlog_neighbours(t1, direction).only("id")[:1].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
            explained = "\n".join(row[0] for row in cursor.fetchall())
        assert "task_board_order" in explained
        assert "Sort " not in explained
        # The row comparison is a bound of the index scan, not a filter over the backlog.
        index_cond = next(line for line in explained.splitlines() if "Index Cond" in line)
        assert "ROW(" in index_cond or "(position, priority, id)" in index_cond, explained


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_move_waits_for_nothing_but_the_two_tasks_it_moves():
    """A lead moves T1 up and has not committed yet: another lead's move of T8 and T9 is not
    held up (the whole backlog used to be locked), and both moves land."""
    lead, project, tasks = backlog(10)
    first_moved = threading.Event()
    second_done = threading.Event()
    errors: list[BaseException] = []

    def slow_move() -> None:
        try:
            with transaction.atomic():
                services.task_move(lead=lead, task=tasks[1], direction=-1)
                first_moved.set()
                # Held open until the other move is done (or 20 s, and the test fails).
                second_done.wait(20)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_move)
    thread.start()
    assert first_moved.wait(20)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '3s'")
            assert services.task_move(lead=lead, task=tasks[9], direction=-1) is True
    finally:
        second_done.set()
        thread.join()
    assert not errors
    titles = order(project)
    assert titles[:2] == ["T1", "T0"]
    assert titles[-2:] == ["T9", "T8"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_simultaneous_moves_keep_one_order_with_distinct_positions():
    lead, project, tasks = backlog(6)
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def move(task, direction) -> None:
        try:
            barrier.wait()
            services.task_move(lead=lead, task=task, direction=direction)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=move, args=(task, -1 if n % 2 else +1))
        for n, task in enumerate(tasks)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Neither a deadlock nor a lost move: a move may only be refused as a conflict to retry.
    assert all(isinstance(error, services.Conflict) for error in errors), errors
    rows = list(Task.objects.filter(project=project).values_list("title", "position"))
    assert sorted(title for title, _position in rows) == [f"T{n}" for n in range(6)]
    assert len({position for _title, position in rows}) == 6
