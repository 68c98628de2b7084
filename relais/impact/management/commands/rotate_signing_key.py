"""Retires the operator's signing key and makes a new one: the old public key stays published,
so every credential it signed still verifies."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from relais.impact.signing import key_rotate


class Command(BaseCommand):
    help = "Rotate the Ed25519 key that signs the credentials (old public keys stay published)."

    def handle(self, *args: Any, **options: Any) -> None:
        key = key_rotate()
        self.stdout.write(self.style.SUCCESS(f"New signing key: {key.kid}"))
