"""API operations for the journal: the author's own entries (read, write, correct), shares
(make, list, stop), and for a professional the entries shared with them, with their proofs.
An entry the caller may not read is 404, like a missing one."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from coparent.api.base import actor, family_membership
from coparent.api.multipart import Multipart, file_list
from coparent.core.inputs import Day, Text
from coparent.core.tenancy import get_for_family
from coparent.families.models import Membership, Role
from coparent.journal import selectors, services
from coparent.journal.models import JournalEntry, JournalShare
from coparent.journal.selectors import ProvedEntry
from coparent.journal.services import MAX_BODY, MAX_PHOTOS
from coparent.messaging import files
from coparent.messaging.services import Upload

router = Router(tags=["journal"])


class PhotoOut(Schema):
    id: uuid.UUID
    media_type: str
    size: int


class JournalEntryOut(Schema):
    id: uuid.UUID
    body: str
    created_at: dt.datetime
    corrects_id: uuid.UUID | None
    record_index: int
    photos: list[PhotoOut]


class EntryIn(Schema):
    body: Annotated[str, Text(MAX_BODY, required=True)]
    corrects_id: uuid.UUID | None = None


class ShareIn(Schema):
    professional_id: uuid.UUID
    entry_id: uuid.UUID | None = None
    start: Day | None = None
    end: Day | None = None


class ShareOut(Schema):
    id: uuid.UUID
    professional: str
    entry_id: uuid.UUID | None
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class PhotoProofOut(Schema):
    id: uuid.UUID
    salt: str


class ProvedEntryOut(Schema):
    entry: JournalEntryOut
    author: str
    salt: str
    record_index: int
    leaf: str
    inclusion_proof: list[str]
    tree_size: int
    checkpoint: str
    photos: list[PhotoProofOut]


def _entry_out(entry: JournalEntry) -> JournalEntryOut:
    return JournalEntryOut(
        id=entry.public_id,
        body=entry.body,
        created_at=entry.created_at,
        corrects_id=entry.corrects.public_id if entry.corrects else None,
        record_index=entry.record_index,
        photos=[
            PhotoOut(id=p.public_id, media_type=p.media_type, size=p.size)
            for p in entry.photos.all()
        ],
    )


def _share_out(share: JournalShare) -> ShareOut:
    return ShareOut(
        id=share.public_id,
        professional=share.professional.user.display_name,
        entry_id=share.entry.public_id if share.entry else None,
        starts_at=share.starts_at,
        ends_at=share.ends_at,
        created_at=share.created_at,
        revoked_at=share.revoked_at,
    )


def _proved_out(p: ProvedEntry) -> ProvedEntryOut:
    return ProvedEntryOut(
        entry=_entry_out(p.entry),
        author=p.entry.author.display_name,
        salt=p.salt_hex,
        record_index=p.index,
        leaf=p.leaf_text,
        inclusion_proof=p.proof_hex,
        tree_size=p.size,
        checkpoint=p.checkpoint,
        photos=[PhotoProofOut(id=ph.photo.public_id, salt=ph.salt.hex()) for ph in p.photos],
    )


@router.get(
    "/families/{family_id}/journal",
    response=list[JournalEntryOut],
    summary="Your own journal entries, newest first (parents)",
)
def entry_list(request: HttpRequest, family_id: str) -> list[JournalEntryOut]:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    return [_entry_out(e) for e in selectors.entry_list(membership)]


@router.post(
    "/families/{family_id}/journal",
    response={201: JournalEntryOut},
    summary="Write a journal entry, or a correction of one of yours (parents)",
)
def entry_write(request: HttpRequest, family_id: str, payload: EntryIn) -> Status[JournalEntryOut]:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    corrects = selectors.entry_get(membership, payload.corrects_id) if payload.corrects_id else None
    entry = services.entry_write(
        family=membership.family, actor=actor(request), body=payload.body, corrects=corrects
    )
    return Status(201, _entry_out(selectors.entry_get(membership, entry.public_id)))


PHOTO_ENTRY = Multipart(
    {"body": {"type": "string", "maxLength": MAX_BODY}, "photos": file_list(MAX_PHOTOS)},
    required=["body"],
)


@router.post(
    "/families/{family_id}/journal/with-photos",
    response={201: JournalEntryOut},
    summary="Write a journal entry with photos (parents; multipart: `body`, `photos` repeated)",
    openapi_extra=PHOTO_ENTRY.openapi(),
)
def entry_write_with_photos(request: HttpRequest, family_id: str) -> Status[JournalEntryOut]:
    # Read the multipart body by hand, after tenancy: an outsider learns nothing from validation.
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    parts = PHOTO_ENTRY.read(request)
    limit = files.max_bytes()
    uploads = [
        Upload(photo.name or "photo", photo.read(limit + 1)) for photo in parts.files["photos"]
    ]
    entry = services.entry_write(
        family=membership.family,
        actor=actor(request),
        body=parts.text.get("body", ""),
        photos=uploads,
    )
    return Status(201, _entry_out(selectors.entry_get(membership, entry.public_id)))


@router.get(
    "/families/{family_id}/journal/{entry_id}/photos/{photo_id}",
    summary="One photo of a journal entry (its author, or a professional it is shared with)",
)
def photo_get(request: HttpRequest, family_id: str, entry_id: str, photo_id: str) -> HttpResponse:
    membership = family_membership(request, family_id, roles=[Role.PARENT, Role.PROFESSIONAL])
    found = selectors.photo_get(membership, entry_id, photo_id)
    try:
        data = files.read(found.stored_name)
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(data, content_type=found.media_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "no-store"
    return response


@router.get(
    "/families/{family_id}/journal/shares",
    response=list[ShareOut],
    summary="What you share of your journal (parents)",
)
def share_list(request: HttpRequest, family_id: str) -> list[ShareOut]:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    return [_share_out(s) for s in selectors.share_list(membership)]


@router.post(
    "/families/{family_id}/journal/shares",
    response={201: ShareOut},
    summary="Share one entry (entry_id) or a period (start, end) with a professional (parents)",
)
def share_create(request: HttpRequest, family_id: str, payload: ShareIn) -> Status[ShareOut]:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    professional = get_for_family(
        Membership.objects.select_related("user"),
        membership.family,
        public_id=payload.professional_id,
    )
    entry = selectors.entry_get(membership, payload.entry_id) if payload.entry_id else None
    share = services.share_create(
        family=membership.family,
        actor=actor(request),
        professional=professional,
        entry=entry,
        start=payload.start,
        end=payload.end,
    )
    return Status(201, _share_out(selectors.share_get(membership, share.public_id)))


@router.post(
    "/families/{family_id}/journal/shares/{share_id}/stop",
    response=ShareOut,
    summary="Stop a share (its author)",
)
def share_revoke(request: HttpRequest, family_id: str, share_id: str) -> ShareOut:
    membership = family_membership(request, family_id, roles=[Role.PARENT])
    share = selectors.share_get(membership, share_id)
    services.share_revoke(family=membership.family, actor=actor(request), share=share)
    return _share_out(selectors.share_get(membership, share_id))


@router.get(
    "/families/{family_id}/journal/shared",
    response=list[ProvedEntryOut],
    summary="Journal entries shared with you, each with its salt and inclusion proof "
    "(professionals)",
)
def shared(request: HttpRequest, family_id: str) -> list[ProvedEntryOut]:
    membership = family_membership(request, family_id, roles=[Role.PROFESSIONAL])
    proved = selectors.prove(membership.family, selectors.shared_entries(membership))
    return [_proved_out(p) for p in proved]
