"""Fault tests with real processes on PostgreSQL: a worker killed with SIGKILL in the middle of a
job, and database connections dropped under load. They never sleep: they poll with a deadline."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from relais.site.tests.conftest import DATABASE_TASKS
from relais.site.tests.jobs import database_probe, lapse_then_hang
from relais.work.models import Claim, Handover
from relais.work.tasks import claim_ended_notify

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs real processes on PostgreSQL"
    ),
]

DEADLINE_SECONDS = 60
TIMEOUT_SECONDS = 2


def wait_until(condition: Callable[[], object], what: str) -> None:
    """Polls until the condition holds, failing with `what` after the deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Still waiting after {DEADLINE_SECONDS} s: {what}")
        time.sleep(0.05)


class Processes:
    """Starts manage.py commands on the test database and stops them all at the end."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "relais.settings",
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            ),
            "RELAIS_DB_CONN_MAX_AGE": "60",
            "RELAIS_TASKS_BACKEND": "database",
            "RELAIS_JOB_TIMEOUT_SECONDS": str(TIMEOUT_SECONDS),
            "RELAIS_SECRET_KEY": "fault-tests-" + "k" * 50,
            "RELAIS_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.started.append(process)
        return process

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        return self.start(
            name, "run_worker", "--interval", "0.05", "--no-startup-delay", "--worker-id", name
        )

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=DEADLINE_SECONDS)


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # fails clearly here when PostgreSQL is configured but down
    running = Processes(tmp_path)
    yield running
    running.stop_all()


def job_status(pk: object) -> str:
    return DBTaskResult.objects.get(pk=pk).status


@pytest.mark.parametrize("inside_transaction", [True, False], ids=["mid-transaction", "after"])
def test_a_job_whose_worker_is_killed_runs_again_and_has_its_effect_once(
    settings, processes, idle_claim, tmp_path, inside_transaction
):
    settings.TASKS = DATABASE_TASKS
    started = tmp_path / "started"
    job = lapse_then_hang.enqueue(started_file=str(started), inside_transaction=inside_transaction)
    first = processes.worker("first")
    wait_until(started.exists, "the job to start on the first worker")

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=DEADLINE_SECONDS)
    assert job_status(job.id) == TaskResultStatus.RUNNING, "left RUNNING by the dead worker"
    claim = Claim.objects.get(pk=idle_claim.pk)
    assert (claim.ended_at is None) == inside_transaction, "a killed transaction is rolled back"

    second = processes.worker("second")
    wait_until(
        lambda: job_status(job.id) == TaskResultStatus.SUCCESSFUL,
        "the job to be re-queued and run by the second worker",
    )

    result = DBTaskResult.objects.get(pk=job.id)
    assert result.worker_ids == ["first", "second"]
    assert result.return_value == (1 if inside_transaction else 0)
    claim.refresh_from_db()
    assert claim.ended_at is not None
    assert Handover.objects.filter(claim=claim).count() == 1
    assert DBTaskResult.objects.filter(task_path=claim_ended_notify.module_path).count() == 1
    assert "re-queued" in processes.log("second")
    assert second.poll() is None


def get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=DEADLINE_SECONDS) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def drop_every_other_connection() -> int:
    """Terminates every connection to the test database but this one (the web's, the worker's)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_after_the_database_drops_every_connection_requests_succeed_and_the_worker_goes_on(
    settings, processes
):
    settings.TASKS = DATABASE_TASKS
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1/projects"
    web = processes.start("web", "runserver", "--noreload", "--nothreading", f"127.0.0.1:{port}")
    worker = processes.worker("worker")

    def web_answers() -> bool:
        try:
            return get(url) == 200
        except OSError:
            return False

    wait_until(web_answers, "the web server to answer")
    jobs = []
    for round_ in range(4):
        jobs += [database_probe.enqueue(number=round_ * 10 + n).id for n in range(5)]
        assert get(url) == 200
        wait_until(
            lambda: (
                DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
                or not DBTaskResult.objects.filter(status=TaskResultStatus.READY).exists()
            ),
            "the worker to be busy",
        )
        assert drop_every_other_connection() >= 1
        statuses = [get(url) for _ in range(5)]
        assert statuses == [200] * 5, f"round {round_}: {statuses}\n{processes.log('web')}"

    wait_until(
        lambda: (
            DBTaskResult.objects.filter(pk__in=jobs, status=TaskResultStatus.SUCCESSFUL).count()
            == len(jobs)
        ),
        f"every job to succeed\n{processes.log('worker')}",
    )
    assert web.poll() is None
    assert worker.poll() is None, processes.log("worker")
    late = database_probe.enqueue(number=99)
    wait_until(
        lambda: job_status(late.id) == TaskResultStatus.SUCCESSFUL,
        "a job enqueued after the last drop to run",
    )
