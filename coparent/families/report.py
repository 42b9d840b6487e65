"""The access-log section of a court report: every page and API call a professional made in
the family during the period, in words, oldest first."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from coparent.families.access import describe
from coparent.families.models import AccessLogEntry, Role
from coparent.reports.sections import ReportOut, ReportScope, Section, register_section


def write(scope: ReportScope, out: ReportOut) -> None:
    out.note(
        str(
            _(
                "What professionals with read-only access opened, as the parents see it on the "
                "access log page. The access log is kept by the server beside the record, not in "
                "it, so these lines carry no log index."
            )
        )
    )
    rows = (
        AccessLogEntry.objects.filter(
            family=scope.family, at__gte=scope.start, at__lt=scope.end, page_request_id=""
        )
        .select_related("user")
        .order_by("at", "pk")
    )
    write_csv = out.csv("access_log", ["at", "who", "what", "request"])

    def lines() -> Iterator[list[str]]:
        for entry in rows.iterator(chunk_size=1000):
            values = [scope.when(entry.at), entry.user.display_name, describe(entry)]
            write_csv([*values, f"{entry.method} {entry.path}"])
            yield [values[0], values[2]]

    out.table([str(_("When")), str(_("What"))], [25, 75], lines())


# The access log page is the parents' (what professionals opened), so is this section.
register_section(
    Section(
        key="access",
        title=_("Access log"),
        write=write,
        order=90,
        roles=frozenset({Role.PARENT}),
    )
)
