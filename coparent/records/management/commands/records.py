"""`coparent records export FAMILY --out BUNDLE.zip`, `coparent records key`,
`coparent records rotate-key`, `coparent records accept-rollback FAMILY`, and
`coparent records report FAMILY --out REPORT.pdf` (a court report with the bundle attached)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coparent.core.errors import ServiceError
from coparent.families.models import Family
from coparent.records import keys
from coparent.records.export import export_bundle
from coparent.records.services import record_rollback_accept


def _date(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
    except ValueError:
        raise CommandError(f"{text!r} is not a date like 2026-01-31") from None


class Command(BaseCommand):
    help = "The family record: export a verifiable bundle, show or rotate the signing key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write a family's record to a zip bundle.")
        export.add_argument("family", help="the family's public id (see `coparent family list`)")
        export.add_argument("--out", required=True, help="the zip file to write")
        export.add_argument("--thread", help="only this conversation (its public id)")
        export.add_argument(
            "--from", dest="start", type=_date, help="only entries from this UTC date"
        )
        export.add_argument(
            "--to", dest="end", type=_date, help="only entries before this UTC date"
        )
        report = sub.add_parser(
            "report",
            help="Write a court report (PDF) of a family's record, with the record bundle of "
            "every printed entry attached.",
        )
        report.add_argument("family", help="the family's public id, or its exact name")
        report.add_argument("--out", required=True, help="the PDF file to write")
        report.add_argument(
            "--from", dest="first", type=_day, help="first day (default: when the family began)"
        )
        report.add_argument(
            "--to", dest="last", type=_day, help="last day, included (default: today)"
        )
        report.add_argument(
            "--thread", action="append", help="only this conversation (public id); repeatable"
        )
        report.add_argument(
            "--sections",
            help="comma-separated, in any order (default: every section this server has)",
        )
        report.add_argument("--bates", default="", help="Bates prefix, such as FENWICK")
        report.add_argument("--tz", help="time zone of every printed time (default: TIME_ZONE)")
        report.add_argument("--paper", choices=["A4", "Letter"], help="default: by the time zone")
        report.add_argument("--csv", help="also write the tables as CSV files in this zip")
        sub.add_parser("key", help="Print the verifier key that checks this server's checkpoints.")
        sub.add_parser("rotate-key", help="Retire the signing key and start a new one.")
        accept = sub.add_parser(
            "accept-rollback",
            help="A family's record is behind the newest checkpoint signed for it (the server "
            "refuses to sign): put a signed statement of the lost entries on it and go on.",
        )
        accept.add_argument("family", help="the family's public id")
        accept.add_argument("--reason", default="", help="why, for the statement")
        accept.add_argument(
            "--backup",
            default="a database that lost committed entries",
            help="what was restored, as the statement will say",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "key":
            self.stdout.write(keys.verifier_key())
        elif action == "rotate-key":
            self.stdout.write(keys.rotate())
        else:
            found = _is_uuid(options["family"])
            family = Family.objects.filter(public_id=options["family"]).first() if found else None
            if family is None and action == "report":
                named = list(Family.objects.filter(name=options["family"])[:2])
                family = named[0] if len(named) == 1 else None
            if family is None:
                raise CommandError(f"No family with public id {options['family']!r}.")
            if action == "accept-rollback":
                try:
                    row = record_rollback_accept(
                        family=family, backup=options["backup"], reason=options["reason"]
                    )
                except ServiceError as error:
                    raise CommandError(error.message) from None
                if row is None:
                    self.stdout.write("The record is not behind its newest signed checkpoint.")
                else:
                    self.stdout.write(f"Rollback statement recorded as entry {row.index}.")
                return
            if action == "report":
                self._report(family, options)
                return
            try:
                count = export_bundle(
                    options["out"],
                    family=family,
                    thread_id=options["thread"],
                    start=options["start"],
                    end=options["end"],
                )
            except ServiceError as error:
                raise CommandError(error.message) from None
            self.stdout.write(f"Wrote {count} entries to {options['out']}")

    def _report(self, family: Family, options: dict[str, Any]) -> None:
        import secrets
        from pathlib import Path
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        from django.conf import settings
        from django.utils import timezone

        from coparent.reports.build import report_write
        from coparent.reports.pdf import paper_for_zone
        from coparent.reports.sections import section_keys
        from coparent.reports.services import bates_check, period_for

        try:
            zone = ZoneInfo(options["tz"] or settings.TIME_ZONE)
        except (ZoneInfoNotFoundError, ValueError):
            raise CommandError(f"Unknown time zone {options['tz']!r}.") from None
        first = options["first"] or family.created_at.astimezone(zone).date()
        last = options["last"] or timezone.now().astimezone(zone).date()
        chosen = (
            [s.strip() for s in options["sections"].split(",") if s.strip()]
            if options["sections"]
            else section_keys()
        )
        try:
            start, end = period_for(None, first, last, zone)
            with timezone.override(zone):
                result = report_write(
                    Path(options["out"]),
                    Path(options["csv"]) if options["csv"] else None,
                    family=family,
                    reader=None,
                    generated_by="the server's operator (coparent records report)",
                    start=start,
                    end=end,
                    zone=zone,
                    sections=chosen,
                    thread_ids=options["thread"],
                    bates_prefix=bates_check(options["bates"]),
                    report_id=secrets.token_hex(4).upper(),
                    paper=options["paper"] or paper_for_zone(zone.key),
                )
        except ServiceError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"Wrote {options['out']}: {result.pages} pages, {result.entries} record entries "
            "attached"
        )


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date like 2026-01-31") from None


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
