"""`coparent exchanges remind`: queue the exchange reminders that are due now. The worker does
this by itself every five minutes; the command is a manual trigger (each reminder goes out once,
however often it runs)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coparent.exchanges.services import reminders_send


class Command(BaseCommand):
    help = "Exchange reminders."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("remind", help="Queue the reminders that are due now.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Queued {reminders_send()} reminder(s) for the worker to send.")
