"""The background worker that survives: django-tasks-db's worker loop, plus a heartbeat, the
re-queueing of jobs whose worker died, and recovery from a dropped database connection."""

from __future__ import annotations

import contextlib
import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connections
from django.db.utils import DatabaseError, InterfaceError, OperationalError
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from relais.site.delivery import (
    job_retry_if_cut_off,
    jobs_requeue_of_worker,
    jobs_requeue_stale,
    worker_beat,
    worker_forget,
)

logger = logging.getLogger(__name__)

BACKOFF_FIRST = 0.5
BACKOFF_MAX = 30.0


def _close_connections() -> None:
    """Drops this thread's connections, even broken ones, so the next query opens a fresh one."""
    for conn in connections.all(initialized_only=True):
        try:
            conn.close()
        except DatabaseError:
            conn.connection = None


class Heartbeat(threading.Thread):
    """Beats for the worker every few seconds and re-queues the jobs of dead workers; it has its
    own database connection and outlives database outages."""

    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self.started_at = timezone.now()
        self.interval = max(0.5, min(settings.JOB_TIMEOUT_SECONDS / 3, 60.0))
        self.stopping = threading.Event()

    def beat(self) -> None:
        try:
            worker_beat(worker_id=self.worker_id, started_at=self.started_at)
            jobs_requeue_stale()
        except DatabaseError:
            logger.warning("Worker %s: heartbeat missed (database unavailable)", self.worker_id)
            _close_connections()
        except Exception:
            logger.exception("Worker %s: heartbeat failed", self.worker_id)

    def run(self) -> None:
        try:
            while not self.stopping.wait(self.interval):
                self.beat()
        finally:
            _close_connections()


class RobustWorker(Worker):
    """A db_worker that beats, re-queues what dead workers left, and keeps going when the database
    connection drops (it closes it, backs off, re-queues its interrupted job, and carries on)."""

    def run(self) -> None:
        heartbeat = Heartbeat(self.worker_id)
        backoff = BACKOFF_FIRST
        while self.running:
            try:
                if not heartbeat.is_alive():
                    # When the worker starts: beat, then take back what dead workers left.
                    heartbeat.beat()
                    heartbeat.start()
                super().run()
                break  # --batch or --max-tasks reached
            except (OperationalError, InterfaceError) as error:
                logger.warning(
                    "Worker %s: database connection lost (%s); retrying in %.1f s",
                    self.worker_id,
                    str(error).strip() or type(error).__name__,
                    backoff,
                )
                self.running_task = False
                self.startup_delay = False
                _close_connections()
                time.sleep(backoff)
                backoff = BACKOFF_FIRST if self._recover() else min(backoff * 2, BACKOFF_MAX)
        heartbeat.stopping.set()
        with contextlib.suppress(DatabaseError):
            worker_forget(worker_id=self.worker_id)

    def _recover(self) -> bool:
        """Re-queues the job the dropped connection interrupted; False while the database does
        not answer."""
        try:
            close_old_connections()
            jobs_requeue_of_worker(worker_id=self.worker_id)
        except DatabaseError:
            _close_connections()
            return False
        return True

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        job_retry_if_cut_off(job=db_task_result)
