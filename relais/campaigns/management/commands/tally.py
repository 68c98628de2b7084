"""Counts a Pabulib `.pb` file: `manage.py tally FILE.pb --rule mes|mes-plain|greedy [--json]`.

The same code counts the campaigns (relais/campaigns/tally.py), so anyone can re-count the
anonymised ballots a campaign publishes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from relais.campaigns import tally


class Command(BaseCommand):
    help = "Counts a Pabulib .pb file and prints the selected project ids."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="A Pabulib .pb file.")
        parser.add_argument(
            "--rule", choices=tally.RULES, default="mes", help="The counting rule (default: mes)."
        )
        parser.add_argument(
            "--seed",
            default=None,
            help="The seed of the lot that breaks ties (default: META seed).",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the result and the rounds as JSON."
        )

    def handle(
        self, *args: Any, file: str, rule: str, seed: str | None, json: bool, **options: Any
    ) -> None:
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{file}: cannot read the file ({error.strerror}).") from error
        try:
            election = tally.parse_pb(data)
            result = tally.count(
                election, rule, seed=election.meta.get("seed", "") if seed is None else seed
            )
        except tally.PabulibError as error:
            raise CommandError(f"{file}: {error}") from error
        if json:
            self.stdout.write(_dumps(result.as_json()))
        else:
            for pid in result.selected:
                self.stdout.write(pid)


def _dumps(data: dict[str, object]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
