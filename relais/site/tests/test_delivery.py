"""At-least-once delivery: jobs left RUNNING by a dead worker, or cut off by the database, go back
to the queue; a live worker's long job is left alone; a job that keeps failing is given up."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from relais.site.delivery import (
    MAX_ATTEMPTS,
    job_retry_if_cut_off,
    jobs_requeue_of_worker,
    jobs_requeue_stale,
    worker_beat,
)
from relais.site.tests.jobs import database_probe

pytestmark = pytest.mark.django_db


def running_job(*, minutes_ago: int, workers: list[str]) -> DBTaskResult:
    job = DBTaskResult.objects.get(pk=database_probe.enqueue(number=1).id)
    job.status = TaskResultStatus.RUNNING
    job.started_at = timezone.now() - dt.timedelta(minutes=minutes_ago)
    job.worker_ids = workers
    job.save()
    return job


def status_of(job: DBTaskResult) -> str:
    job.refresh_from_db()
    return job.status


def test_a_job_whose_worker_died_is_requeued_after_the_timeout(database_tasks, settings):
    settings.JOB_TIMEOUT_SECONDS = 600
    job = running_job(minutes_ago=11, workers=["dead-worker"])

    assert jobs_requeue_stale() == 1
    assert status_of(job) == TaskResultStatus.READY
    assert job.run_after <= timezone.now()


def test_a_recent_job_is_not_requeued(database_tasks, settings):
    settings.JOB_TIMEOUT_SECONDS = 600
    job = running_job(minutes_ago=9, workers=["dead-worker"])

    assert jobs_requeue_stale() == 0
    assert status_of(job) == TaskResultStatus.RUNNING


def test_a_long_job_of_a_live_worker_is_left_running(database_tasks, settings):
    settings.JOB_TIMEOUT_SECONDS = 600
    worker_beat(worker_id="busy-worker", started_at=timezone.now() - dt.timedelta(hours=1))
    job = running_job(minutes_ago=30, workers=["busy-worker"])

    assert jobs_requeue_stale() == 0
    assert status_of(job) == TaskResultStatus.RUNNING


def test_a_job_that_killed_its_worker_every_time_is_given_up(database_tasks, settings):
    settings.JOB_TIMEOUT_SECONDS = 600
    job = running_job(minutes_ago=11, workers=[f"w{n}" for n in range(MAX_ATTEMPTS)])

    jobs_requeue_stale()

    assert status_of(job) == TaskResultStatus.FAILED
    assert f"Gave up after {MAX_ATTEMPTS} attempts" in job.traceback


def test_a_job_cut_off_by_a_dropped_connection_is_tried_again(database_tasks):
    job = running_job(minutes_ago=0, workers=["w1"])
    job.status = TaskResultStatus.FAILED
    job.exception_class_path = "django.db.utils.OperationalError"
    job.save()

    assert job_retry_if_cut_off(job=job)
    assert status_of(job) == TaskResultStatus.READY


def test_a_job_that_failed_on_its_own_error_is_not_tried_again(database_tasks):
    job = running_job(minutes_ago=0, workers=["w1"])
    job.status = TaskResultStatus.FAILED
    job.exception_class_path = "builtins.ValueError"
    job.save()

    assert not job_retry_if_cut_off(job=job)
    assert status_of(job) == TaskResultStatus.FAILED


def test_a_worker_that_lost_its_connection_requeues_its_own_job_only(database_tasks):
    mine = running_job(minutes_ago=0, workers=["other", "me"])
    theirs = running_job(minutes_ago=0, workers=["other"])

    assert jobs_requeue_of_worker(worker_id="me") == 1
    assert status_of(mine) == TaskResultStatus.READY
    assert status_of(theirs) == TaskResultStatus.RUNNING
