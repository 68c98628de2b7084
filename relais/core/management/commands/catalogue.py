from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from relais.core import catalogue


class Command(BaseCommand):
    help = "Maintains the French catalogue without GNU gettext: update, compile or check."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["update", "compile", "check"])

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "update":
            added, obsolete = catalogue.merge()
            self.stdout.write(f"{added} new strings, {obsolete} obsolete: {catalogue.CATALOGUE}")
        elif action == "compile":
            for path in catalogue.compile_all():
                self.stdout.write(f"compiled {path}")
        else:
            missing = catalogue.missing_translations()
            for message in missing:
                self.stdout.write(f"{message.source}: {message.msgid!r}")
            if missing:
                raise CommandError(f"{len(missing)} strings lack a French translation.")
