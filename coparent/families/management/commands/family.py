"""`coparent family list`: one family per line, its public id first, then its name."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from coparent.families.models import Family


class Command(BaseCommand):
    help = "Operator commands for families."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="List every family: public id, then name.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for public_id, name in Family.objects.order_by("created_at").values_list(
                "public_id", "name"
            ):
                self.stdout.write(f"{public_id}\t{name}")
