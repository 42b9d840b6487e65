"""`coparent restore DIR [--force] [--accept-rollback]`: put a `coparent backup` back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coparent.records.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `coparent backup` into this server's database, key files and "
        "attachments directory. Stop the server first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="the backup directory")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace a database, keys or attachments that are already there",
        )
        parser.add_argument(
            "--accept-rollback",
            action="store_true",
            help="restore even though family records go back behind checkpoints this server "
            "has signed; each such record gets a signed statement of the entries lost",
        )
        parser.add_argument("--reason", default="", help="why, for the rollback statements")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backup_restore(
                options["directory"],
                force=options["force"],
                accept_rollback=options["accept_rollback"],
                reason=options["reason"],
                say=self.stdout.write,
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write("Restore complete.")
