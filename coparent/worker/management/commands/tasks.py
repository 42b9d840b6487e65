"""`coparent tasks list [--failed]` and `coparent tasks retry ID`: what the worker could not do,
and a second chance for it once the cause (a mail server down, say) is fixed."""

from __future__ import annotations

import sys
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coparent.worker import selectors, services


class Command(BaseCommand):
    help = "Background tasks: list failed or waiting ones, retry a failed one."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="Tasks not done yet: failed, running, waiting.")
        listing.add_argument("--failed", action="store_true", help="Only tasks that failed.")
        retry = sub.add_parser(
            "retry", help="Run a failed task again (or one a killed worker left running)."
        )
        retry.add_argument("id", help="The task's id, as `tasks list` shows it.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "retry":
            try:
                task_id = str(uuid.UUID(options["id"]))
            except ValueError:
                self.stderr.write(f"{options['id']!r} is not a task id.")
                sys.exit(1)
            if not services.task_retry(task_id):
                self.stderr.write(
                    f"No failed task {task_id} (nor one left running for over an hour)."
                )
                sys.exit(1)
            self.stdout.write(f"Task {task_id} is queued again.")
            return
        rows = selectors.task_list(failed_only=options["failed"])
        if not rows:
            self.stdout.write("No failed tasks." if options["failed"] else "No tasks waiting.")
            return
        for row in rows:
            when = row.when.strftime("%Y-%m-%d %H:%M:%SZ") if row.when else "-"
            self.stdout.write(
                f"{row.id}  {row.status:<10} {row.name}  attempts={row.attempts}  {when}"
            )
            if row.error_class:
                self.stdout.write(f"    {row.error}")
