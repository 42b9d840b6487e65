"""Writes for documents: adding one (with its first version), uploading a new version, changing
what it says about itself, and the expiry reminders. Each is one transaction that also appends
to the family record; notifications go out after it commits."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy

from coparent.accounts.models import User
from coparent.core.errors import ServiceError
from coparent.core.inputs import day_in_range
from coparent.documents.models import (
    Category,
    Document,
    DocumentVersion,
    ExpiryReminder,
    Visibility,
)
from coparent.families.models import Child, Family, Membership, Role
from coparent.families.services import require_member
from coparent.messaging import files
from coparent.messaging.services import Upload
from coparent.notifications.models import Kind
from coparent.notifications.services import Detail, Phrase, notify
from coparent.records.services import family_lock, record_append
from coparent.tlog import content_hash, new_salt

MAX_TITLE = 200
MAX_NOTES = 2000
# Reminders before a document expires, in days: about six months, one month, one week.
REMINDER_DAYS = (182, 30, 7)

# Which roles see a document of each visibility. Children see no documents.
VISIBLE_TO: dict[str, frozenset[str]] = {
    Visibility.PARENTS: frozenset({Role.PARENT}),
    Visibility.CAREGIVERS: frozenset({Role.PARENT, Role.CAREGIVER}),
    Visibility.EVERYONE: frozenset({Role.PARENT, Role.CAREGIVER, Role.PROFESSIONAL}),
}


def visibilities_for(role: str) -> list[str]:
    return [v for v, roles in VISIBLE_TO.items() if role in roles]


def _parent(family: Family, actor: User) -> Membership:
    membership = require_member(family, actor, writable=True)
    if membership.role != Role.PARENT:
        raise ServiceError(_("Only a parent can add or change documents."), code="forbidden")
    return membership


def _clean_fields(
    *,
    family: Family,
    title: str,
    category: str,
    visibility: str,
    notes: str,
    expires_on: dt.date | None,
    children: Sequence[Child],
) -> str:
    title = " ".join(title.split())
    if not title:
        raise ServiceError(_("Give the document a title."), field="title")
    if len(title) > MAX_TITLE:
        raise ServiceError(
            _("A title can be at most %(n)d characters.") % {"n": MAX_TITLE}, field="title"
        )
    if category not in Category.values:
        raise ServiceError(_("Choose a category from the list."), field="category")
    if visibility not in Visibility.values:
        raise ServiceError(_("Choose who may see the document."), field="visibility")
    if len(notes) > MAX_NOTES:
        raise ServiceError(
            _("Notes can be at most %(n)d characters.") % {"n": MAX_NOTES}, field="notes"
        )
    if expires_on is not None and not day_in_range(expires_on):
        raise ServiceError(_("Choose a date between 1970 and 2200."), field="expires_on")
    for child in children:
        if child.family_id != family.pk:
            raise ServiceError(_("That child is not in this family."), field="children")
    return title


def _viewers(family: Family, visibility: str) -> list[User]:
    roles = VISIBLE_TO[visibility] - {Role.PROFESSIONAL}  # professionals are not notified
    return [
        m.user
        for m in Membership.objects.active()
        .filter(family=family, role__in=roles)
        .select_related("user")
    ]


def _add_version(
    *,
    family: Family,
    actor: User,
    document: Document,
    name: str,
    clean: files.CleanFile,
    number: int,
) -> DocumentVersion:
    salt = new_salt()
    stored = files.store(str(family.public_id), clean.data)
    try:
        version = DocumentVersion.objects.create(
            family=family,
            document=document,
            number=number,
            stored_name=stored,
            original_name=files.safe_name(name, clean.media_type),
            media_type=clean.media_type,
            size=len(clean.data),
            sha256=hashlib.sha256(clean.data).hexdigest(),
            salt=salt,
            uploaded_by=actor,
        )
        record_append(
            family=family,
            actor=actor,
            kind="document.version_added",
            fields={
                "document": str(document.public_id),
                "version": str(version.public_id),
                "number": number,
                "sha256": version.sha256,
                "content": content_hash(salt, clean.data),
                "media_type": clean.media_type,
            },
        )
    except BaseException:  # the rows roll back; leave no orphan file behind
        files.remove(stored)
        raise
    return version


@transaction.atomic
def document_create(
    *,
    family: Family,
    actor: User,
    title: str,
    category: str,
    visibility: str,
    upload: Upload,
    notes: str = "",
    expires_on: dt.date | None = None,
    children: Sequence[Child] = (),
) -> Document:
    _parent(family, actor)
    clean = files.clean_upload(upload.data)  # before the lock: re-encoding takes a while
    family_lock(family)
    notes = notes.strip()
    title = _clean_fields(
        family=family,
        title=title,
        category=category,
        visibility=visibility,
        notes=notes,
        expires_on=expires_on,
        children=children,
    )
    salt = new_salt()
    document = Document.objects.create(
        family=family,
        title=title,
        title_salt=salt,
        category=category,
        visibility=visibility,
        notes=notes,
        expires_on=expires_on,
        created_by=actor,
    )
    document.children.set(children, through_defaults={"family_id": document.family_id})
    record_append(
        family=family,
        actor=actor,
        kind="document.added",
        fields={
            "document": str(document.public_id),
            "title": content_hash(salt, title.encode("utf-8")),
            "category": category,
            "visibility": visibility,
            "expires_on": expires_on.isoformat() if expires_on else "",
            "children": tuple(sorted(str(c.public_id) for c in children)),
        },
    )
    _add_version(
        family=family, actor=actor, document=document, name=upload.name, clean=clean, number=1
    )
    notify(
        family,
        _viewers(family, visibility),
        Kind.DOCUMENT_ADDED,
        link=reverse("documents:detail", args=[family.public_id, document.public_id]),
        detail=Detail(
            Phrase(
                gettext_lazy("%(name)s added a document: %(title)s"),
                {"name": actor.display_name, "title": title},
            )
        ),
        actor=actor,
    )
    return document


@transaction.atomic
def document_version_add(
    *, family: Family, actor: User, document: Document, upload: Upload
) -> DocumentVersion:
    """A new upload of the document. The earlier versions stay, each with its hash on record."""
    _parent(family, actor)
    clean = files.clean_upload(upload.data)
    family_lock(family)
    document = Document.objects.select_for_update(no_key=True).get(pk=document.pk, family=family)
    last = DocumentVersion.objects.filter(document=document).order_by("-number").first()
    version = _add_version(
        family=family,
        actor=actor,
        document=document,
        name=upload.name,
        clean=clean,
        number=(last.number if last else 0) + 1,
    )
    document.updated_at = timezone.now()
    document.save(update_fields=["updated_at"])
    notify(
        family,
        _viewers(family, document.visibility),
        Kind.DOCUMENT_ADDED,
        link=reverse("documents:detail", args=[family.public_id, document.public_id]),
        detail=Detail(
            Phrase(
                gettext_lazy("%(name)s uploaded a new version of %(title)s"),
                {"name": actor.display_name, "title": document.title},
            )
        ),
        actor=actor,
    )
    return version


@transaction.atomic
def document_update(
    *,
    family: Family,
    actor: User,
    document: Document,
    title: str,
    category: str,
    visibility: str,
    notes: str = "",
    expires_on: dt.date | None = None,
    children: Sequence[Child] = (),
) -> Document:
    """Change what the document says about itself (its file changes only by a new version)."""
    family_lock(family)
    _parent(family, actor)
    document = Document.objects.select_for_update(no_key=True).get(pk=document.pk, family=family)
    notes = notes.strip()
    title = _clean_fields(
        family=family,
        title=title,
        category=category,
        visibility=visibility,
        notes=notes,
        expires_on=expires_on,
        children=children,
    )
    if title != document.title:
        document.title_salt = new_salt()
    document.title = title
    document.category = category
    document.visibility = visibility
    document.notes = notes
    document.expires_on = expires_on
    document.updated_at = timezone.now()
    document.save()
    document.children.set(children, through_defaults={"family_id": document.family_id})
    record_append(
        family=family,
        actor=actor,
        kind="document.changed",
        fields={
            "document": str(document.public_id),
            "title": content_hash(bytes(document.title_salt), title.encode("utf-8")),
            "category": category,
            "visibility": visibility,
            "expires_on": expires_on.isoformat() if expires_on else "",
            "children": tuple(sorted(str(c.public_id) for c in children)),
        },
    )
    return document


def _due_lead(days_left: int) -> int | None:
    """The reminder that is due with this many days left: the nearest lead not yet passed."""
    due = [lead for lead in REMINDER_DAYS if days_left <= lead]
    return min(due) if due and days_left >= 0 else None


def expiry_reminders_send(now: dt.datetime | None = None) -> int:
    """Remind the parents (and caregivers who see the document) of documents that expire soon:
    about six months, a month and a week before. Each reminder once per expiry date; a document
    added a week before it expires gets the one-week reminder only. Safe to run again."""
    now = now or timezone.now()
    today = now.astimezone(dt.UTC).date()
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    family_ids = (
        Document.objects.filter(expires_on__gte=today, expires_on__lte=horizon)
        .values_list("family_id", flat=True)
        .distinct()
    )
    sent = 0
    for family in Family.objects.filter(pk__in=list(family_ids)):
        sent += _family_reminders(family, today)
    return sent


@transaction.atomic
def _family_reminders(family: Family, today: dt.date) -> int:
    family_lock(family)
    horizon = today + dt.timedelta(days=max(REMINDER_DAYS))
    documents = list(
        Document.objects.filter(family=family, expires_on__gte=today, expires_on__lte=horizon)
    )
    done = set(
        ExpiryReminder.objects.filter(document__in=documents).values_list(
            "document_id", "expires_on", "days_before"
        )
    )
    sent = 0
    for document in documents:
        assert document.expires_on is not None
        days_left = (document.expires_on - today).days
        lead = _due_lead(days_left)
        if lead is None or (document.pk, document.expires_on, lead) in done:
            continue
        # This reminder and the earlier (longer) ones it makes pointless are marked as sent.
        ExpiryReminder.objects.bulk_create(
            [
                ExpiryReminder(
                    family=family,
                    document=document,
                    expires_on=document.expires_on,
                    days_before=other,
                )
                for other in REMINDER_DAYS
                if other >= lead and (document.pk, document.expires_on, other) not in done
            ]
        )
        notify(
            family,
            _viewers(family, document.visibility),
            Kind.DOCUMENT_EXPIRING,
            link=reverse("documents:detail", args=[family.public_id, document.public_id]),
            detail=Detail(
                Phrase(
                    ngettext_lazy(
                        "%(title)s expires in %(days)d day, on %(date)s.",
                        "%(title)s expires in %(days)d days, on %(date)s.",
                        days_left,
                    ),
                    {
                        "title": document.title,
                        "days": days_left,
                        "date": document.expires_on.isoformat(),
                    },
                )
            ),
        )
        sent += 1
    return sent
