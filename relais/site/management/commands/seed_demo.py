"""The demo data: each app seeds its own through its services, from the bottom layer up (people
and organisations, projects, their work, then the firm side that lends consultants to them)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from relais.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET, seed_demo
from relais.accounts.models import Role, User
from relais.bench.demo import seed_bench
from relais.bench.services import missions_end_due, recalls_apply_due
from relais.billing.demo import seed_billing
from relais.campaigns.demo import seed_campaigns
from relais.core.mail import quiet
from relais.funding.demo import seed_funding
from relais.impact.demo import seed_impact
from relais.matching.demo import seed_matching
from relais.projects.demo import seed_projects
from relais.site.services import legal_pages_seed
from relais.work.demo import seed_work, seed_work_history


class Command(BaseCommand):
    help = "Loads the deterministic demo data (safe to run twice) and lists the demo accounts."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Load nothing when the database already has users (make run uses it).",
        )

    def handle(self, *args: Any, if_empty: bool = False, **options: Any) -> None:
        if if_empty and User.objects.exists():
            self.stdout.write("The database already has users: demo data not loaded again.")
        else:
            # Past history: loading it tells nobody anything (no email, no job).
            with quiet(), transaction.atomic():
                seed_demo()
                seed_projects(User.objects.get(email=DEMO_ACCOUNTS[Role.OPERATOR_STAFF]))
                seed_work()
                seed_bench()  # the missions give the demo teams their places
                seed_funding()  # circles, mandates, a collection, the pool paying the fees
                seed_billing()  # last month's fee invoice, last year's tax receipt
                seed_work_history()
                # What is due in that history happens now, silently, not at the worker's first
                # run: missions past their planned end end, recalls past their date apply.
                recalls_apply_due()
                missions_end_due()
                seed_impact()  # a credential, words, a story, a challenge
                seed_matching()  # a round: the consultants on the bench get a suggestion
                seed_campaigns()  # a call for projects voted and counted, another one open
                legal_pages_seed()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if User.objects.filter(email__in=DEMO_ACCOUNTS.values()).exists():
            self.stdout.write("Demo accounts (one per role), sign in at /accounts/login/:")
            width = max(len(str(Role(role).label)) for role in DEMO_ACCOUNTS)
            for role, email in DEMO_ACCOUNTS.items():
                self.stdout.write(f"  {Role(role).label!s:<{width}}  {email}")
            self.stdout.write(f"  Password for all: {DEMO_PASSWORD}")
            staff = DEMO_ACCOUNTS[Role.OPERATOR_STAFF]
            self.stdout.write(
                f"  {Role(Role.OPERATOR_STAFF).label} also needs a code from an authenticator app"
                f" with the secret {DEMO_TOTP_SECRET}:\n"
                f"    otpauth://totp/Relais:{staff}?secret={DEMO_TOTP_SECRET}&issuer=Relais"
            )
