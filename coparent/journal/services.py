"""Writes for the private journal: writing an entry (or a correction of one), sharing entries
with a professional, and ending a share. The record gets each entry's salted hashes at once;
the salts leave the author only through a share."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coparent.accounts.models import User
from coparent.core.errors import Conflict, ServiceError
from coparent.core.inputs import day_in_range
from coparent.families.models import Family, Membership, Role
from coparent.families.services import require_member
from coparent.journal.models import JournalEntry, JournalPhoto, JournalShare
from coparent.messaging import files
from coparent.messaging.services import Upload
from coparent.notifications.models import Kind
from coparent.notifications.services import Detail, Phrase, notify
from coparent.records.services import family_lock, record_append
from coparent.tlog import content_hash, new_salt

MAX_BODY = 20_000
MAX_PHOTOS = 5


def _author(family: Family, actor: User) -> Membership:
    membership = require_member(family, actor, writable=True)
    if membership.role != Role.PARENT:
        raise ServiceError(_("Only parents keep a journal here."), code="forbidden")
    return membership


def _clean_photos(photos: Sequence[Upload]) -> list[files.CleanFile]:
    if len(photos) > MAX_PHOTOS:
        raise ServiceError(
            _("An entry can hold at most %(n)d photos.") % {"n": MAX_PHOTOS}, field="photos"
        )
    cleaned = []
    for photo in photos:
        try:
            clean = files.clean_upload(photo.data)
        except ServiceError as error:
            raise ServiceError(error.message, field="photos") from error
        if not clean.media_type.startswith("image/"):
            raise ServiceError(_("Only PNG or JPEG photos can be added."), field="photos")
        cleaned.append(clean)
    return cleaned


@transaction.atomic
def entry_write(
    *,
    family: Family,
    actor: User,
    body: str,
    photos: Sequence[Upload] = (),
    corrects: JournalEntry | None = None,
) -> JournalEntry:
    """A new entry, immutable from now on. Its text and photos stay private; the record gets
    SHA-256(salt || text) and each photo's salted hash, so the author can later prove the entry
    existed unchanged from this moment without having shown it to anyone before."""
    _author(family, actor)
    body = body.strip()
    if not body:
        raise ServiceError(_("Write something first."), field="body")
    if len(body) > MAX_BODY:
        raise ServiceError(
            _("An entry can be at most %(n)d characters.") % {"n": MAX_BODY}, field="body"
        )
    cleaned = _clean_photos(photos)  # before the lock: re-encoding takes a while
    family_lock(family)
    if corrects is not None and (corrects.family_id != family.pk or corrects.author_id != actor.pk):
        raise ServiceError(_("You can only correct your own entries."), field="corrects")
    salt = new_salt()
    public_id = uuid.uuid4()
    photo_salts = [new_salt() for _clean in cleaned]
    stored: list[str] = []
    try:
        for clean in cleaned:
            stored.append(files.store(str(family.public_id), clean.data))
        fields: dict[str, str | tuple[str, ...]] = {
            "entry": str(public_id),
            "content": content_hash(salt, body.encode("utf-8")),
            "photos": tuple(
                content_hash(s, c.data) for s, c in zip(photo_salts, cleaned, strict=True)
            ),
        }
        if corrects is not None:
            fields["corrects"] = str(corrects.public_id)
        row = record_append(family=family, actor=actor, kind="journal.written", fields=fields)
        entry = JournalEntry.objects.create(
            family=family,
            public_id=public_id,
            author=actor,
            body=body,
            salt=salt,
            corrects=corrects,
            created_at=row.created_at,
            record_index=row.index,
        )
        JournalPhoto.objects.bulk_create(
            [
                JournalPhoto(
                    family=family,
                    entry=entry,
                    stored_name=name,
                    media_type=clean.media_type,
                    size=len(clean.data),
                    salt=photo_salt,
                    position=position,
                )
                for position, (name, clean, photo_salt) in enumerate(
                    zip(stored, cleaned, photo_salts, strict=True)
                )
            ]
        )
    except BaseException:
        for name in stored:  # the rows roll back; leave no orphan file behind
            files.remove(name)
        raise
    return entry


def period_bounds(start: dt.date, end: dt.date, zone_name: str) -> tuple[dt.datetime, dt.datetime]:
    """The instants from the start of `start` to the end of `end` in the author's zone."""
    try:
        zone: dt.tzinfo = zoneinfo.ZoneInfo(zone_name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    begin = dt.datetime.combine(start, dt.time(), tzinfo=zone).astimezone(dt.UTC)
    finish = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return begin, finish.astimezone(dt.UTC)


@transaction.atomic
def share_create(
    *,
    family: Family,
    actor: User,
    professional: Membership,
    entry: JournalEntry | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> JournalShare:
    """Let one professional of the family read one entry, or the author's entries of a period
    (whole days in the author's time zone), with their proofs."""
    _author(family, actor)
    family_lock(family)
    if (
        professional.family_id != family.pk
        or professional.role != Role.PROFESSIONAL
        or not professional.is_active()
    ):
        raise ServiceError(
            _("Choose a professional who has access to this family."), field="professional"
        )
    fields: dict[str, str] = {"professional": str(professional.user.public_id)}
    starts_at = ends_at = None
    if entry is not None:
        if entry.family_id != family.pk or entry.author_id != actor.pk:
            raise ServiceError(_("You can only share your own entries."), field="entry")
        fields["entry"] = str(entry.public_id)
    else:
        if start is None or end is None:
            raise ServiceError(_("Choose an entry, or the first and last day."), field="start")
        if not (day_in_range(start) and day_in_range(end)):
            raise ServiceError(_("Choose a date between 1970 and 2200."), field="start")
        if end < start:
            raise ServiceError(_("The last day cannot be before the first."), field="end")
        starts_at, ends_at = period_bounds(start, end, actor.timezone)
        fields["from"] = start.isoformat()
        fields["to"] = end.isoformat()
    share = JournalShare.objects.create(
        family=family,
        author=actor,
        professional=professional,
        entry=entry,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    fields["share"] = str(share.public_id)
    record_append(family=family, actor=actor, kind="journal.shared", fields=fields)
    notify(
        family,
        [professional.user],
        Kind.JOURNAL_SHARED,
        link=reverse("journal:shared", args=[family.public_id]),
        detail=Detail(
            Phrase(
                gettext_lazy(
                    "%(name)s shared entries of their journal with you, with the proof that each "
                    "existed when it was written."
                ),
                {"name": actor.display_name},
            )
        ),
        actor=actor,
    )
    return share


@transaction.atomic
def share_revoke(*, family: Family, actor: User, share: JournalShare) -> JournalShare:
    _author(family, actor)
    family_lock(family)
    share = JournalShare.objects.select_for_update(no_key=True).get(pk=share.pk, family=family)
    if share.author_id != actor.pk:
        raise ServiceError(_("Only the author can stop sharing."), code="forbidden")
    if share.revoked_at is not None:
        raise Conflict(_("This share has already ended."))
    share.revoked_at = timezone.now()
    share.save(update_fields=["revoked_at"])
    record_append(
        family=family,
        actor=actor,
        kind="journal.share_revoked",
        fields={"share": str(share.public_id)},
    )
    return share
