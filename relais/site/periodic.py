"""The periodic jobs, and the runner that keeps them going.

Register a job with `@periodic_job("name")`: a function without arguments that does its work
idempotently (a second run in the same hour changes nothing) and returns a small JSON-able
summary. The runner calls each one in its own transaction; one that raises is logged with its
traceback, rolled back, and the others still run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from relais.bench.services import missions_end_due, recalls_apply_due
from relais.billing.services import invoices_issue_last_month, receipts_prepare_last_year
from relais.campaigns.services import campaigns_close_due
from relais.funding.services import fees_accrue
from relais.impact.services import digests_send_due
from relais.matching.services import round_request_daily
from relais.site.delivery import jobs_requeue_stale
from relais.site.models import PeriodicSchedule
from relais.site.privacy import personal_data_retention
from relais.work.services import claims_lapse

logger = logging.getLogger(__name__)

PeriodicJob = Callable[[], object]
PERIODIC_JOBS: dict[str, PeriodicJob] = {}
SCHEDULE = "periodic"


def periodic_job(name: str) -> Callable[[PeriodicJob], PeriodicJob]:
    """Adds a function to the jobs every periodic run calls, in the order of registration."""

    def register(function: PeriodicJob) -> PeriodicJob:
        PERIODIC_JOBS[name] = function
        return function

    return register


@periodic_job("recalls_apply_due")
def _recalls_apply_due() -> object:
    return recalls_apply_due()


@periodic_job("missions_end_due")
def _missions_end_due() -> object:
    return missions_end_due()


@periodic_job("fees_accrue")
def _fees_accrue() -> object:
    return fees_accrue()


@periodic_job("invoices_issue_last_month")
def _invoices_issue_last_month() -> object:
    return invoices_issue_last_month()


@periodic_job("campaigns_close_due")
def _campaigns_close_due() -> object:
    return campaigns_close_due()


@periodic_job("receipts_prepare_last_year")
def _receipts_prepare_last_year() -> object:
    return receipts_prepare_last_year()


@periodic_job("claims_lapse")
def _claims_lapse() -> object:
    return len(claims_lapse())


@periodic_job("jobs_requeue_stale")
def _jobs_requeue_stale() -> object:
    return jobs_requeue_stale()


@periodic_job("personal_data_retention")
def _personal_data_retention() -> object:
    return personal_data_retention()


@periodic_job("matching_round_daily")
def _matching_round_daily() -> object:
    return getattr(round_request_daily(), "pk", None)


@periodic_job("digests_send_due")
def _digests_send_due() -> object:
    return digests_send_due()


def periodic_jobs_run() -> dict[str, object]:
    """Runs every periodic job once, each in its own transaction: a job that raises is logged with
    its traceback and rolled back, and the others still run."""
    outcome: dict[str, object] = {}
    for name, job in list(PERIODIC_JOBS.items()):
        try:
            with transaction.atomic():
                outcome[name] = job()
        except Exception:
            logger.exception("Periodic job %s failed; the other periodic jobs still run", name)
            outcome[name] = "failed"
    return outcome


def _runner_path() -> str:
    from relais.site.tasks import periodic_run

    return periodic_run.module_path


def periodic_schedule_arm(*, every_seconds: int, first_run_at: dt.datetime | None = None) -> bool:
    """Enqueues the next periodic run unless one is already waiting (checked under a row lock,
    so the schedule is never armed twice); False when nothing was enqueued."""
    # Imported here: the task calls this module.
    from relais.site.tasks import periodic_run

    if not periodic_run.get_backend().supports_defer:
        logger.info("The task backend runs jobs at once: periodic jobs cannot be scheduled.")
        return False
    run_at = first_run_at or timezone.now() + dt.timedelta(seconds=every_seconds)
    with transaction.atomic():
        PeriodicSchedule.objects.get_or_create(name=SCHEDULE)
        schedule = PeriodicSchedule.objects.select_for_update().get(name=SCHEDULE)
        if _run_waiting(schedule.job_id):
            return False
        result = periodic_run.using(run_after=run_at).enqueue(every_seconds=every_seconds)
        schedule.armed_at = timezone.now()
        schedule.job_id = result.id
        schedule.save(update_fields=["armed_at", "job_id"])
    return True


def _run_waiting(job_id: str) -> bool:
    """Whether a periodic run is waiting in the queue: the one last armed, asked of the backend
    that holds it (database or Redis), or, in the database queue, any other one."""
    from relais.site.tasks import periodic_run

    backend = periodic_run.get_backend()
    if job_id:
        try:
            if backend.get_result(job_id).status == TaskResultStatus.READY:
                return True
        except TaskResultDoesNotExist:
            pass
    if isinstance(backend, DatabaseBackend):
        return DBTaskResult.objects.filter(
            task_path=_runner_path(), status=TaskResultStatus.READY
        ).exists()
    return False


def periodic_runs_waiting() -> int:
    """How many periodic runs are waiting in the queue (one when the schedule is armed)."""
    return DBTaskResult.objects.filter(
        task_path=_runner_path(), status=TaskResultStatus.READY
    ).count()
