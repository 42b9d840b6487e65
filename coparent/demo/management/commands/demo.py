"""`coparent demo`: load two fictional families so the app can be tried at once. Idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from coparent.demo.data import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo families (safe to run again: existing data is kept)."

    def handle(self, *args: Any, **options: Any) -> None:
        # The demo's invitations and notices would otherwise print as emails on the console.
        with override_settings(
            MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        ):
            created = load_demo()
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data loaded. Every demo account's password is {DEMO_PASSWORD}"
                )
            )
        else:
            self.stdout.write("Demo data already present; nothing changed.")
