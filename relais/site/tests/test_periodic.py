"""The periodic run: every periodic job runs, one that raises stops neither the others nor the
schedule, the schedule is armed once, and a second run has no second effect."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from relais.site import periodic
from relais.site.periodic import periodic_runs_waiting
from relais.site.tasks import periodic_run
from relais.work.models import Handover
from relais.work.tasks import claim_ended_notify


@pytest.fixture
def run_due_jobs(monkeypatch):
    """Runs every job that is due, as a worker would, then returns (inside the test's transaction,
    which the worker's between-jobs connection check would otherwise close)."""
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run() -> None:
        Worker(
            queue_names=["default"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="test-worker",
            excluded_queue_names=[],
        ).run()

    return run


def runs(status: str):
    return DBTaskResult.objects.filter(task_path=periodic_run.module_path, status=status)


def make_the_next_run_due() -> None:
    runs(TaskResultStatus.READY).update(run_after=timezone.now())


@pytest.mark.django_db
def test_schedule_jobs_arms_a_single_run_however_often_it_is_called(database_tasks):
    call_command("schedule_jobs")
    call_command("schedule_jobs")
    assert periodic_runs_waiting() == 1


def test_the_periodic_run_lapses_an_idle_claim_once_and_arms_the_next_run(
    database_tasks, idle_claim, django_capture_on_commit_callbacks, run_due_jobs
):
    call_command("schedule_jobs", every_minutes=60)
    with django_capture_on_commit_callbacks(execute=True):
        run_due_jobs()

    idle_claim.refresh_from_db()
    assert idle_claim.ended_at is not None
    waiting = runs(TaskResultStatus.READY).get()
    assert waiting.run_after > timezone.now() + dt.timedelta(minutes=59)

    make_the_next_run_due()
    with django_capture_on_commit_callbacks(execute=True):
        run_due_jobs()

    assert runs(TaskResultStatus.SUCCESSFUL).count() == 2
    assert Handover.objects.filter(claim=idle_claim).count() == 1
    told = DBTaskResult.objects.filter(task_path=claim_ended_notify.module_path)
    assert told.count() == 1
    assert periodic_runs_waiting() == 1


def test_a_periodic_job_that_raises_is_logged_and_neither_the_others_nor_the_next_run_stop(
    database_tasks, idle_claim, monkeypatch, caplog, run_due_jobs
):
    def broken() -> object:
        raise RuntimeError("the mail server is on fire")

    monkeypatch.setattr(periodic, "PERIODIC_JOBS", {"broken": broken, **periodic.PERIODIC_JOBS})
    call_command("schedule_jobs")
    run_due_jobs()

    idle_claim.refresh_from_db()
    assert idle_claim.ended_at is not None, "the job after the broken one still ran"
    assert "Periodic job broken failed" in caplog.text
    assert "RuntimeError: the mail server is on fire" in caplog.text, "with its traceback"
    first = runs(TaskResultStatus.SUCCESSFUL).get()
    assert first.return_value["broken"] == "failed"
    assert first.return_value["claims_lapse"] == 1
    assert periodic_runs_waiting() == 1

    caplog.clear()
    make_the_next_run_due()
    run_due_jobs()

    assert runs(TaskResultStatus.SUCCESSFUL).count() == 2, "the next run happened"
    assert "Periodic job broken failed" in caplog.text
    assert periodic_runs_waiting() == 1


def test_a_periodic_job_that_raises_leaves_no_half_done_change(
    database_tasks, idle_claim, monkeypatch
):
    from relais.work.services import claims_lapse

    def lapse_then_fail() -> object:
        claims_lapse()
        raise RuntimeError("after the lapse")

    monkeypatch.setattr(periodic, "PERIODIC_JOBS", {"claims_lapse": lapse_then_fail})
    assert periodic.periodic_jobs_run() == {"claims_lapse": "failed"}

    idle_claim.refresh_from_db()
    assert idle_claim.ended_at is None
    assert not Handover.objects.filter(claim=idle_claim).exists()


@pytest.mark.django_db
def test_schedule_jobs_says_so_when_jobs_run_at_once(capsys):
    call_command("schedule_jobs")
    assert "runs jobs at once" in capsys.readouterr().out
