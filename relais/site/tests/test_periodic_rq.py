"""Under the scale-out backend (`RELAIS_TASKS_BACKEND=rq`) the periodic run waits in Redis, not in
the database: `schedule_jobs` run at every start of every server still arms a single chain.

Needs Redis: database 13 of RELAIS_TEST_REDIS_URL's server, which this test erases. Without Redis
the test is skipped, unless RELAIS_REQUIRE_REDIS=1 (CI) turns the skip into a failure.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings
from django_tasks import TaskResultStatus

from relais.conftest import REDIS_URL, REQUIRE_REDIS
from relais.site.models import PeriodicSchedule
from relais.site.periodic import SCHEDULE
from relais.site.tasks import periodic_run

pytestmark = pytest.mark.django_db

RQ_TEST_URL = REDIS_URL.rsplit("/", 1)[0] + "/13"


@pytest.fixture
def rq_queue():
    """The RQ backend on an emptied Redis database; yields its queue."""
    import redis
    from rq import Queue

    server = redis.Redis.from_url(RQ_TEST_URL, socket_connect_timeout=2)
    try:
        server.ping()
    except redis.exceptions.ConnectionError as error:
        message = f"Redis is not reachable at {RQ_TEST_URL} ({error})"
        if REQUIRE_REDIS:
            pytest.fail(message)
        pytest.skip(message)
    server.flushdb()
    rq_settings = {
        "TASKS": {"default": {"BACKEND": "django_tasks_rq.RQBackend"}},
        "RQ_QUEUES": {
            "default": {"URL": RQ_TEST_URL, "QUEUE_CLASS": "relais.site.rq.RetryingQueue"}
        },
    }
    with override_settings(**rq_settings):
        yield Queue("default", connection=server)
    server.flushdb()


def test_schedule_jobs_arms_one_chain_in_redis_however_often_servers_start(rq_queue):
    for _start in range(3):
        call_command("schedule_jobs")
    waiting = rq_queue.scheduled_job_registry.get_job_ids() + rq_queue.get_job_ids()
    assert len(waiting) == 1, "one periodic run waits, not one per start"
    (job_id,) = waiting
    assert rq_queue.fetch_job(job_id).func_name == periodic_run.module_path
    schedule = PeriodicSchedule.objects.get(name=SCHEDULE)
    assert schedule.job_id == job_id
    assert periodic_run.get_backend().get_result(job_id).status == TaskResultStatus.READY


def test_a_run_lost_from_redis_is_armed_again(rq_queue):
    call_command("schedule_jobs")
    (lost,) = rq_queue.scheduled_job_registry.get_job_ids() + rq_queue.get_job_ids()
    # Redis lost the queue (flushed, restarted without persistence): the next start re-arms.
    rq_queue.connection.flushdb()
    call_command("schedule_jobs")
    (armed,) = rq_queue.scheduled_job_registry.get_job_ids() + rq_queue.get_job_ids()
    assert armed != lost
    assert PeriodicSchedule.objects.get(name=SCHEDULE).job_id == armed
