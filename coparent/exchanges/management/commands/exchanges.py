"""`coparent exchanges remind`: send the exchange reminders that are due (run it from cron every
five minutes; each reminder goes out once)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coparent.exchanges.services import reminders_send


class Command(BaseCommand):
    help = "Exchange reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("remind", help="Send the reminders that are due now.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Sent {reminders_send()} reminder(s).")
