"""`coparent backup DIR`: database, signing keys and attachments, with a manifest of checksums."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coparent.records.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database, the signing keys and the attachments into a new directory."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="a new (or empty) directory")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_create(options["directory"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        entries = sum(log.size for log in manifest.logs.values())
        self.stdout.write(
            f"Backed up {len(manifest.logs)} family records ({entries} entries) and "
            f"{len(manifest.files)} files to {options['directory']}"
        )
