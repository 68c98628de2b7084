"""`manage.py run_worker`: the db_worker loop that survives (see relais/site/worker.py), or RQ's
worker with its scheduler when `RELAIS_TASKS_BACKEND=rq` (relais/site/rq.py)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from relais.site.worker import RobustWorker


class Command(DbWorkerCommand):
    help = (
        "Runs the background worker: beats while alive, re-queues the jobs of dead workers, and "
        "survives a dropped database connection. `make run` restarts it should it die."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        if settings.TASKS_BACKEND == "rq":
            # db_worker checks that --backend names a database backend: not so under RQ.
            for action in parser._actions:
                if action.dest == "backend_name":
                    action.type = str

    def handle(
        self,
        *,
        verbosity: int,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        startup_delay: bool,
        max_tasks: int | None,
        worker_id: str,
        exclude_queues: str,
        **options: Any,
    ) -> None:
        if settings.TASKS_BACKEND == "rq":
            # Scale-out: RQ's worker, with its scheduler (retries and deferred jobs run on time).
            call_command(
                "rqworker",
                *[name for name in queue_name.split(",") if name != "*"] or ["default"],
                with_scheduler=True,
                job_class="django_tasks_rq.backend.Job",
                burst=batch,
                max_jobs=max_tasks,
                name=worker_id or None,
                verbosity=verbosity,
            )
            return
        self.configure_logging(verbosity)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = RobustWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        worker.configure_signals()
        worker.run()
