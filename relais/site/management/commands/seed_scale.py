"""Fill a PostgreSQL database with the national-scale load-test data set (relais/site/scale.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relais_scale manage.py migrate
    DATABASE_URL=... manage.py seed_scale --scale 0.02

Rows are written directly with COPY, not through the services (see relais/site/scale.py): it is a
load generator. PostgreSQL only; the database must be freshly migrated.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relais.site.scale import ScaleError, seed_scale


class Command(BaseCommand):
    help = "Fill an empty PostgreSQL database with the load-test data set (1 = national scale)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=float, default=1.0, help="fraction of the full data set (0 < x <= 1)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed")
        parser.add_argument(
            "--today",
            type=date.fromisoformat,
            default=None,
            help="the day the data set is seen from, YYYY-MM-DD (default: today)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale = options["scale"]
        if not 0 < scale <= 1:
            raise CommandError("--scale must be a fraction between 0 (excluded) and 1.")
        started = time.monotonic()
        try:
            counts = seed_scale(scale, seed=options["seed"], today=options["today"])
        except ScaleError as error:
            raise CommandError(str(error)) from error
        for name, number in counts.rows.items():
            self.stdout.write(f"{name}: {number:,}")
        self.stdout.write(f"done in {time.monotonic() - started:.1f} s (scale {scale})")
