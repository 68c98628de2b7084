"""Makes the fee invoices of a past month (the periodic job does it in the first days of each
month; staff run this for a given month). Running it twice makes nothing more."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from relais.billing import services
from relais.core.errors import ServiceError


class Command(BaseCommand):
    help = "Makes the fee invoices of a past month (YYYY-MM); idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("month", help="The month to invoice, as YYYY-MM.")

    def handle(self, *args: Any, month: str, **options: Any) -> None:
        try:
            year, number = (int(part) for part in month.split("-"))
            first = dt.date(year, number, 1)
        except ValueError as error:
            raise CommandError(f"{month!r} is not a month written YYYY-MM.") from error
        try:
            made = services.invoices_issue_month(month=first)
        except ServiceError as error:
            raise CommandError(str(error)) from error
        for invoice in made:
            self.stdout.write(
                f"{invoice.firm.name}: {invoice.number or 'draft'} "
                f"({invoice.total_ttc_cents / 100:.2f} €)"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(made)} invoice(s) made for {month}."))
