"""Every change to a child's information: add, change, remove an item (parents only), each a new
version on the item and an entry on the family record; medical changes tell the other parent.
Activities can be put on the family calendar as schedule events."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Mapping

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coparent.accounts.models import User
from coparent.childinfo import kinds
from coparent.childinfo.models import Action, InfoItem, InfoVersion
from coparent.core.errors import Conflict, ServiceError
from coparent.families.models import Child, Family
from coparent.families.services import require_parent
from coparent.notifications.models import Kind
from coparent.notifications.selectors import parents_of
from coparent.notifications.services import Detail, lowercase, notify
from coparent.records.services import family_lock, record_append
from coparent.tlog import content_hash, new_salt

# How far ahead an activity's sessions go on the calendar at once, and at most how many.
CALENDAR_WEEKS = 12
MAX_SESSIONS = 100


def version_content(version: InfoVersion) -> bytes:
    """The bytes the record's hash is of: canonical JSON of what the version said."""
    return json.dumps(
        {
            "kind": version.item.kind,
            "values": version.values,
            "visibility": version.visibility,
            "field_visibility": version.field_visibility,
            "child_may_see": version.child_may_see,
            "action": version.action,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def _spec(kind: str) -> kinds.KindSpec:
    spec = kinds.KINDS.get(kind)
    if spec is None:
        raise ServiceError(_("Choose one of the kinds of information."), field="kind")
    return spec


def _values(spec: kinds.KindSpec, raw: Mapping[str, object]) -> dict[str, str]:
    try:
        return kinds.clean_values(spec, raw)
    except kinds.FieldProblem as problem:
        raise ServiceError(problem.message, field=problem.name) from None


def _field_visibility(spec: kinds.KindSpec, raw: Mapping[str, object]) -> dict[str, str]:
    try:
        return kinds.clean_field_visibility(spec, raw)
    except kinds.FieldProblem as problem:
        raise ServiceError(problem.message, field=problem.name) from None


def _visibility(value: str) -> str:
    if value not in kinds.VISIBILITIES:
        raise ServiceError(_("Choose who may see this."), field="visibility")
    return value


def _new_version(item: InfoItem, actor: User, action: str, kind: str) -> InfoVersion:
    version = InfoVersion.objects.create(
        family_id=item.family_id,
        item=item,
        number=item.version,
        action=action,
        values=item.values,
        visibility=item.visibility,
        field_visibility=item.field_visibility,
        child_may_see=item.child_may_see,
        salt=new_salt(),
        changed_by=actor,
        changed_at=item.updated_at,
    )
    record_append(
        family=item.family,
        actor=actor,
        kind=kind,
        fields={
            "child": str(item.child.public_id),
            "item": str(item.public_id),
            "info_kind": item.kind,
            "version": item.version,
            "visibility": item.visibility,
            "content": content_hash(bytes(version.salt), version_content(version)),
        },
    )
    if item.spec.medical:
        _tell_other_parent(item, actor, action)
    return version


def _tell_other_parent(item: InfoItem, actor: User, action: str) -> None:
    what = {
        Action.ADDED: gettext_lazy("%(who)s added medical information for %(child)s: %(kind)s"),
        Action.CHANGED: gettext_lazy("%(who)s changed medical information for %(child)s: %(kind)s"),
        Action.REMOVED: gettext_lazy("%(who)s removed medical information for %(child)s: %(kind)s"),
    }[Action(action)]
    notify(
        item.family,
        parents_of(item.family),
        Kind.CHILD_MEDICAL,
        link=reverse("childinfo:child", args=[item.family.public_id, item.child.public_id])
        + f"#{item.spec.section}",
        detail=Detail(
            what
            % {
                "who": actor.display_name,
                "child": item.child.first_name,
                "kind": lowercase(item.spec.label),
            },
            gettext_lazy("The page shows what changed under “History”."),
        ),
        actor=actor,
    )


@transaction.atomic
def item_create(
    *,
    family: Family,
    actor: User,
    child: Child,
    kind: str,
    values: Mapping[str, object],
    visibility: str | None = None,
    field_visibility: Mapping[str, object] | None = None,
    child_may_see: bool = False,
) -> InfoItem:
    """`field_visibility` None: the kind's defaults (policy numbers to the parents only)."""
    require_parent(family, actor)
    if child.family_id != family.pk:
        raise ServiceError(_("Choose a child of this family."), field="child")
    spec = _spec(kind)
    cleaned = _values(spec, values)
    chosen = _visibility(visibility or spec.default_visibility)
    fields_seen = (
        spec.default_field_visibility()
        if field_visibility is None
        else _field_visibility(spec, field_visibility)
    )
    family_lock(family)
    now = timezone.now()
    item = InfoItem.objects.create(
        family=family,
        child=child,
        kind=spec.key,
        values=cleaned,
        visibility=chosen,
        field_visibility=fields_seen,
        child_may_see=bool(child_may_see),
        created_at=now,
        updated_at=now,
    )
    item.family, item.child = family, child
    _new_version(item, actor, Action.ADDED, "childinfo.added")
    return item


def _locked(family: Family, item: InfoItem) -> InfoItem:
    family_lock(family)
    locked = (
        InfoItem.objects.select_for_update(no_key=True)
        .select_related("child")
        .get(pk=item.pk, family=family)
    )
    if locked.removed_at is not None:
        raise Conflict(_("This information was removed."))
    locked.family = family
    return locked


@transaction.atomic
def item_update(
    *,
    family: Family,
    actor: User,
    item: InfoItem,
    values: Mapping[str, object],
    visibility: str | None = None,
    field_visibility: Mapping[str, object] | None = None,
    child_may_see: bool | None = None,
) -> InfoItem:
    """What is None stays as it was."""
    require_parent(family, actor)
    locked = _locked(family, item)
    cleaned = _values(locked.spec, values)
    chosen = _visibility(visibility) if visibility is not None else locked.visibility
    fields_seen = (
        locked.field_visibility
        if field_visibility is None
        else _field_visibility(locked.spec, field_visibility)
    )
    may_see = locked.child_may_see if child_may_see is None else bool(child_may_see)
    before = (locked.values, locked.visibility, locked.field_visibility, locked.child_may_see)
    if (cleaned, chosen, fields_seen, may_see) == before:
        return locked  # nothing changed: no new version, nothing on the record
    locked.values, locked.visibility, locked.child_may_see = cleaned, chosen, may_see
    locked.field_visibility = fields_seen
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save(
        update_fields=[
            "values",
            "visibility",
            "field_visibility",
            "child_may_see",
            "version",
            "updated_at",
        ]
    )
    _new_version(locked, actor, Action.CHANGED, "childinfo.changed")
    return locked


@transaction.atomic
def item_remove(*, family: Family, actor: User, item: InfoItem) -> InfoItem:
    require_parent(family, actor)
    locked = _locked(family, item)
    locked.removed_at = locked.updated_at = timezone.now()
    locked.version += 1
    locked.save(update_fields=["removed_at", "updated_at", "version"])
    _new_version(locked, actor, Action.REMOVED, "childinfo.removed")
    return locked


def sessions(
    values: Mapping[str, str], *, start: dt.date, end: dt.date, zone: dt.tzinfo
) -> list[tuple[dt.datetime, dt.datetime]]:
    """An activity's sessions from `start` to `end` (both included) as aware instants."""
    days = {kinds.WEEKDAY_NAMES.index(d) for d in values.get("days", "").split(",") if d}
    begins = dt.time.fromisoformat(values["starts_at"])
    ends = dt.time.fromisoformat(values.get("ends_at") or values["starts_at"])
    found: list[tuple[dt.datetime, dt.datetime]] = []
    day = start
    while day <= end and len(found) < MAX_SESSIONS:
        if day.weekday() in days:
            first = dt.datetime.combine(day, begins, tzinfo=zone)
            last = dt.datetime.combine(day, ends, tzinfo=zone)
            found.append((first, last if last > first else first + dt.timedelta(hours=1)))
        day += dt.timedelta(days=1)
    return found


@transaction.atomic
def activity_calendar_add(*, family: Family, actor: User, item: InfoItem) -> int:
    """Put the activity's next sessions (up to twelve weeks ahead, or its last session) on the
    family calendar as events, through the schedule's own service. Sessions already put there
    are not added twice. Returns how many were added."""
    from coparent.schedule.models import EventKind
    from coparent.schedule.services import event_create

    require_parent(family, actor)
    locked = _locked(family, item)
    if locked.kind != "activity":
        raise ServiceError(_("Only an activity has sessions to put on the calendar."))
    values = locked.values
    if not values.get("days") or not values.get("starts_at"):
        raise ServiceError(_("Give the activity's days and start time first."), field="days")
    zone = zoneinfo.ZoneInfo(actor.timezone or "UTC")
    today = timezone.now().astimezone(zone).date()
    start = max(
        today,
        dt.date.fromisoformat(values["first_day"]) if values.get("first_day") else today,
        (locked.calendar_until + dt.timedelta(days=1)) if locked.calendar_until else today,
    )
    end = today + dt.timedelta(weeks=CALENDAR_WEEKS, days=-1)
    if values.get("last_day"):
        end = min(end, dt.date.fromisoformat(values["last_day"]))
    now = timezone.now()
    found = [
        (first, last)
        for first, last in (
            sessions(values, start=start, end=end, zone=zone) if start <= end else []
        )
        if first > now
    ]
    if not found:
        raise Conflict(_("There are no more sessions to add in the next twelve weeks."))
    for first, last in found:
        event_create(
            family=family,
            actor=actor,
            title=values["name"][:120],
            kind=EventKind.ACTIVITY,
            starts_at=first,
            ends_at=last,
            place=values.get("place", ""),
            children=[locked.child],
        )
    locked.calendar_until = found[-1][0].date()
    locked.save(update_fields=["calendar_until"])
    record_append(
        family=family,
        actor=actor,
        kind="childinfo.calendared",
        fields={
            "child": str(locked.child.public_id),
            "item": str(locked.public_id),
            "sessions": len(found),
            "until": locked.calendar_until.isoformat(),
        },
    )
    return len(found)
