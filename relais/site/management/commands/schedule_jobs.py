"""`manage.py schedule_jobs`: arms the periodic run (applying dated recalls, lapsing idle claims,
re-queueing the jobs of dead workers) unless it is already armed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from relais.site.periodic import periodic_schedule_arm


class Command(BaseCommand):
    help = (
        "Arms the periodic jobs (recalls whose date has come, idle claims, jobs of dead workers) "
        "unless a run is already waiting; each run arms the next one, whatever happens to it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every-minutes", type=int, default=60)

    def handle(self, *args: Any, every_minutes: int = 60, **options: Any) -> None:
        if every_minutes < 1:
            raise CommandError("--every-minutes must be at least 1.")
        # The first run is now: what came due while nothing ran is applied at once.
        if periodic_schedule_arm(every_seconds=every_minutes * 60, first_run_at=timezone.now()):
            self.stdout.write(f"Periodic jobs scheduled every {every_minutes} minutes.")
        else:
            self.stdout.write("Periodic jobs already scheduled (or the backend runs jobs at once).")
