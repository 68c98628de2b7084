"""Every background job is delivered at least once.

A job is re-queued when its worker died while running it (its heartbeat stopped for longer than
RELAIS_JOB_TIMEOUT_SECONDS), when the worker lost its database connection in the middle of it, or
when the job itself failed on a dropped connection. Jobs are written so that a second delivery has
no second effect (see the README); after MAX_ATTEMPTS deliveries a job is marked failed instead of
being re-queued again, so one job that kills its worker cannot kill every worker for ever.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from relais.site.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A job that failed on one of these was cut off by the database, not wrong: it is tried again.
CONNECTION_ERRORS = frozenset(
    {"django.db.utils.OperationalError", "django.db.utils.InterfaceError"}
)
HEARTBEATS_KEPT = dt.timedelta(days=1)


def _timeout() -> dt.timedelta:
    return dt.timedelta(seconds=settings.JOB_TIMEOUT_SECONDS)


def _requeue(job: DBTaskResult, *, why: str, now: dt.datetime, delay: dt.timedelta) -> bool:
    """Puts a job back in the queue, or marks it failed once it has had MAX_ATTEMPTS tries."""
    attempts = len(job.worker_ids)
    if attempts >= MAX_ATTEMPTS:
        job.status = TaskResultStatus.FAILED
        job.finished_at = now
        job.exception_class_path = "relais.site.delivery.GaveUp"
        job.traceback = f"Gave up after {attempts} attempts; the last one: {why}"
        job.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
        logger.error("Job %s (%s) failed for good: %s", job.pk, job.task_path, job.traceback)
        return False
    job.status = TaskResultStatus.READY
    job.started_at = None
    job.run_after = now + delay
    job.save(update_fields=["status", "started_at", "run_after"])
    logger.warning(
        "Job %s (%s) re-queued after attempt %d: %s", job.pk, job.task_path, attempts, why
    )
    return True


def jobs_requeue_stale(*, now: dt.datetime | None = None) -> int:
    """Re-queues every job RUNNING for longer than the timeout whose worker has stopped beating
    (killed, crashed, machine gone): at-least-once delivery."""
    now = now or timezone.now()
    limit = now - _timeout()
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=limit).values_list("worker_id", flat=True)
    )
    requeued = 0
    with transaction.atomic():
        stale = (
            DBTaskResult.objects.running()
            .filter(started_at__lt=limit)
            .select_for_update(skip_locked=True)
        )
        for job in stale:
            if job.worker_ids and job.worker_ids[-1] in alive:
                continue  # a long job of a live worker: not ours to take
            worker = job.worker_ids[-1] if job.worker_ids else "?"
            requeued += _requeue(
                job, why=f"worker {worker} stopped while running it", now=now, delay=dt.timedelta()
            )
    WorkerHeartbeat.objects.filter(seen_at__lt=now - HEARTBEATS_KEPT).delete()
    return requeued


def jobs_requeue_of_worker(*, worker_id: str) -> int:
    """Re-queues the jobs a live worker left RUNNING when its database connection dropped (the
    worker runs one job at a time, so none of them is still running)."""
    now = timezone.now()
    requeued = 0
    with transaction.atomic():
        for job in DBTaskResult.objects.running().select_for_update(skip_locked=True):
            if job.worker_ids and job.worker_ids[-1] == worker_id:
                requeued += _requeue(
                    job,
                    why="the database connection dropped",
                    now=now,
                    delay=dt.timedelta(seconds=len(job.worker_ids)),
                )
    return requeued


def job_retry_if_cut_off(*, job: DBTaskResult) -> bool:
    """Re-queues a job that failed because the database connection dropped under it."""
    if job.status != TaskResultStatus.FAILED or job.exception_class_path not in CONNECTION_ERRORS:
        return False
    with transaction.atomic():
        locked = DBTaskResult.objects.select_for_update().get(pk=job.pk)
        if locked.status != TaskResultStatus.FAILED:
            return False
        return _requeue(
            locked,
            why=f"it failed on {job.exception_class_path}",
            now=timezone.now(),
            delay=dt.timedelta(seconds=len(locked.worker_ids)),
        )


def worker_beat(*, worker_id: str, started_at: dt.datetime) -> None:
    """Records that a worker is alive now."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "pid": os.getpid(),
            "hostname": socket.gethostname()[:255],
            "started_at": started_at,
            "seen_at": timezone.now(),
        },
    )


def worker_forget(*, worker_id: str) -> None:
    """Removes the heartbeat of a worker that stopped cleanly."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
