"""The RQ queue of the scale-out path (`RELAIS_TASKS_BACKEND=rq`): django-tasks-rq's backend on a
queue whose every job is tried again when it fails.

A job that fails (the mail server down or refusing, a dropped connection…) is not lost: RQ
schedules it again after `RELAIS_JOB_RETRY_SECONDS`, then twice, four times… that delay, up to
RETRIES more tries; the workers run with RQ's scheduler (`manage.py run_worker` starts it). Jobs
are written so that a second delivery has no second effect (see the README).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_rq.queues import DjangoRQ
from rq import Retry

RETRIES = 8


def retry_policy() -> Retry:
    """RETRIES more tries, each after twice the delay of the one before."""
    first = settings.JOB_RETRY_SECONDS
    return Retry(max=RETRIES, interval=[first * 2**attempt for attempt in range(RETRIES)])


class RetryingQueue(DjangoRQ):
    """django-rq's queue (set as the queue class in `RQ_QUEUES`): a job created without a retry
    policy gets `retry_policy()`."""

    def create_job(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("retry") is None:
            kwargs["retry"] = retry_policy()
        return super().create_job(*args, **kwargs)
