"""`coparent worker`: runs queued tasks (emails, reminders, deadline expiry...) and enqueues the
periodic jobs. Run one beside each app server or several anywhere: they share the queue in the
database and never run the same task twice."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coparent.worker.runner import Worker


class Command(BaseCommand):
    help = "Run background tasks and periodic jobs until stopped (Ctrl-C or SIGTERM)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to wait when no task is due (default 1).",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Run the tasks that are due now, then exit.",
        )
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Only run tasks; leave periodic jobs to the other workers.",
        )
        parser.add_argument("--worker-id", default=None, help="A name for this worker's logs.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["interval"] < 0 or options["interval"] != options["interval"]:
            self.stderr.write("--interval must be zero or more seconds.")
            sys.exit(2)
        worker = Worker(
            worker_id=options["worker_id"],
            interval=options["interval"],
            scheduler_enabled=not options["no_scheduler"],
        )
        worker.install_signals()
        count = worker.run(until_idle=options["batch"])
        if options["batch"]:
            self.stdout.write(f"Ran {count} task(s).")
