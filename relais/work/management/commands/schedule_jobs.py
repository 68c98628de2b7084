from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django_tasks_db.models import DBTaskResult

from relais.work.tasks import claims_lapse_job

TASK_PATH = f"{claims_lapse_job.func.__module__}.{claims_lapse_job.func.__qualname__}"


class Command(BaseCommand):
    help = (
        "Enqueues the periodic jobs (claim lapsing, hourly) unless one is already waiting; "
        "each run enqueues the next, so the worker keeps them going."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--every-minutes", type=int, default=60)

    def handle(self, *args: Any, every_minutes: int = 60, **options: Any) -> None:
        waiting = DBTaskResult.objects.filter(task_path=TASK_PATH, status="READY").exists()
        if waiting:
            self.stdout.write("Claim lapsing is already scheduled.")
            return
        claims_lapse_job.enqueue(reschedule_minutes=every_minutes)
        self.stdout.write(f"Claim lapsing scheduled every {every_minutes} minutes.")
