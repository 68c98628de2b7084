"""Checks the ledger: every transaction balances, no circle's pool is below zero."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from relais.funding import ledger


class Command(BaseCommand):
    help = "Checks that every ledger transaction balances and no pool is negative."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = ledger.check()
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(f"{len(problems)} problem(s) in the ledger.")
        self.stdout.write(self.style.SUCCESS("The ledger balances; no pool is negative."))
