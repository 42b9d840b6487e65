"""The one interface through which each app contributes its part of a court report.

An app registers a `Section` (usually in `<app>/report.py`, imported from its `AppConfig.ready`)
and writes through the `ReportOut` it is handed: headings, lines, tables, and the log index of
every record entry it prints (`out.entry(index)`), so the bundle embedded in the PDF holds
exactly the entries the report shows. The report code knows no app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

from django.utils import formats

from coparent.records.labels import entry_label
from coparent.records.models import LogEntry
from coparent.tlog import decode
from coparent.tlog.entry import Entry

if TYPE_CHECKING:
    from coparent.families.models import Family, Membership


@dataclass
class ReportScope:
    """What the report covers: the family, who asked, the period [start, end) in UTC, the zone
    every time is printed in, the chosen conversations (None: every one the reader may read),
    and the size of the signed tree the report is checked against."""

    family: Family
    reader: Membership
    start: dt.datetime
    end: dt.datetime
    zone: ZoneInfo
    thread_ids: list[str] | None
    tree_size: int
    names: dict[int | None, str] = field(default_factory=dict)
    # The reader's own journal entries they chose to disclose (None: all theirs in the period).
    journal_entry_ids: list[str] | None = None
    _days: dict[dt.date, str] = field(default_factory=dict, repr=False)

    def when(self, moment: dt.datetime | None) -> str:
        """A time in the report's zone, in the site's one date-time format ("D j M Y, H:i"):
        the day part is formatted once per day, which keeps a 20,000-message report fast."""
        if moment is None:
            return ""
        local = moment.astimezone(self.zone)
        day = self._days.get(local.date())
        if day is None:
            day = self._days[local.date()] = self.day(local.date())
        return f"{day}, {local:%H:%M}"

    def day(self, moment: dt.datetime | dt.date | None) -> str:
        if moment is None:
            return ""
        if isinstance(moment, dt.datetime):
            moment = moment.astimezone(self.zone).date()
        return str(formats.date_format(moment, "DATE_FORMAT"))

    def name(self, user_id: int | None) -> str:
        if user_id not in self.names:
            from coparent.accounts.models import User

            found = (
                User.objects.filter(pk=user_id).values_list("display_name", flat=True).first()
                if user_id is not None
                else None
            )
            self.names[user_id] = found or ("a former member" if user_id else "coparent (system)")
        return self.names[user_id]

    def entries(
        self,
        kinds: Iterable[str],
        *,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
    ) -> Iterator[tuple[LogEntry, Entry]]:
        """Record entries of these kinds under the signed tree, in log order, streamed. By
        default those logged in the period; `since`/`until` widen it (a message sent in the
        period may be viewed after it)."""
        queryset = LogEntry.objects.filter(
            family=self.family, kind__in=list(kinds), index__lt=self.tree_size
        ).order_by("index")
        start = self.start if since is None else since
        end = self.end if until is None else until
        queryset = queryset.filter(created_at__gte=start, created_at__lt=end)
        for row in queryset.only("index", "kind", "actor_id", "leaf", "created_at").iterator(
            chunk_size=2000
        ):
            yield row, decode(bytes(row.leaf))

    def sentence(self, row: LogEntry, entry: Entry) -> str:
        """The record page's sentence for an entry ("Alex proposed a swap for 3-5 July")."""
        return entry_label(entry.kind, self.name(row.actor_id), entry.fields)


class ReportOut(Protocol):
    """What a section writes to. Every method streams: nothing is kept per row."""

    def heading(self, text: str, level: int = 1) -> None: ...
    def paragraph(self, text: str) -> None: ...
    def note(self, text: str) -> None: ...
    def item(self, title: str, body: str = "", details: Sequence[str] = ()) -> None: ...
    def table(
        self, headers: Sequence[str], widths: Sequence[float], rows: Iterable[Sequence[str]]
    ) -> None: ...
    def entry(self, index: int | None) -> str: ...
    def progress(self, fraction: float) -> None: ...
    def appendix(self, title: str, content: bytes, media_type: str) -> str: ...
    def csv(self, name: str, headers: Sequence[str]) -> Callable[[Sequence[Any]], None]: ...


@dataclass(frozen=True)
class Section:
    """`key` is the name on the command line and in the API; `title` is printed (lazy text);
    `write(scope, out)` prints the section; `available(scope)` says whether it has anything
    to say at all in this family (a section with nothing says so in one line)."""

    key: str
    title: Any
    write: Callable[[ReportScope, ReportOut], None]
    order: int = 100
    # The roles whose members may include this section (None: whoever may make reports); the
    # operator's command (no reader) may include every section.
    roles: frozenset[str] | None = None

    def allowed(self, reader: Membership | None) -> bool:
        return reader is None or self.roles is None or reader.role in self.roles


_SECTIONS: dict[str, Section] = {}


def register_section(section: Section) -> Section:
    _SECTIONS[section.key] = section
    return section


def section_list(reader: Membership | None = None) -> list[Section]:
    found = [s for s in _SECTIONS.values() if s.allowed(reader)]
    return sorted(found, key=lambda s: (s.order, s.key))


def section_keys(reader: Membership | None = None) -> list[str]:
    return [s.key for s in section_list(reader)]


def section_get(key: str) -> Section | None:
    return _SECTIONS.get(key)
