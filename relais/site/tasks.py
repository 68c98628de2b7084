"""The periodic run: one job that calls every periodic job and re-arms itself whatever happens."""

from __future__ import annotations

import logging

from django_tasks import task

from relais.site.periodic import periodic_jobs_run, periodic_schedule_arm

logger = logging.getLogger(__name__)


@task()
def periodic_run(*, every_seconds: int) -> dict[str, object]:
    """Arms the next run first (a worker killed in the middle still leaves it queued), runs every
    periodic job, and arms again at the end should the first arming have failed."""
    try:
        periodic_schedule_arm(every_seconds=every_seconds)
    except Exception:
        logger.exception("Could not arm the next periodic run; trying again after this one")
    try:
        return periodic_jobs_run()
    finally:
        periodic_schedule_arm(every_seconds=every_seconds)
