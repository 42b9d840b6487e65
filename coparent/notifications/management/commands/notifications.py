"""`coparent notifications send`: send the emails held by quiet hours and the daily summaries
that are due (run it from cron every five minutes until a task scheduler runs
notifications.tasks.release_held and send_digests; each email goes out once either way)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coparent.notifications.services import deliveries_release, send_due_digests


class Command(BaseCommand):
    help = "Notification emails that wait for a later time."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("send", help="Send what quiet hours held back and the due daily summaries.")

    def handle(self, *args: Any, **options: Any) -> None:
        released = deliveries_release()
        digests = send_due_digests()
        self.stdout.write(f"Sent {released} held notification(s) and {digests} daily summary(ies).")
