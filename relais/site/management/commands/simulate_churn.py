"""Run the churn simulation (relais/site/churn.py): a synthetic project worked by consultants who
come and go, through the real services under a simulated clock, and its report.

    manage.py simulate_churn [--seed N] [--weeks N] [--consultants N] [--tasks N]
                             [--lapse-hours H | --compare-lapse 24,48,72] [--written-share S]
                             [--start YYYY-MM-DD] [--json] [--keep]

Everything is rolled back at the end (nothing is written, nobody is told) unless --keep, which
needs an empty database. A bad option gets a one-line message and exit status 2.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relais.accounts.models import User
from relais.site.churn import DEFAULT_START, ChurnConfig, ChurnReport, simulate_lapses

# The largest run the command accepts: two years, a team of 200, 2,000 tasks, a lapse of 60 days.
LIMITS = {"weeks": 104, "consultants": 200, "tasks": 2000}
MAX_LAPSE_HOURS = 24 * 60


def _bad(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _integer(name: str, value: str, low: int, high: int | None = None) -> int:
    try:
        number = int(value)
    except ValueError:
        raise _bad(f"--{name} must be a whole number, not {value!r}.") from None
    if number < low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise _bad(f"--{name} must be {bound} (got {number}).")
    return number


def _hours(name: str, value: str) -> float:
    try:
        hours = float(value)
    except ValueError:
        raise _bad(f"--{name} takes hours, such as 48, not {value!r}.") from None
    if not 0 < hours <= MAX_LAPSE_HOURS:
        raise _bad(f"--{name} must be more than 0 and at most {MAX_LAPSE_HOURS} hours.")
    return hours


class Command(BaseCommand):
    help = (
        "Simulates consultants coming and going on a synthetic project through the real "
        "services, and reports the hours that end in accepted work, the hours lost at each "
        "handover and a newcomer's time to first submission. Rolled back unless --keep."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Parsed here rather than by argparse, so that a bad value gets one line and status 2.
        parser.add_argument("--seed", default="2026", help="random seed (default 2026)")
        parser.add_argument("--weeks", default="12", help="simulated weeks (default 12)")
        parser.add_argument(
            "--consultants", default="8", help="places in the team, kept filled (default 8)"
        )
        parser.add_argument("--tasks", default="192", help="tasks in the backlog (default 192)")
        parser.add_argument(
            "--lapse-hours",
            default=None,
            help="idle hours before a claim lapses (default: RELAIS_CLAIM_LAPSE_DAYS × 24)",
        )
        parser.add_argument(
            "--compare-lapse",
            default=None,
            help="comma-separated lapse times in hours: one run and one row per value",
        )
        parser.add_argument(
            "--written-share",
            default="0.6",
            help="share of leavers who write their handover when prompted (default 0.6)",
        )
        parser.add_argument(
            "--start",
            default=DEFAULT_START.isoformat(),
            help=f"first simulated day, YYYY-MM-DD (default {DEFAULT_START.isoformat()})",
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument(
            "--keep", action="store_true", help="keep the simulated data (empty database only)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        config = self._config(options)
        lapses: list[float | None] = [config.lapse_hours]
        if options["compare_lapse"] is not None:
            if options["lapse_hours"] is not None:
                raise _bad("Give --lapse-hours or --compare-lapse, not both.")
            values = [v.strip() for v in options["compare_lapse"].split(",")]
            lapses = [_hours("compare-lapse", v) for v in values]
        if options["keep"]:
            if len(lapses) > 1:
                raise _bad("--keep keeps one run: it cannot be used with --compare-lapse.")
            if User.objects.exists():
                raise _bad("--keep writes a synthetic world: use it on an empty database.")
        reports = simulate_lapses(config, lapses, keep=options["keep"])
        if options["json"]:
            payload: Any = [r.as_dict() for r in reports] if len(reports) > 1 else None
            payload = payload or reports[0].as_dict()
            self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False))
        elif len(reports) == 1:
            self.stdout.write("\n".join(reports[0].lines()))
        else:
            self.stdout.write("\n".join(_table(reports)))

    def _config(self, options: dict[str, Any]) -> ChurnConfig:
        try:
            start = dt.date.fromisoformat(options["start"])
        except ValueError:
            raise _bad(f"--start must be a date, YYYY-MM-DD, not {options['start']!r}.") from None
        try:
            written = float(options["written_share"])
        except ValueError:
            written = -1.0
        if not 0 <= written <= 1:
            raise _bad("--written-share must be a number between 0 and 1.")
        return ChurnConfig(
            seed=_integer("seed", options["seed"], 0),
            weeks=_integer("weeks", options["weeks"], 1, LIMITS["weeks"]),
            consultants=_integer("consultants", options["consultants"], 1, LIMITS["consultants"]),
            tasks=_integer("tasks", options["tasks"], 1, LIMITS["tasks"]),
            lapse_hours=(
                _hours("lapse-hours", options["lapse_hours"])
                if options["lapse_hours"] is not None
                else None
            ),
            written_share=written,
            start=start,
        )


def _table(reports: list[ChurnReport]) -> list[str]:
    """One row per lapse time, as a Markdown table."""

    def days(value: float | None) -> str:
        return "—" if value is None else f"{value:g}"

    first = reports[0]
    rows = [
        f"Churn simulation: seed {first.seed}, {first.weeks} weeks from {first.start}, "
        f"{first.consultants} places, {first.tasks} tasks, {first.written_share:.0%} of leavers "
        "write their handover",
        "",
        "| lapse | newcomers (recalled early) | claims | lapses | handovers (written) "
        "| logged h | in accepted work (of settled) | lost at handovers h (per handover) "
        "| in flight h | first submission, working days (median / p90) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in reports:
        rows.append(
            f"| {r.lapse_hours:g} h | {r.newcomers} ({r.early_recalls}) | {r.claims} "
            f"| {r.lapses} | {sum(r.handovers.values())} ({r.handovers.get('written', 0)}) "
            f"| {r.logged_hours:.1f} | {r.accepted_share:.1%} ({r.settled_share:.1%}) "
            f"| {r.lost_hours:.1f} ({r.lost_per_handover_mean:.2f}) | {r.in_flight_hours:.1f} "
            f"| {days(r.first_submission_days_median)} / {days(r.first_submission_days_p90)} |"
        )
    return rows
