"""What waits for one person in one family: the item type and the providers that find items.

Each area of the app (swaps, passes, messages...) contributes one provider. A new area (expenses,
decisions, documents) adds one provider class and `register`s it; home, the navigation badge and
the API pick it up without knowing it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from coparent.formats import month_day_time

if TYPE_CHECKING:
    from coparent.accounts.models import User
    from coparent.families.models import Family, Membership


@dataclass(frozen=True)
class Item:
    """One thing for the person to look at. `answer` is True when it waits for their answer or
    action (it counts in the navigation badge); False for what they should know (an exchange
    today, an invitation someone else has to accept). `stands_for` is how many answers the
    line counts for: one, or all of them on the line that sums up what an area does not list
    (`summary`), which may sum up a single one."""

    kind: str
    title: str
    detail: str
    link: str
    deadline: dt.datetime | None = None
    count: int = 1
    answer: bool = True
    stands_for: int = 1
    summary: bool = False


@dataclass(frozen=True)
class Viewer:
    """Whose list it is, at which moment, and the zone every time in it is written in."""

    family: Family
    membership: Membership
    now: dt.datetime
    zone: dt.tzinfo

    @property
    def user(self) -> User:
        return self.membership.user

    @classmethod
    def of(cls, family: Family, membership: Membership, now: dt.datetime) -> Viewer:
        try:
            zone: dt.tzinfo = zoneinfo.ZoneInfo(membership.user.timezone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = dt.UTC
        return cls(family, membership, now, zone)

    def local(self, moment: dt.datetime) -> dt.datetime:
        return timezone.localtime(moment, self.zone)

    def when(self, moment: dt.datetime) -> str:
        """A moment as this person reads it: "Thu 18 Jun, 18:00", with "today" or "tomorrow"
        instead of the date when it is that close."""
        local = self.local(moment)
        today = self.local(self.now).date()
        clock = formats.time_format(local, "TIME_FORMAT")
        if local.date() == today:
            return _("today at %(time)s") % {"time": clock}
        if local.date() == today + dt.timedelta(days=1):
            return _("tomorrow at %(time)s") % {"time": clock}
        return month_day_time(local)


# The most lines one list of an area shows; the rest are summed up in one line that links to
# the area, so a family's home costs the same with five waiting requests or five hundred.
SHOWN = 5


def rest_line(
    kind: str,
    listed: list[Any],
    rows: QuerySet[Any],
    title: Callable[[int], str],
    detail: str,
    link: str,
    *,
    answer: bool = True,
) -> list[Item]:
    """The line that sums up what an area does not list: none when `listed` (the first
    SHOWN + 1 of `rows`) fits, else one for the rest, which counts every one of them."""
    if len(listed) <= SHOWN:
        return []
    more = rows.count() - SHOWN
    return [
        Item(
            kind,
            title(more),
            detail,
            link,
            answer=answer,
            stands_for=more if answer else 1,
            summary=True,
        )
    ]


class Provider:
    """Finds one area's items for a viewer. `roles` are the roles that can act in the area: a
    provider is never asked about anyone else.

    `badge` answers, without loading the items, the number of items with `answer=True` as a
    queryset of the family's rows (one per item), or None when the area has none: the navigation
    counts every provider's queryset in a single query on every page.
    """

    kind: ClassVar[str]
    roles: ClassVar[frozenset[str]]
    # True when `items` also lists things to know (answer=False), which `badge` does not count:
    # such a provider is asked for its items even when its badge is zero.
    informs: ClassVar[bool] = False

    def items(self, viewer: Viewer) -> list[Item]:
        raise NotImplementedError

    def badge(self, viewer: Viewer) -> QuerySet[Any] | None:
        return None


_providers: list[Provider] = []


def register[ProviderT: type[Provider]](cls: ProviderT) -> ProviderT:
    if not any(type(p) is cls for p in _providers):
        _providers.append(cls())
    return cls


def providers_for(membership: Membership) -> list[Provider]:
    return [p for p in _providers if membership.role in p.roles]
